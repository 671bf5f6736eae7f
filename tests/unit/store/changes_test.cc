// Store::ChangesSince, and the aggregate Apply keeps (its first-sighting fast path must give what
// recomputing from the sightings gives), on every engine.
#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/store.h"
#include "unit/store/engines.h"
#include "unit/store/sightings.h"

namespace guardfeed {
namespace {

using ::guardfeed::testing::kDay;
using ::guardfeed::testing::kT0;
using ::guardfeed::testing::Sighting;

class ChangesSince : public testing::StoreEngineTest {};
INSTANTIATE_TEST_SUITE_P(, ChangesSince, testing::AllStoreEngines(), testing::StoreEngineName);
class StoreApply : public testing::StoreEngineTest {};
INSTANTIATE_TEST_SUITE_P(, StoreApply, testing::AllStoreEngines(), testing::StoreEngineName);

Indicator Ip(const std::string& value) { return Indicator{IndicatorKind::kIpv4, value}; }

void MustApply(Store& store, const std::vector<SightingRecord>& batch) {
  Result<ApplyResult> result = store.Apply(batch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

int64_t Counter(Store& store) {
  Result<int64_t> counter = store.ChangeCounter();
  EXPECT_TRUE(counter.ok()) << counter.status().ToString();
  return counter.ok() ? *counter : -1;
}

StoreChanges MustChanges(Store& store, int64_t counter) {
  Result<StoreChanges> changes = store.ChangesSince(counter);
  EXPECT_TRUE(changes.ok()) << changes.status().ToString();
  return changes.ok() ? *changes : StoreChanges{};
}

// value -> change, failing on a value listed twice.
std::map<std::string, ChangedIndicator> ByValue(const StoreChanges& changes) {
  std::map<std::string, ChangedIndicator> out;
  for (const ChangedIndicator& change : changes.indicators) {
    bool inserted = out.emplace(change.record.indicator.value, change).second;
    EXPECT_TRUE(inserted) << change.record.indicator.value << " listed twice";
  }
  return out;
}

std::vector<std::string> Values(const StoreChanges& changes) {
  std::vector<std::string> values;
  for (const auto& [value, change] : ByValue(changes)) values.push_back(value);
  return values;
}

bool SameRecord(const IndicatorRecord& a, const IndicatorRecord& b) {
  return a.indicator == b.indicator && a.first_seen == b.first_seen && a.last_seen == b.last_seen &&
         a.expires_at == b.expires_at && a.max_severity == b.max_severity &&
         a.finding_count == b.finding_count;
}

TEST_P(ChangesSince, EmptyStoreHasNoChanges) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  StoreChanges changes = MustChanges(*store, 0);
  EXPECT_EQ(changes.counter, 0);
  EXPECT_TRUE(changes.indicators.empty());
  EXPECT_FALSE(changes.allowlist_changed);
  EXPECT_FALSE(changes.reset);
}

TEST_P(ChangesSince, ListsNewUpdatedAndWithdrawnIndicatorsOnce) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1"), Sighting("f1", "198.51.100.2")});
  const int64_t c1 = Counter(*store);
  StoreChanges first = MustChanges(*store, 0);
  EXPECT_EQ(first.counter, c1);
  EXPECT_EQ(Values(first), (std::vector<std::string>{"198.51.100.1", "198.51.100.2"}));
  EXPECT_TRUE(MustChanges(*store, c1).indicators.empty());

  // .1 seen again later by another finding (updated), .3 new, .2 untouched.
  MustApply(*store, {Sighting("f2", "198.51.100.1", kT0 + 100, 8.0),
                     Sighting("f2", "198.51.100.3", kT0 + 100)});
  const int64_t c2 = Counter(*store);
  StoreChanges second = MustChanges(*store, c1);
  EXPECT_EQ(second.counter, c2);
  auto listed = ByValue(second);
  ASSERT_EQ(Values(second), (std::vector<std::string>{"198.51.100.1", "198.51.100.3"}));
  const IndicatorRecord& updated = listed["198.51.100.1"].record;
  EXPECT_EQ(updated.finding_count, 2);
  EXPECT_EQ(updated.max_severity, 8.0);
  EXPECT_EQ(updated.last_seen, kT0 + 100);
  EXPECT_EQ(updated.expires_at, kT0 + 100 + 30 * kDay);
  EXPECT_FALSE(listed["198.51.100.1"].removed);

  // Archiving f1 withdraws .2 (its only finding) and updates .1 (f2 keeps it live).
  SightingRecord archived = Sighting("f1", "198.51.100.2", kT0 + 200);
  archived.withdrawn = true;
  MustApply(*store, {archived});
  StoreChanges third = MustChanges(*store, c2);
  ASSERT_EQ(Values(third), (std::vector<std::string>{"198.51.100.2"}));
  EXPECT_EQ(third.indicators[0].record.finding_count, 0);
  EXPECT_EQ(third.indicators[0].record.expires_at, 0);
  // From the first counter, every indicator written since is listed once, as it is now.
  EXPECT_EQ(Values(MustChanges(*store, c1)),
            (std::vector<std::string>{"198.51.100.1", "198.51.100.2", "198.51.100.3"}));
}

TEST_P(ChangesSince, RedeliveryListsNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<SightingRecord> batch = {Sighting("f1", "198.51.100.1")};
  MustApply(*store, batch);
  const int64_t counter = Counter(*store);
  MustApply(*store, batch);
  StoreChanges changes = MustChanges(*store, counter);
  EXPECT_EQ(changes.counter, counter);
  EXPECT_TRUE(changes.indicators.empty());
}

TEST_P(ChangesSince, EachBatchOfApplyBatchesHasItsOwnCounter) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const int64_t before = Counter(*store);
  std::vector<SightingRecord> a = {Sighting("f1", "198.51.100.1")};
  std::vector<SightingRecord> b = {Sighting("f2", "198.51.100.2")};
  std::vector<const std::vector<SightingRecord>*> batches = {&a, &b};
  Result<std::vector<ApplyResult>> results = store->ApplyBatches(batches);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ(Counter(*store), before + 2);
  EXPECT_EQ(Values(MustChanges(*store, before + 1)), (std::vector<std::string>{"198.51.100.2"}));
  EXPECT_EQ(Values(MustChanges(*store, before)),
            (std::vector<std::string>{"198.51.100.1", "198.51.100.2"}));
}

TEST_P(ChangesSince, RemoveAndUnremoveListTheIndicatorWithItsFlag) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1"), Sighting("f1", "198.51.100.2")});
  const int64_t c1 = Counter(*store);
  ASSERT_TRUE(store->Remove(Ip("198.51.100.1"), "our scanner", "alice", kT0).ok());
  const int64_t c2 = Counter(*store);
  StoreChanges removed = MustChanges(*store, c1);
  EXPECT_EQ(removed.counter, c2);
  ASSERT_EQ(Values(removed), (std::vector<std::string>{"198.51.100.1"}));
  EXPECT_TRUE(removed.indicators[0].removed);
  EXPECT_EQ(removed.indicators[0].record.finding_count, 1);  // the row, not a placeholder
  EXPECT_EQ(removed.indicators[0].record.expires_at, kT0 + 30 * kDay);

