#include "aws/s3_client.h"

#include <gtest/gtest.h>

#include <map>

namespace guardfeed {
namespace {

std::function<const char*(const char*)> Environment(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

TEST(S3EndpointEnvironment, TheServiceVariableWinsOverTheGeneralOne) {
  EXPECT_EQ(S3EndpointFromEnvironment(Environment({{"AWS_ENDPOINT_URL", "https://general.test"},
                                                   {"AWS_ENDPOINT_URL_S3", "https://s3.test"}})),
            "https://s3.test");
  EXPECT_EQ(S3EndpointFromEnvironment(Environment({{"AWS_ENDPOINT_URL", "https://general.test"}})),
            "https://general.test");
  EXPECT_EQ(S3EndpointFromEnvironment(Environment({{"AWS_ENDPOINT_URL_S3", ""}})), "");
  EXPECT_EQ(S3EndpointFromEnvironment(Environment({})), "");
}

TEST(S3EndpointEnvironment, IpLiteralsAndLocalhostGetPathStyle) {
  for (const char* endpoint :
       {"http://127.0.0.1:7480", "http://[::1]:9000", "http://localhost:9000"}) {
    S3ClientOptions options;
    UseS3EndpointUnlessSet(options, endpoint);
    EXPECT_EQ(options.endpoint, endpoint);
    EXPECT_TRUE(options.path_style) << endpoint;
  }
  S3ClientOptions named;
  UseS3EndpointUnlessSet(named, "https://minio.example.com");
  EXPECT_FALSE(named.path_style);
}

TEST(S3EndpointEnvironment, AConfiguredEndpointIsKept) {
  S3ClientOptions options;
  options.endpoint = "https://configured.test";
  UseS3EndpointUnlessSet(options, "http://127.0.0.1:1");
  EXPECT_EQ(options.endpoint, "https://configured.test");
  EXPECT_FALSE(options.path_style);
}

TEST(UnquotedEtag, DropsOnePairOfQuotes) {
  EXPECT_EQ(UnquotedEtag("\"abc\""), "abc");
  EXPECT_EQ(UnquotedEtag("abc"), "abc");
  EXPECT_EQ(UnquotedEtag("\""), "\"");
}

}  // namespace
}  // namespace guardfeed
