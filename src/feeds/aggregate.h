// CIDR aggregation for plain feeds: the minimal set of CIDR blocks that covers exactly a set of
// single addresses (docs/formats.md, "Aggregation"). Internal to feeds/.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "core/cidr.h"

namespace guardfeed::feeds_internal {

struct AggregateBlock {
  static constexpr size_t kNoSource = std::numeric_limits<size_t>::max();

  Cidr cidr;
  // For a single-address block (/32, /128): the index in the input of that address, so callers
  // can print the entry's own canonical text; kNoSource for larger blocks.
  size_t source = kNoSource;
};

// Merges duplicate, adjacent and overlapping addresses and splits every run of consecutive
// addresses into the fewest aligned CIDR blocks. IPv4 and IPv6 never merge with each other, and
// a run never wraps around 0.0.0.0 / 255.255.255.255 or the ends of the IPv6 space. The result is
// sorted: IPv4 blocks ascending, then IPv6 blocks ascending. Input may be in any order; sorted
// input (feed order) skips the sort.
std::vector<AggregateBlock> AggregateAddresses(std::span<const IpAddress> addresses);

}  // namespace guardfeed::feeds_internal
