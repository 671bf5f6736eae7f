#include "finding_writer.h"

#include <algorithm>
#include <iterator>

namespace guardfeed::bench::corpus_internal {
namespace {

struct Network {
  const char* isp;
  const char* asn_org;
  const char* asn;
  const char* country;
  const char* city;
  double lat;
  double lon;
};

constexpr Network kNetworks[] = {
    {"DigitalOcean, LLC", "DIGITALOCEAN-ASN", "14061", "United States", "North Bergen", 40.793,
     -74.0247},
    {"Hetzner Online GmbH", "Hetzner Online GmbH", "24940", "Germany", "Falkenstein", 50.4777,
     12.3649},
    {"OVH SAS", "OVH SAS", "16276", "France", "Roubaix", 50.6942, 3.1746},
    {"Chinanet", "CHINANET-BACKBONE", "4134", "China", "Nanjing", 32.0617, 118.7778},
    {"China Unicom Beijing Province Network", "China Unicom Beijing Province Network", "4808",
     "China", "Beijing", 39.9042, 116.4074},
    {"Korea Telecom", "Korea Telecom", "4766", "South Korea", "Seoul", 37.5665, 126.978},
    {"Contabo GmbH", "Contabo GmbH", "51167", "Germany", "Nuremberg", 49.4521, 11.0767},
    {"Akamai Technologies, Inc.", "Akamai Connected Cloud", "63949", "United States", "Newark",
     40.7357, -74.1724},
    {"Tencent Cloud Computing (Beijing) Co., Ltd.",
     "Shenzhen Tencent Computer Systems Company "
     "Limited",
     "132203", "China", "Shanghai", 31.2304, 121.4737},
    {"M247 Europe SRL", "M247 Europe SRL", "9009", "Romania", "Bucharest", 44.4268, 26.1025},
    {"The Constant Company, LLC", "AS-CHOOPA", "20473", "Netherlands", "Amsterdam", 52.3676,
     4.9041},
    {"PJSC Rostelecom", "PJSC Rostelecom", "12389", "Russia", "Moscow", 55.7558, 37.6173},
    {"VNPT Corp", "VNPT Corp", "45899", "Vietnam", "Hanoi", 21.0278, 105.8342},
    {"TELEFONICA BRASIL S.A", "TELEFONICA BRASIL S.A", "27699", "Brazil", "Sao Paulo", -23.5505,
     -46.6333},
    {"Bharti Airtel Ltd.", "Bharti Airtel Ltd., Telemedia Services", "24560", "India", "Mumbai",
     19.076, 72.8777},
    {"Alibaba (US) Technology Co., Ltd.", "Alibaba US Technology Co., Ltd.", "45102", "Singapore",
     "Singapore", 1.3521, 103.8198},
    {"Iran Telecommunication Company PJS", "Iran Telecommunication Company PJS", "58224", "Iran",
     "Tehran", 35.6892, 51.389},
    {"Datacamp Limited", "Datacamp Limited", "60068", "Ukraine", "Kyiv", 50.4501, 30.5234},
};

constexpr const char* kRegions[] = {"us-east-1",    "us-east-2", "us-west-2",      "eu-west-1",
                                    "eu-central-1", "eu-west-2", "ap-southeast-1", "ap-northeast-1",
                                    "ap-south-1",   "sa-east-1"};
constexpr int kAccounts = 24;

}  // namespace

struct TypeInfo {
  const char* type;
  double severity_a;  // GuardDuty uses a few fixed levels per type
  double severity_b;
};

namespace {

// --- Finding types ---------------------------------------------------------------------------

constexpr TypeInfo kInboundTypes[] = {
    {"UnauthorizedAccess:EC2/SSHBruteForce", 2, 5},
    {"UnauthorizedAccess:EC2/RDPBruteForce", 2, 5},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", 5, 5},
    {"UnauthorizedAccess:EC2/TorIPCaller", 5, 5},
    {"Behavior:EC2/NetworkPortUnusual", 5, 5},
    {"Recon:EC2/MaliciousIPCaller", 5, 8},
};
constexpr TypeInfo kOutboundTypes[] = {
    {"Backdoor:EC2/C&CActivity.B", 8, 8},       {"CryptoCurrency:EC2/BitcoinTool.B", 5, 5},
    {"Trojan:EC2/BlackholeTraffic", 5, 5},      {"Trojan:EC2/DropPoint", 5, 5},
    {"UnauthorizedAccess:EC2/TorRelay", 5, 5},  {"UnauthorizedAccess:EC2/TorClient", 8, 8},
    {"Backdoor:EC2/DenialOfService.Tcp", 8, 8}, {"Recon:EC2/Portscan", 5, 5},
    {"Backdoor:Runtime/C&CActivity.B", 8, 8},   {"CryptoCurrency:Runtime/BitcoinTool.B", 5, 8},
};
constexpr TypeInfo kPortProbeTypes[] = {
    {"Recon:EC2/PortProbeUnprotectedPort", 2, 5},
    {"Recon:EC2/PortProbeEMRUnprotectedPort", 8, 8},
};
constexpr TypeInfo kApiRemoteTypes[] = {
    {"UnauthorizedAccess:IAMUser/MaliciousIPCaller", 5, 5},
    {"Recon:IAMUser/MaliciousIPCaller", 5, 5},
    {"UnauthorizedAccess:IAMUser/TorIPCaller", 5, 5},
    {"Discovery:S3/MaliciousIPCaller", 5, 8},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8, 8},
    {"CredentialAccess:IAMUser/AnomalousBehavior", 5, 5},
    {"PenTest:IAMUser/KaliLinux", 5, 5},
    {"Recon:IAMUser/TorIPCaller", 2, 2},
};
constexpr TypeInfo kApiDomainTypes[] = {
    {"Discovery:S3/AnomalousBehavior", 2, 2},
    {"Stealth:S3/ServerAccessLoggingDisabled", 2, 2},
    {"Policy:S3/BucketBlockPublicAccessDisabled", 2, 2},
    {"Persistence:IAMUser/AnomalousBehavior", 5, 5},
};
constexpr TypeInfo kDnsTypes[] = {
    {"Backdoor:EC2/C&CActivity.B!DNS", 8, 8},
    {"CryptoCurrency:EC2/BitcoinTool.B!DNS", 5, 5},
    {"Trojan:EC2/DGADomainRequest.C!DNS", 8, 8},
    {"Trojan:EC2/DNSDataExfiltration", 8, 8},
    {"Trojan:EC2/BlackholeTraffic!DNS", 5, 5},
    {"Trojan:EC2/DropPoint!DNS", 5, 5},
    {"Trojan:EC2/PhishingDomainRequest!DNS", 5, 5},
    {"Impact:EC2/MaliciousDomainRequest.Reputation", 5, 8},
};
constexpr TypeInfo kKubernetesTypes[] = {
    {"Discovery:Kubernetes/MaliciousIPCaller", 5, 5},
    {"Discovery:Kubernetes/TorIPCaller", 5, 5},
    {"Discovery:Kubernetes/SuccessfulAnonymousAccess", 5, 5},
    {"Policy:Kubernetes/AnonymousAccessGranted", 8, 8},
    {"CredentialAccess:Kubernetes/MaliciousIPCaller", 8, 8},
    {"Policy:Kubernetes/AdminAccessToDefaultServiceAccount", 2, 2},
};
constexpr TypeInfo kRdsTypes[] = {
    {"CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", 5, 8},
    {"CredentialAccess:RDS/AnomalousBehavior.FailedLoginAttempt", 5, 5},
    {"CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce", 8, 8},
    {"CredentialAccess:RDS/MaliciousIPCaller.FailedLogin", 5, 5},
    {"CredentialAccess:RDS/TorIPCaller.SuccessfulLogin", 8, 8},
};
constexpr TypeInfo kRuntimeTypes[] = {
    {"Execution:Runtime/NewBinaryExecuted", 2, 2},
    {"Execution:Runtime/ReverseShell", 8, 8},
    {"DefenseEvasion:Runtime/FilelessExecution", 5, 5},
    {"PrivilegeEscalation:Runtime/ContainerMountsHostDirectory", 5, 5},
    {"Persistence:Runtime/SuspiciousCommand", 5, 5},
    {"Execution:Runtime/SuspiciousTool", 2, 8},
};
constexpr TypeInfo kSequenceTypes[] = {
    {"AttackSequence:IAM/CompromisedCredentials", 9, 9},
    {"AttackSequence:S3/CompromisedData", 9, 9},
    {"AttackSequence:EKS/CompromisedCluster", 9, 10},
    {"AttackSequence:EC2/CompromisedInstanceGroup", 9, 9},
};

}  // namespace

