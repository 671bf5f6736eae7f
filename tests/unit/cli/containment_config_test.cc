// The configuration of containment (docs/containment.md, docs/configuration.md): a feed with
// kinds = ["containment"] turns it on, [containment] sets its TTL and allowlist.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/config.h"

namespace guardfeed {
namespace {

class ContainmentConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-containment-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<Config> Load(const std::string& text) {
    std::string path = dir_ + "/guardfeed.toml";
    std::ofstream(path) << text;
    return LoadConfig(path, {});
  }

  // Loads `text`, expecting an error that contains every one of `parts`.
  void ExpectError(const std::string& text, std::initializer_list<std::string> parts) {
    auto config = Load(text);
    ASSERT_FALSE(config.ok()) << text;
    for (const std::string& part : parts) {
      EXPECT_NE(config.status().message().find(part), std::string::npos)
          << config.status().message() << "\nlacks: " << part;
    }
  }

  std::string dir_;
};

constexpr const char* kAttackerFeed = R"(
[[feeds]]
name = "blocklist"
format = "plain"
kinds = ["ipv4", "ipv6"]
)";

TEST_F(ContainmentConfigTest, OffWithoutAContainmentFeed) {
  Config config = Load(std::string(kAttackerFeed) + R"(
[containment]
ttl = "12h"
)")
                      .value();
  EXPECT_FALSE(config.policy.containment.enabled);
  EXPECT_EQ(config.policy.containment.ttl_seconds, 12 * 3600);
  EXPECT_FALSE(config.feeds[0].containment);
  // The built-in defaults have no containment feed either.
  EXPECT_FALSE(LoadConfig("", {}).value().policy.containment.enabled);
}

TEST_F(ContainmentConfigTest, AContainmentFeedTurnsItOn) {
  Config config = Load(std::string(kAttackerFeed) + R"(
[[feeds]]
name = "quarantine"
format = "plain"
kinds = ["containment"]

[[feeds]]
name = "quarantine_cp"
format = "checkpoint"
kinds = ["containment"]
max_entries = 500

[containment]
ttl = "6h"
allowlist = ["10.0.9.0/24", "10.0.1.21", "2600:1f18::/64"]
)")
                      .value();
  EXPECT_TRUE(config.policy.containment.enabled);
  EXPECT_EQ(config.policy.containment.ttl_seconds, 6 * 3600);
  EXPECT_EQ(config.policy.containment.allowlist.size(), 3u);
  EXPECT_EQ(config.policy.containment.allowlist.Match(NormalizeIp("10.0.9.7").value()),
            "10.0.9.0/24");
  EXPECT_TRUE(config.policy.allowlist.empty());  // the attacker allowlist is another list
  ASSERT_EQ(config.feeds.size(), 3u);
  EXPECT_FALSE(config.feeds[0].containment);
  const FeedConfig& quarantine = config.feeds[1];
  EXPECT_TRUE(quarantine.containment);
  EXPECT_EQ(quarantine.kinds,
            (std::vector<IndicatorKind>{IndicatorKind::kIpv4, IndicatorKind::kIpv6}));
  EXPECT_TRUE(config.feeds[2].containment);
  EXPECT_EQ(config.feeds[2].max_entries, 500u);
}

TEST_F(ContainmentConfigTest, DefaultTtlIsADay) {
  Config config = Load(R"(
[[feeds]]
name = "quarantine"
kinds = ["containment"]
)")
                      .value();
  EXPECT_TRUE(config.policy.containment.enabled);
  EXPECT_EQ(config.policy.containment.ttl_seconds, 24 * 3600);
  EXPECT_TRUE(config.policy.containment.allowlist.empty());
}

TEST_F(ContainmentConfigTest, AContainmentFeedCannotMixKinds) {
  ExpectError(R"(
[[feeds]]
name = "mixed"
kinds = ["containment", "ipv4"]
)",
              {"guardfeed.toml:", "feeds.mixed.kinds", "kinds = [\"containment\"] alone"});
}

TEST_F(ContainmentConfigTest, SecIntelIsRefused) {
  ExpectError(R"(
[[feeds]]
name = "quarantine_secintel"
format = "secintel"
kinds = ["containment"]
)",
              {"feeds.quarantine_secintel.format", "cannot be secintel", "plain"});
}

TEST_F(ContainmentConfigTest, UnknownKindNamesContainment) {
  ExpectError(R"(
[[feeds]]
name = "typo"
kinds = ["contaiment"]
)",
              {"feeds.typo.kinds", "'contaiment'", "containment alone"});
}

TEST_F(ContainmentConfigTest, TtlIsBounded) {
  const std::string feed = R"(
[[feeds]]
name = "quarantine"
kinds = ["containment"]
)";
  ExpectError(feed + "[containment]\nttl = \"5m\"\n", {"containment.ttl"});
  ExpectError(feed + "[containment]\nttl = \"31d\"\n", {"containment.ttl"});
  EXPECT_EQ(Load(feed + "[containment]\nttl = \"15m\"\n")->policy.containment.ttl_seconds, 900);
  EXPECT_EQ(Load(feed + "[containment]\nttl = \"30d\"\n")->policy.containment.ttl_seconds,
            30 * 86400);
}

TEST_F(ContainmentConfigTest, AllowlistTakesAddressesOnly) {
  const std::string feed = R"(
[[feeds]]
name = "quarantine"
kinds = ["containment"]
)";
  ExpectError(feed + "[containment]\nallowlist = [\"bastion.example.com\"]\n",
              {"containment.allowlist", "'bastion.example.com' is not an IP address or CIDR"});
  ExpectError(feed + "[containment]\nallowlist = [\"10.0.0.0/33\"]\n", {"containment.allowlist"});
  ExpectError(feed + "[containment]\nttl = \"6h\"\nallow = [\"10.0.0.1\"]\n", {"allow"});
}

}  // namespace
}  // namespace guardfeed
