// GroupCommitStore on a real store of every engine, called from many threads: every caller gets
// its own results, callers share commits, and a failed commit fails exactly its group.
//
// Groups are made deterministic without timing: the window is far longer than any test, so a
// group closes only when it holds max_group_sightings, which the tests set to what all threads
// together submit per round.
#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "unit/store/engines.h"
#include "unit/store/sightings.h"

namespace guardfeed {
namespace {

using ::guardfeed::testing::kDay;
using ::guardfeed::testing::kT0;
using ::guardfeed::testing::Sighting;

constexpr auto kForever = std::chrono::seconds(600);

class GroupCommit : public testing::StoreEngineTest {};
INSTANTIATE_TEST_SUITE_P(, GroupCommit, testing::AllStoreEngines(), testing::StoreEngineName);

// Counts the commits that reach the real store; fails the first `fail_first` of them, as a store
// that cannot be reached would.
class CountingStore : public StoreWrapper {
 public:
  explicit CountingStore(Store* target, int fail_first = 0)
      : StoreWrapper(target), fail_first_(fail_first) {}

  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override {
    if (calls_.fetch_add(1) < fail_first_) return Status::Unavailable("injected: store is down");
    return StoreWrapper::ApplyBatches(batches);
  }
  int calls() const { return calls_.load(); }

 private:
  const int fail_first_;
  std::atomic<int> calls_{0};
};

// A distinct public IPv4 address per (thread, n).
std::string Ip(int thread, int n) {
  return "45." + std::to_string(1 + thread) + "." + std::to_string(1 + n / 200) + "." +
         std::to_string(1 + n % 200);
}

// `count` sightings of new indicators for one caller.
std::vector<SightingRecord> NewSightings(int thread, int first, int count) {
  std::vector<SightingRecord> batch;
  for (int n = first; n < first + count; ++n) {
    batch.push_back(
        Sighting("f-" + std::to_string(thread) + "-" + std::to_string(n), Ip(thread, n)));
  }
  return batch;
}

bool Stored(Store& store, const std::string& ip) {
  Result<std::optional<IndicatorRecord>> found =
      store.GetIndicator(Indicator{IndicatorKind::kIpv4, ip});
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  return found.ok() && found->has_value();
}

TEST_P(GroupCommit, CallersShareCommitsAndGetTheirOwnResults) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CountingStore counting(store.get());
  constexpr int kThreads = 16, kRounds = 8;
  // Thread t submits 1 + t % 3 new sightings and one re-delivery per round.
  int per_round = 0;
  for (int t = 0; t < kThreads; ++t) per_round += 1 + t % 3 + 1;
  GroupCommitStore group(
      &counting, {.window = kForever, .max_group_sightings = static_cast<size_t>(per_round)});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int next = 0;
      for (int round = 0; round < kRounds; ++round) {
        int fresh = 1 + t % 3;
        std::vector<SightingRecord> batch = NewSightings(t, next, fresh);
        // Two batches in one call: new sightings, then the first of them delivered again.
        std::vector<SightingRecord> again = {batch.front()};
        next += fresh;
        const std::vector<SightingRecord>* batches[] = {&batch, &again};
        Result<std::vector<ApplyResult>> results = group.ApplyBatches(batches);
        bool right = results.ok() && results->size() == 2 && (*results)[0].sightings_new == fresh &&
                     (*results)[0].indicators_new == fresh &&
                     (*results)[1].sightings_unchanged == 1 && (*results)[1].sightings_new == 0;
        if (!right) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  // Every group held one request of every thread: one commit per round.
  EXPECT_EQ(counting.calls(), kRounds);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(Stored(*store, Ip(t, 0)));
    EXPECT_TRUE(Stored(*store, Ip(t, kRounds * (1 + t % 3) - 1)));
  }
}

TEST_P(GroupCommit, AFailedCommitFailsItsWholeGroupAndLaterGroupsSucceed) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CountingStore failing_once(store.get(), /*fail_first=*/1);
  constexpr int kThreads = 12;
  GroupCommitStore group(&failing_once,
                         {.window = kForever, .max_group_sightings = size_t{kThreads}});
  std::vector<Status> first(kThreads), second(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<SightingRecord> lost = NewSightings(t, 0, 1);
      first[static_cast<size_t>(t)] = group.Apply(lost).status();
      std::vector<SightingRecord> kept = NewSightings(t, 1, 1);
      second[static_cast<size_t>(t)] = group.Apply(kept).status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failing_once.calls(), 2);
  for (int t = 0; t < kThreads; ++t) {
    const Status& failed = first[static_cast<size_t>(t)];
    EXPECT_EQ(failed.code(), Status::Code::kUnavailable) << failed.ToString();
    EXPECT_TRUE(second[static_cast<size_t>(t)].ok()) << second[static_cast<size_t>(t)].ToString();
    EXPECT_FALSE(Stored(*store, Ip(t, 0))) << "committed although its group failed";
    EXPECT_TRUE(Stored(*store, Ip(t, 1)));
  }
}

// A bad sighting (empty finding id) makes the engine refuse the whole group: all-or-nothing,
// nothing of the good callers' batches in that group is committed.
TEST_P(GroupCommit, ARefusedBatchFailsEveryCallerOfItsGroup) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4;
  GroupCommitStore group(store.get(),
                         {.window = kForever, .max_group_sightings = size_t{kThreads}});
  std::vector<Status> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<SightingRecord> batch = NewSightings(t, 0, 1);
      if (t == 2) batch.front().finding_id.clear();
      statuses[static_cast<size_t>(t)] = group.Apply(batch).status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(statuses[static_cast<size_t>(t)].code(), Status::Code::kInvalidArgument);
    EXPECT_FALSE(Stored(*store, Ip(t, 0)));
  }
}

// A request larger than max_group_sightings is never split and never waits for a full group.
TEST_P(GroupCommit, ARequestLargerThanTheGroupCommitsAlone) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CountingStore counting(store.get());
  GroupCommitStore group(&counting, {.window = kForever, .max_group_sightings = 10});
  std::vector<SightingRecord> big = NewSightings(0, 0, 25);
  Result<ApplyResult> result = group.Apply(big);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->sightings_new, 25);
  EXPECT_EQ(counting.calls(), 1);
}

// With the default window, many threads: no caller is lost or answered twice, every sighting is
// stored, and commits never outnumber callers.
TEST_P(GroupCommit, ManyThreadsWithTheDefaultWindow) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CountingStore counting(store.get());
  GroupCommitStore group(&counting, GroupCommitOptions{});
  constexpr int kThreads = 32, kCalls = 20;
  std::atomic<int> answered{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kCalls; ++n) {
        std::vector<SightingRecord> batch = NewSightings(t, n, 1);
        Result<ApplyResult> result = group.Apply(batch);
        ++answered;
        if (!result.ok() || result->sightings_new != 1) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), kThreads * kCalls);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(counting.calls(), kThreads * kCalls);
  Result<std::vector<IndicatorRecord>> active = store->ActiveIndicators(kT0);
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  EXPECT_EQ(active->size(), size_t{kThreads * kCalls});
}

TEST_P(GroupCommit, AnEmptyRequestDoesNotWaitForAGroup) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  CountingStore counting(store.get());
  GroupCommitStore group(&counting, {.window = kForever, .max_group_sightings = 100});
  std::vector<SightingRecord> empty;
  Result<ApplyResult> result = group.Apply(empty);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->sightings_new, 0);
}

}  // namespace
}  // namespace guardfeed
