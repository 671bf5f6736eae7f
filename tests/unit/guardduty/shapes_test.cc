// The shapes users hold findings in besides GuardDuty's own: the AWS CLI's / boto3's
// {"Findings":[...]} (the SDK's PascalCase member names), Security Hub's ASFF, and hand-made
// test events without a detail-type, finding id or type.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guardduty/reader.h"

namespace guardfeed {
namespace {

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

std::vector<std::string> Indicators(const Finding& f) {
  std::vector<std::string> out;
  for (const ExtractedIndicator& e : f.indicators) out.push_back(e.indicator.value + "@" + e.field);
  return out;
}

// --- AWS CLI / boto3 ---------------------------------------------------------------------

const std::string kSdkFinding =
    R"({"AccountId":"111122223333","Id":"p1","Region":"eu-west-1","SchemaVersion":"2.0",)"
    R"("Severity":8,"Type":"Discovery:Kubernetes/MaliciousIPCaller",)"
    R"("CreatedAt":"2026-11-20T08:05:00.000Z","UpdatedAt":"2026-11-20T09:05:00.000Z",)"
    R"("Service":{"Action":{"ActionType":"KUBERNETES_API_CALL","KubernetesApiCallAction":{)"
    R"("RemoteIpDetails":{"IpAddressV4":"185.220.101.48"},)"
    R"("SourceIps":["10.0.0.1","185.220.101.47"]}},"Archived":true,"Count":3,)"
    R"("EventFirstSeen":"2026-11-20T08:00:00.000Z","EventLastSeen":"2026-11-20T09:00:00Z",)"
    R"("AdditionalInfo":{"Value":"{\"sample\":true}","Type":"default"}}})";

TEST(SdkShape, ReadsAwsCliGetFindingsOutput) {
  Collected got = Read("{\n    \"Findings\": [\n" + kSdkFinding + "\n    ]\n}\n");
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  const Finding& f = got.findings[0];
  EXPECT_EQ(f.id, "p1");
  EXPECT_EQ(f.type, "Discovery:Kubernetes/MaliciousIPCaller");
  EXPECT_EQ(f.severity, 8);
  EXPECT_EQ(f.account_id, "111122223333");
  EXPECT_EQ(f.action_type, "KUBERNETES_API_CALL");
  EXPECT_EQ(f.count, 3);
  EXPECT_TRUE(f.archived);
  EXPECT_TRUE(f.sample);  // inside AdditionalInfo.Value, the only place the model has for it
  EXPECT_EQ(f.first_seen, 1795161600);
  EXPECT_EQ(f.updated_at, 1795165500);
  EXPECT_FALSE(f.derived_identity);
  // Indicator fields keep GuardDuty's own names, so a finding explains the same either way.
  EXPECT_EQ(Indicators(f), (std::vector<std::string>{
                               "185.220.101.48@kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
                               "185.220.101.47@kubernetesApiCallAction.sourceIPs[]"}));
}

TEST(SdkShape, ReadsOneFindingOutsideAResponse) {
  Collected got = Read(kSdkFinding);  // e.g. jq '.Findings[0]'
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].indicators.size(), 2u);
}

TEST(SdkShape, ErrorsNameTheFieldAsTheDocumentSpellsIt) {
  Collected got = Read(R"({"Findings":[)" + kSdkFinding +
                       R"(,{"Id":"p2","Type":"T","Severity":5,"Service":{"Count":{}}},)"
                       R"({"Id":"p3","Severity":5}]})");
  ASSERT_EQ(got.errors.size(), 2u);
  EXPECT_EQ(got.errors[0].field, "Findings[1].Service.Count");
  EXPECT_EQ(got.errors[0].message, "expected a number, got an object");
  EXPECT_EQ(got.errors[1].field, "Findings[2].Type");
  EXPECT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(Read(R"({"Findings":{}})").errors.at(0).field, "Findings");
}

TEST(SdkShape, NamesAreThoseOfTheFindingsShapeNotMixed) {
  // A PascalCase finding is read with PascalCase names only: a camelCase sourceIPs inside it is
  // not a member of the model, and boto3 would never print it.
  Collected got = Read(R"({"Findings":[{"Id":"p","Type":"T","Severity":5,"Service":{"Action":{)"
                       R"("KubernetesApiCallAction":{"sourceIPs":["185.220.101.47"]}}}}]})");
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_TRUE(got.findings[0].indicators.empty());
}

// --- Security Hub ASFF ------------------------------------------------------------------------

