// Config: guardfeed's configuration, from a TOML file (config/guardfeed.example.toml documents
// every key) with environment overrides: GUARDFEED_* and the two reference Lambdas' variables
// (Juniper SRX-GD-ThreatFeed, Fortinet aws-lambda-guardduty), each range-checked as those
// Lambdas document.
#pragma once

#include <map>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "feeds/feed.h"
#include "feeds/secintel.h"
#include "policy/policy.h"
#include "store/ingest.h"

namespace guardfeed {

struct Config {
  std::string source;     // the file it came from, or "(built-in defaults)"
  std::string store_url;  // [store] url; default "sqlite://guardfeed-data/guardfeed.db"
  PolicyOptions policy;
  IngestOptions ingest;
  std::vector<FeedConfig> feeds;
  SecIntelOptions secintel;
  std::string publish_directory;  // [publish] directory; "" = no directory publishing
  // Sections parsed by the command that owns them ([server], [publish.s3], [publish.atp]).
  toml::table raw;
};

using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// Reads `path` ("" for built-in defaults) and applies `env`. Errors name the file, the line and
// the key ("guardfeed.toml:12: policy.min_severity: expected a number 0..10, got "high"").
Result<Config> LoadConfig(const std::string& path, const Environment& env);

}  // namespace guardfeed