  ASSERT_TRUE(store->Unremove(Ip("198.51.100.1"), "alice", kT0 + 1).ok());
  StoreChanges unremoved = MustChanges(*store, c2);
  ASSERT_EQ(Values(unremoved), (std::vector<std::string>{"198.51.100.1"}));
  EXPECT_FALSE(unremoved.indicators[0].removed);
  EXPECT_EQ(unremoved.indicators[0].record.finding_count, 1);
  EXPECT_FALSE(unremoved.allowlist_changed);
}

TEST_P(ChangesSince, RemovalOfAnIndicatorWithoutRowIsListed) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  // First seen already archived: sightings but no indicator row.
  SightingRecord archived = Sighting("f1", "198.51.100.9");
  archived.withdrawn = true;
  MustApply(*store, {archived});
  ASSERT_FALSE(store->GetIndicator(Ip("198.51.100.9"))->has_value());
  const int64_t c1 = Counter(*store);
  ASSERT_TRUE(store->Remove(Ip("198.51.100.9"), "noise", "bob", kT0).ok());
  StoreChanges removed = MustChanges(*store, c1);
  ASSERT_EQ(Values(removed), (std::vector<std::string>{"198.51.100.9"}));
  EXPECT_TRUE(removed.indicators[0].removed);
  EXPECT_EQ(removed.indicators[0].record.indicator, Ip("198.51.100.9"));
  EXPECT_EQ(removed.indicators[0].record.finding_count, 0);
  EXPECT_EQ(removed.indicators[0].record.expires_at, 0);
  // Everything ever: the removed value is listed although it has no row.
  EXPECT_EQ(Values(MustChanges(*store, 0)), (std::vector<std::string>{"198.51.100.9"}));

  const int64_t c2 = Counter(*store);
  ASSERT_TRUE(store->Unremove(Ip("198.51.100.9"), "bob", kT0 + 1).ok());
  StoreChanges unremoved = MustChanges(*store, c2);
  ASSERT_EQ(Values(unremoved), (std::vector<std::string>{"198.51.100.9"}));
  EXPECT_FALSE(unremoved.indicators[0].removed);
  // Removed again: listed once, removed.
  ASSERT_TRUE(store->Remove(Ip("198.51.100.9"), "noise", "bob", kT0 + 2).ok());
  StoreChanges again = MustChanges(*store, c2);
  ASSERT_EQ(Values(again), (std::vector<std::string>{"198.51.100.9"}));
  EXPECT_TRUE(again.indicators[0].removed);
}

