// store_bench: the SQLite store's write and read paths on a real file (docs/store.md,
// "Performance"). Every Apply is one durable transaction (synchronous=FULL), as in production.
//
//   BM_ApplyNew             5,000-sighting batches of new sightings, each a new indicator
//                           (200 batches: 1,000,000 sightings)
//   BM_ApplyRedelivery      one batch delivered again and again: every sighting unchanged
//   BM_ApplyUpdate          the same keys with a newer updated_at: every sighting updated
//   BM_ActiveIndicators/N   ActiveIndicators over N active indicators
//   BM_ChangesSince/N       ChangesSince for one 100-sighting batch in a store of N indicators
//                           (incremental feeds: the cost must not grow with N)
//
// items_per_second counts sightings (Apply) or indicators (ActiveIndicators). Each benchmark uses
// a fresh store in a new directory under the system temporary directory, removed afterwards.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "benchmark/benchmark.h"
#include "store/store.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kNow = 1'795'305'600;  // 2026-11-22T00:00:00Z
constexpr int kBatch = 5'000;

// A store in a fresh temporary directory, deleted with it. get() is null if opening failed.
class TempStore {
 public:
  TempStore() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "guardfeed-store-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + dir_ + "/store.db");
    if (store.ok()) store_ = std::move(store).value();
  }
  ~TempStore() {
    store_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  Store* get() const { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

std::string Ipv4(int64_t n) {
  return std::to_string(10 + (n >> 24)) + "." + std::to_string((n >> 16) & 0xff) + "." +
         std::to_string((n >> 8) & 0xff) + "." + std::to_string(n & 0xff);
}

// Sightings of indicators first .. first + kBatch - 1, one each, from 7,919 findings with
// GuardDuty-like 32-character ids.
std::vector<SightingRecord> Batch(int64_t first, UnixSeconds updated_at) {
  std::vector<SightingRecord> batch(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    SightingRecord& s = batch[static_cast<size_t>(i)];
    int64_t n = first + i;
    s.finding_id = "5ec2b5e7d3c14f8f9b5d3a1e" + std::to_string(10'000'000 + n % 7'919);
    s.indicator = Indicator{IndicatorKind::kIpv4, Ipv4(n)};
    s.finding_type = "Recon:EC2/PortProbeUnprotectedPort";
    s.severity = 5.0;
    s.account_id = "123456789012";
    s.region = "us-east-1";
    s.action_type = "PORT_PROBE";
    s.direction = "INBOUND";
    s.field = "service.action.portProbeAction.portProbeDetails[0].remoteIpDetails";
    s.first_seen = kNow - 3'600;
    s.last_seen = updated_at;
    s.updated_at = updated_at;
    s.expires_at = updated_at + 30 * 86'400;
  }
  return batch;
}

// Applies `batch`, marking the benchmark failed on error. Returns false on error.
bool Apply(benchmark::State& state, Store& store, const std::vector<SightingRecord>& batch) {
  Result<ApplyResult> result = store.Apply(batch);
  if (result.ok()) return true;
  state.SkipWithError(result.status().ToString().c_str());
  return false;
}

void BM_ApplyNew(benchmark::State& state) {
  TempStore store;
  if (store.get() == nullptr) return state.SkipWithError("cannot open the store");
  int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<SightingRecord> batch = Batch(next, kNow);
    next += kBatch;
    state.ResumeTiming();
    if (!Apply(state, *store.get(), batch)) break;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ApplyNew)->Unit(benchmark::kMillisecond)->Iterations(200);

void BM_ApplyRedelivery(benchmark::State& state) {
  TempStore store;
  if (store.get() == nullptr) return state.SkipWithError("cannot open the store");
  std::vector<SightingRecord> batch = Batch(0, kNow);
  if (!Apply(state, *store.get(), batch)) return;
  for (auto _ : state) {
    if (!Apply(state, *store.get(), batch)) break;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ApplyRedelivery)->Unit(benchmark::kMillisecond);

void BM_ApplyUpdate(benchmark::State& state) {
  TempStore store;
  if (store.get() == nullptr) return state.SkipWithError("cannot open the store");
  if (!Apply(state, *store.get(), Batch(0, kNow))) return;
  UnixSeconds updated_at = kNow;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<SightingRecord> batch = Batch(0, ++updated_at);
    state.ResumeTiming();
    if (!Apply(state, *store.get(), batch)) break;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ApplyUpdate)->Unit(benchmark::kMillisecond);

void BM_ActiveIndicators(benchmark::State& state) {
  TempStore store;
  if (store.get() == nullptr) return state.SkipWithError("cannot open the store");
  for (int64_t first = 0; first < state.range(0); first += kBatch) {
    if (!Apply(state, *store.get(), Batch(first, kNow))) return;
  }
  for (auto _ : state) {
    Result<std::vector<IndicatorRecord>> active = store.get()->ActiveIndicators(kNow);
    if (!active.ok()) {
      state.SkipWithError(active.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(active->data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ActiveIndicators)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_ChangesSince(benchmark::State& state) {
  TempStore store;
  if (store.get() == nullptr) return state.SkipWithError("cannot open the store");
  for (int64_t first = 0; first < state.range(0); first += kBatch) {
    if (!Apply(state, *store.get(), Batch(first, kNow))) return;
  }
  Result<int64_t> before = store.get()->ChangeCounter();
  if (!before.ok()) return state.SkipWithError(before.status().ToString().c_str());
  std::vector<SightingRecord> last = Batch(state.range(0), kNow);
  last.resize(100);
  if (!Apply(state, *store.get(), last)) return;
  for (auto _ : state) {
    Result<StoreChanges> changes = store.get()->ChangesSince(*before);
    if (!changes.ok() || changes->indicators.size() != last.size()) {
      state.SkipWithError("ChangesSince failed or listed the wrong indicators");
      break;
    }
    benchmark::DoNotOptimize(changes->indicators.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(last.size()));
}
BENCHMARK(BM_ChangesSince)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace guardfeed

BENCHMARK_MAIN();
