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

std::vector<std::string> FeedNames(const Config& config) {
  std::vector<std::string> names;
  for (const FeedConfig& feed : config.feeds) names.push_back(feed.name);
  return names;
}

const FeedConfig* FindFeed(const Config& config, const std::string& name) {
  for (const FeedConfig& feed : config.feeds) {
    if (feed.name == name) return &feed;
  }
  return nullptr;
}

std::string ExamplePath() {
  return std::string(GUARDFEED_SOURCE_DIR) + "/config/guardfeed.example.toml";
}

TEST_F(ConfigTest, DefaultsWithoutAFile) {
  Config config = LoadConfig("", {}).value();
  EXPECT_EQ(config.source, "(built-in defaults)");
  EXPECT_EQ(config.store_url, "sqlite://guardfeed-data/guardfeed.db");
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 4.0);
  EXPECT_EQ(config.publish_directory, "guardfeed-data/public");
  EXPECT_EQ(config.retention_seconds, 7 * 86400);
}

// Issue 1: `guardfeed ingest X && guardfeed feeds render -o out` and `guardfeed serve` without -c
// had zero feeds ("no feeds configured in (built-in defaults)").
TEST_F(ConfigTest, NoConfigurationStillHasTheExampleFeeds) {
  Config config = LoadConfig("", {}).value();
  EXPECT_EQ(FeedNames(config), (std::vector<std::string>{
                                   "fortigate_ip", "paloalto_edl", "blocked_domains", "gd_ip_feed",
                                   "gd_dns_feed", "checkpoint_ioc", "all_indicators"}));
  const FeedConfig* fortigate = FindFeed(config, "fortigate_ip");
  ASSERT_NE(fortigate, nullptr);
  EXPECT_TRUE(fortigate->crlf);
  EXPECT_EQ(fortigate->max_entries, 131072u);
  EXPECT_EQ(FindFeed(config, "gd_ip_feed")->format, FeedFormat::kSecIntel);
}

// Issue 1: one source of truth. The built-in defaults are the example file, byte for byte.
TEST_F(ConfigTest, BuiltInDefaultsAreTheExampleFile) {
  Config builtin = LoadConfig("", {}).value();
  auto example = LoadConfig(ExamplePath(), {});
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(FeedNames(builtin), FeedNames(*example));
  EXPECT_EQ(builtin.store_url, example->store_url);
  EXPECT_EQ(builtin.publish_directory, example->publish_directory);
  EXPECT_EQ(builtin.policy.exclude_types, example->policy.exclude_types);
  EXPECT_EQ(builtin.policy.ttl_high, example->policy.ttl_high);
  EXPECT_EQ(builtin.secintel.ttl, example->secintel.ttl);
  EXPECT_EQ(builtin.raw, example->raw);
}

// Issue 1: the example's sample allowlist entries ("Example values") must not become defaults.
TEST_F(ConfigTest, BuiltInDefaultsCarryNoExampleOnlyValues) {
  Config config = LoadConfig("", {}).value();
  EXPECT_EQ(config.policy.allowlist.size(), 0u);
  EXPECT_TRUE(config.policy.ttl_by_type.empty());
  EXPECT_TRUE(config.policy.exclude_types.empty());
  // What the policy library itself defaults to, so a file that omits a key means the same.
  PolicyOptions defaults;
  EXPECT_EQ(config.policy.ttl_low, defaults.ttl_low);
  EXPECT_EQ(config.policy.ttl_medium, defaults.ttl_medium);
  EXPECT_EQ(config.policy.ttl_high, defaults.ttl_high);
  EXPECT_EQ(config.policy.ttl_critical, defaults.ttl_critical);
  EXPECT_DOUBLE_EQ(config.policy.min_severity, defaults.min_severity);
  EXPECT_EQ(config.policy.include_samples, defaults.include_samples);
}

// Issue 1: a file is explicit; without [[feeds]] it is a startup error naming the file, not an
// empty daemon.
TEST_F(ConfigTest, TooWideAllowlistEntryInTheFileIsAnError) {
  const std::string feeds = "[[feeds]]\nname = \"f\"\nkinds = [\"ipv4\"]\n";
  auto wide = Load("[policy]\nallowlist = [\"0.0.0.0/1\"]\n" + feeds);
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("policy.allowlist"), std::string::npos);
  EXPECT_NE(wide.status().message().find("/8"), std::string::npos) << wide.status().message();
  EXPECT_FALSE(Load("[policy]\nallowlist = [\"com\"]\n" + feeds).ok());
  EXPECT_TRUE(
      Load("[policy]\nallowlist_min_ipv4_prefix = 1\nallowlist = [\"0.0.0.0/1\"]\n" + feeds).ok());
}