TEST_P(ChangesSince, AllowlistChangesAreFlaggedAfterTheirCounter) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1")});
  const int64_t c1 = Counter(*store);
  ASSERT_TRUE(store->AddAllowlist({"198.51.100.0/24", "office", "alice", kT0}).ok());
  const int64_t c2 = Counter(*store);
  StoreChanges added = MustChanges(*store, c1);
  EXPECT_TRUE(added.allowlist_changed);
  EXPECT_TRUE(added.indicators.empty());
  EXPECT_FALSE(MustChanges(*store, c2).allowlist_changed);
  EXPECT_TRUE(MustChanges(*store, 0).allowlist_changed);

  MustApply(*store, {Sighting("f2", "198.51.100.2")});
  const int64_t c3 = Counter(*store);
  EXPECT_FALSE(MustChanges(*store, c3 - 1).allowlist_changed);
  ASSERT_TRUE(store->RemoveAllowlist("198.51.100.0/24", "alice", kT0 + 1).ok());
  EXPECT_TRUE(MustChanges(*store, c3).allowlist_changed);
  // A failed removal changes nothing.
  const int64_t c4 = Counter(*store);
  EXPECT_FALSE(store->RemoveAllowlist("203.0.113.0/24", "alice", kT0 + 2).ok());
  EXPECT_FALSE(MustChanges(*store, c4).allowlist_changed);
  EXPECT_EQ(Counter(*store), c4);
}

TEST_P(ChangesSince, CounterAheadOfTheStoreAsksForAReset) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1")});
  const int64_t counter = Counter(*store);
  StoreChanges changes = MustChanges(*store, counter + 1);
  EXPECT_TRUE(changes.reset);
  EXPECT_EQ(changes.counter, counter);
  EXPECT_TRUE(changes.indicators.empty());
  EXPECT_FALSE(MustChanges(*store, counter).reset);
}

TEST_P(ChangesSince, ZeroListsEveryRowWithRemovedFlags) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord withdrawn = Sighting("f3", "198.51.100.3");
  MustApply(*store, {Sighting("f1", "198.51.100.1"), Sighting("f2", "198.51.100.2"), withdrawn});
  withdrawn.withdrawn = true;
  withdrawn.updated_at += 10;
  MustApply(*store, {withdrawn});
  ASSERT_TRUE(store->Remove(Ip("198.51.100.2"), "fp", "alice", kT0).ok());
  StoreChanges all = MustChanges(*store, 0);
  EXPECT_EQ(all.counter, Counter(*store));
  auto listed = ByValue(all);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_FALSE(listed["198.51.100.1"].removed);
  EXPECT_TRUE(listed["198.51.100.2"].removed);
  EXPECT_EQ(listed["198.51.100.3"].record.finding_count, 0);
  for (const auto& [value, change] : listed) {
    Result<std::optional<IndicatorRecord>> row = store->GetIndicator(Ip(value));
    ASSERT_TRUE(row.ok() && row->has_value()) << value;
    EXPECT_TRUE(SameRecord(change.record, **row)) << value;
  }
  // A negative counter means the same as 0.
  EXPECT_EQ(Values(MustChanges(*store, -5)), Values(all));
}

