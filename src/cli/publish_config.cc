#include "cli/publish_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace guardfeed {
namespace {

Status SectionError(std::string_view section, const toml::node* node, const std::string& key,
                    const std::string& message) {
  std::string where = node != nullptr && node->source().path
                          ? std::string(*node->source().path) + ":" +
                                std::to_string(node->source().begin.line) + ": "
                          : std::string();
  return Status::InvalidArgument(where + std::string(section) + "." + key + ": " + message);
}

Status AtpError(const toml::node* node, const std::string& key, const std::string& message) {
  return SectionError("publish.atp", node, key, message);
}

Status CheckKnownKeys(std::string_view section, const toml::table& table,
                      std::initializer_list<std::string_view> known) {
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      return SectionError(section, &node, std::string(key.str()), "unknown key");
    }
  }
  return Status::Ok();
}

Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read publish.atp.token_file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string token = buffer.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

Status ReadAtpFeeds(const toml::table& atp, AtpOptions& options) {
  const toml::array* feeds = atp["feeds"].as_array();
  if (feeds == nullptr) return AtpError(atp.get("feeds"), "feeds", "expected an array of tables");
  for (const toml::node& node : *feeds) {
    const toml::table* feed = node.as_table();
    if (feed == nullptr) return AtpError(&node, "feeds", "expected { feed, atp_name, type }");
    AtpFeed out;
    out.feed = (*feed)["feed"].value_or(std::string());
    out.atp_name = (*feed)["atp_name"].value_or(out.feed);
    auto type = ParseAtpContentType((*feed)["type"].value_or(std::string("ip")));
    if (!type.ok()) return AtpError(&node, "feeds.type", type.status().message());
    out.type = *type;
    if (out.feed.empty()) return AtpError(&node, "feeds.feed", "names no guardfeed feed");
    options.feeds.push_back(std::move(out));
  }
  return Status::Ok();
}

Status ReadAtpTable(const toml::table& atp, AtpOptions& options) {
  GF_RETURN_IF_ERROR(CheckKnownKeys("publish.atp", atp,
                                    {"base_url", "token", "token_file", "ca_file",
                                     "requests_per_minute", "max_attempts", "timeout_seconds",
                                     "feeds"}));
  options.base_url = atp["base_url"].value_or(options.base_url);
  options.token = atp["token"].value_or(std::string());
  if (auto file = atp["token_file"].value<std::string>(); file && options.token.empty()) {
    auto token = ReadTokenFile(*file);
    if (!token.ok()) return token.status();
    options.token = *token;
  }
  options.ca_file = atp["ca_file"].value_or(std::string());
  options.requests_per_window = atp["requests_per_minute"].value_or(options.requests_per_window);
  options.max_attempts = atp["max_attempts"].value_or(options.max_attempts);
  if (auto seconds = atp["timeout_seconds"].value<int64_t>()) {
    options.timeout = std::chrono::seconds(*seconds);
  }
  return ReadAtpFeeds(atp, options);
}

// Without [publish.atp], the Juniper Lambda's variables name the feeds: IP_FEED and DNS_FEED.
void AtpFeedsFromLambda(const Config& config, AtpOptions& options) {
  for (const FeedConfig& feed : config.feeds) {
    if (feed.format != FeedFormat::kSecIntel) continue;
    bool domain = feed.kinds == std::vector<IndicatorKind>{IndicatorKind::kDomain};
    options.feeds.push_back({feed.name, feed.name, domain ? AtpContentType::kDomain
                                                          : AtpContentType::kIp});
  }
}

