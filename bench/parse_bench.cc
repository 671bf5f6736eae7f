// Parse + extract budget (DESIGN.md): at least 300 MB/s of finding JSON per core.
//
// Each benchmark hands one in-memory buffer of synthetic findings (finding_corpus.h) to
// FindingReader::ReadBuffer on one thread and counts what comes out, so the figure covers
// everything between bytes and Findings: shape detection, line splitting, the padded copy, simdjson
// and extraction. bytes_per_second is the JSON read; items_per_second the findings.
//
//   BM_ReadJsonl        the headline: GUARDFEED_BENCH_FINDINGS (default 200,000) raw findings,
//   JSONL BM_ReadEventBridge  the same count as EventBridge events, one per line BM_ReadGzip the
//   JSONL gzip-compressed (bytes/s counts the JSON inflated, as above) BM_SimdjsonOnly     simdjson
//   parsing of each JSONL line alone: the ceiling extraction works under BM_ReadShape/<n>    20,000
//   findings of one shape each (shape names in finding_corpus.h)
//
//   ninja -C build-bench parse_bench && build-bench/bench/parse_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "finding_corpus.h"
#include "guardduty/reader.h"

namespace guardfeed::bench {
namespace {

constexpr uint64_t kSeed = 20261122;
constexpr int kPerShapeFindings = 20'000;

int CorpusFindings() {
  const char* text = std::getenv("GUARDFEED_BENCH_FINDINGS");
  int count = text != nullptr ? std::atoi(text) : 0;
  return count > 0 ? count : 200'000;
}

enum class Corpus { kJsonl, kEventBridge, kGzip };

std::string BuildCorpus(Corpus kind) {
  GeneratorOptions options;
  options.seed = kSeed;
  FindingGenerator generator(options);
  std::string out;
  const int count = CorpusFindings();
  out.reserve(static_cast<size_t>(count) * 3200);
  for (int i = 0; i < count; ++i) {
    if (kind == Corpus::kEventBridge) {
      generator.AppendEvent(out);
    } else {
      generator.AppendFinding(out);
    }
    out += '\n';
  }
  if (kind == Corpus::kGzip) {
    std::string compressed;
    if (!GzipCompress(out, compressed)) std::abort();
    return compressed;
  }
  return out;
}

// Built on first use so that a --benchmark_filter run builds only what it needs.
const std::string& CorpusOf(Corpus kind) {
  static std::map<Corpus, std::unique_ptr<const std::string>> cache;
  auto& slot = cache[kind];
  if (!slot) slot = std::make_unique<const std::string>(BuildCorpus(kind));
  return *slot;
}

const std::string& ShapeCorpus(Shape shape) {
  static std::map<Shape, std::unique_ptr<const std::string>> cache;
  auto& slot = cache[shape];
  if (!slot) {
    GeneratorOptions options;
    options.seed = kSeed + static_cast<uint64_t>(shape);
    FindingGenerator generator(options);
    auto text = std::make_unique<std::string>();
    for (int i = 0; i < kPerShapeFindings; ++i) {
      generator.AppendFinding(shape, *text);
      *text += '\n';
    }
    slot = std::move(text);
  }
  return *slot;
}

// Reads `data` once per iteration; fails the benchmark on any read error (a generator bug).
// `json_bytes` is the size of the JSON in `data` (differs from data.size() for gzip).
void RunReader(benchmark::State& state, const std::string& data, size_t json_bytes) {
  FindingReader reader;
  int64_t findings = 0;
  int64_t indicators = 0;
  int64_t errors = 0;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& finding) {
    ++findings;
    indicators += static_cast<int64_t>(finding.indicators.size());
    benchmark::DoNotOptimize(finding.id.data());
  };
  callbacks.on_error = [&](const ReadError&) { ++errors; };
  for (auto _ : state) {
    findings = indicators = errors = 0;
    reader.ReadBuffer(data, "bench", callbacks);
  }
  if (errors > 0) state.SkipWithError("the corpus produced read errors");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(json_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * findings);
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["indicators"] = static_cast<double>(indicators);
  state.counters["MB"] = static_cast<double>(data.size()) / 1e6;
}

void BM_ReadJsonl(benchmark::State& state) {
  const std::string& data = CorpusOf(Corpus::kJsonl);
  RunReader(state, data, data.size());
}
void BM_ReadEventBridge(benchmark::State& state) {
  const std::string& data = CorpusOf(Corpus::kEventBridge);
  RunReader(state, data, data.size());
}
void BM_ReadGzip(benchmark::State& state) {
  const std::string& data = CorpusOf(Corpus::kGzip);
  RunReader(state, data, CorpusOf(Corpus::kJsonl).size());
  state.counters["gz_MB"] = static_cast<double>(data.size()) / 1e6;
}

void BM_SimdjsonOnly(benchmark::State& state) {
  const std::string& data = CorpusOf(Corpus::kJsonl);
  const simdjson::padded_string padded(data);
  simdjson::dom::parser parser;
  int64_t documents = 0;
  for (auto _ : state) {
    documents = 0;
    std::string_view rest(padded.data(), padded.size());
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      if (end == std::string_view::npos) end = rest.size();
      simdjson::dom::element document;
      if (parser.parse(rest.data(), end, false).get(document) == simdjson::SUCCESS) ++documents;
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    benchmark::DoNotOptimize(documents);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(data.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * documents);
}

void BM_ReadShape(benchmark::State& state) {
  const auto shape = static_cast<Shape>(state.range(0));
  state.SetLabel(std::string(ShapeName(shape)));
  const std::string& data = ShapeCorpus(shape);
  RunReader(state, data, data.size());
}

BENCHMARK(BM_ReadJsonl)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadEventBridge)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadGzip)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_SimdjsonOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadShape)->DenseRange(0, kShapeCount - 1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace guardfeed::bench

BENCHMARK_MAIN();
