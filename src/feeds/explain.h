// Explain: why an indicator is (or is not) in the feeds: the findings that produced it, its
// expiry, and per feed whether it is carried and at what rank, or what keeps it out (removal,
// allowlist entry, never-block range, kind, threat level, cap). Shared by `guardfeed indicators
// show` and the admin API.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "feeds/feed.h"
#include "policy/policy.h"
#include "store/store.h"

namespace guardfeed {

struct FeedPlacement {
  std::string feed;
  bool carried = false;
  size_t rank = 0;     // 1-based rank among the feed's eligible entries (when carried or capped)
  std::string reason;  // why it is not carried ("" when carried)
};

struct Explanation {
  Indicator indicator;
  std::optional<IndicatorRecord> record;  // nullopt: never seen
  std::vector<SightingRecord> sightings;  // newest first
  std::optional<RemovalRecord> removal;
  std::optional<std::string> suppression;  // allowlist entry or never-block range
  bool active = false;                     // not expired, not removed, not suppressed
  int threat_level = 0;
  std::vector<FeedPlacement> feeds;
};

// Loads everything from the store; ranking reads the active indicators, so this is an admin-path
// operation, not a hot one.
Result<Explanation> ExplainIndicator(const Indicator& indicator,
                                     const std::vector<FeedConfig>& feeds, const Policy& policy,
                                     Store& store, UnixSeconds now);

}  // namespace guardfeed
