#include "cli/server_config.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "cli/toml_reader.h"
#include "core/cidr.h"
#include "core/text.h"

namespace guardfeed {
namespace {

constexpr std::string_view kSection = "server";
// Every key [server] may hold (docs/server.md).
constexpr std::string_view kServerKeys[] = {"listen",
                                            "ingest_token",
                                            "ingest_api_key_header",
                                            "admin_token",
                                            "body_limit",
                                            "decompressed_limit",
                                            "header_timeout",
                                            "body_timeout",
                                            "idle_timeout",
                                            "write_timeout",
                                            "shutdown_grace",
                                            "tls_cert",
                                            "tls_key",
                                            "cache_control",
                                            "gzip",
                                            "threads",
                                            "store_threads",
                                            "render_debounce",
                                            "store_poll",
                                            "count_interval",
                                            "public_url",
                                            "feed_auth",
                                            "secintel_auth",
                                            "document_limit",
                                            "max_indicators_per_finding",
                                            "max_connections",
                                            "allowed_hosts",
                                            "group_commit_window",
                                            "group_commit_max_sightings",
                                            "consumer_stale_after"};
constexpr std::string_view kConsumerKeys[] = {"name", "platform", "feeds", "max_entries",
                                              "user", "password", "token", "source_cidrs",
                                              "formats"};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443".
Status ParseListen(std::string_view text, ServerOptions& options) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("expected HOST:PORT, e.g. \"127.0.0.1:8080\" or \"[::]:8080\"");
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port(text.substr(colon + 1));
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoi(port) > 65535) {
    return Status::InvalidArgument("port \"" + port + "\" is not 0..65535");
  }
  options.host = host;
  options.port = static_cast<uint16_t>(std::stoi(port));
  return Status::Ok();
}

Result<FeedAuth> ReadAuth(const TomlReader& r, const toml::node& node, const std::string& key) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return r.Error(&node, key, "expected a table with user/password or token");
  GF_RETURN_IF_ERROR(r.CheckKeys(*table, key, {"user", "password", "token"}));
  FeedAuth auth;
  GF_RETURN_IF_ERROR(r.String(*table, key, "user", auth.user));
  GF_RETURN_IF_ERROR(r.String(*table, key, "password", auth.password));
  GF_RETURN_IF_ERROR(r.String(*table, key, "token", auth.token));
  return auth;
}

Status ReadFeedAuth(const TomlReader& r, const toml::table& t, const Config& config,
                    ServerOptions& options) {
  if (const toml::node* node = t.get("secintel_auth")) {
    auto auth = ReadAuth(r, *node, "server.secintel_auth");
    if (!auth.ok()) return auth.status();
    options.secintel_auth = *auth;
  }
  auto feeds = r.Table(t, kSection, "feed_auth");
  if (!feeds.ok()) return feeds.status();
  if (*feeds == nullptr) return Status::Ok();
  for (const auto& [name, value] : **feeds) {
    std::string key = "server.feed_auth." + std::string(name.str());
    bool known = std::any_of(config.feeds.begin(), config.feeds.end(),
                             [&](const FeedConfig& feed) { return feed.name == name.str(); });
    if (!known) return r.Error(&value, key, "no feed named \"" + std::string(name.str()) + "\"");
    auto auth = ReadAuth(r, value, key);
    if (!auth.ok()) return auth.status();
    options.feed_auth[std::string(name.str())] = *auth;
  }
  return Status::Ok();
}

