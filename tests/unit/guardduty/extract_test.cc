// Where indicators live in a finding (docs/guardduty.md), one test per location.
#include <gtest/gtest.h>

#include "core/time_util.h"
#include "guardduty/reader.h"
#include "test_findings.h"

namespace guardfeed {
namespace {

using testing::NetworkAction;
using testing::RawFinding;

Finding ReadOne(const std::string& json) {
  std::vector<Finding> findings;
  std::vector<std::string> errors;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& f) { findings.push_back(std::move(f)); };
  callbacks.on_error = [&](const ReadError& e) { errors.push_back(e.ToString()); };
  FindingReader reader;
  reader.ReadBuffer(json, "test", callbacks);
  EXPECT_TRUE(errors.empty()) << errors[0];
  EXPECT_EQ(findings.size(), 1u);
  return findings.empty() ? Finding{} : findings[0];
}

std::vector<std::string> Values(const Finding& finding) {
  std::vector<std::string> out;
  for (const auto& e : finding.indicators) out.push_back(e.indicator.value);
  return out;
}

using Strings = std::vector<std::string>;

TEST(Extract, FindingHeaderAndTimes) {
  Finding f = ReadOne(RawFinding("id-1", NetworkAction(), 7.5));
  EXPECT_EQ(f.id, "id-1");
  EXPECT_EQ(f.type, "Backdoor:EC2/C&CActivity.B");
  EXPECT_DOUBLE_EQ(f.severity, 7.5);
  EXPECT_EQ(f.account_id, "111122223333");
  EXPECT_EQ(f.region, "eu-west-1");
  EXPECT_EQ(f.action_type, "NETWORK_CONNECTION");
  EXPECT_EQ(f.direction, "OUTBOUND");
  EXPECT_EQ(f.count, 4);
  EXPECT_EQ(f.first_seen, ParseIso8601("2026-11-20T08:00:00Z").value());
  EXPECT_EQ(f.last_seen, ParseIso8601("2026-11-20T09:00:00Z").value());
  EXPECT_EQ(f.updated_at, ParseIso8601("2026-11-20T09:05:00Z").value());
  EXPECT_FALSE(f.archived);
  EXPECT_FALSE(f.sample);
}

TEST(Extract, NetworkConnectionIpv4AndIpv6NeverLocal) {
  Finding f = ReadOne(RawFinding(
      "n", NetworkAction(R"("ipAddressV4":"185.220.101.47","ipAddressV6":"2A0B:4142::0005")")));
  EXPECT_EQ(Values(f), (Strings{"185.220.101.47", "2a0b:4142::5"}));
  EXPECT_EQ(f.indicators[0].field, "networkConnectionAction.remoteIpDetails.ipAddressV4");
}

TEST(Extract, MappedIpv6IsIpv4AndDuplicatesCollapse) {
  Finding f = ReadOne(RawFinding(
      "n", NetworkAction(R"("ipAddressV4":"185.220.101.47","ipAddressV6":"::ffff:185.220.101.47")")));
  EXPECT_EQ(Values(f), (Strings{"185.220.101.47"}));
}

TEST(Extract, EveryPortProbeIp) {
  Finding f = ReadOne(RawFinding("p", R"({"actionType":"PORT_PROBE","portProbeAction":{
      "portProbeDetails":[
        {"localIpDetails":{"ipAddressV4":"10.0.0.5"},"remoteIpDetails":{"ipAddressV4":"45.155.205.233"}},
        {"localIpDetails":{"ipAddressV4":"10.0.0.5"},"remoteIpDetails":{"ipAddressV4":"80.94.95.115"}},
        {"remoteIpDetails":{"ipAddressV6":"2001:67c:2e8::1"}}]}})"));
  EXPECT_EQ(Values(f), (Strings{"45.155.205.233", "80.94.95.115", "2001:67c:2e8::1"}));
}

TEST(Extract, AwsApiCallRemoteIpButNeverAwsServiceDomains) {
  Finding ip = ReadOne(RawFinding("a", R"({"actionType":"AWS_API_CALL","awsApiCallAction":{
      "callerType":"Remote IP","remoteIpDetails":{"ipAddressV4":"185.220.101.33"}}})"));
  EXPECT_EQ(Values(ip), (Strings{"185.220.101.33"}));
  Finding domain = ReadOne(RawFinding("d", R"({"actionType":"AWS_API_CALL","awsApiCallAction":{
      "callerType":"Domain","domainDetails":{"domain":"cloudformation.amazonaws.com"}}})"));
  EXPECT_TRUE(domain.indicators.empty());
}

