#include "expectations.h"

namespace guardfeed::conformance {
namespace {

constexpr IndicatorKind kIpv4 = IndicatorKind::kIpv4;
constexpr IndicatorKind kDomain = IndicatorKind::kDomain;
constexpr bool kSample = true;
constexpr bool kReal = false;

// Action types and connection directions as GuardDuty writes them.
constexpr std::string_view kApiCall = "AWS_API_CALL";
constexpr std::string_view kNetwork = "NETWORK_CONNECTION";
constexpr std::string_view kDnsRequest = "DNS_REQUEST";
constexpr std::string_view kPortProbe = "PORT_PROBE";
constexpr std::string_view kKubernetes = "KUBERNETES_API_CALL";
constexpr std::string_view kRdsLogin = "RDS_LOGIN_ATTEMPT";
constexpr std::string_view kIn = "INBOUND";
constexpr std::string_view kOut = "OUTBOUND";

// Where each indicator comes from (relative to service.action).
constexpr std::string_view kApiIp = "awsApiCallAction.remoteIpDetails.ipAddressV4";
constexpr std::string_view kNetIp = "networkConnectionAction.remoteIpDetails.ipAddressV4";
constexpr std::string_view kProbeIp =
    "portProbeAction.portProbeDetails[].remoteIpDetails.ipAddressV4";
constexpr std::string_view kK8sIp = "kubernetesApiCallAction.remoteIpDetails.ipAddressV4";
constexpr std::string_view kRdsIp = "rdsLoginAttemptAction.remoteIpDetails.ipAddressV4";
constexpr std::string_view kDnsDomain = "dnsRequestAction.domain";

// GuardDuty's sample generator puts 198.51.100.0 (TEST-NET-2) in every remoteIpDetails and a
// single-label "GeneratedFindingDomainName" in DNS findings; the latter is no blockable domain.

// The tables below keep one finding per entry (two lines) for reading against the JSON.
// clang-format off

// --- foxsec-pipeline: EventBridge events, all sample findings. Every instance's
// networkInterfaces (publicIp 198.51.100.0, privateIpAddress 10.0.0.1) are ours, never listed.

std::vector<ExpectedFinding> FoxsecSampleFindings() {
  return {
      {"70b59ed2edb335b9fd22b159aa3234a0", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"aaaaa232edb335b9fd22b159aa3234a0", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"56b59ed2edaf6a84291f8d2ed96ad488", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"8eb59ed2edb365934d69edec9ec08f6a", kApiCall, "", kSample,  // severity 2
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"6eb59ed2edae61c5522cbfbe8b2fe078", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"08b59ed2edb4d3b13f13d294f64db549", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"02b59ed2edb6f2ae5690ffa9ee5ebd89", kDnsRequest, "", kSample,
       {{"example.com", kDomain, kDnsDomain}}, {}},
      {"c4b59ed2edb47b698856e71c67bdf10d", kNetwork, kIn, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"36b59ed2edad8b965a0ee921052cb481", kPortProbe, "", kSample,  // severity 2
       {{"198.51.100.0", kIpv4, kProbeIp}}, {}},
      {"62b59ed2edb7644a919f173a285b8b6a", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"90b59ed2edb565c217c3c7d55028842f", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"dcb59ed2edb03ff047e5e243eff9a83a", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"e8b59ed2edb563dc428cc7e88b3615b2", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"3ab59ed2edb29aedfc3640850a9ea697", kDnsRequest, "", kSample,
       {{"ignore.com", kDomain, kDnsDomain}}, {}},
      // DGA sample: the queried name is the placeholder; the instance's publicIp is ours.
      {"eab59ed2edadbbeec48f69680ca4e979", kDnsRequest, "", kSample, {}, {kDnsDomain}},
      {"7cb59ed2edaf06046a1a4658726c1cc9", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"cab59ed2edb1da9fdb9bf60566c819cc", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"6cb59ed2edb5d43be93e7c05034427bf", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"e4fcb9e378ce3a8a3f3b3f2021df82e3", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"e4fcb9e692ce3a8a3f4a3f9091df82e3", kNetwork, kIn, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
  };
}

// The "default" file: the same samples as generated, without aaaaa232... and with every DNS
// finding still carrying the single-label placeholder.
std::vector<ExpectedFinding> FoxsecDefaultFindings() {
  return {
      {"70b59ed2edb335b9fd22b159aa3234a0", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"56b59ed2edaf6a84291f8d2ed96ad488", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"8eb59ed2edb365934d69edec9ec08f6a", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"6eb59ed2edae61c5522cbfbe8b2fe078", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"08b59ed2edb4d3b13f13d294f64db549", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"02b59ed2edb6f2ae5690ffa9ee5ebd89", kDnsRequest, "", kSample, {}, {kDnsDomain}},
      {"c4b59ed2edb47b698856e71c67bdf10d", kNetwork, kIn, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"36b59ed2edad8b965a0ee921052cb481", kPortProbe, "", kSample,
       {{"198.51.100.0", kIpv4, kProbeIp}}, {}},
      {"62b59ed2edb7644a919f173a285b8b6a", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"90b59ed2edb565c217c3c7d55028842f", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"dcb59ed2edb03ff047e5e243eff9a83a", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"e8b59ed2edb563dc428cc7e88b3615b2", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"3ab59ed2edb29aedfc3640850a9ea697", kDnsRequest, "", kSample, {}, {kDnsDomain}},
      {"eab59ed2edadbbeec48f69680ca4e979", kDnsRequest, "", kSample, {}, {kDnsDomain}},
      {"7cb59ed2edaf06046a1a4658726c1cc9", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"cab59ed2edb1da9fdb9bf60566c819cc", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"6cb59ed2edb5d43be93e7c05034427bf", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"e4fcb9e378ce3a8a3f3b3f2021df82e3", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"e4fcb9e692ce3a8a3f4a3f9091df82e3", kNetwork, kIn, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
  };
}

// Two finding ids re-sent under different EventBridge event ids (same updatedAt each time).
std::vector<ExpectedFinding> FoxsecDuplicateFindings() {
  return {
      {"56b59ed2edaf6a84291f8d2ed96ad488", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"56b59ed2edaf6a84291f8d2ed96ad488", kApiCall, "", kSample,
       {{"198.51.100.0", kIpv4, kApiIp}}, {}},
      {"08b59ed2edb4d3b13f13d294f64db549", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"08b59ed2edb4d3b13f13d294f64db549", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
      {"08b59ed2edb4d3b13f13d294f64db549", kNetwork, kOut, kSample,
       {{"198.51.100.0", kIpv4, kNetIp}}, {}},
  };
}

// --- sekoia-intake-formats: raw findings (samples; additionalInfo has both the flattened
// "sample": true and the JSON string value).

// Also event_rdsdb_loginattempt.json (byte-identical; despite its name an API call finding).
const ExpectedFinding kSekoiaAccessKeyApiCall = {
    "16dd674a4cb5437c9a66d14f11839b02", kApiCall, "", kSample,
    {{"198.51.100.0", kIpv4, kApiIp}}, {}};
const ExpectedFinding kSekoiaAccessKeyUnusual = {
    "53a87f7e55ce432c833e952613829048", kApiCall, "", kSample,
    {{"198.51.100.0", kIpv4, kApiIp}}, {}};
// Malware scans: no action, hence no indicator (the file names like eicar.com are not domains).
const ExpectedFinding kSekoiaContainer = {"16f05caa14654697a0725be23b9e1a0f", "", "", kSample,
                                          {}, {}};
const ExpectedFinding kSekoiaEcsCluster = {"cfa85e08f16d4f0bad271c90a1fae771", "", "", kSample,
                                           {}, {}};
// sourceIPs holds 10.0.0.23, a private proxy address: only the public remote IP counts.
const ExpectedFinding kSekoiaEksCluster = {
    "df2295bd4966407b84223c9a4ae09eab", kKubernetes, "", kSample,
    {{"198.51.100.0", kIpv4, kK8sIp}}, {}};
// localIpDetails 10.0.0.23 is our instance.
const ExpectedFinding kSekoiaInstanceNetwork = {
    "00f996e6c7804e4c8b4b61e60f5fc423", kNetwork, kOut, kSample,
    {{"198.51.100.0", kIpv4, kNetIp}}, {}};
// Two probing IPs, both listed; localIpDetails 10.0.0.23 of each probe is ours.
const ExpectedFinding kSekoiaInstancePortProbe = {
    "ae7f69675d8744f78ab7ab2aab229d30", kPortProbe, "", kSample,
    {{"198.51.100.0", kIpv4, kProbeIp}, {"198.51.100.1", kIpv4, kProbeIp}}, {}};
const ExpectedFinding kSekoiaS3BucketApiCall = {
    "3941673a580340dcb61648a3e15def75", kApiCall, "", kSample,
    {{"198.51.100.0", kIpv4, kApiIp}}, {}};

// --- elastic-integrations: raw findings, GetFindings item shape.
std::vector<ExpectedFinding> ElasticFindings() {
  return {
      // Placeholder domain; networkInterfaces carry 175.16.199.1, which is ours here.
      {"d6012345678912345678912349f831b8f", kDnsRequest, "", kSample, {}, {kDnsDomain}},
      // sourceIPs repeats the public remote IP: listed once, under the first field read.
      {"250023a9abcdefabcdef12345678", kKubernetes, "", kSample,
       {{"175.16.199.1", kIpv4, kK8sIp}}, {}},
      {"43b6abcdeabcdeabcde1234562176924", kKubernetes, "", kSample,
       {{"175.16.199.1", kIpv4, kK8sIp}}, {}},
      {"5abcdefabcdefabcdef2a123456789f6", kRdsLogin, "", kSample,
       {{"175.16.199.1", kIpv4, kRdsIp}}, {}},
      // Runtime Monitoring, "action": {} and additionalInfo.value "{}": a real (non-sample)
      // finding without indicators. The command line's URL is free text and the instance's
      // publicIp 216.160.83.56 is ours.
      {"abcd1234", "", "", kReal, {}, {}},
  };
}

// clang-format on

}  // namespace

const std::vector<ExpectedFile>& CorpusExpectations() {
  static const std::vector<ExpectedFile> kFiles = {
      {"foxsec-pipeline/guardduty-sample-findings.eventbridge.jsonl", false,
       FoxsecSampleFindings()},
      {"foxsec-pipeline/guardduty-sample-findings-default.eventbridge.jsonl", false,
       FoxsecDefaultFindings()},
      {"foxsec-pipeline/guardduty-sample-findings-with-duplicates.eventbridge.jsonl", false,
       FoxsecDuplicateFindings()},
      {"sekoia-intake-formats/event_accesskey_apicall.json", true, {kSekoiaAccessKeyApiCall}},
      {"sekoia-intake-formats/event_accesskey_unusualbehavior.json",
       true,
       {kSekoiaAccessKeyUnusual}},
      {"sekoia-intake-formats/event_container.json", true, {kSekoiaContainer}},
      {"sekoia-intake-formats/event_ecscluster.json", true, {kSekoiaEcsCluster}},
      {"sekoia-intake-formats/event_ekscluster.json", true, {kSekoiaEksCluster}},
      {"sekoia-intake-formats/event_ekscluster_namespace.json", true, {kSekoiaEksCluster}},
      {"sekoia-intake-formats/event_instance_network.json", true, {kSekoiaInstanceNetwork}},
      {"sekoia-intake-formats/event_instance_portprobe.json", true, {kSekoiaInstancePortProbe}},
      {"sekoia-intake-formats/event_rdsdb_loginattempt.json", true, {kSekoiaAccessKeyApiCall}},
      {"sekoia-intake-formats/event_s3bucket_apicall.json", true, {kSekoiaS3BucketApiCall}},
      {"sekoia-intake-formats/findings.jsonl",
       false,
       {kSekoiaAccessKeyApiCall, kSekoiaAccessKeyUnusual, kSekoiaContainer, kSekoiaEcsCluster,
        kSekoiaEksCluster, kSekoiaEksCluster, kSekoiaInstanceNetwork, kSekoiaInstancePortProbe,
        kSekoiaAccessKeyApiCall, kSekoiaS3BucketApiCall}},
      {"elastic-integrations/findings.jsonl", false, ElasticFindings()},
      // Same five lines, then '{"findings":[]}': an empty GetFindings response, zero findings.
      {"elastic-integrations/test-guardduty.log", false, ElasticFindings()},
  };
  return kFiles;
}

}  // namespace guardfeed::conformance