Status ReadS3Table(const toml::table& t, S3Options& options) {
  GF_RETURN_IF_ERROR(CheckKnownKeys(
      "publish.s3", t,
      {"bucket", "region", "prefix", "endpoint", "path_style", "feeds", "keys", "cache_control",
       "max_shrink_fraction", "check_manifest_urls", "ca_file", "timeout", "connect_timeout",
       "max_attempts"}));
  options.bucket = t["bucket"].value_or(options.bucket);
  options.region = t["region"].value_or(options.region);
  options.prefix = t["prefix"].value_or(std::string());
  options.endpoint = t["endpoint"].value_or(std::string());
  options.path_style = t["path_style"].value_or(false);
  options.cache_control = t["cache_control"].value_or(std::string());
  options.max_shrink_fraction = t["max_shrink_fraction"].value_or(options.max_shrink_fraction);
  options.check_manifest_urls = t["check_manifest_urls"].value_or(true);
  options.ca_file = t["ca_file"].value_or(std::string());
  options.timeout = std::chrono::seconds(t["timeout"].value_or(int64_t{60}));
  options.connect_timeout = std::chrono::seconds(t["connect_timeout"].value_or(int64_t{5}));
  options.retry.max_attempts = t["max_attempts"].value_or(options.retry.max_attempts);
  if (const toml::array* feeds = t["feeds"].as_array()) {
    for (const toml::node& feed : *feeds) {
      if (!feed.is_string()) return SectionError("publish.s3", &feed, "feeds", "expected names");
      options.feeds.push_back(feed.as_string()->get());
    }
  }
  if (const toml::table* keys = t["keys"].as_table()) {
    for (const auto& [name, key] : *keys) {
      if (!key.is_string()) return SectionError("publish.s3", &key, "keys", "expected strings");
      options.keys[std::string(name.str())] = key.as_string()->get();
    }
  }
  if (options.max_shrink_fraction < 0 || options.max_shrink_fraction > 1) {
    return SectionError("publish.s3", t.get("max_shrink_fraction"), "max_shrink_fraction",
                        "expected a fraction from 0 to 1");
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<S3Options>> ReadS3Options(const Config& config) {
  const toml::table* s3 = config.raw["publish"]["s3"].as_table();
  if (s3 == nullptr && config.lambda.s3_bucket.empty()) return std::optional<S3Options>();
  S3Options options;
  if (!config.lambda.s3_region.empty()) options.region = config.lambda.s3_region;
  if (s3 != nullptr) GF_RETURN_IF_ERROR(ReadS3Table(*s3, options));
  if (!config.lambda.s3_bucket.empty()) options.bucket = config.lambda.s3_bucket;
  if (!config.lambda.s3_blocklist_key.empty() && !options.keys.contains("fortinet_blocklist")) {
    options.keys["fortinet_blocklist"] = config.lambda.s3_blocklist_key;
  }
  if (options.bucket.empty()) {
    return SectionError("publish.s3", s3, "bucket", "required (or set S3_BUCKET)");
  }
  return std::optional<S3Options>(std::move(options));
}

Result<std::optional<AtpOptions>> ReadAtpOptions(const Config& config) {
  const toml::table* atp = config.raw["publish"]["atp"].as_table();
  if (atp == nullptr && config.lambda.atp_token.empty()) return std::optional<AtpOptions>();
  AtpOptions options;
  if (atp != nullptr) {
    GF_RETURN_IF_ERROR(ReadAtpTable(*atp, options));
  } else {
    AtpFeedsFromLambda(config, options);
  }
  if (options.token.empty()) options.token = config.lambda.atp_token;
  if (!config.lambda.atp_base_path.empty() && (atp == nullptr || !atp->contains("base_url"))) {
    options.base_url = config.lambda.atp_base_path;
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  return std::optional<AtpOptions>(std::move(options));
}

Result<std::vector<std::unique_ptr<Publisher>>> ConfiguredPublishers(const Runtime& runtime,
                                                                     const PublishFlags& flags) {
  const Config& config = runtime.config;
  std::vector<std::unique_ptr<Publisher>> publishers;
  if (!config.publish_directory.empty()) {
    auto directory = NewDirectoryPublisher(config.publish_directory);
    if (!directory.ok()) return directory.status();
    publishers.push_back(std::move(*directory));
  }
  auto s3 = ReadS3Options(config);
  if (!s3.ok()) return s3.status();
  if (*s3) {
    (*s3)->force = flags.force;
    auto publisher = NewS3Publisher(std::move(**s3), runtime.store.get());
    if (!publisher.ok()) return publisher.status();
    publishers.push_back(std::move(*publisher));
  }
  auto atp = ReadAtpOptions(config);
  if (!atp.ok()) return atp.status();
  if (*atp) {
    (*atp)->resync = flags.resync;
    auto publisher = NewAtpCloudPublisher(std::move(**atp), runtime.store.get());
    if (!publisher.ok()) return publisher.status();
    publishers.push_back(std::move(*publisher));
  }
  return publishers;
}

}  // namespace guardfeed