TEST(Extract, DnsRequestDomainNormalised) {
  Finding f = ReadOne(RawFinding("d", R"({"actionType":"DNS_REQUEST","dnsRequestAction":{
      "domain":"X7KQ2.Exfil-Tunnel.top.","domainWithSuffix":"exfil-tunnel.top"}})"));
  EXPECT_EQ(Values(f), (Strings{"x7kq2.exfil-tunnel.top"}));
  EXPECT_EQ(f.indicators[0].indicator.kind, IndicatorKind::kDomain);
}

TEST(Extract, DgaDomainInAdditionalInfo) {
  Finding f = ReadOne(RawFinding("g", R"({"actionType":"DNS_REQUEST","dnsRequestAction":{
      "domain":"qhzbxwotn.biz"}})", 8, R"(,"additionalInfo":{"domain":"zzqkxjwd.info"})"));
  EXPECT_EQ(Values(f), (Strings{"zzqkxjwd.info", "qhzbxwotn.biz"}));
}

TEST(Extract, KubernetesRemoteIpAndPublicSourceIpsOnly) {
  Finding f = ReadOne(RawFinding("k", R"({"actionType":"KUBERNETES_API_CALL",
      "kubernetesApiCallAction":{"sourceIPs":["10.20.7.9","193.142.146.35","100.64.1.1",
      "2a01:4f8::7"],"remoteIpDetails":{"ipAddressV4":"193.142.146.35"}}})"));
  EXPECT_EQ(Values(f), (Strings{"193.142.146.35", "2a01:4f8::7"}));
}

TEST(Extract, RdsLoginAttempt) {
  Finding f = ReadOne(RawFinding("r", R"({"actionType":"RDS_LOGIN_ATTEMPT",
      "rdsLoginAttemptAction":{"remoteIpDetails":{"ipAddressV4":"91.92.251.103"}}})"));
  EXPECT_EQ(Values(f), (Strings{"91.92.251.103"}));
}

TEST(Extract, AttackSequenceEndpoints) {
  Finding f = ReadOne(RawFinding("s", "{}", 9.2, R"(,"detection":{"sequence":{"endpoints":[
      {"id":"e1","ip":"185.220.101.33"},{"id":"e2","domain":"paste.malware-drop.xyz"},
      {"id":"e3","ip":null}]}})"));
  EXPECT_EQ(Values(f), (Strings{"185.220.101.33", "paste.malware-drop.xyz"}));
}

TEST(Extract, RuntimeFindingWithEmptyActionHasNoIndicators) {
  Finding f = ReadOne(RawFinding("rt", "{}"));
  EXPECT_TRUE(f.indicators.empty());
  EXPECT_EQ(f.action_type, "");
}

TEST(Extract, UnknownActionTypesAreIgnoredNotFatal) {
  Finding f = ReadOne(RawFinding("u", R"({"actionType":"SOMETHING_NEW_2027",
      "somethingNewAction":{"remoteIpDetails":{"ipAddressV4":"1.2.3.4"}}})"));
  EXPECT_EQ(f.action_type, "SOMETHING_NEW_2027");
  EXPECT_TRUE(f.indicators.empty());
}

TEST(Extract, InvalidAndNullValuesAreRejectedNotFatal) {
  Finding f = ReadOne(RawFinding(
      "i", NetworkAction(R"("ipAddressV4":"999.1.1.1","ipAddressV6":null)")));
  EXPECT_TRUE(f.indicators.empty());
  ASSERT_EQ(f.rejected.size(), 1u);
  EXPECT_EQ(f.rejected[0].field, "networkConnectionAction.remoteIpDetails.ipAddressV4");
}

TEST(Extract, SampleFlagInEitherPlace) {
  EXPECT_TRUE(ReadOne(RawFinding("s1", "{}", 5, R"(,"additionalInfo":{"sample":true})")).sample);
  EXPECT_TRUE(ReadOne(RawFinding("s2", "{}", 5,
                                 R"(,"additionalInfo":{"value":"{\"sample\":true}","type":"default"})"))
                  .sample);
  EXPECT_FALSE(ReadOne(RawFinding("s3", "{}", 5, R"(,"additionalInfo":{"value":"{}"})")).sample);
}

TEST(Extract, ArchivedFlag) {
  std::string json = RawFinding("x", NetworkAction());
  json.replace(json.find("\"archived\":false"), 16, "\"archived\":true");
  EXPECT_TRUE(ReadOne(json).archived);
}

TEST(Extract, IntegerSeverityAndMissingServiceTimesFallBack) {
  Finding f = ReadOne(R"({"id":"m","type":"T:X/Y","severity":5,
      "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z"})");
  EXPECT_DOUBLE_EQ(f.severity, 5);
  EXPECT_EQ(f.first_seen, ParseIso8601("2026-01-01T00:00:00Z").value());
  EXPECT_EQ(f.last_seen, ParseIso8601("2026-01-02T00:00:00Z").value());
}

}  // namespace
}  // namespace guardfeed
