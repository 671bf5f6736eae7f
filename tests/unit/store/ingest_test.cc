// The Ingestor on a real store of every engine: what it counts while committing findings.
#include "store/ingest.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "store/store_wrapper.h"
#include "unit/store/engines.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kBeforeTheExamples = 1795000000;  // 2026-11-18, examples last seen 11-20
constexpr UnixSeconds kYearsLater = 1900000000;         // 2030: every TTL has run out

const std::string kExamples = std::string(GUARDFEED_SOURCE_DIR) + "/examples/findings";

class IngestorTest : public testing::StoreEngineTest {};
INSTANTIATE_TEST_SUITE_P(, IngestorTest, testing::AllStoreEngines(), testing::StoreEngineName);

IngestSummary MustIngest(Store& store, UnixSeconds now, IngestOptions options = {}) {
  Policy policy{PolicyOptions{}};
  ManualClock clock(now);
  Ingestor ingestor(&store, &policy, &clock, options);
  Result<IngestSummary> summary = ingestor.IngestPaths({kExamples}, {});
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : IngestSummary{};
}

// Regression: a backfill of old findings was committed already expired, and nothing said so.
TEST_P(IngestorTest, CountsIndicatorsExpiredOnArrival) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  IngestSummary late = MustIngest(*store, kYearsLater);
  EXPECT_EQ(late.indicators_seen, 11);
  EXPECT_EQ(late.expired_on_arrival, 11);
  EXPECT_EQ(late.expired_last_seen, 1795167931);  // 2026-11-20T09:45:31Z

  IngestSummary current = MustIngest(*store, kBeforeTheExamples);
  EXPECT_EQ(current.expired_on_arrival, 0);
  EXPECT_EQ(current.expired_last_seen, 0);

  IngestOptions receipt;
  receipt.seen_at_receipt = true;
  EXPECT_EQ(MustIngest(*store, kYearsLater, receipt).expired_on_arrival, 0);

  IngestSummary merged = late;
  merged.Merge(current);
  EXPECT_EQ(merged.expired_on_arrival, 11);
  EXPECT_EQ(merged.expired_last_seen, 1795167931);
}

// Records the batches committed through it.
class RecordingStore : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override {
    for (const std::vector<SightingRecord>* batch : batches) commits.push_back(*batch);
    return StoreWrapper::ApplyBatches(batches);
  }
  std::vector<std::vector<SightingRecord>> commits;
};

TEST_P(IngestorTest, CommitsWhenABatchIsFull) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RecordingStore recording(store.get());
  IngestOptions options;
  options.batch_size = 3;
  options.commit_interval = std::chrono::hours(1);
  IngestSummary summary = MustIngest(recording, kBeforeTheExamples, options);
  ASSERT_GE(recording.commits.size(), 2u);
  size_t total = 0;
  for (size_t i = 0; i < recording.commits.size(); ++i) {
    // A batch commits once it holds batch_size sightings (whole findings); the rest at the end.
    if (i + 1 < recording.commits.size()) {
      EXPECT_GE(recording.commits[i].size(), 3u) << i;
    }
    total += recording.commits[i].size();
  }
  EXPECT_EQ(static_cast<int64_t>(total), summary.indicators_seen);
  EXPECT_EQ(summary.applied.sightings_new, summary.indicators_seen);
}

TEST_P(IngestorTest, CommitsOnceTheIntervalHasPassed) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RecordingStore recording(store.get());
  IngestOptions options;
  options.batch_size = 1'000'000;
  options.commit_interval = std::chrono::milliseconds(0);  // every finding is "late"
  IngestSummary summary = MustIngest(recording, kBeforeTheExamples, options);
  ASSERT_GE(recording.commits.size(), 2u);
  size_t total = 0;
  for (const std::vector<SightingRecord>& commit : recording.commits) {
    std::set<std::string> findings;
    for (const SightingRecord& sighting : commit) findings.insert(sighting.finding_id);
    EXPECT_EQ(findings.size(), 1u);  // each finding committed on its own
    total += commit.size();
  }
  EXPECT_EQ(static_cast<int64_t>(total), summary.indicators_seen);

  // With a long interval and a large batch, one commit at the end holds everything.
  auto fresh = NewStore().Open();
  ASSERT_NE(fresh, nullptr);
  RecordingStore once(fresh.get());
  options.commit_interval = std::chrono::hours(1);
  MustIngest(once, kBeforeTheExamples, options);
  EXPECT_EQ(once.commits.size(), 1u);
}

// A finding that spells NUL in its text ("\u0000", hostile or broken input) is stored on every
// engine with U+FFFD in its place: PostgreSQL text cannot hold NUL, and a batch that failed for
// it would fail every finding sharing its group commit.
TEST_P(IngestorTest, NulInAFindingsTextIsStoredAsTheReplacementCharacter) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Policy policy{PolicyOptions{}};
  ManualClock clock(kBeforeTheExamples);
  Ingestor ingestor(store.get(), &policy, &clock, {});
  const std::string finding =
      R"({"schemaVersion":"2.0","accountId":"1234\u00005678","region":"us-east-1\u0000",)"
      R"("id":"nul\u0000id","type":"Recon:EC2/Portscan","severity":8,"updatedAt":)"
      R"("2026-11-17T00:00:00Z","service":{"eventFirstSeen":"2026-11-17T00:00:00Z",)"
      R"("eventLastSeen":"2026-11-17T00:00:00Z","action":{"actionType":"NETWORK_CONNECTION",)"
      R"("networkConnectionAction":{"connectionDirection":"INBOUND","remoteIpDetails":)"
      R"({"ipAddressV4":"45.1.2.3"}}}}})";
  Result<IngestSummary> summary = ingestor.IngestBuffer(finding, "request");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->error_count, 0);
  EXPECT_EQ(summary->applied.sightings_new, 1);
  Result<std::vector<SightingRecord>> sightings =
      store->SightingsOf({IndicatorKind::kIpv4, "45.1.2.3"});
  ASSERT_TRUE(sightings.ok()) << sightings.status().ToString();
  ASSERT_EQ(sightings->size(), 1u);
  EXPECT_EQ((*sightings)[0].finding_id, "nul\xEF\xBF\xBDid");
  EXPECT_EQ((*sightings)[0].account_id, "1234\xEF\xBF\xBD" "5678");
  EXPECT_EQ((*sightings)[0].region, "us-east-1\xEF\xBF\xBD");
}

}  // namespace
}  // namespace guardfeed
