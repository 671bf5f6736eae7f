// AtpPushed: what guardfeed last pushed to one ATP Cloud C&C feed (server -> threat level), its
// compact serialisation in the store, and the difference to a feed's current entries. Pure
// functions over sorted vectors (a merge, not a hash map: ATP publishing runs inside the daemon
// and stays within its per-indicator memory budget).
//
// Stored form (docs/deploy-srx-atp-cloud.md): a first line "guardfeed-atp 1 created" or
// "guardfeed-atp 1 absent", then one "server,threat_level\n" line per server, sorted by server.
//
// Threading: plain values and pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "feeds/feed.h"

namespace guardfeed {

enum class AtpContentType;

struct AtpServer {
  std::string server;    // IP, domain or URL as sent in the CSV
  int threat_level = 1;  // 1..10

  bool operator==(const AtpServer&) const = default;
};

struct AtpPushed {
  bool created = false;            // ATP Cloud acknowledged creating the feed (POST)
  std::vector<AtpServer> servers;  // sorted by server, unique

  bool operator==(const AtpPushed&) const = default;
};

std::string SerializeAtpPushed(const AtpPushed& pushed);
// InvalidArgument naming the bad line when `text` is not a SerializeAtpPushed output.
Result<AtpPushed> ParseAtpPushed(std::string_view text);

// The servers a feed of `type` should hold for `entries`: IPv4/IPv6 values for ip feeds, domain
// values for domain and url feeds; threat levels clamped to 1..10; sorted; a value listed twice
// keeps its highest level.
std::vector<AtpServer> DesiredAtpServers(AtpContentType type, std::span<const FeedEntry> entries);

struct AtpDiff {
  std::vector<AtpServer> upserts;     // new servers and changed threat levels, sorted
  std::vector<std::string> removals;  // servers to delete, sorted

  bool empty() const { return upserts.empty() && removals.empty(); }
};

// Both inputs sorted and unique (as above).
AtpDiff DiffAtpServers(std::span<const AtpServer> pushed, std::span<const AtpServer> desired);

// `pushed` with `upserts` added or updated and `removals` deleted (all three sorted and unique);
// used to record exactly the changes ATP Cloud acknowledged.
std::vector<AtpServer> ApplyAtpChanges(std::span<const AtpServer> pushed,
                                       std::span<const AtpServer> upserts,
                                       std::span<const std::string> removals);

// The uploaded CSV files: "server,threat_level\n" lines for POST/PATCH, "server\n" lines for
// DELETE (the API documents a single column there).
std::string AtpUpsertCsv(std::span<const AtpServer> servers);
std::string AtpRemovalCsv(std::span<const std::string> servers);

}  // namespace guardfeed