Status ReadServerStrings(const TomlReader& r, const toml::table& t, ServerOptions& o) {
  std::string listen;
  GF_RETURN_IF_ERROR(r.String(t, kSection, "listen", listen));
  if (!listen.empty()) {
    Status parsed = ParseListen(listen, o);
    if (!parsed.ok()) return r.Error(t.get("listen"), "server.listen", parsed.message());
  }
  GF_RETURN_IF_ERROR(r.String(t, kSection, "ingest_token", o.ingest_token));
  GF_RETURN_IF_ERROR(r.String(t, kSection, "ingest_api_key_header", o.ingest_api_key_header));
  GF_RETURN_IF_ERROR(r.String(t, kSection, "admin_token", o.admin_token));
  GF_RETURN_IF_ERROR(r.String(t, kSection, "tls_cert", o.tls_cert));
  GF_RETURN_IF_ERROR(r.String(t, kSection, "tls_key", o.tls_key));
  GF_RETURN_IF_ERROR(r.String(t, kSection, "cache_control", o.cache_control));
  GF_RETURN_IF_ERROR(r.String(t, kSection, "public_url", o.public_url));
  GF_RETURN_IF_ERROR(r.StringList(t, kSection, "allowed_hosts", o.allowed_hosts));
  for (std::string& host : o.allowed_hosts) host = ToLower(host);
  return r.Bool(t, kSection, "gzip", o.gzip);
}

Status ReadServerLimits(const TomlReader& r, const toml::table& t, ServerOptions& o) {
  using std::chrono::milliseconds;
  constexpr milliseconds kZero{0}, kOneMs{1};
  GF_RETURN_IF_ERROR(r.Size(t, kSection, "body_limit", 1, kMaxBodyLimit, o.body_limit));
  GF_RETURN_IF_ERROR(
      r.Size(t, kSection, "decompressed_limit", 1, kMaxDecompressedLimit, o.decompressed_limit));
  for (auto [key, out] :
       {std::pair{"header_timeout", &o.header_timeout}, std::pair{"body_timeout", &o.body_timeout},
        std::pair{"idle_timeout", &o.idle_timeout}, std::pair{"write_timeout", &o.write_timeout}}) {
    GF_RETURN_IF_ERROR(r.DurationMs(t, kSection, key, kOneMs, kMaxTimeout, *out));
  }
  GF_RETURN_IF_ERROR(
      r.DurationMs(t, kSection, "shutdown_grace", kZero, kMaxTimeout, o.shutdown_grace));
  GF_RETURN_IF_ERROR(
      r.DurationMs(t, kSection, "render_debounce", kZero, kMaxRenderDebounce, o.render_debounce));
  GF_RETURN_IF_ERROR(r.DurationMs(t, kSection, "store_poll", kOneMs, kMaxStorePoll, o.store_poll));
  GF_RETURN_IF_ERROR(
      r.DurationMs(t, kSection, "count_interval", kZero, kMaxCountInterval, o.count_interval));
  GF_RETURN_IF_ERROR(r.Integer(t, kSection, "threads", 1, 256, o.io_threads));
  GF_RETURN_IF_ERROR(r.Size(t, kSection, "document_limit", 1024, kMaxBodyLimit, o.document_limit));
  GF_RETURN_IF_ERROR(r.Integer(t, kSection, "max_indicators_per_finding", 1, 1'000'000,
                               o.max_indicators_per_finding));
  GF_RETURN_IF_ERROR(r.Integer(t, kSection, "max_connections", 1, 1'000'000, o.max_connections));
  GF_RETURN_IF_ERROR(r.DurationMs(t, kSection, "group_commit_window", kZero, kMaxGroupCommitWindow,
                                  o.group_commit_window));
  GF_RETURN_IF_ERROR(r.Integer(t, kSection, "group_commit_max_sightings", 1,
                               static_cast<int64_t>(kMaxGroupCommitSightings),
                               o.group_commit_max_sightings));
  GF_RETURN_IF_ERROR(r.DurationMs(t, kSection, "consumer_stale_after", std::chrono::seconds(1),
                                  kMaxConsumerStaleAfter, o.consumer_stale_after));
  return r.Integer(t, kSection, "store_threads", 1, 64, o.store_threads);
}