// Trimmed from "Typical finding from GuardDuty" in the GuardDuty User Guide (Security Hub
// integration).
const std::string kAsffSshBruteForce = R"({
  "SchemaVersion": "2018-10-08",
  "Id": "arn:aws:guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64/finding/46ba0ac2845071e23ccdeb2ae03bfdea",
  "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
  "GeneratorId": "arn:aws:guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64",
  "AwsAccountId": "193043430472",
  "Types": ["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"],
  "FirstObservedAt": "2020-08-22T09:15:57Z",
  "LastObservedAt": "2020-09-30T11:56:49Z",
  "CreatedAt": "2020-08-22T09:34:34.146Z",
  "UpdatedAt": "2020-09-30T12:14:00.206Z",
  "Severity": {"Product": 2, "Label": "MEDIUM", "Normalized": 40},
  "ProductFields": {
    "aws/guardduty/service/archived": "false",
    "aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4": "199.241.229.197",
    "aws/guardduty/service/action/networkConnectionAction/localIpDetails/ipAddressV4": "172.31.43.6",
    "aws/guardduty/service/action/networkConnectionAction/connectionDirection": "INBOUND",
    "aws/guardduty/service/action/actionType": "NETWORK_CONNECTION",
    "aws/guardduty/service/additionalInfo": "",
    "aws/guardduty/service/count": "74",
    "aws/securityhub/ProductName": "GuardDuty",
    "aws/securityhub/CompanyName": "Amazon"
  },
  "Resources": [{"Type": "AwsEc2Instance", "Region": "us-east-1",
                 "Details": {"AwsEc2Instance": {"IpV4Addresses": ["18.234.130.16", "172.31.43.6"]}}}],
  "Workflow": {"Status": "NEW"},
  "RecordState": "ACTIVE"
})";

TEST(AsffShape, ReadsTheDocumentedGuardDutyFinding) {
  Collected got = Read(R"({"Findings":[)" + kAsffSshBruteForce + "]}");
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  const Finding& f = got.findings[0];
  EXPECT_EQ(f.id, "46ba0ac2845071e23ccdeb2ae03bfdea");
  EXPECT_EQ(f.type, "UnauthorizedAccess:EC2/SSHBruteForce");
  EXPECT_EQ(f.severity, 2);  // Severity.Product: GuardDuty's own scale
  EXPECT_EQ(f.account_id, "193043430472");
  EXPECT_EQ(f.region, "us-east-1");  // from the finding ARN: no Region member
  EXPECT_EQ(f.action_type, "NETWORK_CONNECTION");
  EXPECT_EQ(f.direction, "INBOUND");
  EXPECT_EQ(f.count, 74);
  EXPECT_FALSE(f.archived);
  EXPECT_EQ(f.first_seen, 1598087757);
  // Only the remote address: never localIpDetails or the instance's own addresses.
  EXPECT_EQ(Indicators(f),
            (std::vector<std::string>{
                "199.241.229.197@networkConnectionAction.remoteIpDetails.ipAddressV4"}));
}

// A GuardDuty ASFF finding: `rest` adds members and closes the object.
std::string Asff(const std::string& rest) {
  return R"({"SchemaVersion":"2018-10-08","ProductName":"GuardDuty",)"
         R"("Id":"arn:aws:guardduty:eu-west-1:111122223333:detector/d/finding/f1",)"
         R"("AwsAccountId":"111122223333","Region":"eu-west-1",)"
         R"("UpdatedAt":"2026-11-20T09:05:00Z",)" +
         rest;
}

const std::string kTypes = R"("Types":["TTPs/Command and Control/Backdoor:EC2-C&CActivity.B"])";

TEST(AsffShape, RemoteEndOfTheNetworkObjectOnly) {
  Collected got = Read(Asff(kTypes + R"(,"Severity":{"Original":"5.5"},"Network":{)"
                                     R"("Direction":"OUT","SourceIpV4":"10.0.0.5",)"
                                     R"("DestinationIpV4":"185.220.101.47"}})"));
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].severity, 5.5);
  EXPECT_EQ(got.findings[0].type, "Backdoor:EC2/C&CActivity.B");
  EXPECT_EQ(Indicators(got.findings[0]),
            (std::vector<std::string>{"185.220.101.47@Network.DestinationIpV4"}));
  got = Read(Asff(kTypes + R"(,"Severity":{"Product":5},"Network":{"Direction":"IN",)"
                           R"("SourceIpV6":"2a0b:4142::5","DestinationIpV4":"10.0.0.5"}})"));
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(Indicators(got.findings[0]),
            (std::vector<std::string>{"2a0b:4142::5@Network.SourceIpV6"}));
}

