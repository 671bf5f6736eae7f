#include "cli/publish_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cli/toml_reader.h"

namespace guardfeed {
namespace {

constexpr std::string_view kS3 = "publish.s3";
constexpr std::string_view kAtp = "publish.atp";
// Remote timeouts: at least 1 s, at most 1 h.
constexpr int64_t kMaxRemoteTimeoutSeconds = 3600;

Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read publish.atp.token_file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string token = buffer.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

// [publish.s3] or [publish.atp] as a table, or null when absent.
Result<const toml::table*> PublishTable(const TomlReader& r, std::string_view name) {
  auto publish = r.Table(r.root(), "", "publish");
  if (!publish.ok() || *publish == nullptr) return publish;
  return r.Table(**publish, "publish", name);
}

Result<AtpFeed> ReadAtpFeed(const TomlReader& r, const toml::node& node, const Config& config) {
  const std::string key = std::string(kAtp) + ".feeds";
  const toml::table* feed = node.as_table();
  if (feed == nullptr) return r.Error(&node, key, "expected { feed, atp_name, type }");
  GF_RETURN_IF_ERROR(r.CheckKeys(*feed, key, {"feed", "atp_name", "type"}));
  AtpFeed out;
  GF_RETURN_IF_ERROR(r.String(*feed, key, "feed", out.feed));
  if (out.feed.empty()) return r.Error(&node, key + ".feed", "names no guardfeed feed");
  auto named = std::find_if(config.feeds.begin(), config.feeds.end(),
                            [&](const FeedConfig& f) { return f.name == out.feed; });
  if (named == config.feeds.end()) {
    return r.Error(feed->get("feed"), key + ".feed", "no feed named \"" + out.feed + "\"");
  }
  if (named->containment) {
    return r.Error(feed->get("feed"), key + ".feed",
                   "\"" + out.feed + "\" is a containment feed: ATP Cloud would block our own "
                   "instances everywhere as command-and-control servers (docs/containment.md)");
  }
  out.atp_name = out.feed;
  GF_RETURN_IF_ERROR(r.String(*feed, key, "atp_name", out.atp_name));
  std::string type = "ip";
  GF_RETURN_IF_ERROR(r.String(*feed, key, "type", type));
  auto parsed = ParseAtpContentType(type);
  if (!parsed.ok()) return r.Error(feed->get("type"), key + ".type", parsed.status().message());
  out.type = *parsed;
  return out;
}

Status ReadAtpFeeds(const TomlReader& r, const toml::table& atp, const Config& config,
                    AtpOptions& options) {
  const toml::node* node = atp.get("feeds");
  const toml::array* feeds = node != nullptr ? node->as_array() : nullptr;
  if (feeds == nullptr) {
    return r.Error(node != nullptr ? node : &atp, std::string(kAtp) + ".feeds",
                   "expected an array of { feed, atp_name, type } tables");
  }
  for (const toml::node& item : *feeds) {
    auto feed = ReadAtpFeed(r, item, config);
    if (!feed.ok()) return feed.status();
    options.feeds.push_back(std::move(*feed));
  }
  return Status::Ok();
}

Status ReadAtpTable(const TomlReader& r, const toml::table& atp, const Config& config,
                    AtpOptions& options) {
  GF_RETURN_IF_ERROR(
      r.CheckKeys(atp, kAtp,
                  {"base_url", "token", "token_file", "ca_file", "requests_per_minute",
                   "max_attempts", "timeout_seconds", "feeds"}));
  GF_RETURN_IF_ERROR(r.String(atp, kAtp, "base_url", options.base_url));
  GF_RETURN_IF_ERROR(r.String(atp, kAtp, "token", options.token));
  std::string token_file;
  GF_RETURN_IF_ERROR(r.String(atp, kAtp, "token_file", token_file));
  if (!token_file.empty() && options.token.empty()) {
    auto token = ReadTokenFile(token_file);
    if (!token.ok()) return token.status();
    options.token = *token;
  }
  GF_RETURN_IF_ERROR(r.String(atp, kAtp, "ca_file", options.ca_file));
  GF_RETURN_IF_ERROR(
      r.Integer(atp, kAtp, "requests_per_minute", 1, 6000, options.requests_per_window));
  GF_RETURN_IF_ERROR(r.Integer(atp, kAtp, "max_attempts", 1, 20, options.max_attempts));
  int64_t timeout_seconds = -1;
  GF_RETURN_IF_ERROR(
      r.Integer(atp, kAtp, "timeout_seconds", 1, kMaxRemoteTimeoutSeconds, timeout_seconds));
  if (timeout_seconds > 0) options.timeout = std::chrono::seconds(timeout_seconds);
  return ReadAtpFeeds(r, atp, config, options);
}

// Without [publish.atp], the Juniper Lambda's variables name the feeds: IP_FEED and DNS_FEED.
void AtpFeedsFromLambda(const Config& config, AtpOptions& options) {
  for (const FeedConfig& feed : config.feeds) {
    if (feed.format != FeedFormat::kSecIntel) continue;
    bool domain = feed.kinds == std::vector<IndicatorKind>{IndicatorKind::kDomain};
    options.feeds.push_back(
        {feed.name, feed.name, domain ? AtpContentType::kDomain : AtpContentType::kIp});
  }
}

Status ReadS3Timeouts(const TomlReader& r, const toml::table& t, S3Options& options) {
  int64_t timeout = 60, connect_timeout = 5;
  GF_RETURN_IF_ERROR(r.Duration(t, kS3, "timeout", 1, kMaxRemoteTimeoutSeconds, timeout));
  GF_RETURN_IF_ERROR(
      r.Duration(t, kS3, "connect_timeout", 1, kMaxRemoteTimeoutSeconds, connect_timeout));
  options.timeout = std::chrono::seconds(timeout);
  options.connect_timeout = std::chrono::seconds(connect_timeout);
  return Status::Ok();
}

Status ReadS3Table(const TomlReader& r, const toml::table& t, S3Options& options) {
  GF_RETURN_IF_ERROR(
      r.CheckKeys(t, kS3,
                  {"bucket", "region", "prefix", "endpoint", "path_style", "feeds", "keys",
                   "cache_control", "max_shrink_fraction", "check_manifest_urls", "ca_file",
                   "timeout", "connect_timeout", "max_attempts"}));
  GF_RETURN_IF_ERROR(r.String(t, kS3, "bucket", options.bucket));
  GF_RETURN_IF_ERROR(r.String(t, kS3, "region", options.region));
  GF_RETURN_IF_ERROR(r.String(t, kS3, "prefix", options.prefix));
  GF_RETURN_IF_ERROR(r.String(t, kS3, "endpoint", options.endpoint));
  GF_RETURN_IF_ERROR(r.Bool(t, kS3, "path_style", options.path_style));
  GF_RETURN_IF_ERROR(r.String(t, kS3, "cache_control", options.cache_control));
  GF_RETURN_IF_ERROR(r.Number(t, kS3, "max_shrink_fraction", 0, 1, options.max_shrink_fraction));
  GF_RETURN_IF_ERROR(r.Bool(t, kS3, "check_manifest_urls", options.check_manifest_urls));
  GF_RETURN_IF_ERROR(r.String(t, kS3, "ca_file", options.ca_file));
  GF_RETURN_IF_ERROR(ReadS3Timeouts(r, t, options));
  GF_RETURN_IF_ERROR(r.Integer(t, kS3, "max_attempts", 1, 20, options.retry.max_attempts));
  GF_RETURN_IF_ERROR(r.StringList(t, kS3, "feeds", options.feeds));
  return r.StringMap(t, kS3, "keys", options.keys);
}

}  // namespace

Result<std::optional<S3Options>> ReadS3Options(const Config& config) {
  TomlReader r(config.source, config.raw);
  auto s3 = PublishTable(r, "s3");
  if (!s3.ok()) return s3.status();
  if (*s3 == nullptr && config.lambda.s3_bucket.empty()) return std::optional<S3Options>();
  S3Options options;
  options.max_shrink_fraction = config.max_shrink_fraction;  // [publish.s3] may override it
  if (!config.lambda.s3_region.empty()) options.region = config.lambda.s3_region;
  if (*s3 != nullptr) GF_RETURN_IF_ERROR(ReadS3Table(r, **s3, options));
  if (!config.lambda.s3_bucket.empty()) options.bucket = config.lambda.s3_bucket;
  UseS3EndpointUnlessSet(options, config.lambda.s3_endpoint);
  if (*s3 == nullptr) options.feeds = config.lambda.s3_feeds;
  if (!config.lambda.s3_blocklist_key.empty() && !options.keys.contains("fortinet_blocklist")) {
    options.keys["fortinet_blocklist"] = config.lambda.s3_blocklist_key;
  }
  if (options.bucket.empty()) {
    return r.Error(*s3, std::string(kS3) + ".bucket", "required (or set S3_BUCKET)");
  }
  return std::optional<S3Options>(std::move(options));
}

Result<std::optional<AtpOptions>> ReadAtpOptions(const Config& config) {
  TomlReader r(config.source, config.raw);
  auto atp = PublishTable(r, "atp");
  if (!atp.ok()) return atp.status();
  if (*atp == nullptr && config.lambda.atp_token.empty()) return std::optional<AtpOptions>();
  AtpOptions options;
  if (*atp != nullptr) {
    GF_RETURN_IF_ERROR(ReadAtpTable(r, **atp, config, options));
  } else {
    AtpFeedsFromLambda(config, options);
  }
  if (options.token.empty()) options.token = config.lambda.atp_token;
  if (!config.lambda.atp_base_path.empty() && (*atp == nullptr || !(*atp)->contains("base_url"))) {
    options.base_url = config.lambda.atp_base_path;
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  return std::optional<AtpOptions>(std::move(options));
}

Result<std::vector<std::unique_ptr<Publisher>>> ConfiguredPublishers(const Config& config,
                                                                     Store* store,
                                                                     const PublishFlags& flags) {
  std::vector<std::unique_ptr<Publisher>> publishers;
  const ShrinkGuardOptions guard{config.max_shrink_fraction, flags.force};
  if (!config.publish_directory.empty()) {
    auto directory = NewDirectoryPublisher(config.publish_directory, store, guard);
    if (!directory.ok()) return directory.status();
    publishers.push_back(std::move(*directory));
  }
  auto s3 = ReadS3Options(config);
  if (!s3.ok()) return s3.status();
  if (*s3) {
    (*s3)->force = flags.force;
    auto publisher = NewS3Publisher(std::move(**s3), store);
    if (!publisher.ok()) return publisher.status();
    publishers.push_back(std::move(*publisher));
  }
  auto atp = ReadAtpOptions(config);
  if (!atp.ok()) return atp.status();
  if (*atp) {
    (*atp)->resync = flags.resync;
    (*atp)->shrink_guard = guard;
    auto publisher = NewAtpCloudPublisher(std::move(**atp), store);
    if (!publisher.ok()) return publisher.status();
    publishers.push_back(std::move(*publisher));
  }
  return publishers;
}

}  // namespace guardfeed
