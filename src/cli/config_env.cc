// Environment overrides, including the variables of the two reference Lambdas so either can be
// replaced by guardfeed without touching the firewalls.
#include <charconv>

#include "aws/s3_client.h"
#include "cli/config.h"

namespace guardfeed {
namespace {

const std::string* Lookup(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() || it->second.empty() ? nullptr : &it->second;
}

Status EnvInteger(const Environment& env, const char* name, int64_t min, int64_t max,
                  std::optional<int64_t>& out) {
  const std::string* text = Lookup(env, name);
  if (text == nullptr) return Status::Ok();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return Status::InvalidArgument("environment variable " + std::string(name) + "='" + *text +
                                   "': expected an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  out = value;
  return Status::Ok();
}

// The SecIntel feed carrying `kind`, created with the Juniper Lambda's defaults if missing.
FeedConfig& SecIntelFeed(Config& config, IndicatorKind kind, const std::string& name) {
  for (FeedConfig& feed : config.feeds) {
    if (feed.format == FeedFormat::kSecIntel && feed.kinds == std::vector<IndicatorKind>{kind}) {
      return feed;
    }
  }
  FeedConfig& feed = config.feeds.emplace_back();
  feed.name = name;
  feed.format = FeedFormat::kSecIntel;
  feed.kinds = {kind};
  feed.max_entries = 10000;  // the Juniper Lambda's MAX_ENTRIES default
  return feed;
}

Status ApplyJuniper(const Environment& env, Config& config) {
  for (auto [variable, kind] : {std::pair{"IP_FEED", IndicatorKind::kIpv4},
                                std::pair{"DNS_FEED", IndicatorKind::kDomain}}) {
    const std::string* name = Lookup(env, variable);
    if (name == nullptr) continue;
    if (!IsValidSecIntelFeedName(*name)) {
      return Status::InvalidArgument("environment variable " + std::string(variable) + "='" +
                                     *name + "': expected 8-64 characters of [A-Za-z0-9_]");
    }
    SecIntelFeed(config, kind, *name).name = *name;
  }
  std::optional<int64_t> max_entries, ttl, interval;
  GF_RETURN_IF_ERROR(EnvInteger(env, "MAX_ENTRIES", 1000, 100000, max_entries));
  GF_RETURN_IF_ERROR(EnvInteger(env, "FEED_TTL", 86400, 31556952, ttl));
  GF_RETURN_IF_ERROR(EnvInteger(env, "FEED_UPDATE_INTERVAL", 300, 86400, interval));
  for (FeedConfig& feed : config.feeds) {
    if (max_entries && feed.format == FeedFormat::kSecIntel) {
      feed.max_entries = static_cast<size_t>(*max_entries);
    }
  }
  if (ttl) config.secintel.ttl = *ttl;
  if (interval) config.secintel.update_interval = *interval;
  if (const std::string* token = Lookup(env, "SKY_APPLICATION_TOKEN")) {
    config.lambda.atp_token = *token;
  }
  if (const std::string* base = Lookup(env, "SKY_OPENAPI_BASE_PATH")) {
    config.lambda.atp_base_path = *base;
  }
  return Status::Ok();
}

Status ApplyFortinet(const Environment& env, Config& config) {
  const std::string* key = Lookup(env, "S3_BLOCKLIST_KEY");
  if (key != nullptr) {
    config.lambda.s3_blocklist_key = *key;
    bool exists = false;
    for (const FeedConfig& feed : config.feeds) exists |= feed.name == "fortinet_blocklist";
    if (!exists) {
      // What the Fortinet Lambda publishes (bare addresses, CRLF), plus IPv6 it never had.
      FeedConfig& feed = config.feeds.emplace_back();
      feed.name = "fortinet_blocklist";
      feed.kinds = {IndicatorKind::kIpv4, IndicatorKind::kIpv6};
      feed.crlf = true;
    }
  }
  for (const char* region : {"REGION", "AWS_REGION"}) {
    if (const std::string* value = Lookup(env, region); value && config.lambda.s3_region.empty()) {
      config.lambda.s3_region = *value;
    }
  }
  return Status::Ok();
}

Status ApplySeverity(const Environment& env, Config& config) {
  std::optional<int64_t> juniper, fortinet;
  GF_RETURN_IF_ERROR(EnvInteger(env, "SEVERITY_LEVEL", 1, 10, juniper));
  GF_RETURN_IF_ERROR(EnvInteger(env, "MIN_SEVERITY", 1, 10, fortinet));
  if (juniper && fortinet && *juniper != *fortinet) {
    return Status::InvalidArgument("SEVERITY_LEVEL=" + std::to_string(*juniper) +
                                   " and MIN_SEVERITY=" + std::to_string(*fortinet) +
                                   " disagree; set one of them");
  }
  if (juniper || fortinet)
    config.policy.min_severity = static_cast<double>(juniper ? *juniper : *fortinet);
  if (const std::string* text = Lookup(env, "GUARDFEED_MIN_SEVERITY")) {
    double value = -1;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 0 || value > 10) {
      return Status::InvalidArgument("environment variable GUARDFEED_MIN_SEVERITY='" + *text +
                                     "': expected a number from 0 to 10");
    }
    config.policy.min_severity = value;
  }
  return Status::Ok();
}

// The AWS SDKs' endpoint variables and where the Lambda keeps its state.
Status ApplyAwsAndState(const Environment& env, Config& config) {
  config.lambda.s3_endpoint = S3EndpointFromEnvironment([&env](const char* name) -> const char* {
    const std::string* value = Lookup(env, name);
    return value != nullptr ? value->c_str() : nullptr;
  });
  if (const std::string* bucket = Lookup(env, "GUARDFEED_STATE_BUCKET")) {
    config.lambda.state_bucket = *bucket;
  }
  if (const std::string* prefix = Lookup(env, "GUARDFEED_STATE_PREFIX")) {
    std::string_view text = *prefix;
    while (text.ends_with('/')) text.remove_suffix(1);
    if (text.empty() || text.starts_with('/')) {
      return Status::InvalidArgument("environment variable GUARDFEED_STATE_PREFIX='" + *prefix +
                                     "': expected a key prefix like guardfeed-state");
    }
    config.lambda.state_prefix = std::string(text);
  }
  return Status::Ok();
}

}  // namespace

Status ApplyEnvironment(const Environment& env, Config& config) {
  if (const std::string* store = Lookup(env, "GUARDFEED_STORE")) config.store_url = *store;
  if (const std::string* dir = Lookup(env, "GUARDFEED_PUBLISH_DIR")) {
    config.publish_directory = *dir;
  }
  if (const std::string* bucket = Lookup(env, "S3_BUCKET")) config.lambda.s3_bucket = *bucket;
  GF_RETURN_IF_ERROR(ApplyAwsAndState(env, config));
  GF_RETURN_IF_ERROR(ApplySeverity(env, config));
  GF_RETURN_IF_ERROR(ApplyJuniper(env, config));
  return ApplyFortinet(env, config);
}

}  // namespace guardfeed