bool IsConsumerName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// `formats`: what the consumer reads, preferred first; every feed it may fetch must be servable.
Status ReadConsumerFormats(const TomlReader& r, const toml::table& t, const std::string& key,
                           const Config& config, ConsumerOptions& c) {
  std::vector<std::string> names;
  GF_RETURN_IF_ERROR(r.StringList(t, key, "formats", names));
  if (t.contains("formats") && names.empty()) {
    return r.Error(t.get("formats"), key + ".formats",
                   "an empty list names no format (leave `formats` out to serve every feed in "
                   "its own)");
  }
  for (const std::string& name : names) {
    Result<FeedFormat> format = ParseFormatName(name);
    if (!format.ok()) return r.Error(t.get("formats"), key + ".formats", format.status().message());
    if (std::find(c.formats.begin(), c.formats.end(), *format) == c.formats.end()) {
      c.formats.push_back(*format);
    }
  }
  for (const FeedConfig& feed : config.feeds) {
    std::string error = ConsumerFormatError(c, feed);
    if (!error.empty()) return r.Error(t.get("formats"), key + ".formats", error);
  }
  return Status::Ok();
}

Status ReadConsumerAccess(const TomlReader& r, const toml::table& t, const std::string& key,
                          const Config& config, ConsumerOptions& c) {
  GF_RETURN_IF_ERROR(r.StringList(t, key, "feeds", c.feeds));
  if (t.contains("feeds") && c.feeds.empty()) {
    // Fail closed: an empty list must not read as "every feed".
    return r.Error(t.get("feeds"), key + ".feeds",
                   "an empty list names no feed (leave `feeds` out to allow every feed)");
  }
  for (const std::string& feed : c.feeds) {
    bool known = std::any_of(config.feeds.begin(), config.feeds.end(),
                             [&](const FeedConfig& f) { return f.name == feed; });
    if (!known) return r.Error(t.get("feeds"), key + ".feeds", "no feed named \"" + feed + "\"");
  }
  GF_RETURN_IF_ERROR(ReadConsumerFormats(r, t, key, config, c));
  int64_t max_entries = -1;
  GF_RETURN_IF_ERROR(r.Integer(t, key, "max_entries", 0, 100'000'000, max_entries));
  if (max_entries >= 0) c.max_entries = static_cast<size_t>(max_entries);
  GF_RETURN_IF_ERROR(r.String(t, key, "user", c.user));
  GF_RETURN_IF_ERROR(r.String(t, key, "password", c.password));
  GF_RETURN_IF_ERROR(r.String(t, key, "token", c.token));
  std::vector<std::string> cidrs;
  GF_RETURN_IF_ERROR(r.StringList(t, key, "source_cidrs", cidrs));
  for (const std::string& text : cidrs) {
    Result<Cidr> cidr = ParseCidr(text);
    if (!cidr.ok()) {
      return r.Error(t.get("source_cidrs"), key + ".source_cidrs",
                     "\"" + text + "\": " + cidr.status().message());
    }
    c.source_cidrs.push_back(*cidr);
  }
  return Status::Ok();
}

Result<ConsumerOptions> ReadConsumer(const TomlReader& r, const toml::node& node,
                                     const Config& config) {
  const toml::table* t = node.as_table();
  if (t == nullptr) return r.Error(&node, "consumers", "expected [[consumers]] tables");
  GF_RETURN_IF_ERROR(r.CheckKeys(*t, "consumers", kConsumerKeys));
  ConsumerOptions c;
  GF_RETURN_IF_ERROR(r.String(*t, "consumers", "name", c.name));
  if (!IsConsumerName(c.name)) {
    return r.Error(t->get("name") ? t->get("name") : &node, "consumers.name",
                   "expected 1 to 64 of [A-Za-z0-9_-], got \"" + c.name + "\"");
  }
  const std::string key = "consumers." + c.name;
  std::string platform = "generic";
  GF_RETURN_IF_ERROR(r.String(*t, key, "platform", platform));
  std::optional<ConsumerPlatform> parsed = ParsePlatformName(platform);
  if (!parsed) {
    return r.Error(
        t->get("platform"), key + ".platform",
        "expected fortigate, panos, srx, pfsense, checkpoint or generic, got \"" + platform + "\"");
  }
  c.platform = *parsed;
  GF_RETURN_IF_ERROR(ReadConsumerAccess(r, *t, key, config, c));
  if (!c.has_credentials() && c.source_cidrs.empty()) {
    return r.Error(&node, key,
                   "set user and password, token, or source_cidrs (how the consumer is "
                   "recognised)");
  }
  return c;
}

