// Containment (docs/containment.md): which findings name one of our instances as the attacker
// (guardduty/containment.h), and where Finding::own_hosts reads its addresses. Our addresses
// never appear among the attacker indicators, whatever the options.
#include "guardduty/containment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "guardduty/reader.h"
#include "test_findings.h"

namespace guardfeed {
namespace {

using Strings = std::vector<std::string>;

std::string DataPath(const std::string& name) {
  return std::string(GUARDFEED_SOURCE_DIR) + "/tests/unit/guardduty/containment/" + name;
}

std::vector<Finding> Read(const std::vector<std::string>& paths, bool own_hosts,
                          Strings* errors = nullptr) {
  ReadLimits limits;
  limits.own_hosts = own_hosts;
  FindingReader reader(limits);
  std::vector<Finding> findings;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& f) { findings.push_back(std::move(f)); };
  callbacks.on_error = [&](const ReadError& e) {
    if (errors != nullptr) errors->push_back(e.ToString());
    ADD_FAILURE() << e.ToString();
  };
  (void)reader.ReadPaths(paths, callbacks);
  return findings;
}

Finding ReadFile(const std::string& name, bool own_hosts = true) {
  std::vector<Finding> findings = Read({DataPath(name)}, own_hosts);
  EXPECT_EQ(findings.size(), 1u) << name;
  return findings.empty() ? Finding{} : findings[0];
}

Strings OwnHosts(const Finding& f) {
  Strings out;
  for (const ExtractedIndicator& e : f.own_hosts) out.push_back(e.indicator.value);
  return out;
}

Strings Indicators(const Finding& f) {
  Strings out;
  for (const ExtractedIndicator& e : f.indicators) out.push_back(e.indicator.value);
  return out;
}

TEST(ContainmentFamilies, TheTable) {
  auto in = [](std::string_view type, std::string_view role = "") {
    return FindContainmentFamily(type, role) != nullptr;
  };
  // Whole families: the instance itself is infected, whatever resourceRole says.
  EXPECT_TRUE(in("Backdoor:EC2/C&CActivity.B", "TARGET"));
  EXPECT_TRUE(in("Backdoor:EC2/C&CActivity.B!DNS"));
  EXPECT_TRUE(in("Backdoor:EC2/DenialOfService.UdpOnTcpPorts", "ACTOR"));
  EXPECT_TRUE(in("Backdoor:EC2/Spambot", "TARGET"));
  EXPECT_TRUE(in("CryptoCurrency:EC2/BitcoinTool.B!DNS"));
  EXPECT_TRUE(in("Trojan:EC2/DNSDataExfiltration"));
  EXPECT_TRUE(in("Trojan:EC2/BlackholeTraffic!DNS", "TARGET"));
  EXPECT_TRUE(in("UnauthorizedAccess:EC2/TorClient"));
  EXPECT_TRUE(in("UnauthorizedAccess:EC2/TorRelay", "TARGET"));
  EXPECT_TRUE(in("Recon:EC2/Portscan"));
  EXPECT_TRUE(in("Impact:EC2/PortSweep"));
  EXPECT_TRUE(in("Backdoor:Runtime/C&CActivity.B!DNS"));
  EXPECT_TRUE(in("CryptoCurrency:Runtime/BitcoinTool.B"));
  EXPECT_TRUE(in("Trojan:Runtime/DropPoint"));
  EXPECT_TRUE(in("UnauthorizedAccess:Runtime/TorClient"));
  EXPECT_TRUE(in("UnauthorizedAccess:Runtime/TorRelay"));
  EXPECT_TRUE(in("Impact:Runtime/CryptoMinerExecuted"));
  // Brute force: only when our instance is the actor.
  for (std::string_view type :
       {"UnauthorizedAccess:EC2/SSHBruteForce", "UnauthorizedAccess:EC2/RDPBruteForce",
        "Impact:EC2/WinRMBruteForce"}) {
    EXPECT_TRUE(in(type, "ACTOR")) << type;
    EXPECT_FALSE(in(type, "TARGET")) << type;
    EXPECT_FALSE(in(type, "")) << type;
  }
  // Our instance is the victim, or the type is an anomaly rather than a compromise.
  for (std::string_view type :
       {"Recon:EC2/PortProbeUnprotectedPort", "Recon:EC2/PortProbeEMRUnprotectedPort",
        "UnauthorizedAccess:EC2/TorIPCaller", "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
        "UnauthorizedAccess:EC2/MetadataDNSRebind", "Behavior:EC2/NetworkPortUnusual",
        "Behavior:EC2/TrafficVolumeUnusual", "DefenseEvasion:EC2/UnusualDoHActivity",
        "Impact:EC2/MaliciousDomainRequest.Reputation", "Execution:Runtime/ReverseShell",
        "Recon:IAMUser/MaliciousIPCaller", "Backdoor:Lambda/C&CActivity.B",
        "Unknown:Unknown/NETWORK_CONNECTION", "Backdoor:EC2/", "Trojan:EC2"}) {
    EXPECT_FALSE(in(type, "ACTOR")) << type;
  }
  for (const ContainmentFamily& family : ContainmentFamilies()) {
    EXPECT_FALSE(family.meaning.empty()) << family.type;
  }
}

TEST(OwnHosts, EveryAddressOfAnActorInstance) {
  Finding f = ReadFile("ssh-bruteforce-actor.json");
  EXPECT_EQ(f.resource_role, "ACTOR");
  EXPECT_EQ(f.instance_id, "i-0aaa1111bbbb2222c");
  EXPECT_EQ(OwnHosts(f),
            (Strings{"10.0.1.20", "10.0.1.21", "54.10.20.30", "2600:1f18:4a3:6a01::20"}));
  EXPECT_EQ(f.own_hosts[0].field, "resource.instanceDetails.networkInterfaces[].privateIpAddress");
  EXPECT_EQ(f.own_hosts[1].field,
            "resource.instanceDetails.networkInterfaces[].privateIpAddresses[].privateIpAddress");
  EXPECT_EQ(f.own_hosts[2].field, "resource.instanceDetails.networkInterfaces[].publicIp");
  EXPECT_EQ(f.own_hosts[3].field, "resource.instanceDetails.networkInterfaces[].ipv6Addresses[]");
  // The attacker indicators are what they always were: never one of ours.
  EXPECT_EQ(Indicators(f), (Strings{"203.0.113.80"}));
}

TEST(OwnHosts, TheCliShapeReadsTheSame) {
  Finding wire = ReadFile("ssh-bruteforce-actor.json");
  Finding cli = ReadFile("ssh-bruteforce-actor.cli.json");
  EXPECT_EQ(cli.resource_role, "ACTOR");
  EXPECT_EQ(cli.instance_id, wire.instance_id);
  EXPECT_EQ(OwnHosts(cli), OwnHosts(wire));
  for (size_t i = 0; i < cli.own_hosts.size() && i < wire.own_hosts.size(); ++i) {
    EXPECT_EQ(cli.own_hosts[i].field, wire.own_hosts[i].field);
  }
}

TEST(OwnHosts, NothingWhenOurInstanceIsTheTarget) {
  Finding f = ReadFile("ssh-bruteforce-target.json");
  EXPECT_TRUE(f.own_hosts.empty());
  EXPECT_EQ(f.instance_id, "");
  EXPECT_EQ(Indicators(f), (Strings{"185.220.101.47"}));
}

TEST(OwnHosts, RuntimeFindingsOnEc2HostsOnly) {
  Finding ec2 = ReadFile("runtime-bitcointool.json");
  EXPECT_EQ(ec2.instance_id, "i-0eee5555ffff6666a");
  EXPECT_EQ(OwnHosts(ec2), (Strings{"10.0.3.40", "2600:1f18:4a3:6a02::40"}));
  EXPECT_EQ(Indicators(ec2), (Strings{"192.0.2.200"}));
  Finding fargate = ReadFile("runtime-fargate-no-instance.json");
  EXPECT_TRUE(fargate.own_hosts.empty());
  EXPECT_EQ(Indicators(fargate), (Strings{"192.0.2.201"}));
}

TEST(OwnHosts, OffUnlessAsked) {
  for (const char* name : {"ssh-bruteforce-actor.json", "runtime-bitcointool.json"}) {
    Finding f = ReadFile(name, false);
    EXPECT_TRUE(f.own_hosts.empty()) << name;
    EXPECT_EQ(f.instance_id, "") << name;
    EXPECT_EQ(f.resource_role, "") << name;
  }
}

// Reading our hosts changes nothing else about any finding: same indicators, same rejects.
TEST(OwnHosts, AttackerIndicatorsAreTheSameEitherWay) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(DataPath(""))) {
    if (entry.path().extension() != ".md") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Finding> off = Read(paths, false);
  std::vector<Finding> on = Read(paths, true);
  ASSERT_EQ(on.size(), off.size());
  ASSERT_EQ(on.size(), 7u);
  size_t with_hosts = 0;
  for (size_t i = 0; i < on.size(); ++i) {
    EXPECT_EQ(Indicators(on[i]), Indicators(off[i])) << on[i].id;
    EXPECT_EQ(on[i].rejected_count, off[i].rejected_count) << on[i].id;
    const Strings own = OwnHosts(on[i]);
    const std::set<std::string> ours(own.begin(), own.end());
    for (const std::string& value : Indicators(on[i])) {
      // 54.240.1.10 is an attacker in the port probe and ours in the Tor relay finding: two
      // findings, never both within one.
      EXPECT_EQ(ours.count(value), 0u) << on[i].id << " " << value;
    }
    if (!on[i].own_hosts.empty()) ++with_hosts;
  }
  EXPECT_EQ(with_hosts, 4u);  // actor (both shapes), runtime on EC2, Tor relay
}

