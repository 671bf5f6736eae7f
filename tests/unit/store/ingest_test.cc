// The Ingestor on a real store: what it counts while committing findings.
#include "store/ingest.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace guardfeed
