// GuardRequest (issue 7 item 10) on request heads a hostile page, a rebinding attack or an
// ordinary client sends.
#include "server/request_guard.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace guardfeed::server {
namespace {

namespace http = boost::beast::http;

RequestHead Head(http::verb method, std::vector<std::pair<http::field, std::string>> fields,
                 unsigned version = 11) {
  RequestHead head;
  head.method(method);
  head.target("/v1/findings");
  head.version(version);
  for (const auto& [field, value] : fields) head.set(field, value);
  return head;
}

unsigned StatusOf(const RequestHead& head, const ServerOptions& options, bool body = false) {
  auto refused = GuardRequest(head, options, 8080, body);
  return refused ? refused->status : 0;
}

ServerOptions Wildcard() {
  ServerOptions options;
  options.host = "0.0.0.0";
  options.port = 8080;
  return options;
}

TEST(RequestGuard, OnAWildcardListenTheOriginMustBeThisRequestsOwn) {
  const ServerOptions options = Wildcard();
  // A page served from another address on the same port, posting to our LAN address.
  EXPECT_EQ(StatusOf(Head(http::verb::get, {{http::field::host, "10.0.0.5:8080"},
                                            {http::field::origin, "http://1.2.3.4:8080"}}),
                     options),
            403u);
  EXPECT_EQ(StatusOf(Head(http::verb::get, {{http::field::host, "10.0.0.5:8080"},
                                            {http::field::origin, "http://10.0.0.5:8080"}}),
                     options),
            0u);
  EXPECT_EQ(StatusOf(Head(http::verb::get, {{http::field::host, "10.0.0.5:8080"},
                                            {http::field::origin, "https://10.0.0.5:8080"}}),
                     options),
            403u);
}

TEST(RequestGuard, Http11WithoutHostIsRefused) {
  EXPECT_EQ(StatusOf(Head(http::verb::get, {}), ServerOptions()), 400u);
  EXPECT_EQ(StatusOf(Head(http::verb::get, {}, 10), ServerOptions()), 0u);
}

TEST(RequestGuard, OnlyOurNamesAreServed) {
  ServerOptions options;
  for (const char* host : {"evil.example", "localhost.", "127.0.0.1.evil.example",
                           "user@127.0.0.1", "feeds.internal:8080"}) {
    EXPECT_EQ(StatusOf(Head(http::verb::get, {{http::field::host, host}}), options), 421u)
        << host;
  }
  for (const char* host : {"127.0.0.1:8080", "LOCALHOST", "[::1]:8080", "api.localhost"}) {
    EXPECT_EQ(StatusOf(Head(http::verb::get, {{http::field::host, host}}), options), 0u) << host;
  }
  options.allowed_hosts = {"feeds.internal"};
  EXPECT_EQ(
      StatusOf(Head(http::verb::get, {{http::field::host, "Feeds.Internal:8080"}}), options), 0u);
  options.public_url = "https://feeds.example.com";
  EXPECT_EQ(StatusOf(Head(http::verb::get, {{http::field::host, "feeds.example.com"},
                                            {http::field::origin, "https://feeds.example.com"}}),
                     options),
            0u);
}

TEST(RequestGuard, FormsAndTextBodiesAreRefused) {
  ServerOptions options;
  for (const char* type : {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                           "text/plain", ""}) {
    std::vector<std::pair<http::field, std::string>> fields = {
        {http::field::host, "127.0.0.1:8080"}};
    if (*type) fields.emplace_back(http::field::content_type, type);
    EXPECT_EQ(StatusOf(Head(http::verb::post, fields), options), 415u) << type;
  }
  EXPECT_EQ(StatusOf(Head(http::verb::post, {{http::field::host, "127.0.0.1:8080"},
                                             {http::field::content_type, "application/json"}}),
                     options),
            0u);
}

}  // namespace
}  // namespace guardfeed::server
