#include "cli/publish_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace guardfeed {
namespace {

constexpr const char* kFeeds = R"(
[[feeds]]
name = "gd_ip_feed"
format = "secintel"
kinds = ["ipv4"]
)";

class PublishConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-publish-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `text` (its first line is line 1) followed by one SecIntel feed, loaded as a file.
  Config Load(const std::string& text) {
    std::string path = dir_ + "/guardfeed.toml";
    std::ofstream(path) << text << kFeeds;
    auto config = LoadConfig(path, {});
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? std::move(*config) : Config();
  }

  template <typename T>
  static std::string Error(const Result<T>& result) {
    EXPECT_FALSE(result.ok());
    return result.ok() ? std::string() : result.status().message();
  }

  std::string dir_;
};

TEST_F(PublishConfigTest, ReadsS3AndAtpSections) {
  Config config = Load(R"([publish.s3]
bucket = "b"
path_style = true
max_attempts = 3
timeout = "30s"
connect_timeout = 2
max_shrink_fraction = 0.25
keys = { gd_ip_feed = "srx/ip" }
feeds = ["gd_ip_feed"]
[publish.atp]
token = "t0k3n"
max_attempts = 2
timeout_seconds = 10
feeds = [{ feed = "gd_ip_feed", atp_name = "guardduty_ip", type = "ip" }]
)");
  auto s3 = ReadS3Options(config);
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  ASSERT_TRUE(s3->has_value());
  EXPECT_TRUE((*s3)->path_style);
  EXPECT_EQ((*s3)->retry.max_attempts, 3);
  EXPECT_EQ((*s3)->timeout, std::chrono::seconds(30));
  EXPECT_EQ((*s3)->connect_timeout, std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ((*s3)->max_shrink_fraction, 0.25);
  EXPECT_EQ((*s3)->keys.at("gd_ip_feed"), "srx/ip");
  EXPECT_EQ((*s3)->feeds, std::vector<std::string>{"gd_ip_feed"});
  auto atp = ReadAtpOptions(config);
  ASSERT_TRUE(atp.ok()) << atp.status().ToString();
  ASSERT_TRUE(atp->has_value());
  EXPECT_EQ((*atp)->max_attempts, 2);
  EXPECT_EQ((*atp)->timeout, std::chrono::seconds(10));
  ASSERT_EQ((*atp)->feeds.size(), 1u);
  EXPECT_EQ((*atp)->feeds[0].atp_name, "guardduty_ip");
}

// Issue 19: `max_attempts = "5"` or `path_style = "yes"` silently became the default through
// value_or; every wrong type is now an error naming file:line:key.
TEST_F(PublishConfigTest, WrongTypesInPublishS3AreErrorsNotDefaults) {
  for (const auto& [line, key] : std::vector<std::pair<std::string, std::string>>{
           {"max_attempts = \"5\"", "publish.s3.max_attempts"},
           {"path_style = \"yes\"", "publish.s3.path_style"},
           {"region = 1", "publish.s3.region"},
           {"timeout = true", "publish.s3.timeout"},
           {"timeout = \"2h\"", "publish.s3.timeout"},
           {"max_shrink_fraction = \"half\"", "publish.s3.max_shrink_fraction"},
           {"check_manifest_urls = 0", "publish.s3.check_manifest_urls"},
           {"feeds = \"gd_ip_feed\"", "publish.s3.feeds"},
           {"keys = [\"a\"]", "publish.s3.keys"}}) {
    Config config = Load("[publish.s3]\nbucket = \"b\"\n" + line + "\n");
    std::string message = Error(ReadS3Options(config));
    EXPECT_NE(message.find(dir_ + "/guardfeed.toml:3: " + key + ": "), std::string::npos)
        << line << " -> " << message;
  }
}

TEST_F(PublishConfigTest, WrongTypesInPublishAtpAreErrorsNotDefaults) {
  const std::string feeds = "feeds = [{ feed = \"gd_ip_feed\" }]\n";
  for (const auto& [line, key] : std::vector<std::pair<std::string, std::string>>{
           {"max_attempts = \"5\"", "publish.atp.max_attempts"},
           {"max_attempts = 0", "publish.atp.max_attempts"},
           {"requests_per_minute = 60.5", "publish.atp.requests_per_minute"},
           {"timeout_seconds = \"30\"", "publish.atp.timeout_seconds"},
           {"timeout_seconds = 9223372036854775807", "publish.atp.timeout_seconds"},
           {"base_url = false", "publish.atp.base_url"},
           {"token_file = 7", "publish.atp.token_file"}}) {
    Config config = Load("[publish.atp]\ntoken = \"t\"\n" + line + "\n" + feeds);
    std::string message = Error(ReadAtpOptions(config));
    EXPECT_NE(message.find(dir_ + "/guardfeed.toml:3: " + key + ": "), std::string::npos)
        << line << " -> " << message;
  }
  Config bad_feed =
      Load("[publish.atp]\ntoken = \"t\"\nfeeds = [\n{ feed = \"gd_ip_feed\", type = 4 }]\n");
  EXPECT_NE(Error(ReadAtpOptions(bad_feed)).find("guardfeed.toml:4: publish.atp.feeds.type"),
            std::string::npos);
  Config unknown_key =
      Load("[publish.atp]\ntoken = \"t\"\nfeeds = [\n{ feed = \"gd_ip_feed\", kind = \"ip\" }]\n");
  EXPECT_NE(Error(ReadAtpOptions(unknown_key)).find("publish.atp.feeds.kind: unknown key"),
            std::string::npos);
}

TEST_F(PublishConfigTest, AtpFeedsMustNameConfiguredFeeds) {
  Config config = Load("[publish.atp]\ntoken = \"t\"\nfeeds = [\n{ feed = \"gd_ip_fed\" }]\n");
  std::string message = Error(ReadAtpOptions(config));
  EXPECT_NE(message.find("guardfeed.toml:4: publish.atp.feeds.feed: no feed named \"gd_ip_fed\""),
            std::string::npos)
      << message;
}

// Our own compromised instances must never reach ATP Cloud, where they would become C&C servers
// blocked by every SRX that uses it.
TEST_F(PublishConfigTest, AtpRefusesAContainmentFeed) {
  Config config = Load(
      "[publish.atp]\ntoken = \"t\"\nfeeds = [\n{ feed = \"quarantine\" }]\n\n"
      "[[feeds]]\nname = \"quarantine\"\nformat = \"plain\"\nkinds = [\"containment\"]\n");
  std::string message = Error(ReadAtpOptions(config));
  EXPECT_NE(message.find("guardfeed.toml:4: publish.atp.feeds.feed: \"quarantine\" is a "
                         "containment feed"),
            std::string::npos)
      << message;
}

TEST_F(PublishConfigTest, PublishSubsectionsMustBeTables) {
  Config config = Load("[publish]\ns3 = \"my-bucket\"\n");
  EXPECT_NE(Error(ReadS3Options(config)).find("guardfeed.toml:2: publish.s3: expected a table"),
            std::string::npos);
}

}  // namespace
}  // namespace guardfeed
