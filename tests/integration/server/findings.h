// GuardDuty findings for the daemon tests, written from the documented finding shape
// (shared/formats/guardduty-findings.md): EventBridge events around raw findings, with public,
// non-documentation attacker addresses and Medium-or-higher severity.
#pragma once

#include <cstdint>
#include <string>

namespace guardfeed::testing {

// A distinct attacker IPv4 address for each index i < 15,625,000: 45.a.b.c (public, not a
// special range).
std::string AttackerIp(uint32_t i);

// A raw NETWORK_CONNECTION finding (INBOUND) from `ip`.
std::string RawIpFinding(const std::string& finding_id, const std::string& ip,
                         double severity = 8.0);
// A raw DNS_REQUEST finding for `domain`.
std::string RawDnsFinding(const std::string& finding_id, const std::string& domain,
                          double severity = 8.0);
// The EventBridge event that carries a raw finding.
std::string EventBridge(const std::string& raw_finding, const std::string& event_id);

// One event for one IP (finding id "f-<i>", event id "e-<i>").
std::string IpEvent(uint32_t i, double severity = 8.0);

}  // namespace guardfeed::testing
