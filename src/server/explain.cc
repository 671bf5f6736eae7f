#include "server/explain.h"

#include <boost/json.hpp>

#include "core/time_util.h"

namespace guardfeed::server {

namespace json = boost::json;

namespace {

json::value Time(UnixSeconds seconds) {
  if (seconds <= 0) return nullptr;
  return json::value(FormatIso8601(seconds));
}

json::object SightingJson(const SightingRecord& s) {
  return {{"finding_id", s.finding_id},
          {"type", s.finding_type},
          {"severity", s.severity},
          {"account_id", s.account_id},
          {"region", s.region},
          {"action_type", s.action_type},
          {"direction", s.direction},
          {"field", s.field},
          {"first_seen", Time(s.first_seen)},
          {"last_seen", Time(s.last_seen)},
          {"updated_at", Time(s.updated_at)},
          {"count", s.count},
          {"withdrawn", s.withdrawn},
          {"expires_at", Time(s.expires_at)}};
}

json::object PlacementJson(const FeedPlacement& placement) {
  json::object out{{"feed", placement.feed}, {"carried", placement.carried}};
  out["rank"] = placement.rank > 0 ? json::value(placement.rank) : json::value(nullptr);
  out["reason"] = placement.reason.empty() ? json::value(nullptr) : json::value(placement.reason);
  return out;
}

std::string_view State(const Explanation& e, UnixSeconds now) {
  if (e.removal) return "removed";
  if (e.suppression) return "suppressed";
  if (!e.record) return "unknown";
  return e.record->expires_at <= now ? "expired" : "active";
}

}  // namespace

json::object IndicatorJson(const IndicatorRecord& record, UnixSeconds now) {
  return {{"value", record.indicator.value},
          {"kind", KindName(record.indicator.kind)},
          {"first_seen", Time(record.first_seen)},
          {"last_seen", Time(record.last_seen)},
          {"expires_at", Time(record.expires_at)},
          {"expired", record.expires_at <= now},
          {"max_severity", record.max_severity},
          {"threat_level", Policy::ThreatLevel(record.max_severity)},
          {"finding_count", record.finding_count}};
}

json::object ExplanationJson(const Explanation& e, UnixSeconds now) {
  json::object out{{"value", e.indicator.value},
                   {"kind", KindName(e.indicator.kind)},
                   {"state", State(e, now)},
                   {"active", e.active}};
  out["indicator"] = e.record ? json::value(IndicatorJson(*e.record, now)) : json::value(nullptr);
  out["suppressed_by"] = e.suppression ? json::value(*e.suppression) : json::value(nullptr);
  out["removal"] = nullptr;
  if (e.removal) {
    out["removal"] = {{"reason", e.removal->reason},
                      {"actor", e.removal->actor},
                      {"removed_at", Time(e.removal->removed_at)}};
  }
  json::array sightings;
  for (const SightingRecord& s : e.sightings) sightings.push_back(SightingJson(s));
  out["sightings"] = std::move(sightings);
  json::array feeds;
  for (const FeedPlacement& placement : e.feeds) feeds.push_back(PlacementJson(placement));
  out["feeds"] = std::move(feeds);
  return out;
}

}  // namespace guardfeed::server
