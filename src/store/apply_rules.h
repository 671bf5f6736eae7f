// Internal to store/: the engine-independent rules of Store::Apply (docs/store.md, "Apply"), so
// that every engine merges deliveries and aggregates indicators identically: how a re-delivered
// sighting merges into the stored one, when it changes nothing, and what an indicator's row
// becomes from its live sightings.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace guardfeed::store_rules {

// What one Apply step did to a sighting or an indicator row.
enum class Change { kUnchanged, kNew, kUpdated, kWithdrawn };

// first_seen, last_seen and expires_at after merging a delivery into a stored sighting: seen
// times only widen; expiry only grows unless the withdrawn flag flips.
struct MergedTimes {
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
  UnixSeconds expires_at = 0;
};
MergedTimes Merge(const SightingRecord& stored, const SightingRecord& in);

// The stored row equals what writing `in` with `times` would store (labels included).
bool SameSighting(const SightingRecord& stored, const SightingRecord& in, const MergedTimes& times);

bool SameIndicator(const IndicatorRecord& a, const IndicatorRecord& b);

// An indicator's next row from the aggregate of its live sightings (`live`, finding_count 0 when
// none) and its stored row. An indicator left without live sightings keeps its row (explain still
// finds it) with finding_count 0 and expires_at 0, so it is never active; one that was never live
// gets no row (kUnchanged, nothing to write).
Change RefreshIndicator(const IndicatorRecord& live, const std::optional<IndicatorRecord>& old,
                        IndicatorRecord& next);

// The order in which a batch is written: by (value, finding id), stable, so repeats of one key
// merge in delivery order and each indicator's sightings are next to each other.
std::vector<uint32_t> KeyOrder(const std::vector<SightingRecord>& sightings);

// Smallest string greater than every string starting with `prefix`, or "" when there is none.
std::string PrefixEnd(std::string_view prefix);

// Store::Activity's engine-independent half: the window check and the folding of the engines'
// (measure, bucket, count) rows (measure 0 added, 1 expired, 2 withdrawn, 3 removed).
inline constexpr int kMaxActivityBuckets = 1000;
Status CheckActivityWindow(UnixSeconds from, int64_t width, int count);
struct ActivityCount {
  int measure = 0;
  int64_t bucket = 0;
  int64_t count = 0;
};
std::vector<ActivityBucket> ActivityBuckets(const std::vector<ActivityCount>& counts,
                                            UnixSeconds from, int64_t width, int count);

}  // namespace guardfeed::store_rules
