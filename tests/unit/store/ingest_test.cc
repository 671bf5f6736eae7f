// The Ingestor on a real store: what it counts while committing findings.
#include "store/ingest.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "store/store_wrapper.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kBeforeTheExamples = 1795000000;  // 2026-11-18, examples last seen 11-20
constexpr UnixSeconds kYearsLater = 1900000000;         // 2030: every TTL has run out

const std::string kExamples = std::string(GUARDFEED_SOURCE_DIR) + "/examples/findings";

IngestSummary MustIngest(Store& store, UnixSeconds now, IngestOptions options = {}) {
  Policy policy{PolicyOptions{}};
  ManualClock clock(now);
  Ingestor ingestor(&store, &policy, &clock, options);
  Result<IngestSummary> summary = ingestor.IngestPaths({kExamples}, {});
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return summary.ok() ? *summary : IngestSummary{};
}

// Regression: a backfill of old findings was committed already expired, and nothing said so.
TEST(Ingestor, CountsIndicatorsExpiredOnArrival) {
  auto store = OpenStore("sqlite://:memory:");
  ASSERT_TRUE(store.ok());
  IngestSummary late = MustIngest(**store, kYearsLater);
  EXPECT_EQ(late.indicators_seen, 11);
  EXPECT_EQ(late.expired_on_arrival, 11);
  EXPECT_EQ(late.expired_last_seen, 1795167931);  // 2026-11-20T09:45:31Z

  IngestSummary current = MustIngest(**store, kBeforeTheExamples);
  EXPECT_EQ(current.expired_on_arrival, 0);
  EXPECT_EQ(current.expired_last_seen, 0);

  IngestOptions receipt;
  receipt.seen_at_receipt = true;
  EXPECT_EQ(MustIngest(**store, kYearsLater, receipt).expired_on_arrival, 0);

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

TEST(Ingestor, CommitsWhenABatchIsFull) {
  auto store = OpenStore("sqlite://:memory:");
  ASSERT_TRUE(store.ok());
  RecordingStore recording(store->get());
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

TEST(Ingestor, CommitsOnceTheIntervalHasPassed) {
  auto store = OpenStore("sqlite://:memory:");
  ASSERT_TRUE(store.ok());
  RecordingStore recording(store->get());
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
  auto fresh = OpenStore("sqlite://:memory:");
  ASSERT_TRUE(fresh.ok());
  RecordingStore once(fresh->get());
  options.commit_interval = std::chrono::hours(1);
  MustIngest(once, kBeforeTheExamples, options);
  EXPECT_EQ(once.commits.size(), 1u);
}

}  // namespace
}  // namespace guardfeed
