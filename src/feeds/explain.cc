#include "feeds/explain.h"

#include <algorithm>

#include "feeds/render_util.h"
#include "feeds/suppressions.h"

namespace guardfeed {
namespace {

// 1-based rank of `target` among the feed's eligible active indicators.
size_t RankIn(const FeedConfig& feed, const IndicatorRecord& target,
              const std::vector<IndicatorRecord>& active, const Suppressions& suppressions) {
  RankKey key{Policy::ThreatLevel(target.max_severity), target.last_seen, target.indicator.value};
  size_t rank = 1;
  for (const IndicatorRecord& other : active) {
    int level = Policy::ThreatLevel(other.max_severity);
    if (!feeds_internal::FormatPublishes(feed, other.indicator.kind) ||
        level < feed.min_threat_level) {
      continue;
    }
    if (suppressions.Why(other.indicator)) continue;
    if (RanksBefore({level, other.last_seen, other.indicator.value}, key)) ++rank;
  }
  return rank;
}

void PlaceInFeeds(Explanation& out, const std::vector<FeedConfig>& feeds,
                  const Suppressions& suppressions, const std::vector<IndicatorRecord>& active) {
  for (const FeedConfig& feed : feeds) {
    FeedPlacement& placement = out.feeds.emplace_back();
    placement.feed = feed.name;
    if (!feeds_internal::FormatPublishes(feed, out.indicator.kind)) {
      placement.reason = "feed does not publish " + std::string(KindName(out.indicator.kind));
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
