// The corpus in the shapes users hold findings in, as produced by the AWS SDK for JavaScript v3
// (tests/golden/shapes/README.md says how): `aws guardduty get-findings` / boto3 output with the
// SDK's PascalCase member names, and Security Hub's ASFF (`aws securityhub get-findings` output
// and "Security Hub Findings - Imported" events). Every finding must read exactly as it does in
// GuardDuty's own camelCase shape.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "corpus.h"
#include "gtest/gtest.h"

namespace guardfeed::conformance {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() { return fs::path(GUARDFEED_SOURCE_DIR) / "tests" / "golden" / "shapes"; }

// Each camelCase corpus file and the base name of its goldens (scripts/golden-shapes.mjs).
const std::vector<std::pair<std::string, std::string>>& GoldenFiles() {
  static const std::vector<std::pair<std::string, std::string>> files = {
      {"sekoia-intake-formats/findings.jsonl", "sekoia-intake-formats--findings"},
      {"elastic-integrations/findings.jsonl", "elastic-integrations--findings"},
      {"foxsec-pipeline/guardduty-sample-findings.eventbridge.jsonl",
       "foxsec-pipeline--guardduty-sample-findings.eventbridge"},
      {"foxsec-pipeline/guardduty-sample-findings-default.eventbridge.jsonl",
       "foxsec-pipeline--guardduty-sample-findings-default.eventbridge"},
      {"foxsec-pipeline/guardduty-sample-findings-with-duplicates.eventbridge.jsonl",
       "foxsec-pipeline--guardduty-sample-findings-with-duplicates.eventbridge"},
  };
  return files;
}

// Everything a finding tells policy and store, one line per finding.
std::string Header(const Finding& f) {
  return f.id + " " + f.type + " severity=" + std::to_string(f.severity) +
         " account=" + f.account_id + " region=" + f.region + " action=" + f.action_type +
         " direction=" + f.direction + " first=" + std::to_string(f.first_seen) +
         " last=" + std::to_string(f.last_seen) + " updated=" + std::to_string(f.updated_at) +
         " count=" + std::to_string(f.count) + (f.archived ? " archived" : "") +
         (f.sample ? " sample" : "");
}

std::vector<std::string> Indicators(const Finding& f) {
  std::vector<std::string> out;
  for (const ExtractedIndicator& e : f.indicators) {
    out.push_back(std::string(KindName(e.indicator.kind)) + " " + e.indicator.value + "@" +
                  e.field);
  }
  return out;
}

std::vector<std::string> Rejected(const Finding& f) {
  std::vector<std::string> out;
  for (const RejectedValue& r : f.rejected) out.push_back(r.field + ": " + r.reason);
  return out;
}

ReadOutcome ReadGolden(const std::string& relative) {
  ReadOutcome outcome = ReadAll(ReadFileBytes(GoldenDir() / relative), relative);
  for (const ReadError& error : outcome.errors) ADD_FAILURE() << error.ToString();
  return outcome;
}

using GuardDutyCorpusSdkShapes = GuardDutyCorpus;

TEST_F(GuardDutyCorpusSdkShapes, AwsCliOutputReadsExactlyLikeTheOriginal) {
  size_t compared = 0;
  for (const auto& [corpus_file, golden] : GoldenFiles()) {
    SCOPED_TRACE(corpus_file);
    ReadOutcome original = ReadCorpusFile(corpus_file, false);
    ASSERT_TRUE(original.errors.empty()) << original.errors[0].ToString();
    ReadOutcome cli = ReadGolden("cli/" + golden + ".json");
    ASSERT_EQ(cli.findings.size(), original.findings.size());
    for (size_t i = 0; i < cli.findings.size(); ++i) {
      const Finding& want = original.findings[i];
      const Finding& got = cli.findings[i];
      EXPECT_EQ(Header(got), Header(want));
      EXPECT_EQ(Indicators(got), Indicators(want)) << want.id;
      EXPECT_EQ(Rejected(got), Rejected(want)) << want.id;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 15u + 20u + 19u + 5u);  // every finding of the five files
}

TEST_F(GuardDutyCorpusSdkShapes, AwsCliOutputGzippedAndAsJsonLines) {
  const std::string golden = "cli/sekoia-intake-formats--findings.json";
  ReadOutcome plain = ReadGolden(golden);
  ReadOutcome gzipped = ReadAll(Gzip(ReadFileBytes(GoldenDir() / golden)), "gz");
  ASSERT_TRUE(gzipped.errors.empty());
  ASSERT_EQ(gzipped.findings.size(), plain.findings.size());
  for (size_t i = 0; i < plain.findings.size(); ++i) {
    EXPECT_EQ(Header(gzipped.findings[i]), Header(plain.findings[i]));
  }
}

// Indicators of the original that ASFF has no documented place for: Kubernetes sourceIPs (an
// array: how Security Hub flattens arrays into ProductFields is not documented, and
// scripts/golden-shapes.mjs leaves arrays out). Anything else must be identical.
bool OnlyInGuardDutyShape(const std::string& indicator) {
  return indicator.find("@kubernetesApiCallAction.sourceIPs[]") != std::string::npos;
}

// Compares ASFF findings with the originals; returns how many indicators only the original has.
size_t ExpectAsffLikeOriginal(const ReadOutcome& asff, const ReadOutcome& original) {
  size_t gaps = 0;
  EXPECT_EQ(asff.findings.size(), original.findings.size());
  for (size_t i = 0; i < asff.findings.size() && i < original.findings.size(); ++i) {
    const Finding& want = original.findings[i];
    const Finding& got = asff.findings[i];
    EXPECT_EQ(Header(got), Header(want));
    std::vector<std::string> expected;
    for (const std::string& indicator : Indicators(want)) {
      if (OnlyInGuardDutyShape(indicator)) {
        ++gaps;
      } else {
        expected.push_back(indicator);
      }
    }
    // ASFF's Network object repeats the remote address: under its own field name only when
    // nothing else held it, which no corpus finding does.
    EXPECT_EQ(Indicators(got), expected) << want.id;
  }
  return gaps;
}

TEST_F(GuardDutyCorpusSdkShapes, SecurityHubAsffReadsLikeTheOriginal) {
  size_t compared = 0;
  for (const auto& [corpus_file, golden] : GoldenFiles()) {
    SCOPED_TRACE(corpus_file);
    ReadOutcome original = ReadCorpusFile(corpus_file, false);
    ReadOutcome asff = ReadGolden("asff/" + golden + ".json");
    EXPECT_EQ(ExpectAsffLikeOriginal(asff, original), 0u);
    compared += asff.findings.size();
  }
  EXPECT_EQ(compared, 59u);

  ReadOutcome extra = ReadAll(ReadFileBytes(GoldenDir() / "api/extra-findings.jsonl"), "api");
  // The EKS finding's public sourceIPs entry is the one indicator ASFF cannot carry.
  EXPECT_EQ(ExpectAsffLikeOriginal(ReadGolden("asff/extra-findings.json"), extra), 1u);
}

// The Security Hub Findings - Imported events EventBridge delivers: up to 100 ASFF findings per
// event, findings of every product mixed. Only GuardDuty's are read; the others are counted.
TEST_F(GuardDutyCorpusSdkShapes, SecurityHubImportedEventsSkipOtherProducts) {
  const std::string golden = "asff/sekoia-intake-formats--findings.json";
  ReadOutcome expected = ReadGolden(golden);
  std::string text = ReadFileBytes(GoldenDir() / golden);
  // {"Findings": [...]} -> the event's detail {"findings": [...]}, plus an Inspector finding.
  size_t open = text.find('[');
  size_t close = text.rfind(']');
  ASSERT_NE(open, std::string::npos);
  std::string findings = text.substr(open + 1, close - open - 1);
  const std::string inspector =
      R"({"SchemaVersion":"2018-10-08","Id":"arn:aws:inspector2:us-east-1:111111111111:finding/1",)"
      R"("ProductArn":"arn:aws:securityhub:us-east-1::product/aws/inspector",)"
      R"("ProductName":"Inspector","AwsAccountId":"111111111111","Types":["Software and )"
      R"(Configuration Checks/Vulnerabilities/CVE"],"Severity":{"Label":"HIGH","Normalized":70},)"
      R"("Network":{"Direction":"IN","SourceIpV4":"203.0.113.9"}})";
  std::string event =
      R"({"version":"0","id":"e1","detail-type":"Security Hub Findings - Imported",)"
      R"("source":"aws.securityhub","account":"111111111111","time":"2024-10-04T04:10:00Z",)"
      R"("region":"eu-west-2","resources":[],"detail":{"findings":[)" +
      inspector + "," + findings + "]}}";
  // One line per event, as an SQS consumer or a JSON Lines file would hold them.
  std::string one_line;
  for (char c : event) {
    if (c != '\n') one_line.push_back(c);
  }
  ReadOutcome got = ReadAll(one_line + "\n" + one_line + "\n", "securityhub.jsonl");
  for (const ReadError& error : got.errors) ADD_FAILURE() << error.ToString();
  EXPECT_EQ(got.skipped_events, (std::vector<std::string>{"Security Hub finding from Inspector",
                                                          "Security Hub finding from Inspector"}));
  ASSERT_EQ(got.findings.size(), 2 * expected.findings.size());
  for (size_t i = 0; i < got.findings.size(); ++i) {
    const Finding& want = expected.findings[i % expected.findings.size()];
    EXPECT_EQ(Header(got.findings[i]), Header(want));
    EXPECT_EQ(Indicators(got.findings[i]), Indicators(want));
  }
}

