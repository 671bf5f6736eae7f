#include "cli/serve_banner.h"

#include <fmt/core.h>

#include <algorithm>

namespace guardfeed {
namespace {

// Where the socket is bound, as "HOST:PORT" ("[::]:8080" for IPv6).
std::string ListenAddress(const ServerOptions& options, uint16_t bound_port) {
  std::string host = options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(bound_port);
}

void AppendFeeds(std::string& out, const ServerOptions& o, const std::string& base,
                 const std::vector<FeedConfig>& feeds) {
  out += "Firewall feeds:\n";
  bool secintel = false;
  for (const FeedConfig& feed : feeds) {
    secintel = secintel || feed.format == FeedFormat::kSecIntel;
    bool restricted = std::any_of(o.consumers.begin(), o.consumers.end(), [&](const auto& c) {
      return std::find(c.feeds.begin(), c.feeds.end(), feed.name) != c.feeds.end();
    });
    std::string auth = o.feed_auth.count(feed.name) ? "  (auth required)" : "";
    if (restricted) auth += "  (consumers only)";
    out += fmt::format("  {:<20} {}/feeds/{}{}\n", feed.name, base, feed.name, auth);
  }
  if (secintel) {
    out += fmt::format(
        "  Juniper SRX:         set services security-intelligence url {}/manifest.xml\n", base);
  }
}

// Marks feeds restricted to consumers, then lists each consumer: how it is recognised and its cap.
void AppendConsumers(std::string& out, const ServerOptions& o) {
  if (o.consumers.empty()) return;
  out += "\nConsumers ([[consumers]]; GET /v1/consumers shows what each holds):\n";
  for (const ConsumerOptions& c : o.consumers) {
    std::string how;
    if (!c.user.empty()) how += "basic user " + c.user;
    if (!c.token.empty()) how += std::string(how.empty() ? "" : " + ") + "bearer token";
    std::string cidrs;
    for (const Cidr& cidr : c.source_cidrs) cidrs += (cidrs.empty() ? "" : ", ") + cidr.ToString();
    if (!cidrs.empty()) how += (how.empty() ? "from " : " from ") + cidrs;
    size_t cap = c.EffectiveMaxEntries();
    std::string feeds;
    for (const std::string& feed : c.feeds) feeds += (feeds.empty() ? "" : ",") + feed;
    std::string formats;
    for (FeedFormat format : c.formats) {
      formats += (formats.empty() ? "" : ",") + std::string(FormatName(format));
    }
    out += fmt::format("  {:<20} {:<10} feeds={}{} max_entries={} ({})\n", c.name,
                       PlatformName(c.platform), feeds.empty() ? "all" : feeds,
                       formats.empty() ? "" : " formats=" + formats,
                       cap == 0 ? "unlimited" : std::to_string(cap), how);
  }
}

void AppendIngest(std::string& out, const ServerOptions& o, const std::string& base) {
  out += "\nEventBridge API destination (rule target for \"GuardDuty Finding\" events):\n";
  out += fmt::format("  endpoint:            {}/v1/findings  (HTTP method POST)\n", base);
  if (o.ingest_token.empty()) {
    out += "  authorization:       none (no server.ingest_token; loopback only)\n";
  } else {
    out += fmt::format(
        "  connection:          API key, header name {}, value = "
        "server.ingest_token\n",
        o.ingest_api_key_header);
  }
}

}  // namespace

std::string FirewallBaseUrl(const ServerOptions& options, uint16_t bound_port) {
  if (!options.public_url.empty() || !IsWildcardHost(options.host)) {
    return BaseUrl(options, bound_port);
  }
  return std::string(options.tls() ? "https://" : "http://") +
         "THIS-HOST:" + std::to_string(bound_port);
}

std::string ServeBanner(const ServerOptions& o, uint16_t bound_port,
                        const std::vector<FeedConfig>& feeds, const std::string& store) {
  const std::string base = FirewallBaseUrl(o, bound_port);
  std::string out =
      fmt::format("guardfeed serve: listening on {} ({}, store {}, {} feeds)\n",
                  ListenAddress(o, bound_port), o.tls() ? "HTTPS" : "HTTP", store, feeds.size());
  if (!o.public_url.empty()) {
    out += fmt::format("Public URL (server.public_url): {}\n", base);
  } else if (IsWildcardHost(o.host)) {
    out += fmt::format(
        "Listening on every interface: firewalls must use an address of this host they can "
        "reach in place of THIS-HOST below (not {}://{}), or set server.public_url.\n",
        o.tls() ? "https" : "http", ListenAddress(o, bound_port));
  }
  out += "\n";
  AppendFeeds(out, o, base, feeds);
  AppendConsumers(out, o);
  AppendIngest(out, o, base);
  if (o.admin_token.empty() && !IsLoopbackHost(o.host)) {
    out += "\nAdmin API: disabled (no server.admin_token on a non-loopback listen address)\n";
  } else {
    out += fmt::format("\nAdmin API: {}/v1/indicators, /v1/allowlist, /v1/feeds, /v1/consumers{}\n",
                       base,
                       o.admin_token.empty() ? "" : " (Authorization: Bearer server.admin_token)");
  }
  out += o.admin_token.empty()
             ? std::string("Dashboard: disabled (set server.admin_token to use it)\n")
             : fmt::format("Dashboard: {}/ (log in with server.admin_token)\n", base);
  out += fmt::format("Metrics: {}/metrics   Health: {}/healthz   Ready: {}/readyz\n", base, base,
                     base);
  return out;
}

}  // namespace guardfeed