TEST_P(ChangesSince, ExpireListsRecomputedIndicatorsButNotDeletedOnes) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord short_lived = Sighting("f1", "198.51.100.1");
  short_lived.expires_at = kT0 + kDay;
  SightingRecord gone = Sighting("f1", "198.51.100.2");
  gone.expires_at = kT0 + kDay;
  MustApply(*store, {short_lived, gone, Sighting("f2", "198.51.100.1")});
  const int64_t counter = Counter(*store);
  Result<int64_t> deleted = store->Expire(kT0 + 2 * kDay, 0);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 1);
  StoreChanges changes = MustChanges(*store, counter);
  ASSERT_EQ(Values(changes), (std::vector<std::string>{"198.51.100.1"}));
  EXPECT_EQ(changes.indicators[0].record.finding_count, 1);
  // The expired finding's sightings are gone; the other finding's remain explainable.
  Result<std::vector<SightingRecord>> sightings = store->SightingsOf(Ip("198.51.100.1"));
  ASSERT_TRUE(sightings.ok());
  ASSERT_EQ(sightings->size(), 1u);
  EXPECT_EQ((*sightings)[0].finding_id, "f2");
  // A later sighting of f1 is stored again under a fresh finding row.
  MustApply(*store, {Sighting("f1", "198.51.100.2", kT0 + 3 * kDay)});
  Result<std::vector<SightingRecord>> again = store->SightingsOf(Ip("198.51.100.2"));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].finding_id, "f1");
}

TEST_P(ChangesSince, SeesAnotherHandlesWrites) {
  auto reader = Open();
  auto writer = Open();
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(writer, nullptr);
  const int64_t before = Counter(*reader);
  MustApply(*writer, {Sighting("f1", "198.51.100.1")});
  StoreChanges changes = MustChanges(*reader, before);
  EXPECT_EQ(changes.counter, Counter(*writer));
  EXPECT_EQ(Values(changes), (std::vector<std::string>{"198.51.100.1"}));
}

// The indicator a store keeps must equal the aggregate of its live sightings (docs/store.md),
// whichever path Apply took: first sightings folded in, or a recomputation.
IndicatorRecord Aggregate(const Indicator& indicator, const std::vector<SightingRecord>& all) {
  IndicatorRecord record{indicator};
  for (const SightingRecord& s : all) {
    if (s.withdrawn) continue;
    record.first_seen =
        record.finding_count == 0 ? s.first_seen : std::min(record.first_seen, s.first_seen);
    record.last_seen = std::max(record.last_seen, s.last_seen);
    record.expires_at = std::max(record.expires_at, s.expires_at);
    record.max_severity = std::max(record.max_severity, s.severity);
    ++record.finding_count;
  }
  return record;
}

TEST_P(StoreApply, IndicatorIsAlwaysTheAggregateOfItsLiveSightings) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::mt19937 random(7);
  auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  std::map<std::string, bool> ever_live;
  for (int round = 0; round < 60; ++round) {
    std::vector<SightingRecord> batch;
    int size = 1 + pick(12);
    for (int i = 0; i < size; ++i) {
      std::string ip = "198.51.100." + std::to_string(pick(10));
      SightingRecord s =
          Sighting("f" + std::to_string(pick(8)), ip, kT0 + pick(1000), 1.0 + pick(9));
      s.withdrawn = pick(5) == 0;
      s.expires_at = s.last_seen + pick(50) * kDay;
      batch.push_back(s);
    }
    MustApply(*store, batch);
    for (int n = 0; n < 10; ++n) {
      std::string ip = "198.51.100." + std::to_string(n);
      Result<std::vector<SightingRecord>> sightings = store->SightingsOf(Ip(ip));
      Result<std::optional<IndicatorRecord>> row = store->GetIndicator(Ip(ip));
      ASSERT_TRUE(sightings.ok() && row.ok());
      IndicatorRecord expected = Aggregate(Ip(ip), *sightings);
      if (expected.finding_count > 0) ever_live[ip] = true;
      if (!ever_live[ip]) {
        EXPECT_FALSE(row->has_value()) << ip << " round " << round;
        continue;
      }
      ASSERT_TRUE(row->has_value()) << ip << " round " << round;
      if (expected.finding_count == 0) {  // withdrawn: the row keeps its seen times
        EXPECT_EQ((*row)->finding_count, 0) << ip;
        EXPECT_EQ((*row)->expires_at, 0) << ip;
        continue;
      }
      EXPECT_TRUE(SameRecord(**row, expected)) << ip << " round " << round;
    }
  }
}

}  // namespace
}  // namespace guardfeed
