// Regression tests for parser bugs found while writing the conformance tests and fuzzing, one
// test per bug, named after it. They need no corpus.
#include <string>

#include "corpus.h"
#include "gtest/gtest.h"

namespace guardfeed::conformance {
namespace {

constexpr std::string_view kHeader = R"("id":"f1","type":"Recon:EC2/PortProbeUnprotectedPort",)"
                                     R"("severity":5)";

std::string FindingWithService(std::string_view service) {
  return "{" + std::string(kHeader) + R"(,"service":)" + std::string(service) + "}";
}

// Iterating the absent array of an optional field dereferenced a null simdjson document.
TEST(ExtractRegression, PortProbeWithoutPortProbeDetails) {
  for (const char* action :
       {R"({"portProbeAction":{}})", R"({"portProbeAction":{"portProbeDetails":null}})"}) {
    ReadOutcome outcome =
        ReadAll(FindingWithService(R"({"action":)" + std::string(action) + "}"), "probe");
    ASSERT_EQ(outcome.findings.size(), 1u) << action;
    EXPECT_TRUE(outcome.findings[0].indicators.empty());
  }
}

TEST(ExtractRegression, KubernetesCallWithoutSourceIps) {
  ReadOutcome outcome =
      ReadAll(FindingWithService(R"({"action":{"actionType":"KUBERNETES_API_CALL",)"
                                 R"("kubernetesApiCallAction":{"remoteIpDetails":)"
                                 R"({"ipAddressV4":"81.2.69.160"}}}})"),
              "k8s");
  ASSERT_EQ(outcome.findings.size(), 1u);
  ASSERT_EQ(outcome.findings[0].indicators.size(), 1u);
  EXPECT_EQ(outcome.findings[0].indicators[0].indicator.value, "81.2.69.160");
}

TEST(ExtractRegression, AttackSequenceWithoutEndpoints) {
  ReadOutcome outcome = ReadAll(FindingWithService(R"({"detection":{"sequence":{}}})"), "seq");
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_TRUE(outcome.findings[0].indicators.empty());
}

// Gzip data was inflated again as long as it still looked like gzip: a gzip quine (a file that
// inflates to itself) recursed until the stack overflowed, and nested bombs multiplied. Now one
// gzip inside gzip is read (a .gz body sent with Content-Encoding: gzip), under the same budget.
TEST(ReaderRegression, GzipInsideGzipIsReadOnceAndNoDeeper) {
  std::string finding = "{" + std::string(kHeader) + "}\n";
  ReadOutcome once = ReadAll(Gzip(finding), "once.gz");
  EXPECT_EQ(once.findings.size(), 1u);
  EXPECT_TRUE(once.errors.empty());

  // A gzip body sent with Content-Encoding: gzip is gzip inside gzip: read, under one budget.
  ReadOutcome twice = ReadAll(Gzip(Gzip(finding)), "twice.gz");
  EXPECT_EQ(twice.findings.size(), 1u);
  EXPECT_TRUE(twice.errors.empty());

  // A third level is data, never followed (a gzip quine would otherwise recurse forever).
  ReadOutcome thrice = ReadAll(Gzip(Gzip(Gzip(finding))), "thrice.gz");
  EXPECT_TRUE(thrice.findings.empty());
  ASSERT_EQ(thrice.errors.size(), 1u);
}

// The UTF-8 byte order mark was dropped for the shape check but not when reading line by line,
// so a JSON Lines file saved with a BOM lost its first finding.
TEST(ReaderRegression, JsonLinesStartingWithByteOrderMark) {
  std::string line = "{" + std::string(kHeader) + "}";
  ReadOutcome outcome = ReadAll("\xEF\xBB\xBF" + line + "\n" + line + "\n", "bom.jsonl");
  EXPECT_TRUE(outcome.errors.empty()) << outcome.errors[0].ToString();
  EXPECT_EQ(outcome.findings.size(), 2u);
}

}  // namespace
}  // namespace guardfeed::conformance
