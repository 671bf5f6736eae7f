// The corpus through the real write path: reader -> policy -> Ingestor -> SQLite store on disk.
// Re-delivered findings (the foxsec with-duplicates file, or any file ingested twice) must never
// add a sighting: sightings are keyed by (finding id, indicator).
#include "store/ingest.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "corpus.h"
#include "expectations.h"
#include "gtest/gtest.h"

namespace guardfeed::conformance {
namespace {

constexpr UnixSeconds kNow = 1'795'000'000;  // 2026-11-18, after every corpus finding
constexpr const char* kDuplicates =
    "foxsec-pipeline/guardduty-sample-findings-with-duplicates.eventbridge.jsonl";

// A fresh directory under the system temporary directory, removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "guardfeed-conformance-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class GuardDutyCorpusIngest : public GuardDutyCorpus {
 protected:
  void SetUp() override {
    GuardDutyCorpus::SetUp();
    if (IsSkipped()) return;
    auto store = OpenStore("sqlite://" + dir_.path() + "/db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  // Ingests one corpus file (SEKOIA wrappers unwrapped) and returns what was committed.
  IngestSummary Ingest(const std::string& path, bool sekoia_wrapper, const Policy& policy) {
    std::string bytes = ReadFileBytes(CorpusDir() / path);
    if (sekoia_wrapper) bytes = UnwrapSekoiaMessage(bytes);
    Ingestor ingestor(store_.get(), &policy, &clock_);
    Result<IngestSummary> summary = ingestor.IngestBuffer(bytes, path);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    if (!summary.ok()) return IngestSummary{};
    EXPECT_EQ(summary->error_count, 0) << path;
    return std::move(summary).value();
  }

  // Every (finding id, indicator value) row in the store, expired or not.
  std::set<std::pair<std::string, std::string>> StoredSightings(size_t* rows) {
    std::set<std::pair<std::string, std::string>> pairs;
    *rows = 0;
    IndicatorQuery query;
    query.include_expired = true;
    query.now = kNow;
    query.limit = 0;
    auto indicators = store_->ListIndicators(query);
    EXPECT_TRUE(indicators.ok()) << indicators.status().ToString();
    if (!indicators.ok()) return pairs;
    for (const IndicatorRecord& record : *indicators) {
      auto sightings = store_->SightingsOf(record.indicator);
      EXPECT_TRUE(sightings.ok()) << sightings.status().ToString();
      if (!sightings.ok()) continue;
      for (const SightingRecord& s : *sightings) {
        pairs.emplace(s.finding_id, s.indicator.value);
        ++*rows;
      }
    }
    return pairs;
  }

  static Policy SamplesIncluded() {
    PolicyOptions options;
    options.include_samples = true;
    return Policy(options);
  }

  TempDir dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<Store> store_;
};

TEST_F(GuardDutyCorpusIngest, DuplicatesFileYieldsNoDuplicateSightings) {
  const Policy policy = SamplesIncluded();
  ReadOutcome read = ReadCorpusFile(kDuplicates, false);
  std::set<std::pair<std::string, std::string>> distinct;
  for (const Finding& finding : read.findings) {
    for (const ExtractedIndicator& e : finding.indicators) {
      distinct.emplace(finding.id, e.indicator.value);
    }
  }
  ASSERT_EQ(distinct.size(), 2u);  // 56b5... and 08b5..., both with 198.51.100.0

  IngestSummary first = Ingest(kDuplicates, false, policy);
  EXPECT_EQ(first.findings_read, 5);
  EXPECT_EQ(first.findings_accepted, 5);
  EXPECT_EQ(first.indicators_seen, 5);
  EXPECT_EQ(first.suppressed, 5);  // 198.51.100.0 is a documentation address: never published
  EXPECT_EQ(first.applied.sightings_new, 2);
  EXPECT_EQ(first.applied.sightings_updated, 0);
  EXPECT_EQ(first.applied.sightings_unchanged, 3);
  EXPECT_EQ(first.applied.indicators_new, 1);

  IngestSummary second = Ingest(kDuplicates, false, policy);
  EXPECT_EQ(second.applied.sightings_new, 0);
  EXPECT_EQ(second.applied.sightings_updated, 0);
  EXPECT_EQ(second.applied.sightings_unchanged, 5);
  EXPECT_EQ(second.applied.indicators_new, 0);

  size_t rows = 0;
  EXPECT_EQ(StoredSightings(&rows), distinct);
  EXPECT_EQ(rows, distinct.size());
}

TEST_F(GuardDutyCorpusIngest, SamplesAreNotStoredByDefault) {
  const Policy policy{PolicyOptions{}};
  IngestSummary summary = Ingest(kDuplicates, false, policy);
  EXPECT_EQ(summary.findings_read, 5);
  EXPECT_EQ(summary.findings_accepted, 0);
  EXPECT_EQ(summary.skipped["sample"], 5);
  size_t rows = 0;
  EXPECT_TRUE(StoredSightings(&rows).empty());
  EXPECT_EQ(rows, 0u);
}

// Each file re-delivered right after itself changes nothing. Across files only updates are
// possible: the two foxsec files carry different versions of some sample findings (70b5...'s
// accountId) under the same id and updatedAt, so the later delivery replaces the earlier one.
TEST_F(GuardDutyCorpusIngest, WholeCorpusRedeliveredAddsNoSighting) {
  PolicyOptions options;
  options.include_samples = true;
  options.min_severity = 0;
  const Policy policy(options);
  std::set<std::pair<std::string, std::string>> distinct;
  int64_t sightings_new = 0;
  for (const ExpectedFile& file : CorpusExpectations()) {
    SCOPED_TRACE(file.path);
    IngestSummary first = Ingest(std::string(file.path), file.sekoia_wrapper, policy);
    sightings_new += first.applied.sightings_new;
    for (const ExpectedFinding& finding : file.findings) {
      for (const ExpectedIndicator& e : finding.indicators) distinct.emplace(finding.id, e.value);
    }
    IngestSummary again = Ingest(std::string(file.path), file.sekoia_wrapper, policy);
    EXPECT_EQ(again.applied.sightings_new, 0);
    EXPECT_EQ(again.applied.sightings_updated, 0);
    EXPECT_EQ(again.applied.sightings_unchanged, again.indicators_seen);
    EXPECT_EQ(again.applied.indicators_new, 0);
  }
  EXPECT_EQ(sightings_new, static_cast<int64_t>(distinct.size()));
  for (const ExpectedFile& file : CorpusExpectations()) {
    SCOPED_TRACE(std::string(file.path) + ", second pass");
    IngestSummary summary = Ingest(std::string(file.path), file.sekoia_wrapper, policy);
    EXPECT_EQ(summary.applied.sightings_new, 0);
    EXPECT_EQ(summary.applied.indicators_new, 0);
  }
  size_t rows = 0;
  EXPECT_EQ(StoredSightings(&rows), distinct);
  EXPECT_EQ(rows, distinct.size());
}

}  // namespace
}  // namespace guardfeed::conformance
