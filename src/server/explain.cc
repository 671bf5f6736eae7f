#include "server/explain.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "core/time_util.h"

namespace guardfeed::server {

namespace json = boost::json;

namespace {


json::object SightingJson(const SightingRecord& s) {
  return {{"finding_id", s.finding_id},
          {"type", s.finding_type},
          {"severity", s.severity},
          {"account_id", s.account_id},
          {"region", s.region},
          {"action_type", s.action_type},
          {"direction", s.direction},
          {"field", s.field},
          {"first_seen", JsonTime(s.first_seen)},
          {"last_seen", JsonTime(s.last_seen)},
          {"updated_at", JsonTime(s.updated_at)},
          {"count", s.count},
          {"withdrawn", s.withdrawn},
          {"expires_at", JsonTime(s.expires_at)}};
}

json::object PlacementJson(const FeedPlacement& placement) {
  json::object out{{"feed", placement.feed}, {"carried", placement.carried}};
  out["rank"] = placement.rank > 0 ? json::value(placement.rank) : json::value(nullptr);
  out["reason"] = placement.reason.empty() ? json::value(nullptr) : json::value(placement.reason);
  return out;
}

// Shortest text that reads back as `number`, with a decimal point so it stays a float to
// readers that distinguish ("8.0", not "8").
void AppendDouble(std::string& out, double number) {
  if (!std::isfinite(number)) {
    out += "null";
    return;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
  std::string_view text(buffer, ec == std::errc() ? static_cast<size_t>(end - buffer) : 0);
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void AppendJson(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const json::key_value_pair& member : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(member.key());
        out += ':';
        AppendJson(out, member.value());
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, element);
      }
      out += ']';
      return;
    }
    case json::kind::double_:
      AppendDouble(out, value.get_double());
      return;
    default:
      out += json::serialize(value);
      return;
  }
}

}  // namespace

std::string JsonText(const json::value& value) {
  std::string out;
  AppendJson(out, value);
  return out;
}

json::value JsonTime(UnixSeconds seconds) {
  if (seconds <= 0) return nullptr;
  return json::value(FormatIso8601(seconds));
}

json::object IndicatorJson(const IndicatorRecord& record, std::string_view state, UnixSeconds now) {
  return {{"value", record.indicator.value},
          {"kind", KindName(record.indicator.kind)},
          {"state", state},
          {"first_seen", JsonTime(record.first_seen)},
          {"last_seen", JsonTime(record.last_seen)},
          {"expires_at", JsonTime(record.expires_at)},  // null when withdrawn (expires_at 0)
          {"expired", record.expires_at <= now},
          {"max_severity", record.max_severity},
          {"threat_level", Policy::ThreatLevel(record.max_severity)},
          {"finding_count", record.finding_count}};
}

json::object ExplanationJson(const Explanation& e, UnixSeconds now) {
  json::object out{{"value", e.indicator.value},
                   {"kind", KindName(e.indicator.kind)},
                   {"state", ExplainedState(e, now)},
                   {"active", e.active}};
  out["indicator"] = nullptr;
  if (e.record) {
    out["indicator"] = IndicatorJson(
        *e.record, IndicatorStateName(StateOf(*e.record, e.removal.has_value(), now)), now);
  }
  out["suppressed_by"] = e.suppression ? json::value(*e.suppression) : json::value(nullptr);
  out["removal"] = nullptr;
  if (e.removal) {
    out["removal"] = {{"reason", e.removal->reason},
                      {"actor", e.removal->actor},
                      {"removed_at", JsonTime(e.removal->removed_at)}};
  }
  json::array sightings;
  for (const SightingRecord& s : e.sightings) sightings.push_back(SightingJson(s));
  out["sightings"] = std::move(sightings);
  json::array feeds;
  for (const FeedPlacement& placement : e.feeds) feeds.push_back(PlacementJson(placement));
  out["feeds"] = std::move(feeds);
  if (e.containment_entry) out["containment_entry"] = *e.containment_entry;
  if (e.containment) {
    json::array reasons;
    for (const ContainmentReason& r : e.reasons) {
      reasons.push_back(json::object{{"finding_id", r.finding_id},
                                     {"type", r.finding_type},
                                     {"severity", r.severity},
                                     {"instance_id", r.instance_id},
                                     {"field", r.field},
                                     {"family", r.family},
                                     {"withdrawn", r.withdrawn}});
    }
    out["containment"] = json::object{{"address", e.address},
                                      {"summary", ContainmentSummary(e)},
                                      {"reasons", std::move(reasons)}};
  }
  return out;
}

}  // namespace guardfeed::server
