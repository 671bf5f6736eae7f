// Juniper SRX SecIntel files (shared/formats/juniper-secintel.md, docs/formats.md): the data file
// of one feed, the manifest listing every SecIntel feed, and the fixed cc_schema.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/feed.h"

namespace guardfeed {

struct SecIntelOptions {
  // Seconds between manifest polls. Default 60.
  int64_t manifest_update_interval = 60;
  // Seconds between feed polls (FEED_UPDATE_INTERVAL, 300..86400). Default 300.
  int64_t update_interval = 300;
  // Seconds the firewall keeps entries without a refresh (FEED_TTL, 86400..31556952).
  // Default 3456000 (40 days).
  int64_t ttl = 3456000;
};

// One SecIntel data file: header, #del, #add entries, #end, MD5 trailer. `previous_version` is ""
// for a full feed (JSON null).
std::string RenderSecIntelData(std::span<const FeedEntry> entries, const std::string& version,
                               const std::string& previous_version = "");

struct ManifestFeed {
  std::string name;
  std::string types;  // "ip_addr threat_level" or "dn threat_level"
  std::string version;
  UnixSeconds data_ts = 0;
  uint64_t objects = 0;
};

// The manifest's path in the SecIntel layout.
inline constexpr std::string_view kManifestPath = "manifest.xml";
// manifest.xml for the given feeds (feeds with no objects are omitted, as the reference does).
std::string RenderSecIntelManifest(const std::vector<ManifestFeed>& feeds,
                                   const SecIntelOptions& options);

// The cc_schema document, byte for byte (1046 bytes, MD5 3d27776bcc7b1a2bac241d88887850dd).
const std::string& SecIntelCcSchema();
inline constexpr const char* kSecIntelSchemaVersion = "c66b370237";

// True for 8..64 characters of [A-Za-z0-9_] (what SRX and ATP Cloud accept).
bool IsValidSecIntelFeedName(std::string_view name);

}  // namespace guardfeed
