#include "server/options.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>

namespace guardfeed {

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

bool IsWildcardHost(std::string_view host) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_unspecified();
}

namespace {

struct PlatformInfo {
  ConsumerPlatform platform;
  std::string_view name;
  size_t max_entries;
};

// Figures and their sources: docs/consumers.md ("Platform limits").
constexpr PlatformInfo kPlatforms[] = {
    {ConsumerPlatform::kGeneric, "generic", 0},
    {ConsumerPlatform::kFortiGate, "fortigate", 131'072},
    {ConsumerPlatform::kPanOs, "panos", 50'000},
    {ConsumerPlatform::kSrx, "srx", 0},
    {ConsumerPlatform::kPfSense, "pfsense", 200'000},
    {ConsumerPlatform::kCheckPoint, "checkpoint", 2'000'000},
};

}  // namespace

std::string_view PlatformName(ConsumerPlatform platform) {
  for (const PlatformInfo& info : kPlatforms) {
    if (info.platform == platform) return info.name;
  }
  return "generic";
}

std::optional<ConsumerPlatform> ParsePlatformName(std::string_view name) {
  for (const PlatformInfo& info : kPlatforms) {
    if (info.name == name) return info.platform;
  }
  return std::nullopt;
}

size_t PlatformMaxEntries(ConsumerPlatform platform) {
  for (const PlatformInfo& info : kPlatforms) {
    if (info.platform == platform) return info.max_entries;
  }
  return 0;
}

bool ConsumerOptions::MayFetch(std::string_view feed) const {
  return feeds.empty() || std::find(feeds.begin(), feeds.end(), feed) != feeds.end();
}

size_t ConsumerOptions::EffectiveMaxEntries() const {
  return max_entries ? *max_entries : PlatformMaxEntries(platform);
}

FeedFormat ConsumerOptions::FormatOf(const FeedConfig& feed) const {
  if (formats.empty() || std::find(formats.begin(), formats.end(), feed.format) != formats.end()) {
    return feed.format;
  }
  for (FeedFormat format : formats) {
    if (format != FeedFormat::kSecIntel) return format;
  }
  return feed.format;
}

std::string ConsumerFormatError(const ConsumerOptions& consumer, const FeedConfig& feed) {
  if (!consumer.MayFetch(feed.name) || consumer.formats.empty()) return "";
  FeedFormat served = consumer.FormatOf(feed);
  if (std::find(consumer.formats.begin(), consumer.formats.end(), served) !=
      consumer.formats.end()) {
    return "";
  }
  return "it reads only secintel, which is never made per consumer, and may fetch " +
         std::string(FormatName(feed.format)) + " feed \"" + feed.name +
         "\" (add plain, json or checkpoint to formats, or leave the feed out of feeds)";
}

namespace {

Status CheckAuth(const std::string& key, const FeedAuth& auth) {
  if (!auth.basic() && !auth.bearer()) {
    return Status::InvalidArgument(key + ": set user and password (HTTP basic) or token (bearer)");
  }
  if (auth.basic() && auth.password.empty()) {
    return Status::InvalidArgument(key + ".password: required when user is set");
  }
  if (!auth.basic() && !auth.password.empty()) {
    return Status::InvalidArgument(key + ".user: required when password is set");
  }
  if (auth.user.find(':') != std::string::npos) {
    return Status::InvalidArgument(key + ".user: HTTP basic user names cannot contain ':'");
  }
  return Status::Ok();
}

Status CheckHeaderName(const std::string& name) {
  if (name.empty()) {
    return Status::InvalidArgument("server.ingest_api_key_header: must not be empty");
  }
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument("server.ingest_api_key_header: \"" + name +
                                     "\" is not an HTTP header name (letters, digits, '-')");
    }
  }
  return Status::Ok();
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// The bounds of ServerOptions' durations and sizes (options.h); the cli reader reports the same
// with file and line, this keeps a hand-built ServerOptions honest too.
Status CheckBounds(const ServerOptions& o) {
  if (o.body_limit == 0 || o.body_limit > kMaxBodyLimit) {
    return Status::InvalidArgument("server.body_limit: expected 1 byte to 1 GiB");
  }
  if (o.decompressed_limit == 0 || o.decompressed_limit > kMaxDecompressedLimit) {
    return Status::InvalidArgument("server.decompressed_limit: expected 1 byte to 4 GiB");
  }
  const std::pair<const char*, std::chrono::milliseconds> timeouts[] = {
      {"header_timeout", o.header_timeout},
      {"body_timeout", o.body_timeout},
      {"idle_timeout", o.idle_timeout},
      {"write_timeout", o.write_timeout}};
  for (const auto& [name, value] : timeouts) {
    if (value.count() <= 0 || value > kMaxTimeout) {
      return Status::InvalidArgument(std::string("server.") + name + ": expected more than 0 and " +
                                     "at most 1 h, got " + Millis(value));
    }
  }
  const std::tuple<const char*, std::chrono::milliseconds, std::chrono::milliseconds,
                   std::chrono::milliseconds>
      durations[] = {{"shutdown_grace", o.shutdown_grace, {}, kMaxTimeout},
                     {"render_debounce", o.render_debounce, {}, kMaxRenderDebounce},
                     {"store_poll", o.store_poll, std::chrono::milliseconds(1), kMaxStorePoll},
                     {"count_interval", o.count_interval, {}, kMaxCountInterval},
                     {"group_commit_window", o.group_commit_window, {}, kMaxGroupCommitWindow}};
  for (const auto& [name, value, min, max] : durations) {
    if (value < min || value > max) {
      return Status::InvalidArgument(std::string("server.") + name + ": expected " + Millis(min) +
                                     " to " + Millis(max) + ", got " + Millis(value));
    }
  }
  if (o.consumer_stale_after < std::chrono::seconds(1) ||
      o.consumer_stale_after > kMaxConsumerStaleAfter) {
    return Status::InvalidArgument("server.consumer_stale_after: expected 1 s to 30 d, got " +
                                   Millis(o.consumer_stale_after));
  }
  size_t group = o.group_commit_max_sightings;
  if (group == 0 || group > kMaxGroupCommitSightings) {
    return Status::InvalidArgument("server.group_commit_max_sightings: expected 1 to 1000000");
  }
  return Status::Ok();
}

bool IsConsumerName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Status CheckConsumer(const ConsumerOptions& c) {
  if (!IsConsumerName(c.name)) {
    return Status::InvalidArgument("consumers.name: \"" + c.name +
                                   "\" must be 1 to 64 of [A-Za-z0-9_-]");
  }
  const std::string key = "consumers." + c.name;
  if (!c.has_credentials() && c.source_cidrs.empty()) {
    return Status::InvalidArgument(
        key + ": set user and password, token, or source_cidrs (how the consumer is recognised)");
  }
  if (!c.user.empty() || !c.password.empty()) {
    GF_RETURN_IF_ERROR(CheckAuth(key, FeedAuth{c.user, c.password, c.token}));
  }
  return Status::Ok();
}

}  // namespace

Status CheckConsumerProfiles(const std::vector<ConsumerOptions>& consumers) {
  if (consumers.size() > kMaxConsumers) {
    return Status::InvalidArgument("consumers: at most 1000 profiles");
  }
  std::set<std::string> names, users, tokens;
  for (const ConsumerOptions& c : consumers) {
    GF_RETURN_IF_ERROR(CheckConsumer(c));
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument("consumers.name: duplicate consumer name '" + c.name + "'");
    }
    // A request must match one consumer at most.
    if (!c.user.empty() && !users.insert(c.user).second) {
      return Status::InvalidArgument("consumers." + c.name + ".user: \"" + c.user +
                                     "\" is already another consumer's user");
    }
    if (!c.token.empty() && !tokens.insert(c.token).second) {
      return Status::InvalidArgument("consumers." + c.name +
                                     ".token: the same token as another consumer");
    }
  }
  return Status::Ok();
}

Status ValidateServerOptions(const ServerOptions& options) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(options.host, ec);
  if (ec && options.host != "localhost") {
    return Status::InvalidArgument("server.listen: \"" + options.host +
                                   "\" is not an IP address (use e.g. 127.0.0.1, 0.0.0.0, ::)");
  }
  if (!IsLoopbackHost(options.host) && options.ingest_token.empty()) {
    return Status::InvalidArgument(
        "server.listen: refusing to listen on " + options.host +
        " without server.ingest_token: anyone who can reach this address could post findings and "
        "make your firewalls block arbitrary addresses. Set server.ingest_token (or "
        "GUARDFEED_INGEST_TOKEN), or listen on 127.0.0.1");
  }
  GF_RETURN_IF_ERROR(CheckHeaderName(options.ingest_api_key_header));
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument(options.tls_cert.empty()
                                       ? "server.tls_cert: required when server.tls_key is set"
                                       : "server.tls_key: required when server.tls_cert is set");
  }
  GF_RETURN_IF_ERROR(CheckBounds(options));
  if (options.io_threads < 1 || options.io_threads > 256) {
    return Status::InvalidArgument("server.threads: expected 1..256");
  }
  if (options.store_threads < 1 || options.store_threads > 64) {
    return Status::InvalidArgument("server.store_threads: expected 1..64");
  }
  for (const auto& [name, auth] : options.feed_auth) {
    GF_RETURN_IF_ERROR(CheckAuth("server.feed_auth." + name, auth));
  }
  if (options.secintel_auth) {
    GF_RETURN_IF_ERROR(CheckAuth("server.secintel_auth", *options.secintel_auth));
  }
  return CheckConsumerProfiles(options.consumers);
}

std::string BaseUrl(const ServerOptions& options, uint16_t bound_port) {
  if (!options.public_url.empty()) {
    std::string url = options.public_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  std::string host = options.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(options.tls() ? "https://" : "http://") + host + ":" +
         std::to_string(bound_port);
}

}  // namespace guardfeed