TEST(AsffShape, ActionObjectAndProductFields) {
  Collected got = Read(
      Asff(kTypes + R"(,"Severity":{"Normalized":70},"Action":{"ActionType":"PORT_PROBE",)"
                    R"("PortProbeAction":{"PortProbeDetails":[{"LocalIpDetails":{"IpAddressV4":)"
                    R"("10.0.0.5"},"RemoteIpDetails":{"IpAddressV4":"185.220.101.47"}}]}},)"
                    R"("ProductFields":{"aws/guardduty/service/action/rdsLoginAttemptAction/)"
                    R"(remoteIpDetails/ipAddressV4":"185.220.101.48",)"
                    R"("aws/guardduty/service/additionalInfo/sample":"true"}})"));
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  const Finding& f = got.findings[0];
  EXPECT_EQ(f.severity, 7);  // Normalized / 10 when GuardDuty's own value is absent
  EXPECT_EQ(f.action_type, "PORT_PROBE");
  EXPECT_TRUE(f.sample);
  EXPECT_EQ(Indicators(f),
            (std::vector<std::string>{
                "185.220.101.47@portProbeAction.portProbeDetails[].remoteIpDetails.ipAddressV4",
                "185.220.101.48@rdsLoginAttemptAction.remoteIpDetails.ipAddressV4"}));
}

TEST(AsffShape, RecoversTheGuardDutyTypeFromTypes) {
  auto type_of = [](const std::string& types) {
    Collected got = Read(Asff(types + R"(,"Severity":{"Original":"5"}})"));
    return got.findings.empty() ? "error: " + got.errors.at(0).field : got.findings[0].type;
  };
  EXPECT_EQ(type_of(R"("Types":["TTPs/PenTest:S3/KaliLinux"])"), "PenTest:S3/KaliLinux");
  EXPECT_EQ(type_of(R"("Types":["TTPs//UnauthorizedAccess:IAMUser-MaliciousIPCaller"])"),
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller");
  EXPECT_EQ(type_of(R"("Types":["Effects/Data Exfiltration/Trojan:EC2-DNSDataExfiltration"])"),
            "Trojan:EC2/DNSDataExfiltration");
  // The provider's types win: customers may rewrite the top-level Types in Security Hub.
  EXPECT_EQ(type_of(R"("Types":["Custom/Mine/Whatever:X-Y"],"FindingProviderFields":{)"
                    R"("Types":["TTPs/Discovery/Recon:EC2-Portscan"]})"),
            "Recon:EC2/Portscan");
  EXPECT_EQ(type_of(R"("Types":["Software and Configuration Checks"])"), "error: Types");
}

TEST(AsffShape, ArchivedAndSuppressedFindingsWithdraw) {
  std::string severity = R"(,"Severity":{"Original":"5"})";
  EXPECT_TRUE(
      Read(Asff(kTypes + severity + R"(,"RecordState":"ARCHIVED"})")).findings.at(0).archived);
  EXPECT_TRUE(Read(Asff(kTypes + severity + R"(,"Workflow":{"Status":"SUPPRESSED"}})"))
                  .findings.at(0)
                  .archived);
  EXPECT_FALSE(Read(Asff(kTypes + severity + R"(,"Workflow":{"Status":"RESOLVED"}})"))
                   .findings.at(0)
                   .archived);
}

TEST(AsffShape, MissingSeverityIsAnError) {
  Collected got =
      Read(R"({"Findings":[)" + Asff(kTypes + R"(,"Severity":{"Label":"HIGH"}})") + "]}");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].field, "Findings[0].Severity");
}

