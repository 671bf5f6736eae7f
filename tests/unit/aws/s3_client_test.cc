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
  S3ClientOptions options;
  ApplyS3EndpointEnvironment(options, Environment({{"AWS_ENDPOINT_URL", "https://general.test"},
                                                   {"AWS_ENDPOINT_URL_S3", "https://s3.test"}}));
  EXPECT_EQ(options.endpoint, "https://s3.test");
  EXPECT_FALSE(options.path_style);
  S3ClientOptions general;
  ApplyS3EndpointEnvironment(general, Environment({{"AWS_ENDPOINT_URL", "https://general.test"}}));
  EXPECT_EQ(general.endpoint, "https://general.test");
}

TEST(S3EndpointEnvironment, IpLiteralsAndLocalhostGetPathStyle) {
  for (const char* endpoint :
       {"http://127.0.0.1:7480", "http://[::1]:9000", "http://localhost:9000"}) {
    S3ClientOptions options;
    ApplyS3EndpointEnvironment(options, Environment({{"AWS_ENDPOINT_URL_S3", endpoint}}));
    EXPECT_EQ(options.endpoint, endpoint);
    EXPECT_TRUE(options.path_style) << endpoint;
  }
}

TEST(S3EndpointEnvironment, AConfiguredEndpointIsKeptAndEmptyVariablesIgnored) {
  S3ClientOptions options;
  options.endpoint = "https://configured.test";
  ApplyS3EndpointEnvironment(options, Environment({{"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1"}}));
  EXPECT_EQ(options.endpoint, "https://configured.test");
  EXPECT_FALSE(options.path_style);
  S3ClientOptions unset;
  ApplyS3EndpointEnvironment(unset, Environment({{"AWS_ENDPOINT_URL_S3", ""}}));
  EXPECT_EQ(unset.endpoint, "");
}

TEST(UnquotedEtag, DropsOnePairOfQuotes) {
  EXPECT_EQ(UnquotedEtag("\"abc\""), "abc");
  EXPECT_EQ(UnquotedEtag("abc"), "abc");
  EXPECT_EQ(UnquotedEtag("\""), "\"");
}

}  // namespace
}  // namespace guardfeed
