// Config: guardfeed's configuration, from a TOML file (config/guardfeed.example.toml documents
// every key) with environment overrides: GUARDFEED_* and the two reference Lambdas' variables
// (Juniper SRX-GD-ThreatFeed, Fortinet aws-lambda-guardduty), each range-checked as those
// Lambdas document. Without a file, the built-in defaults are config/guardfeed.example.toml
// itself, embedded at build time (builtin_config.h): one source of truth for the default feeds.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

#include "feeds/feed.h"
#include "feeds/secintel.h"
#include "policy/policy.h"
#include "store/ingest.h"

namespace guardfeed {

// Upper bounds of configured durations, so "timestamp + duration" arithmetic stays far from the
// int64_t limits. TTLs (policy.ttl.*) and store.retention: 10 years.
inline constexpr int64_t kMaxTtlSeconds = int64_t{3650} * 86400;
inline constexpr int64_t kMaxRetentionSeconds = int64_t{3650} * 86400;
// [containment] ttl: 15 minutes (GuardDuty's fastest re-publication) to 30 days.
inline constexpr int64_t kMinContainmentTtlSeconds = 15 * 60;
inline constexpr int64_t kMaxContainmentTtlSeconds = int64_t{30} * 86400;

struct Config {
  std::string source;     // the file it came from, or "(built-in defaults)"
  std::string store_url;  // [store] url; default "sqlite://guardfeed-data/guardfeed.db"
  PolicyOptions policy;
  IngestOptions ingest;
  std::vector<FeedConfig> feeds;
  SecIntelOptions secintel;
  std::string publish_directory;  // [publish] directory; "" = no directory publishing
  // The shrink guard in front of the served feeds and every publisher: the largest loss of
  // entries, as a fraction of what was published, accepted without an operator
  // ([publish] max_shrink_fraction, 0..1; [publish.s3] may set its own). Default 0.5.
  double max_shrink_fraction = 0.5;
  // Retention of expired sightings before `expire` deletes them ([store] retention). Default 7d.
  int64_t retention_seconds = 7 * 86400;
  // Publishing settings that arrive as the reference Lambdas' environment variables; the S3 and
  // ATP Cloud publishers read them. Empty when unset.
  struct LambdaPublish {
    std::string s3_bucket;         // S3_BUCKET
    std::string s3_region;         // REGION / AWS_REGION
    std::string s3_blocklist_key;  // S3_BLOCKLIST_KEY (Fortinet: key of the IP list)
    std::string atp_token;         // SKY_APPLICATION_TOKEN
    std::string atp_base_path;     // SKY_OPENAPI_BASE_PATH
    // AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (the AWS SDKs' variables): an S3-compatible
    // endpoint for every S3 client that has none configured.
    std::string s3_endpoint;
    // The Lambda's state (docs/deploy-lambda.md): GUARDFEED_STATE_BUCKET (default: S3_BUCKET)
    // and GUARDFEED_STATE_PREFIX (default "guardfeed-state").
    std::string state_bucket;
    std::string state_prefix = "guardfeed-state";
    // Feeds `guardfeed lambda` publishes to S3 when no [publish.s3] table says otherwise: exactly
    // the seeds' objects (the SecIntel feeds with manifest.xml and cc_schema, the Fortinet list).
    std::vector<std::string> s3_feeds;
  } lambda;
  // The whole document, for the sections read by the code that owns them: [server]
  // (server_config.h), [publish.s3] and [publish.atp] (publish_config.h).
  toml::table raw;
};

using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// Applies GUARDFEED_* and the reference Lambdas' variables to `config` (docs/configuration.md):
// GUARDFEED_STORE, GUARDFEED_PUBLISH_DIR, GUARDFEED_MIN_SEVERITY; Juniper SEVERITY_LEVEL (1-10),
// IP_FEED/DNS_FEED (8-64 of [A-Za-z0-9_]), MAX_ENTRIES (1000-100000), FEED_TTL (86400-31556952),
// FEED_UPDATE_INTERVAL (300-86400), S3_BUCKET, SKY_APPLICATION_TOKEN, SKY_OPENAPI_BASE_PATH;
// Fortinet MIN_SEVERITY (1-10), S3_BLOCKLIST_KEY, REGION. A value out of range is an error naming
// the variable.
Status ApplyEnvironment(const Environment& env, Config& config);

// Reads `path` ("" for the built-in defaults, i.e. the embedded example configuration with its
// feeds) and applies `env`. Errors (InvalidArgument, or NotFound for a missing file) name the
// file, the line and the key ("guardfeed.toml:12: policy.min_severity: expected a number from 0
// to 10, got "high""). A configuration that ends up with no feed is an error: a file without
// [[feeds]] does not inherit the built-in feeds.
Result<Config> LoadConfig(const std::string& path, const Environment& env);

}  // namespace guardfeed
