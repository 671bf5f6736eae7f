// Internal to the benchmark corpus (finding_corpus.cc, finding_writer.cc): draws from one
// std::mt19937_64 stream. Only our own range reductions are used (never std::*_distribution,
// whose output differs between standard libraries), so a seed gives the same bytes everywhere.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "core/time_util.h"

namespace guardfeed::bench::corpus_internal {

using Random = std::mt19937_64;

inline uint64_t Below(Random& random, uint64_t n) { return random() % n; }
inline bool Chance(Random& random, uint64_t per_mille) { return Below(random, 1000) < per_mille; }
inline int64_t Between(Random& random, int64_t low, int64_t high) {
  return low + static_cast<int64_t>(Below(random, static_cast<uint64_t>(high - low + 1)));
}

template <typename T, size_t N>
const T& Pick(Random& random, const T (&items)[N]) {
  return items[Below(random, N)];
}

inline std::string Hex(Random& random, size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(length, '0');
  for (char& c : out) c = kDigits[Below(random, 16)];
  return out;
}

inline std::string Upper(Random& random, size_t length) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out(length, 'A');
  for (char& c : out) c = kChars[Below(random, 32)];
  return out;
}

inline std::string Lower(Random& random, size_t length) {
  std::string out(length, 'a');
  for (char& c : out) c = static_cast<char>('a' + Below(random, 26));
  return out;
}

inline std::string Uuid(Random& random) {
  return Hex(random, 8) + "-" + Hex(random, 4) + "-4" + Hex(random, 3) + "-a" + Hex(random, 3) +
         "-" + Hex(random, 12);
}

// "2026-11-21T13:45:12.345Z" (GuardDuty's createdAt/updatedAt form) or without milliseconds.
inline std::string IsoTime(int64_t ms, bool with_ms) {
  std::string text = FormatIso8601(ms / 1000);
  if (!with_ms) return text;
  char fraction[8];
  std::snprintf(fraction, sizeof(fraction), ".%03dZ", static_cast<int>(ms % 1000));
  text.pop_back();
  return text + fraction;
}

}  // namespace guardfeed::bench::corpus_internal
