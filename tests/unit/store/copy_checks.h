// Checks for `store copy` shared by every engine pair: a store with a row in every table and every
// shape of row, and a comparison of two stores through every public read. A round trip through
// another engine (SQLite -> PostgreSQL -> SQLite) uses the same two functions.
#pragma once

#include "store/store.h"
#include "unit/store/sightings.h"

namespace guardfeed::testing {

// The time FillEveryTable's data is built around: some indicators are active at it, some expired.
inline constexpr UnixSeconds kCopyNow = kT0 + 10 * kDay;

// Writes through the public API, at kCopyNow: sightings of every kind with varied labels
// (including text with NUL bytes and non-ASCII), a withdrawn indicator, a withdrawn-only
// sighting (no indicator row), an expired indicator, removals, an unremoved indicator, allowlist
// entries (one added and removed again), audit entries, feed states and publisher states with
// binary values (NUL and 0xff bytes, an empty value). Fails the test on any error.
void FillEveryTable(Store& store);

// Expects equal answers from both stores to every public read: ListIndicators (all, and per
// state at `now`), SightingsOf every value, ListRemovals, GetRemoval, ListAllowlist, ListAudit
// (order included), GetFeedState and GetPublisherState of every feed and key, ChangesSince(0)
// as a set, and the per-table row counts and hashes of their exports (DigestStore). Change
// counters are not compared: a copy's target may have moved past its source's.
void ExpectSameContents(Store& a, Store& b, UnixSeconds now = kCopyNow);

}  // namespace guardfeed::testing
