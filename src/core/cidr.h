// Cidr: an IPv4 or IPv6 network (address + prefix length), used by allowlists, never-block ranges
// and feed aggregation.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/indicator.h"

namespace guardfeed {

struct Cidr {
  IpAddress base;     // host bits are always zero
  int prefix_len = 0;  // 0..32 for IPv4, 0..128 for IPv6

  bool Contains(const IpAddress& address) const;
  // "a.b.c.d/n" or "x::/n"; a single address prints with its full prefix (/32, /128).
  std::string ToString() const;
  bool operator==(const Cidr&) const = default;
};

// Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128). Host bits set below the
// prefix are an error, since they usually mean a typo in an allowlist.
Result<Cidr> ParseCidr(std::string_view text);

// Zeroes every bit of `address` after the first `prefix_len`.
IpAddress MaskAddress(const IpAddress& address, int prefix_len);

}  // namespace guardfeed
