#include "guardduty/containment.h"

#include <array>

namespace guardfeed {
namespace {

// Finding types from the GuardDuty User Guide ("EC2 finding types", "Runtime Monitoring finding
// types"). Every member of the Backdoor, CryptoCurrency and Trojan families describes the
// instance itself as infected; the other rows are single types. Left out on purpose (the
// instance is the target, or the type is an anomaly rather than evidence of compromise):
// Recon:EC2/PortProbe*, UnauthorizedAccess:EC2/TorIPCaller, UnauthorizedAccess:EC2/
// MaliciousIPCaller.Custom, UnauthorizedAccess:EC2/MetadataDNSRebind, Behavior:EC2/*,
// DefenseEvasion:EC2/*, Impact:EC2/*DomainRequest.*, and the process-level Runtime types
// (Execution:Runtime/*, PrivilegeEscalation:Runtime/*, DefenseEvasion:Runtime/*).
constexpr std::array kFamilies = {
    ContainmentFamily{"Backdoor:EC2/*", false,
                      "talks to a command and control server, takes part in a denial of service "
                      "attack or sends spam"},
    ContainmentFamily{"CryptoCurrency:EC2/*", false, "talks to cryptocurrency mining pools"},
    ContainmentFamily{"Trojan:EC2/*", false,
                      "talks to trojan infrastructure (drop points, blackholed addresses, DGA "
                      "domains, DNS exfiltration)"},
    ContainmentFamily{"UnauthorizedAccess:EC2/TorClient", false, "connects to the Tor network"},
    ContainmentFamily{"UnauthorizedAccess:EC2/TorRelay", false, "acts as a Tor relay"},
    ContainmentFamily{"Recon:EC2/Portscan", false, "port-scans a remote host"},
    ContainmentFamily{"Impact:EC2/PortSweep", false, "probes one port on many hosts"},
    ContainmentFamily{"UnauthorizedAccess:EC2/SSHBruteForce", true,
                      "brute-forces SSH logins on other hosts"},
    ContainmentFamily{"UnauthorizedAccess:EC2/RDPBruteForce", true,
                      "brute-forces RDP logins on other hosts"},
    ContainmentFamily{"Impact:EC2/WinRMBruteForce", true,
                      "brute-forces Windows Remote Management logins on other hosts"},
    ContainmentFamily{"Backdoor:Runtime/*", false,
                      "a process talks to a command and control server"},
    ContainmentFamily{"CryptoCurrency:Runtime/*", false,
                      "a process talks to cryptocurrency mining pools"},
    ContainmentFamily{"Trojan:Runtime/*", false, "a process talks to trojan infrastructure"},
    ContainmentFamily{"UnauthorizedAccess:Runtime/TorClient", false,
                      "a process connects to the Tor network"},
    ContainmentFamily{"UnauthorizedAccess:Runtime/TorRelay", false,
                      "a process acts as a Tor relay"},
    ContainmentFamily{"Impact:Runtime/CryptoMinerExecuted", false, "runs a cryptocurrency miner"},
};

bool TypeMatches(std::string_view pattern, std::string_view type) {
  if (pattern.ends_with('*')) {
    pattern.remove_suffix(1);
    return type.size() > pattern.size() && type.starts_with(pattern);
  }
  return type == pattern;
}

}  // namespace

std::span<const ContainmentFamily> ContainmentFamilies() { return kFamilies; }

const ContainmentFamily* FindContainmentFamily(std::string_view type,
                                               std::string_view resource_role) {
  for (const ContainmentFamily& family : kFamilies) {
    if (!TypeMatches(family.type, type)) continue;
    if (family.actor_only && resource_role != "ACTOR") return nullptr;
    return &family;
  }
  return nullptr;
}

}  // namespace guardfeed
