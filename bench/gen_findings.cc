// gen_findings: writes a synthetic GuardDuty corpus for the benchmarks (bench/README.md).
//
//   gen_findings [--count N] [--seed S] [--format jsonl|eventbridge|gzip] [--out FILE|-]
//                [--repeat-per-mille R]
//
// jsonl: one raw finding per line (the S3 export's lines); eventbridge: one EventBridge event per
// line ("detail-type": "GuardDuty Finding", plus about 0.5% health events guardfeed must skip);
// gzip: jsonl compressed like the S3 export. Same seed, same bytes. A summary (findings per shape,
// bytes, mean size) goes to stderr.
#include <zlib.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "finding_corpus.h"

namespace guardfeed::bench {
namespace {

struct Args {
  uint64_t count = 200'000;
  uint64_t seed = 1;
  std::string format = "jsonl";
  std::string out = "-";
  int repeat_per_mille = 50;
};

int Usage(const char* message) {
  std::fprintf(stderr,
               "gen_findings: %s\nusage: gen_findings [--count N] [--seed S] "
               "[--format jsonl|eventbridge|gzip] [--out FILE|-] [--repeat-per-mille R]\n",
               message);
  return 2;
}

template <typename T>
bool ParseNumber(std::string_view text, T& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseArgs(int argc, char** argv, Args& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) {
      error = "missing value for " + std::string(flag);
      return false;
    }
    std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--count") {
      ok = ParseNumber(value, args.count);
    } else if (flag == "--seed") {
      ok = ParseNumber(value, args.seed);
    } else if (flag == "--repeat-per-mille") {
      ok = ParseNumber(value, args.repeat_per_mille) && args.repeat_per_mille <= 1000;
    } else if (flag == "--format") {
      args.format = value;
      ok = value == "jsonl" || value == "eventbridge" || value == "gzip";
    } else if (flag == "--out") {
      args.out = value;
    } else {
      error = "unknown option " + std::string(flag);
      return false;
    }
    if (!ok) {
      error = "bad value '" + std::string(value) + "' for " + std::string(flag);
      return false;
    }
  }
  return true;
}

// Plain or gzip output behind one Write call.
class Sink {
 public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink() { Close(); }

  bool Open(const std::string& path, bool gzip) {
    if (gzip) {
      gz_ = path == "-" ? gzdopen(1, "wb6") : gzopen(path.c_str(), "wb6");
      if (gz_ != nullptr) gzbuffer(gz_, 1 << 20);
      return gz_ != nullptr;
    }
    file_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
    return file_ != nullptr;
  }
  bool Write(std::string_view data) {
    if (gz_ != nullptr) {
      return gzwrite(gz_, data.data(), static_cast<unsigned>(data.size())) ==
             static_cast<int>(data.size());
    }
    return std::fwrite(data.data(), 1, data.size(), file_) == data.size();
  }
  bool Close() {
    bool ok = true;
    if (gz_ != nullptr) ok = gzclose(gz_) == Z_OK;
    if (file_ != nullptr)
      ok = std::fflush(file_) == 0 && (file_ == stdout || std::fclose(file_) == 0);
    gz_ = nullptr;
    file_ = nullptr;
    return ok;
  }

 private:
  gzFile gz_ = nullptr;
  std::FILE* file_ = nullptr;
};

int Run(const Args& args) {
  GeneratorOptions options;
  options.seed = args.seed;
  options.repeat_per_mille = args.repeat_per_mille;
  FindingGenerator generator(options);
  Sink sink;
  if (!sink.Open(args.out, args.format == "gzip")) {
    std::fprintf(stderr, "gen_findings: cannot open %s: %s\n", args.out.c_str(),
                 std::strerror(errno));
    return 1;
  }
  std::array<uint64_t, kShapeCount> per_shape{};
  uint64_t bytes = 0;
  std::string chunk;
  chunk.reserve(4 << 20);
  for (uint64_t i = 0; i < args.count; ++i) {
    if (args.format == "eventbridge") {
      generator.AppendEvent(chunk);
    } else {
      ++per_shape[static_cast<size_t>(generator.AppendFinding(chunk))];
    }
    chunk += '\n';
    if (chunk.size() >= (4u << 20) || i + 1 == args.count) {
      bytes += chunk.size();
      if (!sink.Write(chunk)) {
        std::fprintf(stderr, "gen_findings: write to %s failed\n", args.out.c_str());
        return 1;
      }
      chunk.clear();
    }
  }
  if (!sink.Close()) {
    std::fprintf(stderr, "gen_findings: closing %s failed\n", args.out.c_str());
    return 1;
  }
  std::fprintf(stderr, "gen_findings: %llu %s records, %llu bytes uncompressed, %.0f bytes mean\n",
               static_cast<unsigned long long>(args.count), args.format.c_str(),
               static_cast<unsigned long long>(bytes),
               args.count ? static_cast<double>(bytes) / static_cast<double>(args.count) : 0.0);
  if (args.format != "eventbridge") {
    for (Shape shape : AllShapes()) {
      std::fprintf(stderr, "  %-18s %llu\n", std::string(ShapeName(shape)).c_str(),
                   static_cast<unsigned long long>(per_shape[static_cast<size_t>(shape)]));
    }
  }
  return 0;
}

}  // namespace
}  // namespace guardfeed::bench

int main(int argc, char** argv) {
  guardfeed::bench::Args args;
  std::string error;
  if (!guardfeed::bench::ParseArgs(argc, argv, args, error)) {
    return guardfeed::bench::Usage(error.c_str());
  }
  return guardfeed::bench::Run(args);
}
