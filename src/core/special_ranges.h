// Special-purpose address ranges (IANA registries, RFC 6890 and successors) that are never an
// attacker on the Internet: private, loopback, link-local, CGNAT, multicast, documentation,
// reserved. The policy layer refuses to block them unless a range class is explicitly enabled.
#pragma once

#include <string_view>

#include "core/indicator.h"

namespace guardfeed {

// Class names used in configuration ("private", "loopback", "link_local", "cgnat", "multicast",
// "documentation", "reserved", "unspecified", "benchmarking", "unique_local").
struct SpecialRange {
  std::string_view cidr;         // e.g. "10.0.0.0/8"
  std::string_view range_class;  // e.g. "private"
};

// The range containing `address`, or nullptr when the address is globally routable.
const SpecialRange* FindSpecialRange(const IpAddress& address);
bool IsKnownRangeClass(std::string_view range_class);

}  // namespace guardfeed
