// Containment through the Ingestor on every engine (docs/containment.md): our compromised
// instances' addresses are stored as "instance:ADDRESS" entries with the containment TTL, only
// when containment is on, apart from attacker indicators of the same address, and an operator
// can remove (un-quarantine) and restore them like any indicator.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "core/time_util.h"
#include "store/ingest.h"
#include "unit/store/engines.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kNow = 1795340000;  // 2026-11-22T09:33:20Z, after the findings' last seen
constexpr UnixSeconds kLastSeen = 1795338000;  // 2026-11-22T09:00:00Z: eventLastSeen

std::string DataPath(const std::string& name) {
  return std::string(GUARDFEED_SOURCE_DIR) + "/tests/unit/guardduty/containment/" + name;
}

class ContainmentIngestTest : public testing::StoreEngineTest {
 protected:
  void SetUp() override {
    StoreEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  static PolicyOptions Contained(bool enabled) {
    PolicyOptions options;
    options.containment.enabled = enabled;
    options.containment.ttl_seconds = 6 * 3600;
    EXPECT_TRUE(options.containment.allowlist.Add("10.0.1.21").ok());
    return options;
  }

  IngestSummary Ingest(const PolicyOptions& options, const std::vector<std::string>& names) {
    Policy policy(options);
    ManualClock clock(kNow);
    Ingestor ingestor(store_.get(), &policy, &clock);
    std::vector<std::string> paths;
    for (const std::string& name : names) paths.push_back(DataPath(name));
    auto summary = ingestor.IngestPaths(paths, {});
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary.ok() ? summary->error_count : 1, 0);
    return summary.ok() ? *summary : IngestSummary{};
  }

  std::optional<IndicatorRecord> Get(const std::string& value) {
    auto record = store_->GetIndicator(NormalizeIndicator(value).value());
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return record.ok() ? *record : std::nullopt;
  }

  std::unique_ptr<Store> store_;
};
INSTANTIATE_TEST_SUITE_P(, ContainmentIngestTest, testing::AllStoreEngines(),
                         testing::StoreEngineName);

TEST_P(ContainmentIngestTest, StoresOurActorInstanceApartFromAttackers) {
  IngestSummary summary = Ingest(Contained(true), {"ssh-bruteforce-actor.json"});
  EXPECT_EQ(summary.indicators_seen, 1);   // 203.0.113.80, the brute-forced host
  EXPECT_EQ(summary.containment_seen, 4);  // primary, secondary, public, IPv6
  EXPECT_EQ(summary.suppressed, 2);        // 203.0.113.80 (documentation), 10.0.1.21 (allowlist)
  for (const char* value : {"instance:10.0.1.20", "instance:10.0.1.21", "instance:54.10.20.30",
                            "instance:2600:1f18:4a3:6a01::20"}) {
    auto record = Get(value);
    ASSERT_TRUE(record.has_value()) << value;
    EXPECT_EQ(record->last_seen, kLastSeen) << value;
    EXPECT_EQ(record->expires_at, kLastSeen + 6 * 3600) << value;  // the containment TTL
    EXPECT_DOUBLE_EQ(record->max_severity, 8.0);
  }
  // Our addresses are never attacker indicators.
  EXPECT_FALSE(Get("10.0.1.20").has_value());
  EXPECT_FALSE(Get("54.10.20.30").has_value());
  // The sighting names the finding and the instance.
  auto sightings = store_->SightingsOf(NormalizeIndicator("instance:54.10.20.30").value());
  ASSERT_TRUE(sightings.ok());
  ASSERT_EQ(sightings->size(), 1u);
  const SightingRecord& s = sightings->front();
  EXPECT_EQ(s.finding_id, "7ac7b1e3d0c24e4a9a1f0e2d3c4b5a60");
  EXPECT_EQ(s.finding_type, "UnauthorizedAccess:EC2/SSHBruteForce");
  EXPECT_EQ(s.field,
            "resource.instanceDetails.networkInterfaces[].publicIp (instance i-0aaa1111bbbb2222c)");
  ContainmentFieldParts parts = SplitContainmentField(s.field);
  EXPECT_EQ(parts.field, "resource.instanceDetails.networkInterfaces[].publicIp");
  EXPECT_EQ(parts.instance_id, "i-0aaa1111bbbb2222c");
}

