// fuzz_http_request: any bytes as the head of an HTTP/1.1 request, read the way the daemon reads
// it (Boost.Beast request_parser<empty_body>, the same header limit, no body limit while the head
// is read), and when the head parses, what the server runs on it before any route handler:
// GuardRequest under several [server] configurations, the target split into path and query and
// decoded, and the helpers the routes apply to Content-Type, Accept-Encoding, If-None-Match,
// If-Modified-Since and Authorization. Besides "no crash, no sanitizer report", it checks what
// those helpers promise.
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/indicator.h"
#include "core/text.h"
#include "fuzz_check.h"
#include "server/auth.h"
#include "server/http_types.h"
#include "server/http_util.h"
#include "server/options.h"
#include "server/request_guard.h"

namespace {

namespace http = boost::beast::http;
using guardfeed::ServerOptions;
using guardfeed::server::AuthResult;
using guardfeed::server::RequestHead;

// What http_server.cc gives its parser (kHeaderLimit there).
constexpr size_t kHeaderLimit = 16 * 1024;
constexpr uint16_t kPort = 8080;
// An entity tag in the form the server sends (quoted); If-None-Match is compared against it.
constexpr std::string_view kEtag = "\"5d41402abc4b2a76\"";
// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years an IMF-fixdate can spell.
constexpr guardfeed::UnixSeconds kYear0 = -62'167'219'200;
constexpr guardfeed::UnixSeconds kYear9999End = 253'402'300'799;

// The configurations GuardRequest is run under: every one has a public_url, and between them
// they cover loopback, wildcard IPv4 and IPv6 binds, TLS, and a public_url with a port.
const std::array<ServerOptions, 3>& Configurations() {
  static const std::array<ServerOptions, 3> kConfigurations = [] {
    std::array<ServerOptions, 3> all;
    all[0].public_url = "https://feeds.example.com";
    all[1].host = "0.0.0.0";
    all[1].public_url = "http://guardfeed.internal:8443/base/";
    all[2].host = "::";
    all[2].tls_cert = "cert.pem";
    all[2].tls_key = "key.pem";
    all[2].public_url = "https://[2001:db8::1]/";
    return all;
  }();
  return kConfigurations;
}

// Reads the head from `bytes` as it may arrive: the first half, then everything (the parser
// re-reads an incomplete head from its start). False when it is malformed or incomplete.
bool ParseHead(std::string_view bytes, http::request_parser<http::empty_body>& parser) {
  parser.header_limit(kHeaderLimit);
  parser.body_limit(boost::none);  // as the server: each route's limit is applied later
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size() / 2), ec);
  if (ec == http::error::need_more) {
    ec = {};
    used += parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
  }
  if (ec) return false;
  GF_FUZZ_CHECK(parser.is_header_done(), "put succeeded before the end of the head");
  return true;
}

std::string_view Header(const RequestHead& head, http::field field) {
  auto it = head.find(field);
  return it == head.end() ? std::string_view() : std::string_view(it->value());
}

void CheckGuard(const RequestHead& head, bool body_pending) {
  for (const ServerOptions& options : Configurations()) {
    auto refused = guardfeed::server::GuardRequest(head, options, kPort, body_pending);
    if (refused) {
      GF_FUZZ_CHECK(refused->status == 400 || refused->status == 421 || refused->status == 403 ||
                        refused->status == 415,
                    "GuardRequest refused with an unexpected status");
      GF_FUZZ_CHECK(!refused->reason.empty(), "refusal without a reason label");
      GF_FUZZ_CHECK(!refused->Body().empty(), "refusal without a body");
    }
  }
  // Only Host, Origin and the body's media type are judged: a bodiless HTTP/1.0 GET without the
  // first two always proceeds (HTTP/1.1 requires a Host).
  RequestHead bare = head;
  bare.erase(http::field::host);
  bare.erase(http::field::origin);
  bare.method(http::verb::get);
  bare.version(10);
  for (const ServerOptions& options : Configurations()) {
    GF_FUZZ_CHECK(!guardfeed::server::GuardRequest(bare, options, kPort, false),
                  "a GET without Host, Origin or body was refused");
  }
}

