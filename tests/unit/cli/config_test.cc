#include "cli/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace guardfeed {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& text) {
    std::string path = dir_ + "/guardfeed.toml";
    std::ofstream(path) << text;
    return path;
  }

  Result<Config> Load(const std::string& text, Environment env = {}) {
    return LoadConfig(Write(text), env);
  }

  std::string dir_;
};

TEST_F(ConfigTest, DefaultsWithoutAFile) {
  Config config = LoadConfig("", {}).value();
  EXPECT_EQ(config.store_url, "sqlite://guardfeed-data/guardfeed.db");
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 4.0);
  EXPECT_TRUE(config.feeds.empty());
}

TEST_F(ConfigTest, ExampleConfigurationLoads) {
  auto config = LoadConfig(std::string(GUARDFEED_SOURCE_DIR) + "/config/guardfeed.example.toml", {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->feeds.size(), 7u);
  EXPECT_EQ(config->policy.ttl_by_type.size(), 1u);
  EXPECT_EQ(config->policy.allowlist.size(), 2u);
}

TEST_F(ConfigTest, FeedsAndPolicyAreRead) {
  Config config = Load(R"(
[policy]
min_severity = 7
exclude_types = ["Recon:*"]
[policy.ttl]
high = "12h"
[[feeds]]
name = "fg"
format = "plain"
kinds = ["ipv4"]
line_ending = "crlf"
max_entries = 100
)").value();
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 7);
  EXPECT_EQ(config.policy.ttl_high, 43200);
  ASSERT_EQ(config.feeds.size(), 1u);
  EXPECT_TRUE(config.feeds[0].crlf);
  EXPECT_EQ(config.feeds[0].max_entries, 100u);
  EXPECT_EQ(config.feeds[0].kinds, std::vector<IndicatorKind>{IndicatorKind::kIpv4});
}

TEST_F(ConfigTest, ErrorsNameFileLineAndKey) {
  auto config = Load("[policy]\n\nmin_severity = \"high\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("guardfeed.toml:3: policy.min_severity"),
            std::string::npos)
      << config.status().message();
}

TEST_F(ConfigTest, UnknownKeysAreErrors) {
  auto config = Load("[policy]\nmin_severty = 5\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("policy.min_severty: unknown key"), std::string::npos);
}

TEST_F(ConfigTest, TomlSyntaxErrorsHaveALine) {
  auto config = Load("[policy\nmin_severity = 5\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("guardfeed.toml:1"), std::string::npos)
      << config.status().message();
}

TEST_F(ConfigTest, SecIntelFeedNamesAndKindsAreValidated) {
  EXPECT_FALSE(Load("[[feeds]]\nname = \"short\"\nformat = \"secintel\"\nkinds = [\"ipv4\"]\n").ok());
  EXPECT_FALSE(
      Load("[[feeds]]\nname = \"gd_ip_feed\"\nformat = \"secintel\"\nkinds = [\"ipv6\"]\n").ok());
  EXPECT_TRUE(
      Load("[[feeds]]\nname = \"gd_ip_feed\"\nformat = \"secintel\"\nkinds = [\"ipv4\"]\n").ok());
  EXPECT_FALSE(Load("[[feeds]]\nname = \"a\"\n[[feeds]]\nname = \"a\"\n").ok());
}

TEST_F(ConfigTest, JuniperLambdaEnvironment) {
  Config config = LoadConfig("", {{"IP_FEED", "gd_ip_feed"},
                                  {"DNS_FEED", "gd_dns_feed"},
                                  {"SEVERITY_LEVEL", "8"},
                                  {"MAX_ENTRIES", "5000"},
                                  {"FEED_TTL", "86400"},
                                  {"FEED_UPDATE_INTERVAL", "600"}})
                      .value();
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 8);
  ASSERT_EQ(config.feeds.size(), 2u);
  EXPECT_EQ(config.feeds[0].name, "gd_ip_feed");
  EXPECT_EQ(config.feeds[0].format, FeedFormat::kSecIntel);
  EXPECT_EQ(config.feeds[0].max_entries, 5000u);
  EXPECT_EQ(config.feeds[1].kinds, std::vector<IndicatorKind>{IndicatorKind::kDomain});
  EXPECT_EQ(config.secintel.ttl, 86400);
  EXPECT_EQ(config.secintel.update_interval, 600);
}

TEST_F(ConfigTest, LambdaVariablesOutOfRangeAreClearErrors) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"SEVERITY_LEVEL", "11"},
           {"MIN_SEVERITY", "0"},
           {"MAX_ENTRIES", "999"},
           {"MAX_ENTRIES", "100001"},
           {"FEED_TTL", "86399"},
           {"FEED_UPDATE_INTERVAL", "299"},
           {"FEED_UPDATE_INTERVAL", "5m"},
           {"IP_FEED", "short"}}) {
    auto config = LoadConfig("", {{name, value}});
    ASSERT_FALSE(config.ok()) << name << "=" << value;
    EXPECT_NE(config.status().message().find(name), std::string::npos)
        << config.status().message();
  }
}

TEST_F(ConfigTest, FortinetLambdaEnvironment) {
  Config config = LoadConfig("", {{"MIN_SEVERITY", "3"},
                                  {"S3_BUCKET", "my-bucket"},
                                  {"S3_BLOCKLIST_KEY", "ip_blocklist"},
                                  {"REGION", "us-east-1"}})
                      .value();
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 3);
  EXPECT_EQ(config.lambda.s3_bucket, "my-bucket");
  EXPECT_EQ(config.lambda.s3_blocklist_key, "ip_blocklist");
  EXPECT_EQ(config.lambda.s3_region, "us-east-1");
  ASSERT_EQ(config.feeds.size(), 1u);
  EXPECT_EQ(config.feeds[0].name, "fortinet_blocklist");
  EXPECT_TRUE(config.feeds[0].crlf);
}

TEST_F(ConfigTest, ConflictingSeverityVariablesAreAnError) {
  EXPECT_FALSE(LoadConfig("", {{"SEVERITY_LEVEL", "8"}, {"MIN_SEVERITY", "3"}}).ok());
  EXPECT_TRUE(LoadConfig("", {{"SEVERITY_LEVEL", "5"}, {"MIN_SEVERITY", "5"}}).ok());
}

TEST_F(ConfigTest, GuardfeedVariablesOverrideTheFile) {
  Config config = Load("[store]\nurl = \"sqlite://a.db\"\n",
                       {{"GUARDFEED_STORE", "sqlite://b.db"}, {"GUARDFEED_MIN_SEVERITY", "6.5"}})
                      .value();
  EXPECT_EQ(config.store_url, "sqlite://b.db");
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 6.5);
}

}  // namespace
}  // namespace guardfeed
