// StatusBoard: what the render loop last learnt that the dashboard shows and no other component
// keeps in readable form: each publish target's last success and last error (with its message),
// the active indicators by kind at the last count, and why the shrink guard holds a feed back.
//
// Thread safety: every method may be called from any thread (one mutex, copies out).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/indicator.h"

namespace guardfeed::server {

struct TargetStatus {
  std::string target;
  UnixSeconds last_success = 0;  // 0: never
  UnixSeconds last_error_at = 0;
  std::string last_error;
  int64_t consecutive_failures = 0;
};

struct ActiveCounts {
  std::array<int64_t, 3> by_kind{};  // attacker indicators, indexed by IndicatorKind
  int64_t containment = 0;           // our own instances' addresses (docs/containment.md)
  UnixSeconds counted_at = 0;        // 0: not counted yet
};

class StatusBoard {
 public:
  void RecordPublish(const std::string& target, bool ok, std::string error, UnixSeconds at);
  std::vector<TargetStatus> Targets() const;  // by target name

  void SetActiveCounts(const ActiveCounts& counts);
  ActiveCounts Active() const;

  // `reason` empty: the feed is not held back (any more).
  void SetHeldBack(const std::string& feed, const std::string& reason);
  std::map<std::string, std::string> HeldBack() const;  // feed -> why

 private:
  mutable std::mutex mu_;
  std::map<std::string, TargetStatus> targets_;  // guarded by mu_
  ActiveCounts active_;                          // guarded by mu_
  std::map<std::string, std::string> held_back_;  // guarded by mu_
};

}  // namespace guardfeed::server
