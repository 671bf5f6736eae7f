// Internal to feeds/: per-entry fingerprints of exactly the fields a format prints. A feed's
// content digest (LiveFeeds) hashes the sum of its entries' fingerprints, so it is kept up to
// date by adding and subtracting, and does not depend on how the entries are stored.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "feeds/feed.h"

namespace guardfeed::feeds_internal {

// 128 bits of a fast non-cryptographic hash; the digest sums them, so a collision only matters
// between two contents of one feed, and 2^-128 per pair is far below any other risk here.
struct Fingerprint {
  uint64_t a = 0;
  uint64_t b = 0;

  void Add(const Fingerprint& other) {
    a += other.a;
    b += other.b;
  }
  void Subtract(const Fingerprint& other) {
    a -= other.a;
    b -= other.b;
  }
  bool operator==(const Fingerprint&) const = default;
};

// Which fields a format prints: values only (plain), values and threat levels (secintel,
// checkpoint), or everything (json).
enum class Printed { kValues, kLevels, kAll };
Printed PrintedBy(FeedFormat format);

Fingerprint FingerprintOf(const FeedEntry& entry, Printed printed);

}  // namespace guardfeed::feeds_internal