TEST(AsffShape, OtherProductsAreSkippedAndCounted) {
  std::string inspector =
      R"({"SchemaVersion":"2018-10-08","ProductName":"Inspector","AwsAccountId":"1",)"
      R"("ProductArn":"arn:aws:securityhub:us-east-1::product/aws/inspector","Id":"i1"})";
  std::string macie = R"({"SchemaVersion":"2018-10-08","AwsAccountId":"1","Id":"m1",)"
                      R"("ProductArn":"arn:aws:securityhub:us-east-1::product/aws/macie"})";
  std::string event = R"({"version":"0","id":"e","detail-type":"Security Hub Findings - Imported",)"
                      R"("source":"aws.securityhub","detail":{"findings":[)" +
                      inspector + "," + macie + "," + kAsffSshBruteForce + "]}}";
  Collected got = Read(event);
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].id, "46ba0ac2845071e23ccdeb2ae03bfdea");
  EXPECT_EQ(got.skipped,
            (std::vector<std::string>{
                "Security Hub finding from Inspector",
                "Security Hub finding from arn:aws:securityhub:us-east-1::product/aws/macie"}));
  // A custom action (a user sending findings on from the console) carries the same ASFF.
  std::string custom = event;
  custom.replace(custom.find("Imported"), 8, "Custom Action");
  EXPECT_EQ(Read(custom).findings.size(), 1u);
  EXPECT_EQ(Read(R"({"detail-type":"Security Hub Insight Results","detail":{}})").skipped.size(),
            1u);
  EXPECT_EQ(
      Read(R"({"detail-type":"Security Hub Findings - Imported","detail":{}})").errors.at(0).field,
      "detail.findings");
}

// --- hand-made test events ---------------------------------------------------------------------

// The Fortinet Lambda README's test event.
const std::string kFortinetEvent = R"({
  "id": "fa9fa4a5-0232-188d-da1c-af410bcfc344",
  "detail": {
    "service": {
      "serviceName": "guardduty",
      "action": {"networkConnectionAction": {"connectionDirection": "INBOUND",
                 "remoteIpDetails": {"ipAddressV4": "192.168.123.123"}}},
      "additionalInfo": {"threatListName": "GeneratedFindingThreatListName"},
      "eventLastSeen": "2018-07-18T22:12:01.720Z"
    },
    "severity": 3
  }
})";

std::string Compact(const std::string& json) {
  std::string out;
  bool in_string = false;
  for (char c : json) {
    if (c == '"') in_string = !in_string;
    if (in_string || (c != ' ' && c != '\n')) out.push_back(c);
  }
  return out;
}

TEST(TestEvent, FortinetTestEventGetsADerivedIdAndType) {
  Collected got = Read(kFortinetEvent);
  ASSERT_TRUE(got.errors.empty()) << got.errors[0].ToString();
  ASSERT_EQ(got.findings.size(), 1u);
  const Finding& f = got.findings[0];
  EXPECT_TRUE(f.derived_identity);
  EXPECT_TRUE(f.id.starts_with("derived-"));
  EXPECT_EQ(f.id.size(), 40u);
  EXPECT_EQ(f.type, "Unknown:Unknown/NETWORK_CONNECTION");
  EXPECT_EQ(f.severity, 3);
  EXPECT_EQ(f.direction, "INBOUND");
  EXPECT_EQ(f.last_seen, 1531951921);
  EXPECT_EQ(Indicators(f),
            (std::vector<std::string>{
                "192.168.123.123@networkConnectionAction.remoteIpDetails.ipAddressV4"}));

  // Stable: the same event however it is laid out, or under another event id, is one finding;
  // a different finding is another.
  Collected compact =
      Read(Compact(kFortinetEvent) + "\n" + Compact(kFortinetEvent).replace(7, 4, "ffff") + "\n");
  ASSERT_EQ(compact.findings.size(), 2u);
  EXPECT_EQ(compact.findings[0].id, f.id);
  EXPECT_EQ(compact.findings[1].id, f.id);
  std::string other = kFortinetEvent;
  other.replace(other.find("192.168.123.123"), 15, "185.220.101.47");
  EXPECT_NE(Read(other).findings.at(0).id, f.id);
}

TEST(TestEvent, OwnIdAndTypeWinAndSeverityIsStillRequired) {
  Collected got = Read(R"({"id":"event-1","detail":{"id":"f-1","type":"Recon:EC2/Portscan",)"
                       R"("severity":5,"service":{"action":{"actionType":"PORT_PROBE"}}}})");
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].id, "f-1");
  EXPECT_EQ(got.findings[0].type, "Recon:EC2/Portscan");
  EXPECT_FALSE(got.findings[0].derived_identity);

  got = Read(R"({"id":"e","detail":{"service":{"action":{"actionType":"PORT_PROBE"}},)"
             R"("severity":2}})");
  ASSERT_EQ(got.findings.size(), 1u);
  EXPECT_EQ(got.findings[0].type, "Unknown:Unknown/PORT_PROBE");

  got = Read(R"({"id":"e","detail":{"service":{}}})");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].field, "detail.severity");
  // Outside a test event a finding without a type is still an error.
  EXPECT_EQ(Read(R"({"id":"x","severity":5})").errors.at(0).field, "type");
}

}  // namespace
}  // namespace guardfeed
