#include "cli/publish_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace guardfeed {
namespace {

Status AtpError(const toml::node* node, const std::string& key, const std::string& message) {
  std::string where = node != nullptr && node->source().path
                          ? std::string(*node->source().path) + ":" +
                                std::to_string(node->source().begin.line) + ": "
                          : std::string();
  return Status::InvalidArgument(where + "publish.atp." + key + ": " + message);
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
  static constexpr std::string_view kKnown[] = {"base_url", "token", "token_file", "ca_file",
                                                "requests_per_minute", "max_attempts",
                                                "timeout_seconds", "feeds"};
  for (const auto& [key, node] : atp) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown)) {
      return AtpError(&node, std::string(key.str()), "unknown key");
    }
  }
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

}  // namespace

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

}  // namespace guardfeed
