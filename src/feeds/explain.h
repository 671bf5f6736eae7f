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

// Why a containment entry is listed: one finding that named our instance as the actor.
struct ContainmentReason {
  std::string finding_id;
  std::string finding_type;
  double severity = 0;
  std::string instance_id;  // "" when the finding named none
  std::string field;        // where the address was, e.g. "...networkInterfaces[].publicIp"
  std::string family;       // the containment family's meaning ("" for a type no longer listed)
  bool withdrawn = false;   // the finding was archived
};

struct Explanation {
  Indicator indicator;
  // A containment entry (core/indicator.h): `address` is the plain IP the containment feeds
  // list, `reasons` one line per finding that named our instance, newest first.
  bool containment = false;
  std::string address;
  std::vector<ContainmentReason> reasons;
  // For a plain IP: the containment entry of the same address ("instance:10.0.0.5") when the
  // store holds one, so an operator asking about one of our addresses finds its quarantine.
  std::optional<std::string> containment_entry;
  std::optional<IndicatorRecord> record;  // nullopt: never seen
  std::vector<SightingRecord> sightings;  // newest first
  std::optional<RemovalRecord> removal;
  std::optional<std::string> suppression;  // allowlist entry or never-block range
  bool active = false;                     // not expired, not removed, not suppressed
  int threat_level = 0;
  std::vector<FeedPlacement> feeds;

  // No finding ever named it and it was never removed: `indicators show` and
  // GET /v1/indicators/VALUE answer "never seen" (exit code 2, HTTP 404).
  bool never_seen() const { return !record && sightings.empty() && !removal; }
};

// One line on what a containment entry is, e.g. "containment entry: our instance i-0abc
// (10.0.0.5) is the actor of UnauthorizedAccess:EC2/SSHBruteForce (severity 8.0)"; "" for other
// indicators.
std::string ContainmentSummary(const Explanation& explanation);

// The one-word state `indicators show` and the admin API report, in this order of precedence:
// "never seen", "removed", "suppressed", "withdrawn" (every finding that named it was archived),
// "expired", "active".
std::string_view ExplainedState(const Explanation& explanation, UnixSeconds now);

// Loads everything from the store; ranking reads the active indicators, so this is an admin-path
// operation, not a hot one. Read-only: never changes the store (feed versions included).
// Suppression is decided by Suppressions (feeds/suppressions.h), as in FeedBuilder, so a stored
// allowlist entry that no longer parses fails here as it fails the render.
Result<Explanation> ExplainIndicator(const Indicator& indicator,
                                     const std::vector<FeedConfig>& feeds, const Policy& policy,
                                     Store& store, UnixSeconds now);

}  // namespace guardfeed
