#include "cli/config.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/builtin_config.h"
#include "cli/toml_reader.h"
#include "core/cidr.h"
#include "core/special_ranges.h"

extern char** environ;

namespace guardfeed {
namespace {

constexpr const char* kDefaultStore = "sqlite://guardfeed-data/guardfeed.db";
constexpr const char* kBuiltinSource = "(built-in defaults)";

Status ReadTtl(const TomlReader& r, const toml::table& ttl, PolicyOptions& policy) {
  GF_RETURN_IF_ERROR(
      r.CheckKeys(ttl, "policy.ttl", {"low", "medium", "high", "critical", "by_type"}));
  GF_RETURN_IF_ERROR(r.Duration(ttl, "policy.ttl", "low", 0, kMaxTtlSeconds, policy.ttl_low));
  GF_RETURN_IF_ERROR(r.Duration(ttl, "policy.ttl", "medium", 0, kMaxTtlSeconds, policy.ttl_medium));
  GF_RETURN_IF_ERROR(r.Duration(ttl, "policy.ttl", "high", 0, kMaxTtlSeconds, policy.ttl_high));
  GF_RETURN_IF_ERROR(
      r.Duration(ttl, "policy.ttl", "critical", 0, kMaxTtlSeconds, policy.ttl_critical));
  const toml::node* by_type = ttl.get("by_type");
  if (by_type == nullptr) return Status::Ok();
  if (!by_type->is_array()) return r.Error(by_type, "policy.ttl.by_type", "expected an array");
  for (const toml::node& item : *by_type->as_array()) {
    const toml::table* rule = item.as_table();
    if (rule == nullptr) {
      return r.Error(&item, "policy.ttl.by_type", "expected { type = \"...\", ttl = \"3d\" }");
    }
    TtlRule parsed;
    GF_RETURN_IF_ERROR(r.CheckKeys(*rule, "policy.ttl.by_type", {"type", "ttl"}));
    GF_RETURN_IF_ERROR(r.String(*rule, "policy.ttl.by_type", "type", parsed.type_glob));
    GF_RETURN_IF_ERROR(
        r.Duration(*rule, "policy.ttl.by_type", "ttl", 1, kMaxTtlSeconds, parsed.ttl_seconds));
    if (parsed.type_glob.empty() || parsed.ttl_seconds <= 0) {
      return r.Error(&item, "policy.ttl.by_type", "each rule needs a type and a positive ttl");
    }
    policy.ttl_by_type.push_back(std::move(parsed));
  }
  return Status::Ok();
}

Status ReadPolicy(const TomlReader& r, const toml::table& t, PolicyOptions& policy) {
  GF_RETURN_IF_ERROR(
      r.CheckKeys(t, "policy",
                  {"min_severity", "include_types", "exclude_types", "include_samples", "archived",
                   "allow_ranges", "allowlist", "allowlist_min_ipv4_prefix",
                   "allowlist_min_ipv6_prefix", "ttl"}));
  GF_RETURN_IF_ERROR(r.Number(t, "policy", "min_severity", 0, 10, policy.min_severity));
  GF_RETURN_IF_ERROR(r.StringList(t, "policy", "include_types", policy.include_types));
  GF_RETURN_IF_ERROR(r.StringList(t, "policy", "exclude_types", policy.exclude_types));
  GF_RETURN_IF_ERROR(r.Bool(t, "policy", "include_samples", policy.include_samples));
  std::string archived = "withdraw";
  GF_RETURN_IF_ERROR(r.String(t, "policy", "archived", archived));
  if (archived != "withdraw" && archived != "keep") {
    return r.Error(t.get("archived"), "policy.archived", "expected \"withdraw\" or \"keep\"");
  }
  policy.archived_withdraws = archived == "withdraw";
  GF_RETURN_IF_ERROR(r.StringList(t, "policy", "allow_ranges", policy.allowed_range_classes));
  for (const std::string& range_class : policy.allowed_range_classes) {
    if (!IsKnownRangeClass(range_class)) {
      return r.Error(t.get("allow_ranges"), "policy.allow_ranges",
                     "unknown range class '" + range_class +
                         "' (private, loopback, link_local, cgnat, multicast, documentation, "
                         "reserved, unspecified, benchmarking, unique_local)");
    }
  }
  std::vector<std::string> allowlist;
  AllowlistWidthLimits limits;
  GF_RETURN_IF_ERROR(
      r.Integer(t, "policy", "allowlist_min_ipv4_prefix", 0, 32, limits.min_ipv4_prefix));
  GF_RETURN_IF_ERROR(
      r.Integer(t, "policy", "allowlist_min_ipv6_prefix", 0, 128, limits.min_ipv6_prefix));
  policy.allowlist.set_width_limits(limits);
  GF_RETURN_IF_ERROR(r.StringList(t, "policy", "allowlist", allowlist));
  for (const std::string& entry : allowlist) {
    // The same width rule as `allow add` and the admin API; a file has no "force".
    if (Status s = Allowlist::CheckWidth(entry, limits); !s.ok()) {
      return r.Error(t.get("allowlist"), "policy.allowlist",
                     s.message() +
                         " (lower policy.allowlist_min_ipv4_prefix / allowlist_min_ipv6_prefix "
                         "to allow it, or use `guardfeed allow add ENTRY --force`)");
    }
    if (Status s = policy.allowlist.Add(entry); !s.ok()) {
      return r.Error(t.get("allowlist"), "policy.allowlist", s.message());
    }
  }
  auto ttl = r.Table(t, "policy", "ttl");
  if (!ttl.ok()) return ttl.status();
  if (*ttl != nullptr) GF_RETURN_IF_ERROR(ReadTtl(r, **ttl, policy));
  return Status::Ok();
}

bool IsValidFeedName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

Status ValidateFeed(const TomlReader& r, const toml::node* node, const FeedConfig& feed) {
  std::string key = "feeds." + feed.name;
  if (!IsValidFeedName(feed.name)) {
    return r.Error(node, "feeds.name", "'" + feed.name + "' must be 1-64 of [A-Za-z0-9_-]");
  }
  if (feed.kinds.empty()) return r.Error(node, key + ".kinds", "a feed needs at least one kind");
  if (feed.containment && feed.format == FeedFormat::kSecIntel) {
    // SecIntel feeds are command-and-control lists: SRX would treat our own hosts as C&C servers.
    return r.Error(node, key + ".format",
                   "a containment feed cannot be secintel: use plain (SRX dynamic-address "
                   "feed-server, FortiGate, Palo Alto), json or checkpoint (docs/containment.md)");
  }
  if (feed.format != FeedFormat::kSecIntel) return Status::Ok();
  if (!IsValidSecIntelFeedName(feed.name)) {
    return r.Error(node, key + ".name",
                   "SecIntel feed names are 8-64 characters of [A-Za-z0-9_] (SRX and ATP Cloud)");
  }
  if (feed.kinds.size() != 1 || feed.kinds[0] == IndicatorKind::kIpv6) {
    return r.Error(node, key + ".kinds",
                   "a SecIntel feed carries exactly one kind: [\"ipv4\"] or [\"domain\"]");
  }
  return Status::Ok();
}

Status ReadFeedOptions(const TomlReader& r, const toml::table& t, const std::string& key,
                       FeedConfig& feed) {
  GF_RETURN_IF_ERROR(r.Integer(t, key, "min_threat_level", 1, 10, feed.min_threat_level));
  GF_RETURN_IF_ERROR(r.Integer(t, key, "max_entries", 0, 100'000'000, feed.max_entries));
  GF_RETURN_IF_ERROR(r.Bool(t, key, "aggregate", feed.aggregate));
  GF_RETURN_IF_ERROR(r.Bool(t, key, "header", feed.header));
  GF_RETURN_IF_ERROR(r.String(t, key, "confidence", feed.confidence));
  GF_RETURN_IF_ERROR(r.String(t, key, "product", feed.product));
  std::string line_ending = "lf";
  GF_RETURN_IF_ERROR(r.String(t, key, "line_ending", line_ending));
  if (line_ending != "lf" && line_ending != "crlf") {
    return r.Error(t.get("line_ending"), key + ".line_ending", "expected \"lf\" or \"crlf\"");
  }
  feed.crlf = line_ending == "crlf";
  return Status::Ok();
}

Result<FeedConfig> ReadFeed(const TomlReader& r, const toml::node& node) {
  const toml::table* t = node.as_table();
  if (t == nullptr) return r.Error(&node, "feeds", "expected [[feeds]] tables");
  FeedConfig feed;
  GF_RETURN_IF_ERROR(r.String(*t, "feeds", "name", feed.name));
  std::string key = "feeds." + (feed.name.empty() ? std::string("?") : feed.name);
  GF_RETURN_IF_ERROR(r.CheckKeys(*t, key,
                                 {"name", "format", "kinds", "min_threat_level", "max_entries",
                                  "aggregate", "line_ending", "header", "confidence", "product"}));
  std::string format = "plain";
  GF_RETURN_IF_ERROR(r.String(*t, key, "format", format));
  auto parsed_format = ParseFormatName(format);
  if (!parsed_format.ok()) {
    return r.Error(t->get("format"), key + ".format", parsed_format.status().message());
  }
  feed.format = *parsed_format;
  if (t->contains("kinds")) {
    std::vector<std::string> kinds;
    GF_RETURN_IF_ERROR(r.StringList(*t, key, "kinds", kinds));
    feed.kinds.clear();
    if (std::find(kinds.begin(), kinds.end(), "containment") != kinds.end()) {
      // Our own compromised hosts are a list of their own (docs/containment.md).
      if (kinds.size() != 1) {
        return r.Error(t->get("kinds"), key + ".kinds",
                       "a containment feed carries containment entries only: kinds = "
                       "[\"containment\"] alone, not mixed with ipv4, ipv6 or domain");
      }
      kinds.clear();
      feed.containment = true;
      feed.kinds = {IndicatorKind::kIpv4, IndicatorKind::kIpv6};
    }
    for (const std::string& kind : kinds) {
      auto parsed = ParseKindName(kind);
      if (!parsed.ok()) {
        return r.Error(t->get("kinds"), key + ".kinds",
                       "unknown indicator kind '" + kind +
                           "' (expected ipv4, ipv6, domain, or containment alone)");
      }
      feed.kinds.push_back(*parsed);
    }
  }
  GF_RETURN_IF_ERROR(ReadFeedOptions(r, *t, key, feed));
  GF_RETURN_IF_ERROR(ValidateFeed(r, &node, feed));
  return feed;
}

Status ReadFeeds(const TomlReader& r, const toml::node& feeds_node, std::vector<FeedConfig>& out) {
  const toml::array* feeds = feeds_node.as_array();
  if (feeds == nullptr) return r.Error(&feeds_node, "feeds", "expected [[feeds]] tables");
  std::set<std::string> names;
  for (const toml::node& node : *feeds) {
    auto feed = ReadFeed(r, node);
    if (!feed.ok()) return feed.status();
    if (!names.insert(feed->name).second) {
      return r.Error(&node, "feeds.name", "duplicate feed name '" + feed->name + "'");
    }
    out.push_back(std::move(*feed));
  }
  return Status::Ok();
}

// [containment]: TTL and allowlist of containment entries. Whether containment is on at all is
// decided by the feeds (a feed with kinds = ["containment"]), in LoadConfig.
Status ReadContainment(const TomlReader& r, const toml::table& t, ContainmentOptions& options) {
  GF_RETURN_IF_ERROR(r.CheckKeys(t, "containment", {"ttl", "allowlist"}));
  GF_RETURN_IF_ERROR(r.Duration(t, "containment", "ttl", kMinContainmentTtlSeconds,
                                kMaxContainmentTtlSeconds, options.ttl_seconds));
  std::vector<std::string> allowlist;
  GF_RETURN_IF_ERROR(r.StringList(t, "containment", "allowlist", allowlist));
  for (const std::string& entry : allowlist) {
    // Our hosts are addresses: a domain here would silently protect nothing.
    if (!ParseCidr(entry).ok() && !ParseIpAddress(entry).ok()) {
      return r.Error(t.get("allowlist"), "containment.allowlist",
                     "'" + entry +
                         "' is not an IP address or CIDR (containment entries are "
                         "our instances' addresses)");
    }
    if (Status s = options.allowlist.Add(entry); !s.ok()) {
      return r.Error(t.get("allowlist"), "containment.allowlist", s.message());
    }
  }
  return Status::Ok();
}

Status ReadStore(const TomlReader& r, const toml::table& store, Config& config) {
  GF_RETURN_IF_ERROR(r.CheckKeys(store, "store", {"url", "retention"}));
  GF_RETURN_IF_ERROR(r.String(store, "store", "url", config.store_url));
  return r.Duration(store, "store", "retention", 0, kMaxRetentionSeconds, config.retention_seconds);
}

Status ReadIngest(const TomlReader& r, const toml::table& ingest, IngestOptions& options) {
  GF_RETURN_IF_ERROR(r.CheckKeys(ingest, "ingest", {"batch_size", "seen_at"}));
  GF_RETURN_IF_ERROR(r.Integer(ingest, "ingest", "batch_size", 1, 1'000'000, options.batch_size));
  std::string seen_at = "event";
  GF_RETURN_IF_ERROR(r.String(ingest, "ingest", "seen_at", seen_at));
  if (seen_at != "event" && seen_at != "receipt") {
    return r.Error(ingest.get("seen_at"), "ingest.seen_at", "expected \"event\" or \"receipt\"");
  }
  options.seen_at_receipt = seen_at == "receipt";
  return Status::Ok();
}

Status ReadSecIntel(const TomlReader& r, const toml::table& t, SecIntelOptions& options) {
  GF_RETURN_IF_ERROR(
      r.CheckKeys(t, "secintel", {"manifest_update_interval", "update_interval", "ttl"}));
  GF_RETURN_IF_ERROR(r.Integer(t, "secintel", "manifest_update_interval", 10, 86400,
                               options.manifest_update_interval));
  GF_RETURN_IF_ERROR(
      r.Integer(t, "secintel", "update_interval", 300, 86400, options.update_interval));
  return r.Integer(t, "secintel", "ttl", 86400, 31556952, options.ttl);
}

Status ReadPublish(const TomlReader& r, const toml::table& t, Config& config) {
  // [publish.s3] and [publish.atp] belong to their publishers (publish_config.h).
  GF_RETURN_IF_ERROR(r.CheckKeys(t, "publish", {"directory", "max_shrink_fraction", "s3", "atp"}));
  GF_RETURN_IF_ERROR(
      r.Number(t, "publish", "max_shrink_fraction", 0, 1, config.max_shrink_fraction));
  return r.String(t, "publish", "directory", config.publish_directory);
}

// Calls `read` with the table `key` of the root when the document has one.
template <typename Read>
Status WithSection(const TomlReader& r, std::string_view key, Read read) {
  auto table = r.Table(r.root(), "", key);
  if (!table.ok()) return table.status();
  return *table == nullptr ? Status::Ok() : read(**table);
}

Status ReadSections(const TomlReader& r, Config& config) {
  const toml::table& root = r.root();
  GF_RETURN_IF_ERROR(r.CheckKeys(root, "",
                                 {"store", "policy", "ingest", "secintel", "publish", "feeds",
                                  "server", "sources", "containment", "consumers"}));
  GF_RETURN_IF_ERROR(
      WithSection(r, "store", [&](const toml::table& t) { return ReadStore(r, t, config); }));
  GF_RETURN_IF_ERROR(WithSection(
      r, "policy", [&](const toml::table& t) { return ReadPolicy(r, t, config.policy); }));
  GF_RETURN_IF_ERROR(WithSection(
      r, "ingest", [&](const toml::table& t) { return ReadIngest(r, t, config.ingest); }));
  GF_RETURN_IF_ERROR(WithSection(
      r, "secintel", [&](const toml::table& t) { return ReadSecIntel(r, t, config.secintel); }));
  GF_RETURN_IF_ERROR(
      WithSection(r, "publish", [&](const toml::table& t) { return ReadPublish(r, t, config); }));
  GF_RETURN_IF_ERROR(WithSection(r, "containment", [&](const toml::table& t) {
    return ReadContainment(r, t, config.policy.containment);
  }));
  // [server] belongs to `serve` and `config check` (server_config.h).
  if (const toml::node* feeds = root.get("feeds")) {
    GF_RETURN_IF_ERROR(ReadFeeds(r, *feeds, config.feeds));
  }
  return Status::Ok();
}

// The document at `path`, or the built-in one when `path` is empty.
Result<toml::table> ParseDocument(const std::string& path, const std::string& source) {
  std::string text;
  if (path.empty()) {
    text = BuiltinConfigText();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("cannot open configuration file " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(source + ":" + std::to_string(error.source().begin.line) + ": " +
                                   std::string(error.description()));
  }
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq != std::string_view::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

Result<Config> LoadConfig(const std::string& path, const Environment& env) {
  Config config;
  config.store_url = kDefaultStore;
  config.source = path.empty() ? kBuiltinSource : path;
  auto document = ParseDocument(path, config.source);
  if (!document.ok()) return document.status();
  config.raw = std::move(*document);
  GF_RETURN_IF_ERROR(ReadSections(TomlReader(config.source, config.raw), config));
  GF_RETURN_IF_ERROR(ApplyEnvironment(env, config));
  if (config.feeds.empty()) {
    // A file is explicit: it does not silently inherit the built-in feeds, and a daemon serving
    // nothing is a configuration mistake, not a state to start in.
    return Status::InvalidArgument("no feeds configured in " + config.source +
                                   ": add [[feeds]] (see config/guardfeed.example.toml)");
  }
  // Containment is opt-in: only a containment feed makes guardfeed read and store our hosts.
  config.policy.containment.enabled =
      std::any_of(config.feeds.begin(), config.feeds.end(),
                  [](const FeedConfig& feed) { return feed.containment; });
  return config;
}

}  // namespace guardfeed
