// The reader's limits (issue 7 items 5, 6, 9): streaming gzip under a decompression budget,
// document and line limits, indicator caps, and directory walks that never abort.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "guardduty/reader.h"
#include "test_findings.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;
using testing::Gzip;
using testing::NetworkAction;
using testing::RawFinding;

struct Collected {
  std::vector<Finding> findings;
  std::vector<ReadError> errors;
  Status status;
};

Collected Read(std::string_view data, ReadLimits limits = {}) {
  Collected out;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& f) { out.findings.push_back(std::move(f)); };
  callbacks.on_error = [&](const ReadError& e) { out.errors.push_back(e); };
  FindingReader reader(limits);
  out.status = reader.ReadBuffer(data, "body", callbacks);
  return out;
}

std::string FindingText(int i) {
  return RawFinding("f" + std::to_string(i),
                    NetworkAction(R"("ipAddressV4":"45.1.)" + std::to_string(i / 250) + "." +
                                  std::to_string(i % 250 + 1) + "\""));
}

std::string Lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += FindingText(i) + "\n";
  return out;
}

TEST(ReaderLimits, GzipJsonLinesStreamGivesTheSameFindingsAsPlainText) {
  std::string lines = Lines(500);
  Collected plain = Read(lines);
  Collected gzipped = Read(Gzip(lines));
  ASSERT_TRUE(gzipped.errors.empty()) << gzipped.errors[0].ToString();
  ASSERT_EQ(gzipped.findings.size(), plain.findings.size());
  for (size_t i = 0; i < plain.findings.size(); ++i) {
    EXPECT_EQ(gzipped.findings[i].id, plain.findings[i].id);
    EXPECT_EQ(gzipped.findings[i].indicators[0].indicator.value,
              plain.findings[i].indicators[0].indicator.value);
  }
}

TEST(ReaderLimits, GzipOfOnePrettyPrintedDocumentIsGatheredAndRead) {
  std::string document =
      "{\n  \"findings\": [\n" + FindingText(1) + ",\n" + FindingText(2) + "\n]\n}\n";
  Collected got = Read(Gzip(document));
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  EXPECT_EQ(got.findings.size(), 2u);
}

TEST(ReaderLimits, DecompressionBombStopsAtTheBudgetKeepingWhatCameBefore) {
  ReadLimits limits;
  limits.max_inflated_bytes = 8u << 20;
  std::string bomb = Gzip(Lines(3) + std::string(64u << 20, '\n'));
  Collected got = Read(bomb, limits);
  EXPECT_EQ(got.status.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(got.findings.size(), 3u);
  ASSERT_FALSE(got.errors.empty());
  EXPECT_NE(got.errors.back().message.find("decompression budget"), std::string::npos);
}

TEST(ReaderLimits, GzipInsideGzipCountsAgainstTheSameBudget) {
  ReadLimits limits;
  limits.max_inflated_bytes = 8u << 20;
  std::string inner = Gzip(std::string(32u << 20, ' '));
  Collected got = Read(Gzip(inner), limits);
  EXPECT_EQ(got.status.code(), Status::Code::kResourceExhausted);
  Collected ok = Read(Gzip(Gzip(Lines(2))));
  EXPECT_TRUE(ok.status.ok());
  EXPECT_EQ(ok.findings.size(), 2u);
}

// A member ending exactly when the 64 KiB output chunk filled left the inflater "in a member":
// valid gzip was reported as truncated and its last line dropped.
TEST(ReaderLimits, GzipEndingOnAChunkBoundaryIsNotTruncated) {
  for (size_t chunks : {1u, 2u, 5u}) {
    std::string text(Inflater::kChunkBytes * chunks, ' ');
    Result<std::string> inflated = GunzipBuffer(Gzip(text), 64u << 20);
    ASSERT_TRUE(inflated.ok()) << chunks << ": " << inflated.status().ToString();
    EXPECT_EQ(inflated->size(), text.size());
  }
  std::string line = FindingText(1);
  std::string padded = line + std::string(Inflater::kChunkBytes - line.size(), ' ');
  Collected got = Read(Gzip(padded));
  EXPECT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  EXPECT_EQ(got.findings.size(), 1u);
}

TEST(ReaderLimits, GzipThreeLevelsDeepIsAnErrorNotARecursion) {
  Collected got = Read(Gzip(Gzip(Gzip(Lines(1)))));
  EXPECT_TRUE(got.findings.empty());
  EXPECT_FALSE(got.errors.empty());
}

TEST(ReaderLimits, LineLongerThanTheLimitIsSkippedWithoutBeingHeld) {
  ReadLimits limits;
  limits.max_line_bytes = 64 * 1024;
  std::string body = FindingText(1) + "\n" + "{\"x\":\"" + std::string(1u << 20, 'a') + "\"}\n" +
                     FindingText(2) + "\n";
  for (const std::string& input : {body, Gzip(body)}) {
    Collected got = Read(input, limits);
    ASSERT_EQ(got.findings.size(), 2u);
    ASSERT_EQ(got.errors.size(), 1u);
    EXPECT_EQ(got.errors[0].line, 2);
    EXPECT_NE(got.errors[0].message.find("limit"), std::string::npos);
  }
}

TEST(ReaderLimits, DocumentLargerThanTheLimitIsRefused) {
  ReadLimits limits;
  limits.max_document_bytes = 1u << 20;
  limits.max_line_bytes = 1u << 20;
  std::string huge =
      "[" + FindingText(1) + ",\n" + std::string(2u << 20, ' ') + FindingText(2) + "]";
  for (const std::string& input : {huge, Gzip(huge)}) {
    Collected got = Read(input, limits);
    EXPECT_TRUE(got.findings.empty());
    ASSERT_FALSE(got.errors.empty());
    EXPECT_NE(got.errors[0].message.find("limit"), std::string::npos);
  }
}

TEST(ReaderLimits, ReadingStopsAfterMaxErrors) {
  ReadLimits limits;
  limits.max_errors = 10;
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += "{}\n";
  Collected got = Read(flood + FindingText(1) + "\n", limits);
  EXPECT_EQ(got.errors.size(), 10u);
  EXPECT_EQ(got.status.code(), Status::Code::kInvalidArgument);
}

std::string PortProbe(int addresses, bool duplicates) {
  std::string details;
  for (int i = 0; i < addresses; ++i) {
    int n = duplicates ? i % 7 : i;
    details += std::string(i ? "," : "") + R"({"remoteIpDetails":{"ipAddressV4":"45.2.)" +
               std::to_string(n / 250) + "." + std::to_string(n % 250 + 1) + "\"}}";
  }
  return R"({"actionType":"PORT_PROBE","portProbeAction":{"portProbeDetails":[)" + details + "]}}";
}