// [[consumers]]: a top-level array of tables (docs/consumers.md).
Status ReadConsumers(const TomlReader& r, const Config& config, ServerOptions& options) {
  const toml::node* node = config.raw.get("consumers");
  if (node == nullptr) return Status::Ok();
  const toml::array* consumers = node->as_array();
  if (consumers == nullptr) return r.Error(node, "consumers", "expected [[consumers]] tables");
  for (const toml::node& item : *consumers) {
    auto consumer = ReadConsumer(r, item, config);
    if (!consumer.ok()) return consumer.status();
    for (const ConsumerOptions& other : options.consumers) {
      if (other.name == consumer->name) {
        return r.Error(&item, "consumers.name", "duplicate consumer name '" + other.name + "'");
      }
    }
    options.consumers.push_back(std::move(*consumer));
    // The rules over all profiles (credentials complete, unique users and tokens), reported at
    // the profile that breaks them.
    Status profiles = CheckConsumerProfiles(options.consumers);
    if (!profiles.ok()) {
      const std::string& message = profiles.message();
      size_t colon = message.find(": ");
      if (colon == std::string::npos) return r.Error(&item, "consumers", message);
      return r.Error(&item, message.substr(0, colon), message.substr(colon + 2));
    }
  }
  return Status::Ok();
}

const std::string* Lookup(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db".
std::string MaskPassword(const std::string& url) {
  if (url.find("://") == std::string::npos) return url;  // a file path
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "(a store URL that does not parse)";
  boost::urls::url masked(*parsed);
  if (masked.has_password()) masked.set_password("***");
  if (masked.params().contains("password")) masked.params().set("password", "***");
  return std::string(masked.buffer());
}

}  // namespace

Result<ServerOptions> ReadServerOptions(const Config& config, const Environment& env,
                                        std::string_view listen_override) {
  ServerOptions options;
  TomlReader r(config.source, config.raw);
  auto table = r.Table(config.raw, "", kSection);
  if (!table.ok()) return table.status();
  if (const toml::table* t = *table) {
    GF_RETURN_IF_ERROR(r.CheckKeys(*t, kSection, kServerKeys));
    GF_RETURN_IF_ERROR(ReadServerStrings(r, *t, options));
    GF_RETURN_IF_ERROR(ReadServerLimits(r, *t, options));
    GF_RETURN_IF_ERROR(ReadFeedAuth(r, *t, config, options));
  }
  GF_RETURN_IF_ERROR(ReadConsumers(r, config, options));
  options.secintel = config.secintel;
  if (const std::string* token = Lookup(env, "GUARDFEED_INGEST_TOKEN")) {
    options.ingest_token = *token;
  }
  if (const std::string* token = Lookup(env, "GUARDFEED_ADMIN_TOKEN")) options.admin_token = *token;
  if (!listen_override.empty()) {
    Status parsed = ParseListen(listen_override, options);
    if (!parsed.ok()) return Status::InvalidArgument("--listen: " + parsed.message());
  }
  GF_RETURN_IF_ERROR(ValidateServerOptions(options));
  return options;
}

Status CheckReloadStore(const std::string& running_url, const std::string& next_url) {
  if (running_url == next_url) return Status::Ok();
  return Status::FailedPrecondition("reload refused: store url changed from " +
                                    MaskPassword(running_url) + " to " + MaskPassword(next_url) +
                                    "; restart the daemon to change stores");
}

}  // namespace guardfeed
