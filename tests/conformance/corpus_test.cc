// Conformance over the public GuardDuty corpus: every finding of every file parses, the
// indicators of each finding are exactly the ones expectations.cc states, and samples are
// skipped unless asked for. Skipped (with a message) when the corpus is not checked out.
#include "corpus.h"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "expectations.h"
#include "gtest/gtest.h"
#include "policy/policy.h"

namespace guardfeed::conformance {
namespace {

using IndicatorRow = std::tuple<std::string, std::string, std::string>;  // value, kind, field

std::vector<IndicatorRow> Rows(const Finding& finding) {
  std::vector<IndicatorRow> rows;
  for (const ExtractedIndicator& e : finding.indicators) {
    rows.emplace_back(e.indicator.value, KindName(e.indicator.kind), e.field);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<IndicatorRow> Rows(const ExpectedFinding& expected) {
  std::vector<IndicatorRow> rows;
  for (const ExpectedIndicator& e : expected.indicators) {
    rows.emplace_back(e.value, KindName(e.kind), e.field);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> RejectedFields(const Finding& finding) {
  std::vector<std::string> fields;
  for (const RejectedValue& r : finding.rejected) fields.push_back(r.field);
  std::sort(fields.begin(), fields.end());
  return fields;
}

std::vector<std::string> RejectedFields(const ExpectedFinding& expected) {
  std::vector<std::string> fields(expected.rejected_fields.begin(), expected.rejected_fields.end());
  std::sort(fields.begin(), fields.end());
  return fields;
}

std::string Errors(const ReadOutcome& outcome) {
  std::string text;
  for (const ReadError& error : outcome.errors) text += "\n  " + error.ToString();
  return text;
}

// Per file: findings, of which not GuardDuty samples, and indicators over all findings. Stated
// by hand as a cross-check of the per-finding table.
struct FileCounts {
  std::string_view path;
  size_t findings;
  size_t non_sample;
  size_t indicators;
};
constexpr FileCounts kFileCounts[] = {
    {"foxsec-pipeline/guardduty-sample-findings.eventbridge.jsonl", 20, 0, 19},
    {"foxsec-pipeline/guardduty-sample-findings-default.eventbridge.jsonl", 19, 0, 16},
    {"foxsec-pipeline/guardduty-sample-findings-with-duplicates.eventbridge.jsonl", 5, 0, 5},
    {"sekoia-intake-formats/event_accesskey_apicall.json", 1, 0, 1},
    {"sekoia-intake-formats/event_accesskey_unusualbehavior.json", 1, 0, 1},
    {"sekoia-intake-formats/event_container.json", 1, 0, 0},
    {"sekoia-intake-formats/event_ecscluster.json", 1, 0, 0},
    {"sekoia-intake-formats/event_ekscluster.json", 1, 0, 1},
    {"sekoia-intake-formats/event_ekscluster_namespace.json", 1, 0, 1},
    {"sekoia-intake-formats/event_instance_network.json", 1, 0, 1},
    {"sekoia-intake-formats/event_instance_portprobe.json", 1, 0, 2},
    {"sekoia-intake-formats/event_rdsdb_loginattempt.json", 1, 0, 1},
    {"sekoia-intake-formats/event_s3bucket_apicall.json", 1, 0, 1},
    {"sekoia-intake-formats/findings.jsonl", 10, 0, 9},
    {"elastic-integrations/findings.jsonl", 5, 1, 3},
    {"elastic-integrations/test-guardduty.log", 5, 1, 3},
};

TEST_F(GuardDutyCorpus, EveryCorpusFileHasExpectations) {
  std::set<std::string> listed;
  for (const ExpectedFile& file : CorpusExpectations()) listed.emplace(file.path);
  std::set<std::string> present;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(CorpusDir())) {
    if (!entry.is_regular_file() || entry.path().filename() == "SOURCES.md") continue;
    present.insert(std::filesystem::relative(entry.path(), CorpusDir()).generic_string());
  }
  EXPECT_EQ(present, listed) << "a corpus file without expectations is not tested";
  std::set<std::string> counted;
  for (const FileCounts& counts : kFileCounts) counted.emplace(counts.path);
  EXPECT_EQ(counted, listed);
}

TEST_F(GuardDutyCorpus, EveryFindingParses) {
  for (const ExpectedFile& file : CorpusExpectations()) {
    SCOPED_TRACE(file.path);
    ReadOutcome outcome = ReadCorpusFile(std::string(file.path), file.sekoia_wrapper);
    EXPECT_TRUE(outcome.errors.empty()) << Errors(outcome);
    EXPECT_TRUE(outcome.skipped_events.empty());
    std::vector<std::string> ids, expected_ids;
    for (const Finding& finding : outcome.findings) ids.push_back(finding.id);
    for (const ExpectedFinding& finding : file.findings) expected_ids.emplace_back(finding.id);
    EXPECT_EQ(ids, expected_ids);
  }
}

TEST_F(GuardDutyCorpus, IndicatorsMatchExpectations) {
  for (const ExpectedFile& file : CorpusExpectations()) {
    ReadOutcome outcome = ReadCorpusFile(std::string(file.path), file.sekoia_wrapper);
    ASSERT_EQ(outcome.findings.size(), file.findings.size()) << file.path;
    for (size_t i = 0; i < file.findings.size(); ++i) {
      const Finding& got = outcome.findings[i];
      const ExpectedFinding& want = file.findings[i];
      SCOPED_TRACE(std::string(file.path) + " finding #" + std::to_string(i + 1) + " " + got.id);
      EXPECT_EQ(got.id, want.id);
      EXPECT_EQ(Rows(got), Rows(want));
      EXPECT_EQ(RejectedFields(got), RejectedFields(want));
      EXPECT_EQ(got.action_type, want.action_type);
      EXPECT_EQ(got.direction, want.direction);
      EXPECT_EQ(got.sample, want.sample);
      EXPECT_FALSE(got.archived);
    }
  }
}

TEST_F(GuardDutyCorpus, CountsPerFile) {
  for (const FileCounts& counts : kFileCounts) {
    SCOPED_TRACE(counts.path);
    bool sekoia_wrapper = false;
    for (const ExpectedFile& file : CorpusExpectations()) {
      if (file.path == counts.path) sekoia_wrapper = file.sekoia_wrapper;
    }
    ReadOutcome outcome = ReadCorpusFile(std::string(counts.path), sekoia_wrapper);
    size_t non_sample = 0, indicators = 0;
    for (const Finding& finding : outcome.findings) {
      non_sample += finding.sample ? 0 : 1;
      indicators += finding.indicators.size();
    }
    EXPECT_EQ(outcome.findings.size(), counts.findings);
    EXPECT_EQ(non_sample, counts.non_sample);
    EXPECT_EQ(indicators, counts.indicators);
  }
}

TEST_F(GuardDutyCorpus, SamplesAreSkippedByDefault) {
  const Policy policy{PolicyOptions{}};
  for (const ExpectedFile& file : CorpusExpectations()) {
    SCOPED_TRACE(file.path);
    ReadOutcome outcome = ReadCorpusFile(std::string(file.path), file.sekoia_wrapper);
    for (const Finding& finding : outcome.findings) {
      SkipReason reason = policy.Evaluate(finding);
      if (finding.sample) {
        EXPECT_EQ(reason, SkipReason::kSample) << finding.id;
      } else {
        EXPECT_NE(reason, SkipReason::kSample) << finding.id;
      }
    }
  }
}

TEST_F(GuardDutyCorpus, SamplesAreIncludedWhenAsked) {
  PolicyOptions options;
  options.include_samples = true;
  const Policy with_samples{options};
  options.min_severity = 0;
  const Policy everything{options};
  size_t considered = 0, below_min_severity = 0;
  for (const ExpectedFile& file : CorpusExpectations()) {
    SCOPED_TRACE(file.path);
    ReadOutcome outcome = ReadCorpusFile(std::string(file.path), file.sekoia_wrapper);
    for (const Finding& finding : outcome.findings) {
      EXPECT_EQ(everything.Evaluate(finding), SkipReason::kNone) << finding.id;
      SkipReason reason = with_samples.Evaluate(finding);
      EXPECT_NE(reason, SkipReason::kSample) << finding.id;
      ++considered;
      below_min_severity += reason == SkipReason::kBelowMinSeverity ? 1 : 0;
    }
  }
  // Severity 2 samples: 8eb5... and 36b5... in both foxsec files, ae7f... in sekoia (twice).
  EXPECT_EQ(below_min_severity, 6u);
  EXPECT_EQ(considered, 74u);
}

TEST_F(GuardDutyCorpus, ElasticLogEndsWithAnEmptyGetFindingsResponse) {
  std::string log = ReadFileBytes(CorpusDir() / "elastic-integrations/test-guardduty.log");
  while (!log.empty() && log.back() == '\n') log.pop_back();
  std::string last_line = log.substr(log.rfind('\n') + 1);
  ASSERT_EQ(last_line, R"({"findings":[]})");
  ReadOutcome outcome = ReadAll(last_line, "last line");
  EXPECT_TRUE(outcome.findings.empty());
  EXPECT_TRUE(outcome.errors.empty()) << Errors(outcome);
}

TEST_F(GuardDutyCorpus, SekoiaJsonLinesHoldsTheWrappedFindings) {
  ReadOutcome lines = ReadCorpusFile("sekoia-intake-formats/findings.jsonl", false);
  for (const ExpectedFile& file : CorpusExpectations()) {
    if (!file.sekoia_wrapper) continue;
    SCOPED_TRACE(file.path);
    ReadOutcome event = ReadCorpusFile(std::string(file.path), true);
    ASSERT_EQ(event.findings.size(), 1u);
    const Finding& wrapped = event.findings[0];
    bool found = std::any_of(lines.findings.begin(), lines.findings.end(), [&](const Finding& f) {
      return f.id == wrapped.id && Rows(f) == Rows(wrapped) && f.last_seen == wrapped.last_seen;
    });
    EXPECT_TRUE(found) << wrapped.id << " not in findings.jsonl";
  }
}

}  // namespace
}  // namespace guardfeed::conformance