TEST(OwnHosts, TorRelayIsContainedAndItsAddressAttacksElsewhere) {
  std::vector<Finding> findings = Read({DataPath("tor-relay-and-attacker.jsonl")}, true);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].type, "UnauthorizedAccess:EC2/TorRelay");
  EXPECT_EQ(OwnHosts(findings[0]), (Strings{"10.0.4.50", "54.240.1.10"}));
  EXPECT_EQ(findings[1].type, "Recon:EC2/PortProbeUnprotectedPort");
  EXPECT_TRUE(findings[1].own_hosts.empty());
  EXPECT_EQ(Indicators(findings[1]), (Strings{"54.240.1.10"}));
}

// A malformed resource costs the finding its own_hosts at worst, never its attacker indicators.
TEST(OwnHosts, MalformedResourceIsRejectedValuesNotAnError) {
  std::string finding = testing::RawFinding("bad-resource", testing::NetworkAction());
  const std::string good = R"("networkInterfaces":[{"privateIpAddress":"10.0.0.5",)"
                           R"("publicIp":"54.1.2.3"}])";
  ASSERT_NE(finding.find(good), std::string::npos);
  Strings errors;
  ReadLimits limits;
  limits.own_hosts = true;
  FindingReader reader(limits);
  for (const std::string& resource :
       {std::string(R"("networkInterfaces":{"privateIpAddress":"10.0.0.5"})"),
        std::string(R"("networkInterfaces":[{"privateIpAddress":7,"publicIp":"not-an-ip",)"
                    R"("ipv6Addresses":["2600:1f18::1",5]}])")}) {
    std::string bad = finding;
    bad.replace(bad.find(good), good.size(), resource);
    std::vector<Finding> findings;
    ReadCallbacks callbacks;
    callbacks.on_finding = [&](Finding&& f) { findings.push_back(std::move(f)); };
    callbacks.on_error = [&](const ReadError& e) { ADD_FAILURE() << e.ToString(); };
    (void)reader.ReadBuffer(bad, "test", callbacks);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(Indicators(findings[0]), (Strings{"185.220.101.47"}));
    EXPECT_GE(findings[0].rejected_count, 1);
    for (const ExtractedIndicator& own : findings[0].own_hosts) {
      EXPECT_EQ(own.indicator.value, "2600:1f18::1");
    }
  }
}

TEST(OwnHosts, CappedLikeIndicators) {
  std::string interfaces;
  for (int i = 0; i < 40; ++i) {
    if (i > 0) interfaces += ",";
    interfaces += R"({"privateIpAddress":"10.0.7.)" + std::to_string(i) + R"("})";
  }
  std::string finding = testing::RawFinding("many", testing::NetworkAction());
  const std::string good = R"("networkInterfaces":[{"privateIpAddress":"10.0.0.5",)"
                           R"("publicIp":"54.1.2.3"}])";
  finding.replace(finding.find(good), good.size(), R"("networkInterfaces":[)" + interfaces + "]");
  ReadLimits limits;
  limits.own_hosts = true;
  limits.max_indicators_per_finding = 10;
  FindingReader reader(limits);
  std::vector<Finding> findings;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& f) { findings.push_back(std::move(f)); };
  (void)reader.ReadBuffer(finding, "test", callbacks);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].own_hosts.size(), 10u);
  EXPECT_EQ(findings[0].indicators_dropped, 30);
}

}  // namespace
}  // namespace guardfeed
