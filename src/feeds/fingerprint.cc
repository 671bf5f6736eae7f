#include "feeds/fingerprint.h"

#include <cstring>
#include <string_view>

namespace guardfeed::feeds_internal {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  uint64_t h = Mix(seed ^ (bytes.size() * 0x9e3779b97f4a7c15ULL));
  size_t at = 0;
  for (; at + 8 <= bytes.size(); at += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + at, 8);
    h = Mix(h ^ Mix(word + seed));
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + at, bytes.size() - at);
  return Mix(h ^ Mix(tail + seed + (bytes.size() - at)));
}

}  // namespace

Printed PrintedBy(FeedFormat format) {
  switch (format) {
    case FeedFormat::kPlain:
      return Printed::kValues;
    case FeedFormat::kSecIntel:
    case FeedFormat::kCheckPoint:
      return Printed::kLevels;
    case FeedFormat::kJson:
      return Printed::kAll;
  }
  return Printed::kAll;
}

Fingerprint FingerprintOf(const FeedEntry& entry, Printed printed) {
  Fingerprint print;
  for (uint64_t* lane : {&print.a, &print.b}) {
    const uint64_t seed = lane == &print.a ? 0x243f6a8885a308d3ULL : 0x13198a2e03707344ULL;
    uint64_t h = HashBytes(entry.indicator.value, seed);
    if (printed != Printed::kValues) h = Mix(h ^ Mix(static_cast<uint64_t>(entry.threat_level)));
    if (printed == Printed::kAll) {
      for (int64_t field :
           {entry.first_seen, entry.last_seen, entry.expires_at, entry.finding_count}) {
        h = Mix(h ^ Mix(static_cast<uint64_t>(field) + seed));
      }
    }
    *lane = h;
  }
  return print;
}

}  // namespace guardfeed::feeds_internal
