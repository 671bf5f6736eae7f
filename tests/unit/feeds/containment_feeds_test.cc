// Containment feeds end to end on every engine (docs/containment.md): findings in through the
// Ingestor, feeds out through FeedBuilder and LiveFeeds, explained by ExplainIndicator. Our
// compromised instances appear only in containment feeds, as plain addresses; attacker feeds
// never list them, even where one address is both.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feeds/builder.h"
#include "feeds/explain.h"
#include "feeds/live_feeds.h"
#include "store/ingest.h"
#include "unit/store/engines.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kNow = 1795340000;       // 2026-11-22T09:33:20Z
constexpr UnixSeconds kLastSeen = 1795338000;  // the findings' eventLastSeen

std::string DataPath(const std::string& name) {
  return std::string(GUARDFEED_SOURCE_DIR) + "/tests/unit/guardduty/containment/" + name;
}

FeedConfig Feed(std::string name, FeedFormat format, bool containment,
                std::vector<IndicatorKind> kinds = {IndicatorKind::kIpv4, IndicatorKind::kIpv6,
                                                    IndicatorKind::kDomain}) {
  FeedConfig config;
  config.name = std::move(name);
  config.format = format;
  config.containment = containment;
  config.kinds = containment
                     ? std::vector<IndicatorKind>{IndicatorKind::kIpv4, IndicatorKind::kIpv6}
                     : std::move(kinds);
  return config;
}

std::vector<FeedConfig> Feeds() {
  std::vector<FeedConfig> feeds = {
      Feed("blocklist", FeedFormat::kPlain, false),
      Feed("attackers", FeedFormat::kJson, false),
      Feed("quarantine", FeedFormat::kPlain, true),
      Feed("quarantine_json", FeedFormat::kJson, true),
      Feed("quarantine_cp", FeedFormat::kCheckPoint, true),
      Feed("quarantine_top2", FeedFormat::kPlain, true),
  };
  feeds[5].max_entries = 2;
  return feeds;
}

class ContainmentFeedsTest : public testing::StoreEngineTest {
 protected:
  void SetUp() override {
    StoreEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    Ingestor ingestor(store_.get(), &policy_, &clock_);
    std::vector<std::string> paths;
    for (const char* name : {"ssh-bruteforce-actor.json", "ssh-bruteforce-target.json",
                             "runtime-bitcointool.json", "tor-relay-and-attacker.jsonl"}) {
      paths.push_back(DataPath(name));
    }
    auto summary = ingestor.IngestPaths(paths, {});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_EQ(summary->error_count, 0);
    ASSERT_EQ(summary->containment_seen, 8);
  }

  static PolicyOptions Options() {
    PolicyOptions options;
    // The findings' remote addresses are documentation ranges; list them as attackers.
    options.allowed_range_classes = {"documentation"};
    // An attacker allowlist covering our VPC: it must not protect our hosts from quarantine.
    EXPECT_TRUE(options.allowlist.Add("10.0.0.0/16").ok());
    options.containment.enabled = true;
    options.containment.ttl_seconds = 6 * 3600;
    EXPECT_TRUE(options.containment.allowlist.Add("10.0.1.21").ok());  // a bastion address
    return options;
  }

