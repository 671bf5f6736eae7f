// Store::Activity and Store::RecentSightings (the dashboard's reads), on every engine.
#include <gtest/gtest.h>

#include "engines.h"
#include "sightings.h"
#include "store/store.h"

namespace guardfeed {
namespace {

using ::guardfeed::testing::kDay;
using ::guardfeed::testing::kT0;
using ::guardfeed::testing::Sighting;

class StoreActivity : public testing::StoreEngineTest {};
INSTANTIATE_TEST_SUITE_P(, StoreActivity, testing::AllStoreEngines(), testing::StoreEngineName);

constexpr int64_t kHour = 3600;

void MustApply(Store& store, const std::vector<SightingRecord>& batch) {
  Result<ApplyResult> result = store.Apply(batch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

TEST_P(StoreActivity, CountsEachEventInItsHour) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const UnixSeconds from = kT0 - 10 * kHour;
  // Added: first seen kT0 - 1 h (bucket 9) for both.
  SightingRecord a = Sighting("f1", "45.0.0.1");
  SightingRecord b = Sighting("f2", "45.0.0.2");
  // Expired: a third one first seen earlier (bucket 2), expiring at kT0 - 5 h (bucket 5).
  SightingRecord c = Sighting("f3", "45.0.0.3", kT0 - 7 * kHour);
  c.expires_at = kT0 - 5 * kHour;
  MustApply(*store, {a, b, c});
  // Withdrawn: f2 archived, delivered at kT0 + 30 min (bucket 10).
  SightingRecord archived = Sighting("f2", "45.0.0.2", kT0 + 1800);
  archived.withdrawn = true;
  archived.expires_at = 0;
  MustApply(*store, {archived});
  // Removed at kT0 + 2 h (bucket 12).
  ASSERT_TRUE(store->Remove(Indicator{IndicatorKind::kIpv4, "45.0.0.1"}, "fp", "test",
                            kT0 + 2 * kHour).ok());

  auto buckets = store->Activity(from, kHour, 14, kT0 + 3 * kHour);
  ASSERT_TRUE(buckets.ok()) << buckets.status().ToString();
  ASSERT_EQ(buckets->size(), 14u);
  for (size_t i = 0; i < buckets->size(); ++i) {
    const ActivityBucket& bucket = (*buckets)[i];
    EXPECT_EQ(bucket.start, from + static_cast<int64_t>(i) * kHour);
    EXPECT_EQ(bucket.added, i == 9 ? 2 : i == 2 ? 1 : 0) << "bucket " << i;
    EXPECT_EQ(bucket.expired, i == 5 ? 1 : 0) << "bucket " << i;
    EXPECT_EQ(bucket.withdrawn, i == 10 ? 1 : 0) << "bucket " << i;
    EXPECT_EQ(bucket.removed, i == 12 ? 1 : 0) << "bucket " << i;
  }
}

TEST_P(StoreActivity, ExpiryNotYetPassedIsNotCounted) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord s = Sighting("f1", "45.0.0.1");
  s.expires_at = kT0 + kHour;
  MustApply(*store, {s});
  auto before = store->Activity(kT0, kHour, 4, kT0 + 10);
  ASSERT_TRUE(before.ok());
  for (const ActivityBucket& b : *before) EXPECT_EQ(b.expired, 0);
  auto after = store->Activity(kT0, kHour, 4, kT0 + 2 * kHour);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[1].expired, 1);
}

TEST_P(StoreActivity, RefusesWindowsThatCouldOverflow) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Activity(kT0, 0, 10, kT0).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Activity(kT0, kHour, 0, kT0).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Activity(kT0, kHour, 100000, kT0).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Activity(kT0, INT64_MAX / 2, 10, kT0).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Activity(-5, kHour, 10, kT0).status().code(), Status::Code::kInvalidArgument);
}

TEST_P(StoreActivity, RecentSightingsAreTheNewestFirst) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<SightingRecord> batch;
  for (int i = 0; i < 30; ++i) {
    batch.push_back(Sighting("f" + std::to_string(i), "45.0.1." + std::to_string(i + 1),
                             kT0 + i * 60, 4.0 + i / 10.0));
  }
  MustApply(*store, batch);
  auto recent = store->RecentSightings(5);
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  ASSERT_EQ(recent->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*recent)[i].finding_id, "f" + std::to_string(29 - i));
    EXPECT_EQ((*recent)[i].finding_type, "Recon:EC2/PortProbeUnprotectedPort");
  }
  auto none = store->RecentSightings(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  (void)kDay;
}

}  // namespace
}  // namespace guardfeed