FindingWriter::FindingWriter(uint64_t body_seed, uint64_t ioc_seed,
                             const std::vector<uint32_t>& hot_pool, int hot_per_mille,
                             std::string& out)
    : body_(body_seed),
      ioc_(ioc_seed),
      hot_pool_(hot_pool),
      hot_per_mille_(hot_per_mille),
      json_(out) {
  const uint64_t account_index = Below(body_, kAccounts);
  const uint64_t region_index = Below(body_, std::size(kRegions));
  account_ = "1234567" + std::to_string(10000 + account_index * 3571);
  region_ = kRegions[region_index];
  // One detector per account and region, as GuardDuty has.
  detector_random_.seed(account_index * 100 + region_index);
}

const TypeInfo& FindingWriter::TypeFor(Shape shape) {
  switch (shape) {
    case Shape::kNetworkInbound:
      return Pick(body_, kInboundTypes);
    case Shape::kNetworkOutbound:
      return Pick(body_, kOutboundTypes);
    case Shape::kNetworkIpv6:
      return Chance(body_, 500) ? Pick(body_, kInboundTypes) : Pick(body_, kOutboundTypes);
    case Shape::kPortProbe:
      return Pick(body_, kPortProbeTypes);
    case Shape::kApiCallRemote:
      return Pick(body_, kApiRemoteTypes);
    case Shape::kApiCallDomain:
      return Pick(body_, kApiDomainTypes);
    case Shape::kDnsRequest:
      return Pick(body_, kDnsTypes);
    case Shape::kKubernetes:
      return Pick(body_, kKubernetesTypes);
    case Shape::kRdsLogin:
      return Pick(body_, kRdsTypes);
    case Shape::kRuntime:
      return Pick(body_, kRuntimeTypes);
    case Shape::kAttackSequence:
      return Pick(body_, kSequenceTypes);
  }
  return kInboundTypes[0];
}

