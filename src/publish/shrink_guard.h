// ShrinkGuard: the safety rule every publisher applies before replacing a feed. A feed that would
// lose more than a configured fraction of its entries, or become empty when it was not, is held
// back unless forced: an empty or truncated list silently unblocks attackers (an empty FortiGate
// external list allows everything), and a sudden drop is more often a bug, a wiped store or a
// misconfiguration than a real change.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace guardfeed {

struct ShrinkGuardOptions {
  // Largest allowed loss, as a fraction of the last published entry count, in [0, 1].
  // Default 0.5 (a feed may lose at most half its entries in one publish).
  double max_shrink_fraction = 0.5;
  // Publish anyway (operator override, e.g. `guardfeed publish --force`). Default false.
  bool force = false;
};

// OK when `new_entries` may replace `previous_entries` for `feed`; FailedPrecondition naming the
// feed, both counts and the fraction otherwise. A feed never published before
// (previous_entries 0) always passes. InvalidArgument when the fraction is out of range.
Status CheckShrink(std::string_view feed, uint64_t previous_entries, uint64_t new_entries,
                   const ShrinkGuardOptions& options);

// What a target held for a feed before this publish.
struct PreviousEntries {
  enum class Kind {
    kNever,    // certainly never published there (no such file or object)
    kUnknown,  // cannot tell (a HEAD refused by IAM, a file guardfeed did not write)
    kKnown,    // `entries` were published there
  };
  Kind kind = Kind::kUnknown;
  uint64_t entries = 0;

  static PreviousEntries Never() { return {Kind::kNever, 0}; }
  static PreviousEntries Unknown() { return {Kind::kUnknown, 0}; }
  static PreviousEntries Known(uint64_t n) { return {Kind::kKnown, n}; }
};

// Entry counts by feed (or file), the shrink guard's record of what was published.
using EntryCounts = std::map<std::string, uint64_t, std::less<>>;
// "name entries\n" per line; Decode skips lines it cannot read.
std::string EncodeEntryCounts(const EntryCounts& counts);
EntryCounts DecodeEntryCounts(std::string_view text);

// CheckShrink against what a target held. An unknown previous state is not "never published":
// it refuses an empty feed (the one change that surely unblocks everything), and lets a
// non-empty one through.
Status CheckShrink(std::string_view feed, const PreviousEntries& previous, uint64_t new_entries,
                   const ShrinkGuardOptions& options);

}  // namespace guardfeed
