#include "guardduty/reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "test_findings.h"

namespace guardfeed {
namespace {

using testing::EventBridge;
using testing::Gzip;
using testing::NetworkAction;
using testing::RawFinding;

struct Collected {
  std::vector<Finding> findings;
  std::vector<ReadError> errors;
  std::vector<std::string> skipped;
};

Collected Read(std::string_view data) {
  Collected out;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& f) { out.findings.push_back(std::move(f)); };
  callbacks.on_error = [&](const ReadError& e) { out.errors.push_back(e); };
  callbacks.on_skipped_event = [&](std::string_view t) { out.skipped.emplace_back(t); };
  FindingReader reader;
  reader.ReadBuffer(data, "input.json", callbacks);
  return out;
}

const std::string kFindingA = RawFinding("a", NetworkAction());
const std::string kFindingB = RawFinding("b", NetworkAction(R"("ipAddressV6":"2a0b:4142::5")"));

TEST(FindingReader, ReadsARawFinding) {
  Collected got = Read(kFindingA);
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].id, "a");
  EXPECT_EQ(got.findings[0].indicators.at(0).indicator.value, "185.220.101.47");
}

TEST(FindingReader, ReadsAnEventBridgeEvent) {
  Collected got = Read(EventBridge(kFindingA));
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_TRUE(got.errors.empty());
}

TEST(FindingReader, SkipsOtherGuardDutyEventsAndCountsThem) {
  Collected got = Read(EventBridge("{}", "GuardDuty Runtime Protection Health"));
  EXPECT_TRUE(got.findings.empty());
  EXPECT_TRUE(got.errors.empty());
  ASSERT_EQ(got.skipped.size(), 1u);
  EXPECT_EQ(got.skipped[0], "GuardDuty Runtime Protection Health");
}

TEST(FindingReader, ReadsGetFindingsResponsesAndArrays) {
  EXPECT_EQ(Read(R"({"findings":[)" + kFindingA + "," + kFindingB + "]}").findings.size(), 2u);
  EXPECT_EQ(Read("[" + kFindingA + "," + EventBridge(kFindingB) + "]").findings.size(), 2u);
  Collected empty = Read(R"({"findings":[]})");
  EXPECT_TRUE(empty.findings.empty());
  EXPECT_TRUE(empty.errors.empty());
}

TEST(FindingReader, ReadsJsonLinesAndPrettyDocuments) {
  Collected lines = Read(kFindingA + "\n" + EventBridge(kFindingB) + "\r\n\n");
  EXPECT_EQ(lines.findings.size(), 2u);
  std::string pretty = "{\n  \"findings\": [\n" + kFindingA + ",\n" + kFindingB + "\n  ]\n}\n";
  EXPECT_EQ(Read(pretty).findings.size(), 2u);
}

TEST(FindingReader, ReadsGzipJsonLines) {
  Collected got = Read(Gzip(kFindingA + "\n" + kFindingB + "\n"));
  EXPECT_TRUE(got.errors.empty());
  EXPECT_EQ(got.findings.size(), 2u);
}

TEST(FindingReader, ConcatenatedGzipMembersAreAllRead) {
  Collected got = Read(Gzip(kFindingA + "\n") + Gzip(kFindingB + "\n"));
  EXPECT_EQ(got.findings.size(), 2u);
}

TEST(FindingReader, TruncatedGzipIsAClearError) {
  std::string gz = Gzip(kFindingA + "\n" + kFindingB + "\n");
  Collected got = Read(gz.substr(0, gz.size() / 2));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_NE(got.errors[0].message.find("gzip"), std::string::npos);
}

TEST(FindingReader, BadLineReportsItsLineAndTheRestIsRead) {
  std::string input = kFindingA + "\n" + kFindingA.substr(0, 80) + "\n" + kFindingB + "\n";
  Collected got = Read(input);
  EXPECT_EQ(got.findings.size(), 2u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_EQ(got.errors[0].source, "input.json");
  EXPECT_NE(got.errors[0].ToString().find("input.json:2:"), std::string::npos);
}

TEST(FindingReader, DamagedFirstLineDoesNotLoseTheRest) {
  Collected got = Read(kFindingA.substr(0, 50) + "\n" + kFindingA + "\n" + kFindingB + "\n");
  EXPECT_EQ(got.findings.size(), 2u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 1);
}

TEST(FindingReader, WrongTypesNameTheField) {
  std::string bad = RawFinding("x", NetworkAction());
  bad.replace(bad.find("\"severity\":"), 19, "\"severity\":\"high\"");
  Collected got = Read(kFindingA + "\n" + bad + "\n");
  EXPECT_EQ(got.findings.size(), 1u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].field, "severity");
  EXPECT_NE(got.errors[0].message.find("expected a number"), std::string::npos);
}

TEST(FindingReader, FieldPathsIncludeTheArrayIndex) {
  std::string bad = RawFinding("x", R"({"networkConnectionAction":"oops"})");
  Collected got = Read(R"({"findings":[)" + kFindingA + "," + bad + "]}");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].field, "findings[1].service.action.networkConnectionAction");
}

TEST(FindingReader, MissingRequiredFieldsAreErrors) {
  Collected got = Read(R"({"id":"x","severity":5})");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].field, "type");
  EXPECT_EQ(Read(R"({"unrelated":true})").errors.size(), 1u);
  EXPECT_EQ(Read("42").errors.size(), 1u);
}

TEST(FindingReader, SeverityOutOfRangeIsAnError) {
  std::string bad = RawFinding("x", NetworkAction(), 11);
  ASSERT_EQ(Read(bad).errors.size(), 1u);
}

TEST(FindingReader, HugeLineIsRefusedWithItsSize) {
  std::string huge = R"({"id":"x","type":"T","severity":5,"pad":")" + std::string(50u << 20, 'a') +
                     "\"}";
  Collected got = Read(kFindingA + "\n" + huge + "\n" + kFindingB + "\n");
  EXPECT_EQ(got.findings.size(), 2u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].line, 2);
  EXPECT_NE(got.errors[0].message.find("50 MiB"), std::string::npos) << got.errors[0].message;
}

TEST(FindingReader, DeepNestingIsAnErrorNotACrash) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Collected got = Read(kFindingA + "\n" + deep + "\n" + kFindingB + "\n");
  EXPECT_EQ(got.findings.size(), 2u);
  EXPECT_EQ(got.errors.size(), 1u);
}

TEST(FindingReader, BinaryGarbageIsAnError) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
  Collected got = Read(garbage);
  EXPECT_TRUE(got.findings.empty());
  EXPECT_FALSE(got.errors.empty());
}

TEST(FindingReader, EmptyInputIsNothing) {
  EXPECT_TRUE(Read("").errors.empty());
  EXPECT_TRUE(Read("\n\n  \n").errors.empty());
}

TEST(FindingReader, MissingFileIsReportedAndOthersAreRead) {
  FindingReader reader;
  int errors = 0;
  ReadCallbacks callbacks;
  callbacks.on_error = [&](const ReadError& e) {
    ++errors;
    EXPECT_NE(e.message.find("no such file"), std::string::npos) << e.message;
  };
  Status status = reader.ReadPaths({"/nonexistent/guardfeed.json"}, callbacks);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(errors, 1);
}

}  // namespace
}  // namespace guardfeed
