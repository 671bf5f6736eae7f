#include "server/request_guard.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <string>

#include "core/text.h"
#include "server/http_util.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

namespace {

bool IsWildcard(std::string_view host) { return host == "0.0.0.0" || host == "::"; }

// The host of server.public_url, lowercased, or "".
std::string PublicHost(const ServerOptions& options) {
  if (options.public_url.empty()) return "";
  auto url = boost::urls::parse_uri(options.public_url);
  if (!url) return "";
  return ToLower(url->host_address());
}

// `host` is the host part of a Host header or an Origin, without brackets, lowercased.
bool IsOurHost(const std::string& host, bool ip_literal, const ServerOptions& options) {
  if (host.empty()) return false;
  if (host == PublicHost(options) || host == ToLower(options.host)) return true;
  const auto& extra = options.allowed_hosts;
  if (std::find(extra.begin(), extra.end(), host) != extra.end()) return true;
  if (!ip_literal) return host == "localhost" || host.ends_with(".localhost");
  // A rebinding page can only ever name itself; an IP literal is where the client connected.
  return IsLoopbackHost(host) || IsWildcard(options.host);
}

bool IsOurAuthority(boost::urls::authority_view authority, const ServerOptions& options) {
  using boost::urls::host_type;
  bool ip_literal =
      authority.host_type() == host_type::ipv4 || authority.host_type() == host_type::ipv6;
  return IsOurHost(ToLower(authority.host_address()), ip_literal, options);
}

uint16_t DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

uint16_t PortOr(const boost::urls::authority_view& authority, uint16_t default_port) {
  return authority.has_port() ? authority.port_number() : default_port;
}

// An Origin is ours when it is public_url's origin, or the origin of this very request: our
// scheme, and the host and port of its (already checked) Host header. On a wildcard listen any
// IP literal is a good Host, so the Origin must match the Host, not merely be an address.
bool IsOurOrigin(std::string_view origin, std::string_view host_header,
                 const ServerOptions& options, uint16_t port) {
  auto url = boost::urls::parse_uri(origin);
  if (!url || !url->has_authority() || url->has_userinfo()) return false;
  const std::string scheme = ToLower(url->scheme());
  const uint16_t origin_port = url->has_port() ? url->port_number() : DefaultPort(scheme);
  const std::string origin_host = ToLower(url->host_address());
  if (!options.public_url.empty()) {
    auto public_url = boost::urls::parse_uri(options.public_url);
    if (public_url && ToLower(public_url->scheme()) == scheme &&
        ToLower(public_url->host_address()) == origin_host &&
        PortOr(public_url->authority(), DefaultPort(scheme)) == origin_port) {
      return true;
    }
  }
  if (scheme != (options.tls() ? "https" : "http")) return false;
  if (host_header.empty()) {
    return IsOurAuthority(url->authority(), options) && origin_port == port;
  }
  auto host = boost::urls::parse_authority(host_header);
  return host && ToLower(host->host_address()) == origin_host &&
         PortOr(*host, DefaultPort(scheme)) == origin_port;
}

std::string_view HeaderValue(const RequestHead& head, http::field field) {
  auto it = head.find(field);
  return it == head.end() ? std::string_view() : std::string_view(it->value());
}

}  // namespace

bool IsAcceptedBodyType(std::string_view media_type) {
  static constexpr std::string_view kTypes[] = {"application/json",        "application/x-ndjson",
                                                "application/ndjson",      "application/jsonl",
                                                "application/x-jsonl",     "application/jsonlines",
                                                "application/x-jsonlines", "application/json-seq",
                                                "application/gzip",        "application/x-gzip"};
  for (std::string_view type : kTypes) {
    if (media_type == type) return true;
  }
  return media_type.starts_with("application/") && media_type.ends_with("+json");
}

std::optional<HttpResponse> GuardRequest(const RequestHead& head, const ServerOptions& options,
                                         uint16_t port, bool body_pending, bool form_route) {
  if (head.count(http::field::host) > 1) {
    // RFC 9112 3.2: a proxy that reads the other one would disagree with this check.
    return Refusal(400, "bad_host", "more than one Host header");
  }
  std::string_view host = HeaderValue(head, http::field::host);
  if (host.empty() && head.version() >= 11) {
    return Refusal(400, "bad_host", "HTTP/1.1 request without a Host header");
  }
  if (!host.empty()) {
    auto authority = boost::urls::parse_authority(host);
    if (!authority || authority->has_userinfo() || !IsOurAuthority(*authority, options)) {
      return Refusal(421, "bad_host",
                     "Host \"" + std::string(host) +
                         "\" is not this server (set server.public_url to the name clients use)");
    }
  }
  if (auto it = head.find(http::field::origin); it != head.end()) {
    std::string_view origin = it->value();
    if (!IsOurOrigin(origin, host, options, port)) {
      return Refusal(403, "bad_origin",
                     "cross-origin request from \"" + std::string(origin) + "\" refused");
    }
  }
  bool post = head.method() == http::verb::post || head.method() == http::verb::put ||
              head.method() == http::verb::patch;
  if (post || body_pending) {
    std::string media_type = MediaType(HeaderValue(head, http::field::content_type));
    if (form_route) {
      if (media_type != "application/x-www-form-urlencoded") {
        return Refusal(415, "unsupported_media_type",
                       "the dashboard's forms post application/x-www-form-urlencoded");
      }
      if (head.find(http::field::origin) != head.end()) return std::nullopt;  // checked above
      return Refusal(403, "bad_origin", "a form post must carry an Origin header");
    }
    if (!IsAcceptedBodyType(media_type)) {
      return Refusal(415, "unsupported_media_type",
                     (media_type.empty() ? std::string("Content-Type is missing")
                                         : "Content-Type " + media_type + " is not accepted") +
                         ": send application/json or application/x-ndjson (optionally gzip)");
    }
  }
  return std::nullopt;
}

}  // namespace guardfeed::server
