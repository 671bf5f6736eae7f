#include "server/options.h"

#include <gtest/gtest.h>

namespace guardfeed {
namespace {

TEST(IsLoopbackHost, RecognisesLoopbackOnly) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.1.2.3"));
}

TEST(ValidateServerOptions, DefaultsAreValid) {
  EXPECT_TRUE(ValidateServerOptions(ServerOptions{}).ok());
}

TEST(ValidateServerOptions, RefusesAPublicBindWithoutIngestToken) {
  ServerOptions options;
  options.host = "0.0.0.0";
  Status status = ValidateServerOptions(options);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("server.ingest_token"), std::string::npos);
  EXPECT_NE(status.message().find("anyone"), std::string::npos);
  options.ingest_token = "t";
  EXPECT_TRUE(ValidateServerOptions(options).ok());
}

TEST(ValidateServerOptions, NamesTheKeyThatIsWrong) {
  ServerOptions options;
  options.host = "not an address";
  EXPECT_NE(ValidateServerOptions(options).message().find("server.listen"), std::string::npos);
  options = {};
  options.tls_cert = "cert.pem";
  EXPECT_NE(ValidateServerOptions(options).message().find("server.tls_key"), std::string::npos);
  options = {};
  options.feed_auth["fortigate_ip"] = FeedAuth{"user", "", ""};
  EXPECT_NE(ValidateServerOptions(options).message().find("server.feed_auth.fortigate_ip.password"),
            std::string::npos);
  options = {};
  options.feed_auth["x"] = FeedAuth{};
  EXPECT_FALSE(ValidateServerOptions(options).ok());
  options = {};
  options.ingest_api_key_header = "X API Key";
  EXPECT_NE(ValidateServerOptions(options).message().find("ingest_api_key_header"),
            std::string::npos);
}

TEST(BaseUrl, DerivesFromTheListenAddress) {
  ServerOptions options;
  EXPECT_EQ(BaseUrl(options, 8080), "http://127.0.0.1:8080");
  options.host = "::1";
  EXPECT_EQ(BaseUrl(options, 1), "http://[::1]:1");
  options.tls_cert = "c";
  options.tls_key = "k";
  options.host = "0.0.0.0";
  EXPECT_EQ(BaseUrl(options, 443), "https://127.0.0.1:443");
  options.public_url = "https://feeds.example.com/";
  EXPECT_EQ(BaseUrl(options, 443), "https://feeds.example.com");
}

}  // namespace
}  // namespace guardfeed
