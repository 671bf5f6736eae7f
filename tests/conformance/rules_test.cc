// Indicator locations the corpus does not exercise (IPv6, callerType "Domain", DGA
// additionalInfo.domain, public EKS sourceIPs, attack-sequence endpoints, archived findings),
// checked on real corpus findings with one field edited, so everything around the edit is as
// GuardDuty writes it.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "corpus.h"
#include "gtest/gtest.h"
#include "policy/policy.h"

namespace guardfeed::conformance {
namespace {

using Row = std::tuple<std::string, std::string, std::string>;  // value, kind, field

// `text` with the single occurrence of `from` replaced by `to`.
std::string ReplaceOnce(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) {
    ADD_FAILURE() << "expected exactly one '" << from << "' in the corpus finding";
    return text;
  }
  return text.replace(at, from.size(), to);
}

std::string SekoiaFinding(const char* file) {
  return UnwrapSekoiaMessage(ReadFileBytes(CorpusDir() / "sekoia-intake-formats" / file));
}

std::string ElasticDnsFinding() {
  std::string text = ReadFileBytes(CorpusDir() / "elastic-integrations/findings.jsonl");
  return text.substr(0, text.find('\n'));
}

// The one finding in `json`, after checking it read without error.
Finding ReadOne(const std::string& json) {
  ReadOutcome outcome = ReadAll(json, "edited");
  for (const ReadError& error : outcome.errors) ADD_FAILURE() << error.ToString();
  if (outcome.findings.size() != 1) {
    ADD_FAILURE() << "expected one finding, got " << outcome.findings.size();
    return Finding{};
  }
  return std::move(outcome.findings[0]);
}

std::vector<Row> Rows(const Finding& finding) {
  std::vector<Row> rows;
  for (const ExtractedIndicator& e : finding.indicators) {
    rows.emplace_back(e.indicator.value, KindName(e.indicator.kind), e.field);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

constexpr const char* kNetIp = "networkConnectionAction.remoteIpDetails.ipAddressV4";

TEST_F(GuardDutyCorpus, Ipv6RemoteAddressIsListedBesideIpv4) {
  Finding finding = ReadOne(ReplaceOnce(
      SekoiaFinding("event_instance_network.json"), R"("remoteIpDetails":{"ipAddressV4")",
      R"("remoteIpDetails":{"ipAddressV6":"2001:DB8:0:0::7","ipAddressV4")"));
  EXPECT_EQ(Rows(finding),
            (std::vector<Row>{
                {"198.51.100.0", "ipv4", kNetIp},
                {"2001:db8::7", "ipv6", "networkConnectionAction.remoteIpDetails.ipAddressV6"}}));
}

TEST_F(GuardDutyCorpus, Ipv4MappedIpv6IsTheSameIndicatorAsIpv4) {
  Finding finding = ReadOne(ReplaceOnce(
      SekoiaFinding("event_instance_network.json"), R"("remoteIpDetails":{"ipAddressV4")",
      R"("remoteIpDetails":{"ipAddressV6":"::ffff:198.51.100.0","ipAddressV4")"));
  EXPECT_EQ(Rows(finding), (std::vector<Row>{{"198.51.100.0", "ipv4", kNetIp}}));
}

TEST_F(GuardDutyCorpus, AwsServiceCallerDomainIsNeverListed) {
  Finding finding = ReadOne(ReplaceOnce(
      SekoiaFinding("event_accesskey_apicall.json"), R"("callerType":"Remote IP")",
      R"("callerType":"Domain","domainDetails":{"domain":"cloudformation.amazonaws.com"})"));
  EXPECT_EQ(
      Rows(finding),
      (std::vector<Row>{{"198.51.100.0", "ipv4", "awsApiCallAction.remoteIpDetails.ipAddressV4"}}));
  EXPECT_TRUE(finding.rejected.empty());
}

TEST_F(GuardDutyCorpus, DgaDomainInAdditionalInfoIsListed) {
  Finding finding = ReadOne(ReplaceOnce(ElasticDnsFinding(), R"("additionalInfo":{)",
                                        R"("additionalInfo":{"domain":"Qx3v9k.Example.NET.",)"));
  EXPECT_EQ(Rows(finding),
            (std::vector<Row>{{"qx3v9k.example.net", "domain", "service.additionalInfo.domain"}}));
  // The queried name itself is still the sample's single-label placeholder.
  ASSERT_EQ(finding.rejected.size(), 1u);
  EXPECT_EQ(finding.rejected[0].field, "dnsRequestAction.domain");
}

TEST_F(GuardDutyCorpus, OnlyPublicKubernetesSourceIpsAreListed) {
  Finding finding = ReadOne(ReplaceOnce(
      SekoiaFinding("event_ekscluster.json"), R"("sourceIPs":["10.0.0.23"])",
      R"("sourceIPs":["10.0.0.23","81.2.69.160","100.64.1.2","fd00::5","2a02:ec0::1"])"));
  const char* source = "kubernetesApiCallAction.sourceIPs[]";
  EXPECT_EQ(Rows(finding),
            (std::vector<Row>{
                {"198.51.100.0", "ipv4", "kubernetesApiCallAction.remoteIpDetails.ipAddressV4"},
                {"2a02:ec0::1", "ipv6", source},
                {"81.2.69.160", "ipv4", source}}));
}

TEST_F(GuardDutyCorpus, AttackSequenceEndpointsAreListed) {
  Finding finding = ReadOne(ReplaceOnce(
      SekoiaFinding("event_instance_network.json"), R"("service":{"serviceName":"guardduty",)",
      R"("service":{"serviceName":"guardduty","detection":{"sequence":{"endpoints":[)"
      R"({"ip":"81.2.69.161"},{"domain":"c2.example.org"},{"ip":"198.51.100.0"}]}},)"));
  EXPECT_EQ(
      Rows(finding),
      (std::vector<Row>{{"198.51.100.0", "ipv4", kNetIp},
                        {"81.2.69.161", "ipv4", "detection.sequence.endpoints[].ip"},
                        {"c2.example.org", "domain", "detection.sequence.endpoints[].domain"}}));
}

TEST_F(GuardDutyCorpus, ArchivedFindingWithdrawsItsIndicators) {
  Finding finding = ReadOne(ReplaceOnce(SekoiaFinding("event_instance_network.json"),
                                        R"("archived":false)", R"("archived":true)"));
  EXPECT_TRUE(finding.archived);
  EXPECT_EQ(Rows(finding), (std::vector<Row>{{"198.51.100.0", "ipv4", kNetIp}}));
  EXPECT_TRUE(Policy(PolicyOptions{}).Withdraws(finding));
  PolicyOptions keep;
  keep.archived_withdraws = false;
  EXPECT_FALSE(Policy(keep).Withdraws(finding));
}

}  // namespace
}  // namespace guardfeed::conformance