  BuildResult Build(const std::vector<FeedConfig>& feeds) {
    FeedBuilder builder(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
    auto built = builder.Build();
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    return built.ok() ? std::move(*built) : BuildResult{};
  }

  static std::string Body(const BuildResult& result, std::string_view path) {
    SnapshotPtr file = result.set.Find(path);
    EXPECT_NE(file, nullptr) << path;
    return file ? file->body : "";
  }

  Explanation Explain(const std::string& value) {
    auto explained =
        ExplainIndicator(NormalizeIndicator(value).value(), Feeds(), policy_, *store_, kNow);
    EXPECT_TRUE(explained.ok()) << value << ": " << explained.status().ToString();
    return explained.ok() ? std::move(*explained) : Explanation{};
  }

  std::unique_ptr<Store> store_;
  ManualClock clock_{kNow};
  Policy policy_{Options()};
};
INSTANTIATE_TEST_SUITE_P(, ContainmentFeedsTest, testing::AllStoreEngines(),
                         testing::StoreEngineName);

constexpr std::string_view kQuarantine =
    "10.0.1.20\n10.0.3.40\n10.0.4.50\n54.10.20.30\n54.240.1.10\n"
    "2600:1f18:4a3:6a01::20\n2600:1f18:4a3:6a02::40\n";

TEST_P(ContainmentFeedsTest, EachAddressInItsOwnFeeds) {
  BuildResult built = Build(Feeds());
  // Our instances, private addresses included, less the containment allowlist (10.0.1.21).
  EXPECT_EQ(Body(built, "quarantine.txt"), kQuarantine);
  // Attackers only: 54.240.1.10 probed one of our hosts, so it is here as well; the TARGET
  // brute-forcer (severity 2) is below min_severity.
  EXPECT_EQ(Body(built, "blocklist.txt"),
            "54.240.1.10\n192.0.2.200\n198.51.100.61\n203.0.113.80\n");
  std::string attackers = Body(built, "attackers.json");
  for (const char* ours : {"10.0.1.20", "10.0.3.40", "54.10.20.30", "2600:1f18"}) {
    EXPECT_EQ(attackers.find(ours), std::string::npos) << ours;
  }
  std::string json = Body(built, "quarantine_json.json");
  EXPECT_NE(json.find(R"({"value":"10.0.1.20","kind":"ipv4","threat_level":8,)"), std::string::npos)
      << json;
  EXPECT_EQ(json.find("instance:"), std::string::npos);
  EXPECT_EQ(json.find("203.0.113.80"), std::string::npos);
  std::string checkpoint = Body(built, "quarantine_cp.csv");
  EXPECT_NE(checkpoint.find("guardfeed_54.10.20.30,54.10.20.30,IP,high,high,AB,"
                            "GuardDuty compromised instance threat level 8\n"),
            std::string::npos)
      << checkpoint;
  EXPECT_EQ(checkpoint.find("2600:"), std::string::npos);  // Check Point takes no IPv6
  // Capped: threat level, then last seen (all equal here), then value.
  EXPECT_EQ(Body(built, "quarantine_top2.txt"), "10.0.1.20\n10.0.3.40\n");
  EXPECT_EQ(built.reports[5].dropped, 5u);
}

TEST_P(ContainmentFeedsTest, ExplainSaysWhyOurHostIsQuarantined) {
  Explanation e = Explain("instance:54.240.1.10");
  ASSERT_FALSE(e.never_seen());
  EXPECT_TRUE(e.containment);
  EXPECT_EQ(e.address, "54.240.1.10");
  EXPECT_TRUE(e.active);
  EXPECT_EQ(ExplainedState(e, kNow), "active");
  ASSERT_EQ(e.reasons.size(), 1u);
  EXPECT_EQ(e.reasons[0].finding_type, "UnauthorizedAccess:EC2/TorRelay");
  EXPECT_EQ(e.reasons[0].instance_id, "i-0bbb7777cccc8888d");
  EXPECT_DOUBLE_EQ(e.reasons[0].severity, 8.0);
  EXPECT_EQ(e.reasons[0].field, "resource.instanceDetails.networkInterfaces[].publicIp");
  EXPECT_EQ(e.reasons[0].family, "acts as a Tor relay");
  EXPECT_EQ(ContainmentSummary(e),
            "containment entry: our instance i-0bbb7777cccc8888d (54.240.1.10) is the actor of "
            "UnauthorizedAccess:EC2/TorRelay (severity 8.0): it acts as a Tor relay");
  EXPECT_EQ(e.record->expires_at, kLastSeen + 6 * 3600);
  ASSERT_EQ(e.feeds.size(), 6u);
  EXPECT_FALSE(e.feeds[0].carried);
  EXPECT_EQ(e.feeds[0].reason, "not a containment feed: it never lists our own instances");
  EXPECT_TRUE(e.feeds[2].carried);
  EXPECT_EQ(e.feeds[2].rank, 7u);  // "54.240.1.10" sorts last by value among equals
  EXPECT_FALSE(e.feeds[5].carried);
  EXPECT_EQ(e.feeds[5].reason, "dropped by max_entries 2");

  // The same address as an attacker: its own explanation, pointing at the containment entry.
  Explanation attacker = Explain("54.240.1.10");
  EXPECT_FALSE(attacker.containment);
  EXPECT_EQ(attacker.containment_entry, "instance:54.240.1.10");
  ASSERT_EQ(attacker.sightings.size(), 1u);
  EXPECT_EQ(attacker.sightings[0].finding_type, "Recon:EC2/PortProbeUnprotectedPort");
  EXPECT_TRUE(attacker.feeds[0].carried);
  EXPECT_EQ(attacker.feeds[2].reason,
            "containment feed: it lists only our own compromised instances");

  // One of our private addresses is never an attacker, only a containment entry.
  Explanation plain = Explain("10.0.1.20");
  EXPECT_TRUE(plain.never_seen());
  EXPECT_EQ(plain.containment_entry, "instance:10.0.1.20");

  Explanation bastion = Explain("instance:10.0.1.21");
  EXPECT_EQ(bastion.suppression, "containment allowlist 10.0.1.21");
  EXPECT_EQ(ExplainedState(bastion, kNow), "suppressed");
  EXPECT_FALSE(bastion.feeds[2].carried);
}

TEST_P(ContainmentFeedsTest, UnquarantineByRemovingTheContainmentEntry) {
  const std::vector<FeedConfig> feeds = Feeds();
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  ASSERT_TRUE(live.Update().ok());
  auto first = live.Render();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Body(*first, "quarantine.txt"), kQuarantine);
  ASSERT_TRUE(
      store_->Remove(NormalizeIndicator("instance:54.240.1.10").value(), "rebuilt", "ops", kNow)
          .ok());
  ASSERT_TRUE(live.Update().ok());
  auto second = live.Render();
  ASSERT_TRUE(second.ok());
  BuildResult full = Build(feeds);
  EXPECT_EQ(Body(*second, "quarantine.txt"),
            "10.0.1.20\n10.0.3.40\n10.0.4.50\n54.10.20.30\n"
            "2600:1f18:4a3:6a01::20\n2600:1f18:4a3:6a02::40\n");
  EXPECT_EQ(Body(*second, "blocklist.txt"), Body(full, "blocklist.txt"));
  EXPECT_NE(Body(*second, "blocklist.txt").find("54.240.1.10\n"), std::string::npos);
  for (size_t i = 0; i < full.set.files.size(); ++i) {
    EXPECT_EQ(second->set.files[i]->body, full.set.files[i]->body) << full.set.files[i]->path;
  }
  EXPECT_FALSE(second->reports[0].changed);  // the attacker feeds did not move
  EXPECT_TRUE(second->reports[2].changed);
  EXPECT_EQ(ExplainedState(Explain("instance:54.240.1.10"), kNow), "removed");

  // The containment TTL (6 h) runs out long before the attackers' (30 days).
  clock_.Advance(6 * 3600);
  ASSERT_TRUE(live.Update().ok());
  auto later = live.Render();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(Body(*later, "quarantine.txt"), "");
  EXPECT_EQ(Body(*later, "blocklist.txt"), Body(full, "blocklist.txt"));
}

}  // namespace
}  // namespace guardfeed