TEST_F(ConfigTest, AFileWithoutFeedsIsAnErrorNamingTheFile) {
  auto config = Load("[store]\nurl = \"sqlite://a.db\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kInvalidArgument);  // exit code 2
  EXPECT_NE(config.status().message().find("no feeds configured in " + dir_ + "/guardfeed.toml"),
            std::string::npos)
      << config.status().message();
  EXPECT_NE(config.status().message().find("add [[feeds]]"), std::string::npos);
}

TEST_F(ConfigTest, AFileWithoutFeedsIsFineWhenTheEnvironmentAddsOne) {
  Config config = Load("[store]\nurl = \"sqlite://a.db\"\n", {{"IP_FEED", "srx_ip_feed"}}).value();
  EXPECT_EQ(FeedNames(config), std::vector<std::string>{"srx_ip_feed"});
}

// Issue 1: the reference Lambdas' variables still rename and add feeds, now on top of the
// built-in ones.
TEST_F(ConfigTest, LambdaVariablesRenameAndAddFeedsOnTopOfTheDefaults) {
  Config config = LoadConfig("", {{"IP_FEED", "srx_ip_feed"},
                                  {"DNS_FEED", "srx_dns_feed"},
                                  {"MAX_ENTRIES", "5000"},
                                  {"S3_BLOCKLIST_KEY", "ip_blocklist"}})
                      .value();
  EXPECT_EQ(FeedNames(config),
            (std::vector<std::string>{"fortigate_ip", "paloalto_edl", "blocked_domains",
                                      "srx_ip_feed", "srx_dns_feed", "checkpoint_ioc",
                                      "all_indicators", "fortinet_blocklist"}));
  EXPECT_EQ(FindFeed(config, "srx_ip_feed")->max_entries, 5000u);
  EXPECT_EQ(FindFeed(config, "srx_dns_feed")->max_entries, 5000u);
  EXPECT_EQ(FindFeed(config, "fortigate_ip")->max_entries, 131072u);  // not a SecIntel feed
}

TEST_F(ConfigTest, ExampleConfigurationLoads) {
  auto config = LoadConfig(ExamplePath(), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->feeds.size(), 7u);
  EXPECT_EQ(config->source, ExamplePath());
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
)")
                      .value();
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
  EXPECT_FALSE(
      Load("[[feeds]]\nname = \"short\"\nformat = \"secintel\"\nkinds = [\"ipv4\"]\n").ok());
  EXPECT_FALSE(
      Load("[[feeds]]\nname = \"gd_ip_feed\"\nformat = \"secintel\"\nkinds = [\"ipv6\"]\n").ok());
  EXPECT_TRUE(
      Load("[[feeds]]\nname = \"gd_ip_feed\"\nformat = \"secintel\"\nkinds = [\"ipv4\"]\n").ok());
  EXPECT_FALSE(Load("[[feeds]]\nname = \"a\"\n[[feeds]]\nname = \"a\"\n").ok());
}

TEST_F(ConfigTest, JuniperLambdaEnvironment) {
  Config config = Load("[[feeds]]\nname = \"fg\"\n", {{"IP_FEED", "gd_ip_feed"},
                                                      {"DNS_FEED", "gd_dns_feed"},
                                                      {"SEVERITY_LEVEL", "8"},
                                                      {"MAX_ENTRIES", "5000"},
                                                      {"FEED_TTL", "86400"},
                                                      {"FEED_UPDATE_INTERVAL", "600"}})
                      .value();
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 8);
  ASSERT_EQ(config.feeds.size(), 3u);
  EXPECT_EQ(config.feeds[1].name, "gd_ip_feed");
  EXPECT_EQ(config.feeds[1].format, FeedFormat::kSecIntel);
  EXPECT_EQ(config.feeds[1].max_entries, 5000u);
  EXPECT_EQ(config.feeds[2].kinds, std::vector<IndicatorKind>{IndicatorKind::kDomain});
  EXPECT_EQ(config.secintel.ttl, 86400);
  EXPECT_EQ(config.secintel.update_interval, 600);
}

TEST_F(ConfigTest, LambdaVariablesOutOfRangeAreClearErrors) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"SEVERITY_LEVEL", "11"},
                                                        {"MIN_SEVERITY", "0"},
                                                        {"MAX_ENTRIES", "999"},
                                                        {"MAX_ENTRIES", "100001"},
                                                        {"FEED_TTL", "86399"},
                                                        {"FEED_UPDATE_INTERVAL", "299"},
                                                        {"FEED_UPDATE_INTERVAL", "5m"},
                                                        {"IP_FEED", "short"}}) {
    auto config = LoadConfig("", {{name, value}});
    ASSERT_FALSE(config.ok()) << name << "=" << value;
    EXPECT_NE(config.status().message().find(name), std::string::npos) << config.status().message();
  }
}

