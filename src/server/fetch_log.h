// FetchLog: when each client address last fetched each feed (GET /v1/feeds shows it, so an
// operator can see which firewalls still poll). In memory only; bounded per feed.
//
// Thread safety: all methods may be called from any thread (one mutex per log; the critical
// section is a map update).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace guardfeed::server {

struct FetchRecord {
  std::string client;
  UnixSeconds at = 0;
  unsigned status = 0;  // 200 or 304
  uint64_t count = 0;   // fetches by this client since the daemon started
};

class FetchLog {
 public:
  // Per feed, the oldest client is forgotten beyond this many.
  static constexpr size_t kMaxClientsPerFeed = 1000;

  void Record(std::string_view feed, std::string_view client, UnixSeconds at, unsigned status);
  // Most recent first.
  std::vector<FetchRecord> Get(std::string_view feed) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, FetchRecord, std::less<>>, std::less<>>
      feeds_;  // guarded by mu_
};

}  // namespace guardfeed::server
