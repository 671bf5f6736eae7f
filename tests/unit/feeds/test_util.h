// Helpers for the feeds tests: building entries and comparing bodies with golden files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/feed.h"
#include "feeds/render_util.h"

namespace guardfeed::testing {

// An entry for `value` (IP or domain) with fixed, recognisable times.
inline FeedEntry MakeEntry(const std::string& value, int threat_level = 8,
                           int64_t finding_count = 1) {
  FeedEntry entry;
  auto indicator = NormalizeIndicator(value);
  EXPECT_TRUE(indicator.ok()) << value << ": " << indicator.status().ToString();
  entry.indicator = *indicator;
  if (entry.indicator.kind != IndicatorKind::kDomain) {
    entry.address = *ParseIpAddress(entry.indicator.value);
  }
  entry.threat_level = threat_level;
  entry.first_seen = 1602585064;  // 2020-10-13T10:31:04Z
  entry.last_seen = 1602585124;   // 2020-10-13T10:32:04Z
  entry.expires_at = 1605177124;  // 2020-11-12T10:32:04Z
  entry.finding_count = finding_count;
  return entry;
}

// Entries sorted into feed order, as the builder hands them to renderers.
inline std::vector<FeedEntry> FeedOrder(std::vector<FeedEntry> entries) {
  std::sort(entries.begin(), entries.end(), feeds_internal::FeedOrderLess);
  return entries;
}

// The mixed set most golden files use: IPv4, IPv6 and domains with varied threat levels.
inline std::vector<FeedEntry> MixedEntries() {
  return FeedOrder({
      MakeEntry("evil.example.com", 9, 4),
      MakeEntry("203.0.113.6", 10, 2),
      MakeEntry("2001:db8::1", 7),
      MakeEntry("198.51.100.7", 8, 3),
      MakeEntry("c2.bad-domain.net", 5),
      MakeEntry("1.2.3.4", 3),
      MakeEntry("2001:db8::a:2", 4),
      MakeEntry("203.0.113.5", 1),
  });
}

inline std::string GoldenPath(const std::string& name) {
  return std::string(GUARDFEED_SOURCE_DIR) + "/tests/golden/feeds/" + name;
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Compares `body` with the golden file byte for byte. GUARDFEED_UPDATE_GOLDEN=1 rewrites the
// file instead (then read the diff before committing it).
inline void ExpectGolden(const std::string& name, const std::string& body) {
  const std::string path = GoldenPath(name);
  if (const char* update = std::getenv("GUARDFEED_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path, std::ios::binary) << body;
  }
  std::ifstream probe(path, std::ios::binary);
  ASSERT_TRUE(probe.good()) << "missing golden file " << path;
  EXPECT_EQ(ReadFileBytes(path), body) << "golden file " << name;
}

}  // namespace guardfeed::testing
