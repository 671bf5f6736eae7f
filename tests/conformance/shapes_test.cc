// The corpus's raw findings delivered in every shape GuardDuty (or an operator) hands them over:
// JSON Lines with LF or CRLF, gzip JSON Lines (one or several gzip members, like the S3 export),
// a GetFindings response, a JSON array and EventBridge events. Each shape must yield the same
// findings with the same indicators.
#include <string>
#include <vector>

#include "corpus.h"
#include "gtest/gtest.h"

namespace guardfeed::conformance {
namespace {

// The raw findings of the corpus, one JSON document per element.
std::vector<std::string> RawFindingLines() {
  std::vector<std::string> lines;
  for (const char* path :
       {"sekoia-intake-formats/findings.jsonl", "elastic-integrations/findings.jsonl"}) {
    std::string text = ReadFileBytes(CorpusDir() / path);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      if (end > pos) lines.push_back(text.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  return lines;
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : separator) + parts[i];
  return out;
}

// What a shape must preserve: id, sample flag and the indicators with their fields.
std::vector<std::string> Summary(const ReadOutcome& outcome) {
  std::vector<std::string> summary;
  for (const Finding& finding : outcome.findings) {
    std::string line = finding.id + (finding.sample ? " sample" : " real");
    for (const ExtractedIndicator& e : finding.indicators) {
      line += " " + e.indicator.value + "@" + e.field;
    }
    summary.push_back(line);
  }
  return summary;
}

class GuardDutyCorpusShapes : public GuardDutyCorpus {
 protected:
  void SetUp() override {
    GuardDutyCorpus::SetUp();
    if (IsSkipped()) return;
    lines_ = RawFindingLines();
    ASSERT_EQ(lines_.size(), 15u);
    ReadOutcome baseline = ReadAll(Join(lines_, "\n") + "\n", "jsonl");
    ASSERT_TRUE(baseline.errors.empty());
    baseline_ = Summary(baseline);
    ASSERT_EQ(baseline_.size(), 15u);
  }

  // Reads `data` and checks it gives the baseline findings without any error.
  void ExpectBaseline(const std::string& data, const std::string& shape) {
    SCOPED_TRACE(shape);
    ReadOutcome outcome = ReadAll(data, shape);
    for (const ReadError& error : outcome.errors) ADD_FAILURE() << error.ToString();
    EXPECT_EQ(Summary(outcome), baseline_);
  }

  std::vector<std::string> lines_;
  std::vector<std::string> baseline_;
};

TEST_F(GuardDutyCorpusShapes, JsonLinesWithCrlfAndBlankLines) {
  ExpectBaseline(Join(lines_, "\r\n") + "\r\n", "crlf");
  ExpectBaseline("\n" + Join(lines_, "\n\n") + "\n\n", "blank lines");
  ExpectBaseline(Join(lines_, "\n"), "no final newline");
}

TEST_F(GuardDutyCorpusShapes, GzipJsonLinesLikeTheS3Export) {
  ExpectBaseline(Gzip(Join(lines_, "\n") + "\n"), "gzip");
  std::vector<std::string> head(lines_.begin(), lines_.begin() + 7);
  std::vector<std::string> tail(lines_.begin() + 7, lines_.end());
  ExpectBaseline(Gzip(Join(head, "\n") + "\n") + Gzip(Join(tail, "\n") + "\n"), "two gzip members");
}

TEST_F(GuardDutyCorpusShapes, GetFindingsResponseAndJsonArray) {
  ExpectBaseline(R"({"findings":[)" + Join(lines_, ",") + "]}", "GetFindings");
  ExpectBaseline("{\n  \"findings\": [\n" + Join(lines_, ",\n") + "\n  ]\n}\n",
                 "GetFindings, several lines");
  ExpectBaseline("[" + Join(lines_, ",\n") + "]", "array");
}

TEST_F(GuardDutyCorpusShapes, EventBridgeEventsAndOtherEventsSkipped) {
  std::vector<std::string> events;
  for (size_t i = 0; i < lines_.size(); ++i) {
    events.push_back(R"({"version":"0","id":"event-)" + std::to_string(i) +
                     R"(","detail-type":"GuardDuty Finding","source":"aws.guardduty",)"
                     R"("account":"111111111111","time":"2024-10-04T04:10:00Z",)"
                     R"("region":"eu-west-2","resources":[],"detail":)" +
                     lines_[i] + "}");
  }
  ExpectBaseline(Join(events, "\n") + "\n", "EventBridge");

  events.insert(events.begin() + 3,
                R"({"version":"0","id":"health","detail-type":"GuardDuty Runtime Protection )"
                R"(Health","source":"aws.guardduty","detail":{}})");
  ReadOutcome outcome = ReadAll(Join(events, "\n"), "mixed");
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_EQ(Summary(outcome), baseline_);
  EXPECT_EQ(outcome.skipped_events,
            std::vector<std::string>{"GuardDuty Runtime Protection Health"});
}

TEST_F(GuardDutyCorpusShapes, OneBadLineDoesNotCostTheOthers) {
  std::vector<std::string> damaged = lines_;
  damaged[4] = damaged[4].substr(0, damaged[4].size() / 2);  // truncated mid-document
  ReadOutcome outcome = ReadAll(Join(damaged, "\n") + "\n", "damaged.jsonl");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].line, 5);
  EXPECT_EQ(outcome.errors[0].source, "damaged.jsonl");
  std::vector<std::string> expected = baseline_;
  expected.erase(expected.begin() + 4);
  EXPECT_EQ(Summary(outcome), expected);
}

}  // namespace
}  // namespace guardfeed::conformance
