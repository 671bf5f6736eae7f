#include "core/special_ranges.h"

#include <array>
#include <vector>

#include "core/cidr.h"

namespace guardfeed {
namespace {

constexpr std::array<SpecialRange, 27> kRanges = {{
    {"0.0.0.0/8", "unspecified"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "cgnat"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link_local"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "reserved"},
    {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "reserved"},
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},
    {"255.255.255.255/32", "reserved"},
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"64:ff9b:1::/48", "private"},
    {"100::/64", "reserved"},
    {"2001::/23", "reserved"},
    {"2001:db8::/32", "documentation"},
    {"3fff::/20", "documentation"},
    {"fc00::/7", "unique_local"},
    {"fe80::/10", "link_local"},
    {"ff00::/8", "multicast"},
    {"2002::/16", "reserved"},
}};

struct ParsedRange {
  Cidr cidr;
  const SpecialRange* range;
};

const std::vector<ParsedRange>& ParsedRanges() {
  static const std::vector<ParsedRange> parsed = [] {
    std::vector<ParsedRange> out;
    for (const auto& range : kRanges) out.push_back({ParseCidr(range.cidr).value(), &range});
    return out;
  }();
  return parsed;
}

}  // namespace

const SpecialRange* FindSpecialRange(const IpAddress& address) {
  for (const auto& entry : ParsedRanges()) {
    if (entry.cidr.Contains(address)) return entry.range;
  }
  return nullptr;
}

bool IsKnownRangeClass(std::string_view range_class) {
  for (const auto& range : kRanges) {
    if (range.range_class == range_class) return true;
  }
  return false;
}

}  // namespace guardfeed
