#include "feeds/explain.h"

#include <algorithm>
#include <cstdio>

#include "feeds/render_util.h"
#include "feeds/suppressions.h"
#include "guardduty/containment.h"
#include "store/ingest.h"

namespace guardfeed {
namespace {

// Whether `feed` may list `indicator` at all: its kind, and containment feeds only containment
// entries, the other feeds only the rest.
bool FeedTakes(const FeedConfig& feed, const Indicator& indicator) {
  return IsContainment(indicator) == feed.containment &&
         feeds_internal::FormatPublishes(feed, indicator.kind);
}

// The rank key a feed sorts by: containment entries rank by their plain address, as listed.
std::string_view RankValue(const Indicator& indicator) {
  std::string_view value = indicator.value;
  if (IsContainment(indicator)) value.remove_prefix(kContainmentPrefix.size());
  return value;
}

// 1-based rank of `target` among the feed's eligible active indicators.
size_t RankIn(const FeedConfig& feed, const IndicatorRecord& target,
              const std::vector<IndicatorRecord>& active, const Suppressions& suppressions) {
  RankKey key{Policy::ThreatLevel(target.max_severity), target.last_seen,
              RankValue(target.indicator)};
  size_t rank = 1;
  for (const IndicatorRecord& other : active) {
    int level = Policy::ThreatLevel(other.max_severity);
    if (!FeedTakes(feed, other.indicator) || level < feed.min_threat_level) continue;
    if (suppressions.Why(other.indicator)) continue;
    if (RanksBefore({level, other.last_seen, RankValue(other.indicator)}, key)) ++rank;
  }
  return rank;
}

// Why `feed` does not take the indicator, or "" when it may.
std::string NotTaken(const FeedConfig& feed, const Indicator& indicator) {
  if (IsContainment(indicator) && !feed.containment) {
    return "not a containment feed: it never lists our own instances";
  }
  if (!IsContainment(indicator) && feed.containment) {
    return "containment feed: it lists only our own compromised instances";
  }
  if (!feeds_internal::FormatPublishes(feed, indicator.kind)) {
    return "feed does not publish " + std::string(KindName(indicator.kind));
  }
  return "";
}

void ExplainContainment(Explanation& out) {
  out.containment = true;
  out.address = ContainmentAddress(out.indicator).value;
  for (const SightingRecord& s : out.sightings) {
    ContainmentReason& reason = out.reasons.emplace_back();
    reason.finding_id = s.finding_id;
    reason.finding_type = s.finding_type;
    reason.severity = s.severity;
    ContainmentFieldParts parts = SplitContainmentField(s.field);
    reason.field = std::string(parts.field);
    reason.instance_id = std::string(parts.instance_id);
    // The role is not stored; a type listed only for actors was stored only as one.
    if (const ContainmentFamily* family = FindContainmentFamily(s.finding_type, "ACTOR")) {
      reason.family = family->meaning;
    }
    reason.withdrawn = s.withdrawn;
  }
}

void PlaceInFeeds(Explanation& out, const std::vector<FeedConfig>& feeds,
                  const Suppressions& suppressions, const std::vector<IndicatorRecord>& active) {
  for (const FeedConfig& feed : feeds) {
    FeedPlacement& placement = out.feeds.emplace_back();
    placement.feed = feed.name;
    std::string not_taken = NotTaken(feed, out.indicator);
    if (!not_taken.empty()) {
      placement.reason = std::move(not_taken);
    } else if (!out.active) {
      placement.reason = "indicator is not active";
    } else if (out.threat_level < feed.min_threat_level) {
      placement.reason = "threat level " + std::to_string(out.threat_level) + " below the feed's " +
                         std::to_string(feed.min_threat_level);
    } else {
      placement.rank = RankIn(feed, *out.record, active, suppressions);
      placement.carried = feed.max_entries == 0 || placement.rank <= feed.max_entries;
      if (!placement.carried) {
        placement.reason = "dropped by max_entries " + std::to_string(feed.max_entries);
      }
    }
  }
}

}  // namespace

std::string ContainmentSummary(const Explanation& e) {
  if (!e.containment) return "";
  std::string out = "containment entry: our instance";
  const ContainmentReason* latest = e.reasons.empty() ? nullptr : &e.reasons.front();
  if (latest != nullptr && !latest->instance_id.empty()) out += " " + latest->instance_id;
  out += " (" + e.address + ")";
  if (latest == nullptr) return out + ", removed by an operator before any finding was stored";
  char severity[16];
  std::snprintf(severity, sizeof severity, "%.1f", latest->severity);
  out += " is the actor of " + latest->finding_type + " (severity " + severity + ")";
  if (!latest->family.empty()) out += ": it " + latest->family;
  return out;
}

std::string_view ExplainedState(const Explanation& e, UnixSeconds now) {
  if (e.never_seen()) return "never seen";
  if (e.removal) return "removed";
  if (e.suppression) return "suppressed";
  // A finding archived before its first delivery leaves sightings but no indicator row.
  if (!e.record) return "withdrawn";
  return IndicatorStateName(StateOf(*e.record, false, now));
}

Result<Explanation> ExplainIndicator(const Indicator& indicator,
                                     const std::vector<FeedConfig>& feeds, const Policy& policy,
                                     Store& store, UnixSeconds now) {
  Explanation out;
  out.indicator = indicator;
  auto record = store.GetIndicator(indicator);
  if (!record.ok()) return record.status();
  out.record = *record;
  auto sightings = store.SightingsOf(indicator);
  if (!sightings.ok()) return sightings.status();
  out.sightings = std::move(*sightings);
  auto removal = store.GetRemoval(indicator);
  if (!removal.ok()) return removal.status();
  out.removal = *removal;
  auto suppressions = Suppressions::Load(policy, store);
  if (!suppressions.ok()) return suppressions.status();
  out.suppression = suppressions->Why(indicator);
  if (IsContainment(indicator)) {
    ExplainContainment(out);
  } else if (indicator.kind != IndicatorKind::kDomain) {
    auto entry = ContainmentIndicator(indicator.value);
    if (entry.ok()) {
      auto held = store.GetIndicator(*entry);
      if (!held.ok()) return held.status();
      if (held->has_value()) out.containment_entry = entry->value;
    }
  }
  if (out.record) out.threat_level = Policy::ThreatLevel(out.record->max_severity);
  out.active = out.record && out.record->expires_at > now && !out.removal && !out.suppression;
  std::vector<IndicatorRecord> active;
  if (out.active) {
    auto loaded = store.ActiveIndicators(now);
    if (!loaded.ok()) return loaded.status();
    active = std::move(*loaded);
  }
  PlaceInFeeds(out, feeds, *suppressions, active);
  return out;
}

}  // namespace guardfeed
