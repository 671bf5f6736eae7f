// Render budget (DESIGN.md): 1,000,000 active indicators into any one format in under 0.5 s.
// Each benchmark renders one pre-sorted synthetic feed (what FeedBuilder hands a renderer), so
// the numbers are the renderer's alone: no store, no policy, no sorting.
//
//   ninja -C build-release render_bench && build-release/bench/render_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "feeds/aggregate.h"
#include "feeds/render_util.h"
#include "feeds/renderer.h"

namespace guardfeed {
namespace {

constexpr size_t kEntries = 1'000'000;

FeedEntry SyntheticEntry(std::mt19937_64& random, size_t i) {
  FeedEntry entry;
  uint64_t bits = random();
  switch (i % 5) {
    case 0:
    case 1:
    case 2: {  // IPv4: two in five scattered, one in five clustered in /24s (aggregation food)
      auto v4 = static_cast<uint32_t>(bits);
      if (i % 5 == 2) v4 = 0x2D000000u | static_cast<uint32_t>(i & 0xFFFFF);
      entry.address = IpAddress::FromV4(v4);
      entry.indicator = {IndicatorKind::kIpv4, FormatIpAddress(entry.address)};
      break;
    }
    case 3: {  // IPv6 under 2a05::/16, random low 64 bits
      entry.address.v6 = true;
      entry.address.bytes[0] = 0x2a;
      entry.address.bytes[1] = 0x05;
      for (size_t b = 8; b < 16; ++b)
        entry.address.bytes[b] = static_cast<uint8_t>(bits >> (8 * (b - 8)));
      entry.indicator = {IndicatorKind::kIpv6, FormatIpAddress(entry.address)};
      break;
    }
    default:
      entry.indicator = {IndicatorKind::kDomain,
                         "c2-" + std::to_string(bits % 100'000'000) + ".malicious-example.net"};
  }
  entry.threat_level = static_cast<int>(1 + bits % 10);
  entry.first_seen = 1'700'000'000 + static_cast<int64_t>(bits % 10'000'000);
  entry.last_seen = entry.first_seen + 3600;
  entry.expires_at = entry.last_seen + 30 * 86400;
  entry.finding_count = static_cast<int64_t>(1 + bits % 7);
  return entry;
}

// `kinds` restricts the set (SecIntel feeds carry one kind); entries come out in feed order.
std::vector<FeedEntry> MakeEntries(std::vector<IndicatorKind> kinds) {
  std::mt19937_64 random(20201013);
  std::vector<FeedEntry> entries;
  entries.reserve(kEntries);
  for (size_t i = 0; entries.size() < kEntries; ++i) {
    FeedEntry entry = SyntheticEntry(random, i);
    if (std::find(kinds.begin(), kinds.end(), entry.indicator.kind) != kinds.end()) {
      entries.push_back(std::move(entry));
    }
  }
  std::sort(entries.begin(), entries.end(), feeds_internal::FeedOrderLess);
  return entries;
}

const std::vector<FeedEntry>& MixedEntries() {
  static const auto* entries = new std::vector<FeedEntry>(
      MakeEntries({IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}));
  return *entries;
}

const std::vector<FeedEntry>& Ipv4Entries() {
  static const auto* entries = new std::vector<FeedEntry>(MakeEntries({IndicatorKind::kIpv4}));
  return *entries;
}

void RunRender(benchmark::State& state, const FeedConfig& config,
               const std::vector<FeedEntry>& entries) {
  auto renderer = NewRenderer(config.format);
  size_t bytes = 0;
  for (auto _ : state) {
    RenderedFeed feed = renderer->Render(config, entries, RenderInfo{"20261122.1", 0});
    bytes = feed.body.size();
    benchmark::DoNotOptimize(feed.body.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(entries.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.counters["body_MB"] = static_cast<double>(bytes) / 1e6;
}

FeedConfig Config(FeedFormat format) {
  FeedConfig config;
  config.name = "bench_feed";
  config.format = format;
  return config;
}

void BM_Plain(benchmark::State& state) {
  RunRender(state, Config(FeedFormat::kPlain), MixedEntries());
}

void BM_PlainCrlfHeader(benchmark::State& state) {
  FeedConfig config = Config(FeedFormat::kPlain);
  config.crlf = true;
  config.header = true;
  RunRender(state, config, MixedEntries());
}

void BM_PlainAggregated(benchmark::State& state) {
  FeedConfig config = Config(FeedFormat::kPlain);
  config.aggregate = true;
  RunRender(state, config, MixedEntries());
}

void BM_SecIntelIpv4(benchmark::State& state) {
  RunRender(state, Config(FeedFormat::kSecIntel), Ipv4Entries());
}

void BM_SecIntelMixed(benchmark::State& state) {
  RunRender(state, Config(FeedFormat::kSecIntel), MixedEntries());
}

void BM_CheckPoint(benchmark::State& state) {
  RunRender(state, Config(FeedFormat::kCheckPoint), MixedEntries());
}

void BM_Json(benchmark::State& state) {
  RunRender(state, Config(FeedFormat::kJson), MixedEntries());
}

void BM_AggregateAddresses(benchmark::State& state) {
  std::vector<IpAddress> addresses;
  for (const FeedEntry& entry : MixedEntries()) {
    if (entry.indicator.kind != IndicatorKind::kDomain) addresses.push_back(entry.address);
  }
  for (auto _ : state) {
    auto blocks = feeds_internal::AggregateAddresses(addresses);
    benchmark::DoNotOptimize(blocks.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(addresses.size()));
}

BENCHMARK(BM_Plain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlainCrlfHeader)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlainAggregated)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SecIntelIpv4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SecIntelMixed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckPoint)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Json)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AggregateAddresses)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace guardfeed

BENCHMARK_MAIN();