std::string FindingWriter::AttackerIpv4() {
  if (!hot_pool_.empty() && Chance(ioc_, static_cast<uint64_t>(hot_per_mille_))) {
    return FormatIpv4(hot_pool_[Below(ioc_, hot_pool_.size())]);
  }
  return FormatIpv4(RandomPublicIpv4(ioc_));
}

void FindingWriter::RemoteIpDetails(const std::string& address, bool v6) {
  const Network& net = Pick(ioc_, kNetworks);
  json_.Key("remoteIpDetails").Begin();
  json_.Field(v6 ? "ipAddressV6" : "ipAddressV4", address);
  json_.Key("organization").Begin().Field("asn", net.asn).Field("asnOrg", net.asn_org);
  json_.Field("isp", net.isp).Field("org", net.isp).End();
  json_.Key("country").Begin().Field("countryName", net.country).End();
  json_.Key("city").Begin().Field("cityName", net.city).End();
  json_.Key("geoLocation").Begin().Key("lat").Num(net.lat, 4).Key("lon").Num(net.lon, 4).End();
  json_.End();
  if (primary_.empty()) primary_ = address;
}

void FindingWriter::Tags(int count) {
  static constexpr const char* kKeys[] = {"Name",    "Environment", "Team",   "Owner",
                                          "Service", "CostCenter",  "Version"};
  static constexpr const char* kValues[] = {"production", "staging", "platform", "payments",
                                            "web",        "batch",   "data",     "ops"};
  json_.Key("tags").BeginArray();
  for (int i = 0; i < count; ++i) {
    json_.Begin().Field("key", kKeys[i % 7]);
    json_.Field("value",
                std::string(Pick(body_, kValues)) + "-" + std::to_string(Below(body_, 40)));
    json_.End();
  }
  json_.EndArray();
}