TEST(ReaderLimits, IndicatorsPerFindingAreCappedAndCounted) {
  ReadLimits limits;
  limits.max_indicators_per_finding = 100;
  Collected got = Read(RawFinding("probe", PortProbe(5000, false)), limits);
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].indicators.size(), 100u);
  EXPECT_EQ(got.findings[0].indicators_dropped, 4900);
}

TEST(ReaderLimits, DuplicateIndicatorsAreMergedWithoutCountingAsDropped) {
  Collected got = Read(RawFinding("probe", PortProbe(20000, true)));
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].indicators.size(), 7u);
  EXPECT_EQ(got.findings[0].indicators_dropped, 0);
}

class DirectoryWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gf-walk-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
  fs::path dir_;
};

TEST_F(DirectoryWalk, SymlinkLoopsUnreadableAndNonJsonFilesAreNotAnAbort) {
  Write(dir_ / "a.json", FindingText(1));
  Write(dir_ / "README.txt", "these are findings\n");
  Write(dir_ / "sub" / "b.jsonl", FindingText(2) + "\n");
  fs::create_symlink(dir_ / "loop.json", dir_ / "loop.json");       // a link to itself
  fs::create_directory_symlink(dir_, dir_ / "sub" / "parent");      // a tree loop
  fs::create_symlink(dir_ / "missing.json", dir_ / "broken.json");  // dangling
  ::mkfifo((dir_ / "pipe.json").c_str(), 0600);                     // not a regular file
  Write(dir_ / "z.json", FindingText(3));
  std::vector<ReadError> errors;
  std::vector<std::string> ids;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& f) { ids.push_back(f.id); };
  callbacks.on_error = [&](const ReadError& e) { errors.push_back(e); };
  FindingReader reader;
  Status status = reader.ReadPaths({dir_.string()}, callbacks);
  EXPECT_EQ(ids, (std::vector<std::string>{"f1", "f2", "f3"}));
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  ASSERT_EQ(errors.size(), 2u);  // loop.json and broken.json; README.txt and the fifo skipped
  for (const ReadError& error : errors) {
    EXPECT_NE(error.message.find("symbolic link"), std::string::npos) << error.ToString();
  }
}

}  // namespace
}  // namespace guardfeed