TEST_P(ContainmentIngestTest, NothingAboutOurHostsWithoutAContainmentFeed) {
  IngestSummary summary = Ingest(
      Contained(false),
      {"ssh-bruteforce-actor.json", "runtime-bitcointool.json", "tor-relay-and-attacker.jsonl"});
  EXPECT_EQ(summary.containment_seen, 0);
  IndicatorQuery query;
  query.include_expired = true;
  query.limit = 1000;
  auto all = store_->ListIndicators(query);
  ASSERT_TRUE(all.ok());
  for (const IndicatorRecord& record : *all) {
    EXPECT_FALSE(IsContainment(record.indicator)) << record.indicator.value;
  }
  EXPECT_EQ(all->size(), 4u);  // 203.0.113.80, 192.0.2.200, 198.51.100.61, 54.240.1.10
}

TEST_P(ContainmentIngestTest, TargetsAreNeverContained) {
  IngestSummary summary = Ingest(Contained(true), {"ssh-bruteforce-target.json"});
  EXPECT_EQ(summary.containment_seen, 0);
  EXPECT_FALSE(Get("instance:10.0.2.30").has_value());
  EXPECT_FALSE(Get("instance:54.10.20.40").has_value());
  // Severity 2 is below the default min_severity: the finding as a whole is skipped.
  EXPECT_EQ(summary.skipped["below_min_severity"], 1);
}

TEST_P(ContainmentIngestTest, AnAddressCanBeBothOursAndAnAttacker) {
  Ingest(Contained(true), {"tor-relay-and-attacker.jsonl"});
  auto ours = Get("instance:54.240.1.10");
  auto attacker = Get("54.240.1.10");
  ASSERT_TRUE(ours.has_value());
  ASSERT_TRUE(attacker.has_value());
  EXPECT_EQ(ours->expires_at, kLastSeen + 6 * 3600);
  EXPECT_EQ(attacker->expires_at, kLastSeen + 30 * 86400);  // medium severity band
  EXPECT_EQ(ours->finding_count, 1);
  EXPECT_EQ(attacker->finding_count, 1);
}

// Operators un-quarantine a host by removing its containment entry (the "instance:" value).
TEST_P(ContainmentIngestTest, RemoveAndRestoreAContainmentEntry) {
  Ingest(Contained(true), {"tor-relay-and-attacker.jsonl"});
  const Indicator ours = NormalizeIndicator("instance:54.240.1.10").value();
  ASSERT_TRUE(store_->Remove(ours, "host rebuilt", "alice", kNow).ok());
  auto active = store_->ActiveIndicators(kNow);
  ASSERT_TRUE(active.ok());
  bool attacker_active = false;
  for (const IndicatorRecord& record : *active) {
    EXPECT_NE(record.indicator, ours);
    attacker_active = attacker_active || record.indicator.value == "54.240.1.10";
  }
  EXPECT_TRUE(attacker_active);  // removing our entry leaves the attacker entry alone
  auto removal = store_->GetRemoval(ours);
  ASSERT_TRUE(removal.ok());
  ASSERT_TRUE(removal->has_value());
  EXPECT_EQ((*removal)->reason, "host rebuilt");
  ASSERT_TRUE(store_->Unremove(ours, "alice", kNow).ok());
  EXPECT_FALSE(store_->GetRemoval(ours)->has_value());
  // Never seen: nothing to remove, as for any indicator.
  EXPECT_EQ(
      store_->Remove(NormalizeIndicator("instance:10.99.0.1").value(), "x", "alice", kNow).code(),
      Status::Code::kNotFound);
}

TEST_P(ContainmentIngestTest, ArchivingTheFindingWithdrawsTheEntry) {
  Ingest(Contained(true), {"runtime-bitcointool.json"});
  ASSERT_TRUE(Get("instance:10.0.3.40").has_value());
  // The same finding, archived by an operator after cleaning the host, delivered later.
  std::string text;
  {
    std::ifstream in(DataPath("runtime-bitcointool.json"));
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string from = "\"archived\": false";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "\"archived\": true");
  const std::string updated = "\"updatedAt\": \"2026-11-22T09:05:00.000Z\"";
  ASSERT_NE(text.find(updated), std::string::npos);
  text.replace(text.find(updated), updated.size(), "\"updatedAt\": \"2026-11-22T09:20:00.000Z\"");
  Policy policy(Contained(true));
  ManualClock clock(kNow);
  Ingestor ingestor(store_.get(), &policy, &clock);
  ASSERT_TRUE(ingestor.IngestBuffer(text, "archived").ok());
  auto record = Get("instance:10.0.3.40");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->finding_count, 0);  // withdrawn
  EXPECT_EQ(StateOf(*record, false, kNow), IndicatorState::kWithdrawn);
}

}  // namespace
}  // namespace guardfeed
