// The hand-made test events the reference Lambdas document, through the real write path
// (reader -> policy -> Ingestor -> SQLite store on disk). The Fortinet Lambda's README test event
// (tests/golden/shapes/seed-events/) has an `id` and a `detail` but no detail-type, no finding
// type and no finding id: it is read with a derived id and type, and its 192.168.123.123 is
// stored but suppressed as a private address, while the same event naming a public address
// gives an indicator that is listed.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "corpus.h"
#include "gtest/gtest.h"
#include "store/ingest.h"

namespace guardfeed::conformance {
namespace {

namespace fs = std::filesystem;

constexpr UnixSeconds kEventLastSeen = 1531951921;  // 2018-07-18T22:12:01Z, in the event
constexpr UnixSeconds kNow = kEventLastSeen + 3600;

std::string FortinetTestEvent() {
  return ReadFileBytes(fs::path(GUARDFEED_SOURCE_DIR) / "tests" / "golden" / "shapes" /
                       "seed-events" / "fortinet-test-event.json");
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class SeedTestEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "guardfeed-seed-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = OpenStore("sqlite://" + dir_ + "/db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  IngestSummary Ingest(const std::string& bytes) {
    Ingestor ingestor(store_.get(), &policy_, &clock_);
    Result<IngestSummary> summary = ingestor.IngestBuffer(bytes, "test-event.json");
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    if (!summary.ok()) return IngestSummary{};
    for (const ReadError& error : summary->errors) ADD_FAILURE() << error.ToString();
    return std::move(summary).value();
  }

  std::vector<SightingRecord> SightingsOf(const std::string& ip) {
    auto indicator = NormalizeIp(ip);
    EXPECT_TRUE(indicator.ok());
    auto sightings = store_->SightingsOf(*indicator);
    EXPECT_TRUE(sightings.ok()) << sightings.status().ToString();
    return sightings.ok() ? *sightings : std::vector<SightingRecord>{};
  }

  // The Fortinet Lambda blocks from severity 3 (its MIN_SEVERITY default); the event says 3.
  static Policy FortinetDefaults() {
    PolicyOptions options;
    options.min_severity = 3;
    return Policy(options);
  }

  std::string dir_;
  ManualClock clock_{kNow};
  const Policy policy_ = FortinetDefaults();
  std::unique_ptr<Store> store_;
};

TEST_F(SeedTestEvents, FortinetTestEventIsReadAndItsPrivateAddressSuppressed) {
  IngestSummary summary = Ingest(FortinetTestEvent());
  EXPECT_EQ(summary.error_count, 0);
  EXPECT_EQ(summary.findings_read, 1);
  EXPECT_EQ(summary.findings_accepted, 1);
  EXPECT_EQ(summary.indicators_seen, 1);
  EXPECT_EQ(summary.suppressed, 1);

  std::vector<SightingRecord> sightings = SightingsOf("192.168.123.123");
  ASSERT_EQ(sightings.size(), 1u);
  const SightingRecord& s = sightings[0];
  EXPECT_TRUE(s.finding_id.starts_with("derived-")) << s.finding_id;
  EXPECT_EQ(s.finding_id.size(), 8u + 32u);
  EXPECT_EQ(s.finding_type, "Unknown:Unknown/NETWORK_CONNECTION");
  EXPECT_EQ(s.field, "networkConnectionAction.remoteIpDetails.ipAddressV4");
  EXPECT_EQ(s.direction, "INBOUND");
  EXPECT_EQ(s.severity, 3);
  EXPECT_EQ(s.last_seen, kEventLastSeen);

  // What an operator asking "why is it not in the feed?" is told.
  auto indicator = NormalizeIp("192.168.123.123");
  ASSERT_TRUE(indicator.ok());
  EXPECT_EQ(policy_.Suppression(*indicator, nullptr), "private range 192.168.0.0/16");
  IndicatorQuery listed;
  listed.state = IndicatorState::kActive;
  listed.now = kNow;
  auto active = store_->ListIndicators(listed);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);  // stored and explainable, but policy keeps it out of feeds

  // The derived id is stable: the same test event again (re-indented) adds nothing.
  std::string reindented = Replace(FortinetTestEvent(), "\n  \"detail\": {", "\"detail\":{");
  IngestSummary again = Ingest(reindented);
  EXPECT_EQ(again.applied.sightings_new, 0);
  EXPECT_EQ(again.applied.indicators_new, 0);
  EXPECT_EQ(SightingsOf("192.168.123.123").size(), 1u);
}

TEST_F(SeedTestEvents, FortinetTestEventWithAPublicAddressIsListed) {
  std::string event = Replace(FortinetTestEvent(), "192.168.123.123", "185.220.101.47");
  IngestSummary summary = Ingest(event);
  EXPECT_EQ(summary.findings_accepted, 1);
  EXPECT_EQ(summary.indicators_seen, 1);
  EXPECT_EQ(summary.suppressed, 0);
  EXPECT_EQ(summary.expired_on_arrival, 0);

  auto indicator = NormalizeIp("185.220.101.47");
  ASSERT_TRUE(indicator.ok());
  EXPECT_EQ(policy_.Suppression(*indicator, nullptr), std::nullopt);
  IndicatorQuery listed;
  listed.state = IndicatorState::kActive;
  listed.now = kNow;
  auto active = store_->ListIndicators(listed);
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].indicator.value, "185.220.101.47");
  EXPECT_EQ((*active)[0].max_severity, 3);

  // A different event is a different finding: its derived id differs from the private one's.
  IngestSummary other = Ingest(FortinetTestEvent());
  EXPECT_EQ(other.applied.sightings_new, 1);
  EXPECT_NE(SightingsOf("185.220.101.47").at(0).finding_id,
            SightingsOf("192.168.123.123").at(0).finding_id);
}

// Below the policy's threshold the test event is read but skipped for its severity, like any
// finding: the derived identity changes nothing about policy.
TEST_F(SeedTestEvents, DefaultThresholdSkipsTheSeverity3TestEvent) {
  PolicyOptions defaults;  // min_severity 4
  const Policy policy(defaults);
  Ingestor ingestor(store_.get(), &policy, &clock_);
  Result<IngestSummary> summary = ingestor.IngestBuffer(FortinetTestEvent(), "event.json");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->findings_read, 1);
  EXPECT_EQ(summary->findings_accepted, 0);
  EXPECT_EQ(summary->skipped["below_min_severity"], 1);
}

}  // namespace
}  // namespace guardfeed::conformance
