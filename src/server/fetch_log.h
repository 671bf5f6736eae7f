// FetchLog: who fetched each feed, and which version each of them now holds (GET /v1/feeds, GET
// /v1/consumers, the consumer gauges in /metrics), so an operator can see which firewalls still
// poll and which are behind. Per (feed, client address) the latest fetch: the consumer profile
// matched, the basic-auth user, the User-Agent, the version and ETag it holds, time, status,
// count. Beside it, per served file, the recent versions in the order they became current, to
// tell since when a held version has been superseded (docs/consumers.md, "Tracking").
// In memory only; bounded per feed (clients, versions) and per field (User-Agent).
//
// Thread safety: all methods may be called from any thread (one mutex per log; the critical
// section is a map update).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace guardfeed::server {

// One fetch as the feed routes saw it. Views: copied by Record.
struct FetchEvent {
  std::string_view client;      // peer address
  std::string_view consumer;    // matched consumer profile, "" for none
  std::string_view user;        // HTTP basic user name presented, "" for none
  std::string_view user_agent;  // as sent; Record truncates and sanitises it
  // The served file's key: the feed, a consumer variant of it (consumers.h), or a shared
  // SecIntel path. Versions are noted under this key.
  std::string_view served;
  std::string_view version;  // version the client holds after this fetch
  std::string_view etag;     // identity ETag of that content ("" unknown)
  UnixSeconds at = 0;
  unsigned status = 0;  // 200 or 304
};

struct FetchRecord {
  std::string client;
  std::string consumer;
  std::string user;
  std::string user_agent;
  std::string served;
  std::string version;
  std::string etag;
  UnixSeconds at = 0;
  unsigned status = 0;  // 200 or 304
  uint64_t count = 0;   // fetches by this client since the daemon started
};

class FetchLog {
 public:
  // Per feed, the oldest client is forgotten beyond this many.
  static constexpr size_t kMaxClientsPerFeed = 1000;
  // Per served key, versions remembered (older ones count as superseded at the oldest kept).
  static constexpr size_t kMaxVersionsPerKey = 64;
  // User-Agent characters kept (printable ASCII; anything else becomes '?').
  static constexpr size_t kMaxUserAgent = 160;
  static constexpr size_t kMaxUser = 64;

  // Records a fetch of `feed` (the name the client asked for, or a shared path). Returns true
  // when the client is new for this feed or matched another consumer than before (worth a log
  // line at info; repeated polls are not).
  bool Record(std::string_view feed, const FetchEvent& event);
  // The short form: no consumer, user, User-Agent or version.
  void Record(std::string_view feed, std::string_view client, UnixSeconds at, unsigned status);
  // Most recent first.
  std::vector<FetchRecord> Get(std::string_view feed) const;
  // Every (feed, record) pair, feeds in name order, most recent first within a feed.
  std::vector<std::pair<std::string, FetchRecord>> All() const;

  // Notes that `etag` (version `version`) is current for `key` since `since` (its content's
  // data time). Repeating the newest etag changes nothing.
  void NoteVersion(std::string_view key, std::string_view etag, std::string_view version,
                   UnixSeconds since);
  // When content `etag` of `key` stopped being current: the `since` of the version noted after
  // it. An etag not noted (older than the versions kept, or from before a restart) counts as
  // superseded at the oldest version kept. nullopt when `etag` is the newest noted or nothing
  // is noted for `key`.
  std::optional<UnixSeconds> SupersededAt(std::string_view key, std::string_view etag) const;

 private:
  struct Version {
    std::string etag;
    std::string version;
    UnixSeconds since = 0;
  };
  using Clients = std::map<std::string, FetchRecord, std::less<>>;

  mutable std::mutex mu_;
  std::map<std::string, Clients, std::less<>> feeds_;                 // guarded by mu_
  std::map<std::string, std::deque<Version>, std::less<>> versions_;  // guarded by mu_
};

// Printable ASCII of `text`, at most `max` characters ('?' for anything else).
std::string SanitizeHeaderText(std::string_view text, size_t max);

// The identity ETag of a representation tag: "\"hex-gzip\"" -> "\"hex\"".
std::string IdentityEtag(std::string_view etag);

}  // namespace guardfeed::server