// Members Debian's botocore (2022) does not know: attack sequences, Lambda, RDS login attempts,
// and EKS with IPv6, from the hand-written camelCase findings in tests/golden/shapes/api/.
TEST(SdkShapes, NewerModelMembersReadLikeTheOriginal) {
  ReadOutcome original = ReadAll(ReadFileBytes(GoldenDir() / "api/extra-findings.jsonl"), "api");
  ASSERT_TRUE(original.errors.empty()) << original.errors[0].ToString();
  ReadOutcome cli = ReadGolden("cli/extra-findings.json");
  ASSERT_EQ(original.findings.size(), 4u);
  ASSERT_EQ(cli.findings.size(), 4u);
  for (size_t i = 0; i < cli.findings.size(); ++i) {
    EXPECT_EQ(Header(cli.findings[i]), Header(original.findings[i]));
    EXPECT_EQ(Indicators(cli.findings[i]), Indicators(original.findings[i]));
  }
  // Written down from the JSON, not from running the reader.
  EXPECT_EQ(
      Indicators(cli.findings[0]),
      (std::vector<std::string>{"ipv4 203.0.113.50@detection.sequence.endpoints[].ip",
                                "domain exfil.example.net@detection.sequence.endpoints[].domain",
                                "ipv6 2001:db8::5@detection.sequence.endpoints[].ip"}));
  EXPECT_EQ(Indicators(cli.findings[1]),
            (std::vector<std::string>{
                "ipv4 198.51.100.77@networkConnectionAction.remoteIpDetails.ipAddressV4"}));
  EXPECT_EQ(Indicators(cli.findings[2]),
            (std::vector<std::string>{
                "ipv4 192.0.2.200@rdsLoginAttemptAction.remoteIpDetails.ipAddressV4"}));
  EXPECT_TRUE(cli.findings[2].archived);
  EXPECT_TRUE(cli.findings[2].sample);
  EXPECT_EQ(cli.findings[2].count, 12);
  // 10.1.2.3 is private and 2001:db8:ffff::9 a documentation address: sourceIPs skip them.
  EXPECT_EQ(Indicators(cli.findings[3]),
            (std::vector<std::string>{
                "ipv6 2001:db8::1@kubernetesApiCallAction.remoteIpDetails.ipAddressV6",
                "ipv4 185.220.101.47@kubernetesApiCallAction.sourceIPs[]"}));
}

}  // namespace
}  // namespace guardfeed::conformance
