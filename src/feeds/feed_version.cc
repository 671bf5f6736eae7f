#include "feeds/feed_version.h"

#include <charconv>

#include "core/time_util.h"

namespace guardfeed::feeds_internal {
namespace {

// "YYYYMMDD.N": N counts from 1 within a UTC day. A previous version dated after today (a
// replica's clock ahead of ours) keeps its date so versions never go backwards.
std::string NextSecIntelVersion(const std::string& previous, UnixSeconds now) {
  const std::string today = FormatYyyymmdd(now);
  constexpr size_t kDateLength = 8;
  if (previous.size() > kDateLength + 1 && previous[kDateLength] == '.') {
    std::string_view date(previous.data(), kDateLength);
    std::string_view count(previous.data() + kDateLength + 1, previous.size() - kDateLength - 1);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (ec == std::errc() && end == count.data() + count.size() && n > 0 && date >= today) {
      return std::string(date) + "." + std::to_string(n + 1);
    }
  }
  return today + ".1";
}

// The version a feed's content gets when it changes: SecIntel counts within the UTC day, the
// other formats use the serial.
NextFeedVersion VersionScheme(FeedFormat format) {
  return [format](const FeedState* previous, int64_t serial, UnixSeconds now) {
    return format == FeedFormat::kSecIntel
               ? NextSecIntelVersion(previous != nullptr ? previous->version : "", now)
               : std::to_string(serial);
  };
}

// What AdvanceFeedState would return now, computed from the stored state without writing.
Result<FeedAdvance> PeekFeedState(const FeedConfig& config, const std::string& digest,
                                  UnixSeconds now, Store* store) {
  auto stored = store->GetFeedState(config.name);
  if (!stored.ok()) return stored.status();
  const std::optional<FeedState>& previous = *stored;
  if (previous && previous->content_digest == digest) return FeedAdvance{*previous, false};
  FeedState next;
  next.feed = config.name;
  next.content_digest = digest;
  next.serial = (previous ? previous->serial : 0) + 1;
  next.data_ts = now;
  next.version = VersionScheme(config.format)(previous ? &*previous : nullptr, next.serial, now);
  return FeedAdvance{std::move(next), true};
}

}  // namespace

Result<FeedAdvance> VersionFeed(const FeedConfig& config, const std::string& digest,
                                UnixSeconds now, Store* store, Versioning versioning) {
  Result<FeedAdvance> versioned =
      versioning == Versioning::kPeek
          ? PeekFeedState(config, digest, now, store)
          : store->AdvanceFeedState(config.name, digest, now, VersionScheme(config.format));
  if (!versioned.ok()) return versioned.status().WithContext("feed " + config.name);
  return versioned;
}

}  // namespace guardfeed::feeds_internal