// Every byte as %XX: what any client may send for `text`.
std::string EscapeAll(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

void CheckDecode(std::string_view text) {
  std::optional<std::string> decoded = guardfeed::server::PercentDecode(text);
  if (!decoded) {
    GF_FUZZ_CHECK(text.find('%') != std::string_view::npos, "text without '%' failed to decode");
    return;
  }
  if (text.find('%') == std::string_view::npos) {
    GF_FUZZ_CHECK(*decoded == text, "decoding changed text without escapes");
  }
  GF_FUZZ_CHECK(decoded->size() <= text.size(), "decoding grew the text");
  auto again = guardfeed::server::PercentDecode(EscapeAll(*decoded));
  GF_FUZZ_CHECK(again && *again == *decoded, "escaping every byte does not decode back");
}

// The target as the server splits it (SplitTarget in http_server.cc), then what the routes do
// with its parts: percent-decoding of the path and its tail, the query, an indicator in the tail.
void CheckTarget(std::string_view target) {
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  CheckDecode(path);
  auto params = guardfeed::server::ParseQuery(query);
  if (params && query.find_first_of("%+") == std::string_view::npos) {
    for (const auto& [key, value] : *params) {
      GF_FUZZ_CHECK(query.find(key) != std::string_view::npos, "query key not in the query");
      GF_FUZZ_CHECK(query.find(value) != std::string_view::npos, "query value not in the query");
    }
  }
  constexpr std::string_view kIndicators = "/v1/indicators/";
  if (path.starts_with(kIndicators)) {
    if (auto tail = guardfeed::server::PercentDecode(path.substr(kIndicators.size()))) {
      auto indicator = guardfeed::NormalizeIndicator(*tail);
      if (indicator.ok()) {
        auto again = guardfeed::NormalizeIndicator(indicator->value);
        GF_FUZZ_CHECK(again.ok() && *again == *indicator, "indicator not in canonical form");
      }
    }
  }
}

void CheckContentType(std::string_view value) {
  const std::string type = guardfeed::server::MediaType(value);
  GF_FUZZ_CHECK(type.find(';') == std::string::npos, "media type keeps parameters");
  GF_FUZZ_CHECK(guardfeed::TrimSpace(type) == type, "media type not trimmed");
  GF_FUZZ_CHECK(guardfeed::ToLower(type) == type, "media type not lowercased");
  GF_FUZZ_CHECK(guardfeed::server::MediaType(type) == type, "MediaType is not idempotent");
  (void)guardfeed::server::IsAcceptedBodyType(type);
}

void CheckAcceptEncoding(std::string_view value) {
  (void)guardfeed::server::AcceptsGzip(value);
  GF_FUZZ_CHECK(guardfeed::server::AcceptsGzip(std::string(value) + ", gzip"),
                "a list ending in plain gzip does not accept gzip");
}

void CheckIfNoneMatch(std::string_view value) {
  (void)guardfeed::server::EtagMatches(value, kEtag);
  const std::string listed = std::string(value) + ", " + std::string(kEtag);
  GF_FUZZ_CHECK(guardfeed::server::EtagMatches(listed, kEtag),
                "a listed entity tag does not match");
  const std::string weak = std::string(value) + ", W/" + std::string(kEtag);
  GF_FUZZ_CHECK(guardfeed::server::EtagMatches(weak, kEtag), "a weak entity tag does not match");
}

void CheckHttpDate(std::string_view value) {
  auto seconds = guardfeed::server::ParseHttpDate(value);
  if (!seconds || *seconds < kYear0 || *seconds > kYear9999End) return;
  auto again = guardfeed::server::ParseHttpDate(guardfeed::server::FormatHttpDate(*seconds));
  GF_FUZZ_CHECK(again && *again == *seconds, "HTTP date does not round-trip");
}

// What the ingest/admin token check and the per-feed check answer for this head.
void CheckAuth(const RequestHead& head) {
  using guardfeed::server::CheckFeedAuth;
  using guardfeed::server::CheckToken;
  GF_FUZZ_CHECK(CheckToken(head, "", "X-API-Key") == AuthResult::kOk, "empty token refused");
  (void)CheckToken(head, "ingest-token", "X-API-Key");
  (void)CheckToken(head, "admin-token", "");
  const std::string_view authorization = Header(head, http::field::authorization);
  if (auto token = guardfeed::server::BearerToken(authorization)) {
    GF_FUZZ_CHECK(CheckToken(head, *token, "") == AuthResult::kOk, "its own bearer token refused");
  }
  guardfeed::FeedAuth feed{"firewall", "s3cret", "feed-token"};
  const AuthResult result = CheckFeedAuth(head, feed);
  if (authorization.empty()) {
    GF_FUZZ_CHECK(result == AuthResult::kMissing, "no Authorization but not kMissing");
  }
  if (auto basic = guardfeed::server::ParseBasic(authorization); basic && !basic->user.empty()) {
    guardfeed::FeedAuth own{basic->user, basic->password, ""};
    GF_FUZZ_CHECK(CheckFeedAuth(head, own) == AuthResult::kOk, "its own basic credentials refused");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  http::request_parser<http::empty_body> parser;
  if (!ParseHead(bytes, parser)) return 0;
  const RequestHead& head = parser.get();
  const bool body_pending = parser.chunked() || parser.content_length().value_or(0) > 0;
  CheckGuard(head, body_pending);
  CheckTarget(head.target());
  CheckContentType(Header(head, http::field::content_type));
  CheckContentType(Header(head, http::field::content_encoding));
  CheckAcceptEncoding(Header(head, http::field::accept_encoding));
  CheckIfNoneMatch(Header(head, http::field::if_none_match));
  CheckHttpDate(Header(head, http::field::if_modified_since));
  CheckAuth(head);
  return 0;
}