void FindingWriter::InstanceResource(bool with_ipv6) {
  static constexpr const char* kTypes[] = {"t3.medium", "m5.large",    "c6i.xlarge",
                                           "r6g.large", "m7g.2xlarge", "t4g.small"};
  const std::string private_ip = "10." + std::to_string(Below(body_, 256)) + "." +
                                 std::to_string(Below(body_, 256)) + "." +
                                 std::to_string(1 + Below(body_, 254));
  std::string dashed = private_ip;
  std::replace(dashed.begin(), dashed.end(), '.', '-');
  const std::string private_dns = "ip-" + dashed + "." + region_ + ".compute.internal";
  const std::string public_ip = "3." + std::to_string(Below(body_, 256)) + "." +
                                std::to_string(Below(body_, 256)) + "." +
                                std::to_string(1 + Below(body_, 254));
  std::string public_dashed = public_ip;
  std::replace(public_dashed.begin(), public_dashed.end(), '.', '-');

  json_.Key("resource").Begin().Field("resourceType", "Instance");
  json_.Key("instanceDetails").Begin();
  json_.Field("instanceId", "i-0" + Hex(body_, 16)).Field("instanceType", Pick(body_, kTypes));
  json_.Field("launchTime",
              IsoTime(1'760'000'000'000 + static_cast<int64_t>(Below(body_, 3'000'000'000)), true));
  json_.Key("platform").Null().Key("productCodes").BeginArray().EndArray();
  json_.Key("iamInstanceProfile").Begin();
  json_.Field("arn", "arn:aws:iam::" + account_ + ":instance-profile/app-" + Lower(body_, 6));
  json_.Field("id", "AIPA" + Upper(body_, 17)).End();
  json_.Key("networkInterfaces").BeginArray().Begin();
  json_.Key("ipv6Addresses").BeginArray();
  if (with_ipv6)
    json_.Str("2600:1f18:" + Hex(body_, 4) + ":" + Hex(body_, 4) + "::" + Hex(body_, 3) + "1");
  json_.EndArray();
  json_.Field("networkInterfaceId", "eni-0" + Hex(body_, 16));
  json_.Field("privateDnsName", private_dns).Field("privateIpAddress", private_ip);
  json_.Key("privateIpAddresses").BeginArray().Begin();
  json_.Field("privateDnsName", private_dns).Field("privateIpAddress", private_ip);
  json_.End().EndArray();
  json_.Field("subnetId", "subnet-0" + Hex(body_, 16)).Field("vpcId", "vpc-0" + Hex(body_, 16));
  json_.Key("securityGroups")
      .BeginArray()
      .Begin()
      .Field("groupName", "app-" + Lower(body_, 5) + "-sg");
  json_.Field("groupId", "sg-0" + Hex(body_, 16)).End().EndArray();
  json_.Field("publicDnsName", "ec2-" + public_dashed + "." + region_ + ".compute.amazonaws.com");
  json_.Field("publicIp", public_ip);
  json_.End().EndArray();
  Tags(static_cast<int>(Between(body_, 2, 6)));
  json_.Field("instanceState", "running").Field("availabilityZone", region_ + "a");
  json_.Field("imageId", "ami-0" + Hex(body_, 16));
  json_.Field("imageDescription", "Amazon Linux 2023 AMI 2023.6.20241121.0 x86_64 HVM kernel-6.1");
  json_.End().End();
}

void FindingWriter::AccessKeyResource(bool with_bucket) {
  json_.Key("resource").Begin().Field("resourceType", with_bucket ? "S3Bucket" : "AccessKey");
  json_.Key("accessKeyDetails").Begin().Field("accessKeyId", "ASIA" + Upper(body_, 16));
  json_.Field("principalId", "AROA" + Upper(body_, 17) + ":session-" + Lower(body_, 8));
  json_.Field("userType", "AssumedRole").Field("userName", "deploy-" + Lower(body_, 6)).End();
  if (with_bucket) {
    const std::string bucket = "corp-" + Lower(body_, 8) + "-" + region_;
    json_.Key("s3BucketDetails").BeginArray().Begin();
    json_.Field("arn", "arn:aws:s3:::" + bucket).Field("name", bucket).Field("type", "Destination");
    json_.Field("createdAt", IsoTime(1'700'000'000'000, true));
    json_.Key("owner").Begin().Field("id", Hex(body_, 64)).End();
    json_.Key("tags").BeginArray().EndArray();
    json_.Key("defaultServerSideEncryption").Begin().Field("encryptionType", "AES256").End();
    json_.Key("publicAccess").Begin().Field("effectivePermission", "NOT_PUBLIC").End();
    json_.End().EndArray();
  }
  json_.End();
}

void FindingWriter::EksResource() {
  const std::string cluster = "eks-" + Lower(body_, 6);
  json_.Key("resource").Begin().Field("resourceType", "EKSCluster");
  json_.Key("eksClusterDetails").Begin().Field("name", cluster);
  json_.Field("arn", "arn:aws:eks:" + region_ + ":" + account_ + ":cluster/" + cluster);
  json_.Field("vpcId", "vpc-0" + Hex(body_, 16)).Field("status", "ACTIVE");
  Tags(2);
  json_.Key("createdAt").Num(1'700'000'000.218, 3).End();
  json_.Key("kubernetesDetails").Begin().Key("kubernetesUserDetails").Begin();
  json_.Field("username", "system:anonymous").Field("uid", "");
  json_.Key("groups").BeginArray().Str("system:unauthenticated").EndArray().End();
  json_.Key("kubernetesWorkloadDetails").Begin().Field("name", "web-" + Lower(body_, 5));
  json_.Field("type", "pods").Field("uid", Uuid(body_)).Field("namespace", "default");
  json_.Key("containers").BeginArray().Begin().Field("name", "app");
  json_.Field("image", "public.ecr.aws/nginx/nginx:1.25").Field("imagePrefix", "public.ecr.aws");
  json_.End().EndArray().End().End();
  json_.End();
}

void FindingWriter::RdsResource() {
  const std::string db = "orders-" + Lower(body_, 4) + "-1";
  json_.Key("resource").Begin().Field("resourceType", "RDSDBInstance");
  json_.Key("rdsDbInstanceDetails").Begin().Field("dbInstanceIdentifier", db);
  json_.Field("engine", "aurora-postgresql").Field("engineVersion", "15.4");
  json_.Field("dbClusterIdentifier", db + "-cluster");
  json_.Field("dbInstanceArn", "arn:aws:rds:" + region_ + ":" + account_ + ":db:" + db);
  Tags(2);
  json_.End();
  json_.Key("rdsDbUserDetails").Begin().Field("user", "admin").Field("application", "psql");
  json_.Field("database", "orders").Field("ssl", "true").Field("authMethod", "PASSWORD").End();
  json_.End();
}

void FindingWriter::NetworkAction(bool inbound, bool v6) {
  static constexpr int kPorts[] = {22, 3389, 80, 443, 445, 23, 3306, 5432, 6379, 8080};
  int remote_port = inbound ? static_cast<int>(Between(body_, 1024, 65535)) : Pick(body_, kPorts);
  int local_port = inbound ? Pick(body_, kPorts) : static_cast<int>(Between(body_, 32768, 60999));
  json_.Field("actionType", "NETWORK_CONNECTION").Key("networkConnectionAction").Begin();
  json_.Field("connectionDirection", inbound ? "INBOUND" : "OUTBOUND");
  json_.Key("localIpDetails")
      .Begin()
      .Field("ipAddressV4", "10.0." + std::to_string(Below(body_, 256)) + ".17")
      .End();
  RemoteIpDetails(v6 ? RandomPublicIpv6(ioc_) : AttackerIpv4(), v6);
  json_.Key("remotePortDetails")
      .Begin()
      .Field("port", remote_port)
      .Field("portName", "Unknown")
      .End();
  json_.Key("localPortDetails")
      .Begin()
      .Field("port", local_port)
      .Field("portName", "Unknown")
      .End();
  json_.Field("protocol", "TCP").Field("blocked", false);
  json_.End();
}

void FindingWriter::PortProbeAction() {
  static constexpr int kPorts[] = {22, 23, 80, 443, 445, 3389, 5900, 8080, 9200};
  json_.Field("actionType", "PORT_PROBE").Key("portProbeAction").Begin();
  json_.Key("portProbeDetails").BeginArray();
  int probes = static_cast<int>(Between(body_, 1, 5));
  for (int i = 0; i < probes; ++i) {
    json_.Begin();
    json_.Key("localPortDetails")
        .Begin()
        .Field("port", Pick(body_, kPorts))
        .Field("portName", "Unknown")
        .End();
    json_.Key("localIpDetails")
        .Begin()
        .Field("ipAddressV4", "10.0.4." + std::to_string(10 + i))
        .End();
    RemoteIpDetails(AttackerIpv4(), false);
    json_.End();
  }
  json_.EndArray().Field("blocked", false).End();
}

void FindingWriter::ApiCallAction(bool remote) {
  static constexpr const char* kApis[] = {"ListBuckets",       "GetObject", "DescribeInstances",
                                          "GetCallerIdentity", "ListUsers", "CreateAccessKey",
                                          "PutBucketPolicy",   "AssumeRole"};
  static constexpr const char* kServices[] = {"s3.amazonaws.com", "ec2.amazonaws.com",
                                              "iam.amazonaws.com", "sts.amazonaws.com"};
  static constexpr const char* kAwsDomains[] = {"cloudformation.amazonaws.com",
                                                "autoscaling.amazonaws.com", "config.amazonaws.com",
                                                "cloudtrail.amazonaws.com"};
  json_.Field("actionType", "AWS_API_CALL").Key("awsApiCallAction").Begin();
  json_.Field("api", Pick(body_, kApis)).Field("serviceName", Pick(body_, kServices));
  json_.Field("callerType", remote ? "Remote IP" : "Domain");
  if (remote) {
    if (Chance(body_, 400)) json_.Field("errorCode", "AccessDenied");
    json_.Field("userAgent",
                "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.kali.2023 "
                "prompt/off command/s3.ls");
    RemoteIpDetails(AttackerIpv4(), false);
    json_.Key("remoteAccountDetails")
        .Begin()
        .Field("accountId", "9876543" + std::to_string(10000 + Below(ioc_, 89999)));
    json_.Field("affiliated", false).End();
  } else {
    json_.Key("domainDetails").Begin().Field("domain", Pick(body_, kAwsDomains)).End();
  }
  json_.Key("affectedResources").Begin().End();
  json_.End();
}

void FindingWriter::DnsAction() {
  std::string domain = RandomDomain(ioc_);
  if (Chance(ioc_, 50)) domain += '.';  // GuardDuty sometimes keeps the root dot
  if (Chance(ioc_, 30) && domain[0] >= 'a' && domain[0] <= 'z') {
    domain[0] = static_cast<char>(domain[0] - 'a' + 'A');  // resolvers pass case through
  }
  if (Chance(ioc_, 150)) dga_domain_ = RandomDomain(ioc_);
  json_.Field("actionType", "DNS_REQUEST").Key("dnsRequestAction").Begin();
  json_.Field("domain", domain).Field("protocol", "UDP").Field("blocked", Chance(body_, 100));
  json_.Field("domainWithSuffix", domain);
  json_.End();
  primary_ = domain;
}

void FindingWriter::KubernetesAction() {
  static constexpr const char* kUris[] = {"/api/v1/namespaces/kube-system/secrets",
                                          "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                                          "/api/v1/pods", "/version",
                                          "/api/v1/namespaces/default/pods/web-0/exec"};
  const std::string attacker = AttackerIpv4();
  json_.Field("actionType", "KUBERNETES_API_CALL").Key("kubernetesApiCallAction").Begin();
  json_.Field("requestUri", Pick(body_, kUris)).Field("verb", "list");
  json_.Key("sourceIPs").BeginArray().Str(attacker);
  if (Chance(ioc_, 300)) json_.Str(AttackerIpv4());  // a second public hop
  if (Chance(ioc_, 500)) json_.Str("10.0." + std::to_string(Below(body_, 256)) + ".9");
  if (Chance(ioc_, 200)) json_.Str("172.20.0." + std::to_string(1 + Below(body_, 250)));
  json_.EndArray();
  json_.Field("userAgent", "kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9");
  RemoteIpDetails(attacker, false);
  json_.Field("statusCode", 200).Field("parameters", "{\"limit\":500}");
  json_.End();
}

void FindingWriter::RdsAction() {
  json_.Field("actionType", "RDS_LOGIN_ATTEMPT").Key("rdsLoginAttemptAction").Begin();
  RemoteIpDetails(AttackerIpv4(), false);
  json_.Key("loginAttributes").BeginArray().Begin().Field("user", "admin");
  json_.Field("application", "psql")
      .Field("failedLoginAttempts", static_cast<int>(Below(body_, 200)));
  json_.Field("successfulLoginAttempts", static_cast<int>(Below(body_, 3))).End().EndArray();
  json_.End();
}

void FindingWriter::RuntimeDetails() {
  static constexpr const char* kBinaries[] = {"xmrig", "kworkerds", "nc",
                                              "bash",  "python3",   "curl"};
  const std::string name = Pick(body_, kBinaries);
  auto process = [this](const std::string& process_name, const std::string& path) {
    json_.Field("name", process_name).Field("executablePath", path);
    json_.Field("executableSha256", Hex(body_, 64));
    json_.Field("namespacePid", static_cast<int>(Between(body_, 1, 4000)));
    json_.Field("pwd", "/tmp").Field("pid", static_cast<int>(Between(body_, 1000, 400000)));
    json_.Field("startTime",
                IsoTime(1'795'000'000'000 + static_cast<int64_t>(Below(body_, 300'000'000)), true));
    json_.Field("uuid", Uuid(body_)).Field("parentUuid", Uuid(body_));
    json_.Field("user", "root").Field("userId", 0).Field("euid", 0);
  };
  json_.Key("runtimeDetails").Begin().Key("process").Begin();
  process(name, "/tmp/." + Lower(body_, 4) + "/" + name);
  json_.Key("lineage").BeginArray();
  for (const char* parent : {"sh", "containerd-shim"}) {
    json_.Begin();
    process(parent, std::string("/usr/bin/") + parent);
    json_.End();
  }
  json_.EndArray().End();
  json_.Key("context").Begin().Field("commandLineExample", name + " -o pool.example:3333 --tls");
  json_.Field("threatFilePath", "/tmp/." + Lower(body_, 4)).End();
  json_.End();
}

void FindingWriter::Sequence(int64_t created_ms) {
  const std::string actor_id = Hex(body_, 16);
  std::vector<std::string> ips;
  std::vector<std::string> endpoint_ids;
  json_.Key("detection").Begin().Key("sequence").Begin();
  json_.Field("uid", Uuid(body_));
  json_.Field("description",
              "A sequence of actions involving credential access, discovery and "
              "data exfiltration was observed from known malicious endpoints.");
  json_.Key("actors").BeginArray().Begin().Field("id", actor_id);
  json_.Key("user")
      .Begin()
      .Field("name", "deploy-" + Lower(body_, 6))
      .Field("uid", "AIDA" + Upper(body_, 17));
  json_.Field("type", "IAMUser").Key("account").Begin().Field("uid", account_).End().End();
  json_.Key("session").Begin().Field("mfaStatus", "DISABLED").End().End().EndArray();
  json_.Key("resources").BeginArray().Begin();
  const std::string bucket = "corp-" + Lower(body_, 8);
  json_.Field("uid", "arn:aws:s3:::" + bucket).Field("name", bucket).Field("accountId", account_);
  json_.Field("resourceType", "S3Bucket").Field("region", region_).Field("service", "s3");
  json_.Field("cloudPartition", "aws").End().EndArray();
  json_.Key("endpoints").BeginArray();
  int endpoints = static_cast<int>(Between(body_, 1, 4));
  for (int i = 0; i < endpoints; ++i) {
    const Network& net = Pick(ioc_, kNetworks);
    endpoint_ids.push_back(Hex(body_, 16));
    json_.Begin().Field("id", endpoint_ids.back());
    ips.push_back(AttackerIpv4());
    json_.Field("ip", ips.back());
    if (primary_.empty()) primary_ = ips.back();
    if (Chance(ioc_, 350)) json_.Field("domain", RandomDomain(ioc_));
    json_.Field("port", 443);
    json_.Key("location").Begin().Field("city", net.city).Field("country", net.country);
    json_.Key("lat").Num(net.lat, 4).Key("lon").Num(net.lon, 4).End();
    json_.Key("autonomousSystem").Begin().Field("name", net.asn_org);
    json_.Key("number").Raw(net.asn).End();
    json_.Key("connection").Begin().Field("direction", "INBOUND").End();
    json_.End();
  }
  json_.EndArray();
  static constexpr const char* kSignals[] = {
      "Discovery:S3/MaliciousIPCaller", "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
      "Exfiltration:S3/AnomalousBehavior", "Stealth:IAMUser/CloudTrailLoggingDisabled"};
  json_.Key("signals").BeginArray();
  int signals = static_cast<int>(Between(body_, 2, 4));
  for (int i = 0; i < signals; ++i) {
    json_.Begin().Field("uid", Hex(body_, 32)).Field("type", "FINDING");
    json_.Field("description", "GuardDuty finding in the sequence").Field("name", kSignals[i % 4]);
    json_.Key("createdAt").Int(created_ms / 1000).Key("updatedAt").Int(created_ms / 1000 + 60);
    json_.Key("firstSeenAt").Int(created_ms / 1000 - 600).Key("lastSeenAt").Int(created_ms / 1000);
    json_.Key("severity").Num(5.0, 1).Field("count", static_cast<int>(Between(body_, 1, 30)));
    json_.Key("resourceUids").BeginArray().Str("arn:aws:s3:::" + bucket).EndArray();
    json_.Key("actorIds").BeginArray().Str(actor_id).EndArray();
    json_.Key("endpointIds").BeginArray().Str(endpoint_ids.front()).EndArray();
    json_.Key("signalIndicators").BeginArray().Begin().Field("key", "MALICIOUS_IP");
    json_.Key("values").BeginArray().Str(ips.front()).EndArray().Field("title", "Malicious IP");
    json_.End().EndArray().End();
  }
  json_.EndArray();
  json_.Key("sequenceIndicators").BeginArray().Begin().Field("key", "ATTACK_TACTIC");
  json_.Key("values").BeginArray().Str("Discovery").Str("Exfiltration").EndArray();
  json_.Field("title", "MITRE tactics").End().Begin().Field("key", "MALICIOUS_IP");
  json_.Key("values").BeginArray();
  for (const std::string& ip : ips) json_.Str(ip);
  json_.EndArray().Field("title", "Malicious IP").End().EndArray();
  json_.End().End();
}

void FindingWriter::AdditionalInfo(Shape shape) {
  json_.Key("additionalInfo").Begin();
  std::string value;
  {
    JsonOut inner(value);
    inner.Begin();
    if (shape == Shape::kPortProbe || shape == Shape::kNetworkInbound) {
      inner.Field("threatName", "Scanner").Field("threatListName", "ProofPoint");
    } else if (shape == Shape::kApiCallRemote || shape == Shape::kApiCallDomain) {
      inner.Key("apiCalls").BeginArray();
      for (int i = 0; i < 3; ++i) {
        inner.Begin()
            .Field("name", "ListObjects")
            .Field("count", static_cast<int>(Below(body_, 40)));
        inner.Field("firstSeen", 1'795'200'000 + i).Field("lastSeen", 1'795'200'300 + i).End();
      }
      inner.EndArray();
    } else if (shape == Shape::kDnsRequest) {
      inner.Field("threatListName", "Amazon");
    }
    if (sample_) inner.Field("sample", true);
    inner.End();
  }
  if (sample_) json_.Field("sample", true);
  if (!dga_domain_.empty()) json_.Field("domain", dga_domain_);
  json_.Field("value", value).Field("type", "default");
  json_.End();
}

void FindingWriter::Evidence() {
  static constexpr const char* kLists[] = {"ProofPoint", "CrowdStrike", "Amazon", "TorNodes"};
  json_.Key("evidence").Begin().Key("threatIntelligenceDetails").BeginArray().Begin();
  json_.Field("threatListName", Pick(body_, kLists));
  json_.Key("threatNames").BeginArray().Str("Malicious IP").EndArray();
  json_.End().EndArray().End();
}

void FindingWriter::Finding(Shape shape, const std::string& id, int64_t created_ms,
                            int64_t updated_ms, int64_t count) {
  const TypeInfo& info = TypeFor(shape);
  double severity = Chance(body_, 500) ? info.severity_a : info.severity_b;
  sample_ = Chance(body_, 2);
  const bool archived = Chance(body_, 10);
  const std::string detector = Hex(detector_random_, 32);
  json_.Begin().Field("schemaVersion", "2.0").Field("accountId", account_);
  json_.Field("region", region_).Field("partition", "aws").Field("id", id);
  json_.Field("arn", "arn:aws:guardduty:" + region_ + ":" + account_ + ":detector/" + detector +
                         "/finding/" + id);
  json_.Field("type", info.type);
  switch (shape) {
    case Shape::kNetworkInbound:
    case Shape::kNetworkOutbound:
    case Shape::kPortProbe:
    case Shape::kDnsRequest:
    case Shape::kRuntime:
      InstanceResource(false);
      break;
    case Shape::kNetworkIpv6:
      InstanceResource(true);
      break;
    case Shape::kApiCallRemote:
      AccessKeyResource(Chance(body_, 300));
      break;
    case Shape::kApiCallDomain:
      AccessKeyResource(true);
      break;
    case Shape::kKubernetes:
      EksResource();
      break;
    case Shape::kRdsLogin:
      RdsResource();
      break;
    case Shape::kAttackSequence:
      json_.Key("resource").Begin().Field("resourceType", "AttackSequence").End();
      break;
  }
  json_.Key("service").Begin().Field("serviceName", "guardduty").Field("detectorId", detector);
  // Runtime findings carry "action": {}; attack sequences have no action at all.
  if (shape != Shape::kAttackSequence) json_.Key("action").Begin();
  switch (shape) {
    case Shape::kNetworkInbound:
      NetworkAction(true, false);
      break;
    case Shape::kNetworkOutbound:
      NetworkAction(false, false);
      break;
    case Shape::kNetworkIpv6:
      NetworkAction(Chance(body_, 500), true);
      break;
    case Shape::kPortProbe:
      PortProbeAction();
      break;
    case Shape::kApiCallRemote:
      ApiCallAction(true);
      break;
    case Shape::kApiCallDomain:
      ApiCallAction(false);
      break;
    case Shape::kDnsRequest:
      DnsAction();
      break;
    case Shape::kKubernetes:
      KubernetesAction();
      break;
    case Shape::kRdsLogin:
      RdsAction();
      break;
    case Shape::kRuntime:
    case Shape::kAttackSequence:
      break;
  }
  if (shape != Shape::kAttackSequence) json_.End();
  if (shape == Shape::kRuntime) RuntimeDetails();
  if (shape == Shape::kAttackSequence) Sequence(created_ms);
  json_.Field("resourceRole", shape == Shape::kNetworkOutbound ? "ACTOR" : "TARGET");
  AdditionalInfo(shape);
  if (shape != Shape::kRuntime && shape != Shape::kApiCallDomain) Evidence();
  json_.Field("eventFirstSeen", IsoTime(created_ms - 60'000, Chance(body_, 500)));
  json_.Field("eventLastSeen", IsoTime(updated_ms - 30'000, Chance(body_, 500)));
  json_.Field("archived", archived).Field("count", count);
  json_.End();
  json_.Key("severity");
  if (Chance(body_, 300)) {
    json_.Int(static_cast<int64_t>(severity));
  } else {
    json_.Num(severity, 1);
  }
  json_.Field("createdAt", IsoTime(created_ms, true)).Field("updatedAt", IsoTime(updated_ms, true));
  std::string subject = primary_.empty() ? "an AWS service" : primary_;
  json_.Field("title", std::string(info.type) + " activity involving " + subject + ".");
  json_.Field("description", "GuardDuty observed " + std::string(info.type) +
                                 " activity in account " + account_ + " (" + region_ +
                                 ") involving " + subject +
                                 ". Review the resource and the remote endpoint.");
  json_.End();
}

}  // namespace guardfeed::bench::corpus_internal
