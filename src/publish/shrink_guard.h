// ShrinkGuard: the safety rule every publisher applies before replacing a feed. A feed that would
// lose more than a configured fraction of its entries, or become empty when it was not, is held
// back unless forced: an empty or truncated list silently unblocks attackers (an empty FortiGate
// external list allows everything), and a sudden drop is more often a bug, a wiped store or a
// misconfiguration than a real change.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
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

}  // namespace guardfeed
