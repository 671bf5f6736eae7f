#include "store/apply_rules.h"

#include <algorithm>
#include <tuple>

namespace guardfeed::store_rules {

MergedTimes Merge(const SightingRecord& stored, const SightingRecord& in) {
  MergedTimes t;
  t.first_seen = std::min(stored.first_seen, in.first_seen);
  t.last_seen = std::max(stored.last_seen, in.last_seen);
  bool flips = stored.withdrawn != in.withdrawn;
  t.expires_at = flips ? in.expires_at : std::max(stored.expires_at, in.expires_at);
  return t;
}

bool SameSighting(const SightingRecord& stored, const SightingRecord& in,
                  const MergedTimes& times) {
  return stored.indicator.kind == in.indicator.kind && stored.finding_type == in.finding_type &&
         stored.account_id == in.account_id && stored.region == in.region &&
         stored.action_type == in.action_type && stored.direction == in.direction &&
         stored.field == in.field && stored.severity == in.severity &&
         stored.first_seen == times.first_seen && stored.last_seen == times.last_seen &&
         stored.updated_at == in.updated_at && stored.count == in.count &&
         stored.withdrawn == in.withdrawn && stored.expires_at == times.expires_at;
}

bool SameIndicator(const IndicatorRecord& a, const IndicatorRecord& b) {
  return a.indicator == b.indicator && a.first_seen == b.first_seen && a.last_seen == b.last_seen &&
         a.expires_at == b.expires_at && a.max_severity == b.max_severity &&
         a.finding_count == b.finding_count;
}

Change RefreshIndicator(const IndicatorRecord& live, const std::optional<IndicatorRecord>& old,
                        IndicatorRecord& next) {
  next = live;
  if (live.finding_count == 0) {
    if (!old.has_value() || old->finding_count == 0) return Change::kUnchanged;
    next = *old;
    next.expires_at = 0;
    next.finding_count = 0;
    return Change::kWithdrawn;
  }
  if (!old.has_value()) return Change::kNew;
  return SameIndicator(*old, next) ? Change::kUnchanged : Change::kUpdated;
}

// Entries carry the value's first 8 bytes as a big-endian number, which orders like the bytes
// themselves, so most comparisons touch no string.
std::vector<uint32_t> KeyOrder(const std::vector<SightingRecord>& sightings) {
  struct Entry {
    uint64_t prefix;
    uint32_t index;
  };
  std::vector<Entry> entries(sightings.size());
  for (size_t i = 0; i < sightings.size(); ++i) {
    const std::string& value = sightings[i].indicator.value;
    uint64_t prefix = 0;
    for (size_t b = 0; b < 8; ++b) {
      prefix = (prefix << 8) | (b < value.size() ? static_cast<unsigned char>(value[b]) : 0u);
    }
    entries[i] = Entry{prefix, static_cast<uint32_t>(i)};
  }
  std::stable_sort(entries.begin(), entries.end(), [&sightings](const Entry& a, const Entry& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    const SightingRecord& x = sightings[a.index];
    const SightingRecord& y = sightings[b.index];
    return std::tie(x.indicator.value, x.finding_id) < std::tie(y.indicator.value, y.finding_id);
  });
  std::vector<uint32_t> order(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) order[i] = entries[i].index;
  return order;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

Status CheckActivityWindow(UnixSeconds from, int64_t width, int count) {
  // Bounded so that from + width * count cannot overflow.
  constexpr int64_t kMaxWidth = int64_t{366} * 86400;
  if (from < 0 || from > (int64_t{1} << 40) || width < 1 || width > kMaxWidth || count < 1 ||
      count > kMaxActivityBuckets) {
    return Status::InvalidArgument("activity: expected 0 <= from, 1 <= width <= 1 year, 1 <= " +
                                   std::to_string(kMaxActivityBuckets) + " buckets");
  }
  return Status::Ok();
}

std::vector<ActivityBucket> ActivityBuckets(const std::vector<ActivityCount>& counts,
                                            UnixSeconds from, int64_t width, int count) {
  std::vector<ActivityBucket> buckets(static_cast<size_t>(count));
  for (size_t i = 0; i < buckets.size(); ++i) {
    buckets[i].start = from + width * static_cast<int64_t>(i);
  }
  for (const ActivityCount& c : counts) {
    if (c.bucket < 0 || c.bucket >= count) continue;
    ActivityBucket& b = buckets[static_cast<size_t>(c.bucket)];
    int64_t* fields[] = {&b.added, &b.expired, &b.withdrawn, &b.removed};
    if (c.measure >= 0 && c.measure < 4) *fields[c.measure] += c.count;
  }
  return buckets;
}

}  // namespace guardfeed::store_rules