TEST_F(ConfigTest, FortinetLambdaEnvironment) {
  Config config = Load("[[feeds]]\nname = \"fg\"\n", {{"MIN_SEVERITY", "3"},
                                                      {"S3_BUCKET", "my-bucket"},
                                                      {"S3_BLOCKLIST_KEY", "ip_blocklist"},
                                                      {"REGION", "us-east-1"}})
                      .value();
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 3);
  EXPECT_EQ(config.lambda.s3_bucket, "my-bucket");
  EXPECT_EQ(config.lambda.s3_blocklist_key, "ip_blocklist");
  EXPECT_EQ(config.lambda.s3_region, "us-east-1");
  ASSERT_EQ(config.feeds.size(), 2u);
  EXPECT_EQ(config.feeds[1].name, "fortinet_blocklist");
  EXPECT_TRUE(config.feeds[1].crlf);
}

TEST_F(ConfigTest, ConflictingSeverityVariablesAreAnError) {
  EXPECT_FALSE(LoadConfig("", {{"SEVERITY_LEVEL", "8"}, {"MIN_SEVERITY", "3"}}).ok());
  EXPECT_TRUE(LoadConfig("", {{"SEVERITY_LEVEL", "5"}, {"MIN_SEVERITY", "5"}}).ok());
}

TEST_F(ConfigTest, GuardfeedVariablesOverrideTheFile) {
  Config config = Load("[store]\nurl = \"sqlite://a.db\"\n[[feeds]]\nname = \"fg\"\n",
                       {{"GUARDFEED_STORE", "sqlite://b.db"}, {"GUARDFEED_MIN_SEVERITY", "6.5"}})
                      .value();
  EXPECT_EQ(config.store_url, "sqlite://b.db");
  EXPECT_DOUBLE_EQ(config.policy.min_severity, 6.5);
}

// Issue 8: durations have upper bounds; a huge TTL or retention is an error naming file:line:key
// and the allowed range instead of overflowing "last_seen + ttl" later.
TEST_F(ConfigTest, HugeDurationsAreRejectedWithTheAllowedRange) {
  const std::string feed = "[[feeds]]\nname = \"fg\"\n";
  for (const auto& [toml, key] : std::vector<std::pair<std::string, std::string>>{
           {"[policy.ttl]\n\nhigh = 9223372036854775807\n", "guardfeed.toml:3: policy.ttl.high"},
           {"[policy.ttl]\n\nlow = \"99999999999d\"\n", "guardfeed.toml:3: policy.ttl.low"},
           {"[policy.ttl]\n\ncritical = \"99999999999999999999d\"\n",
            "guardfeed.toml:3: policy.ttl.critical"},
           {"[policy.ttl]\n\nmedium = \"3651d\"\n", "guardfeed.toml:3: policy.ttl.medium"},
           {"[policy.ttl]\nby_type = [\n{ type = \"Recon:*\", ttl = \"522w\" }]\n",
            "guardfeed.toml:3: policy.ttl.by_type.ttl"},
           {"[store]\n\nretention = \"9223372036854775807\"\n",
            "guardfeed.toml:3: store.retention"},
           {"[store]\n\nretention = -1\n", "guardfeed.toml:3: store.retention"}}) {
    auto config = Load(toml + feed);
    ASSERT_FALSE(config.ok()) << toml;
    EXPECT_NE(config.status().message().find(key), std::string::npos) << config.status().message();
    EXPECT_NE(config.status().message().find("to 3650d"), std::string::npos)
        << config.status().message();
  }
  Config longest =
      Load("[policy.ttl]\ncritical = \"3650d\"\n[store]\nretention = 315360000\n" + feed).value();
  EXPECT_EQ(longest.policy.ttl_critical, kMaxTtlSeconds);
  EXPECT_EQ(longest.retention_seconds, kMaxRetentionSeconds);
}

// Issue 19: a section of the wrong type was silently ignored ([store] = "x" kept the default).
TEST_F(ConfigTest, SectionsOfTheWrongTypeAreErrors) {
  auto config = Load("store = \"sqlite://x.db\"\n[[feeds]]\nname = \"fg\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("guardfeed.toml:1: store: expected a table"),
            std::string::npos)
      << config.status().message();
  auto nan = Load("[policy]\nmin_severity = nan\n[[feeds]]\nname = \"fg\"\n");
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("guardfeed.toml:2: policy.min_severity"), std::string::npos)
      << nan.status().message();
}

}  // namespace
}  // namespace guardfeed
