// Clock: where guardfeed reads the time, so expiry and versioning are testable without sleeping.
//
// Thread safety: SystemClock is stateless; ManualClock may be read and advanced from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace guardfeed {

// Unix time in whole seconds (UTC).
using UnixSeconds = int64_t;

class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  virtual UnixSeconds Now() const = 0;
};

// The process-wide real clock. Never null; lives for the whole program.
Clock* SystemClock();

// A clock that only moves when told to (tests, and `--now` for replaying old exports).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Set(UnixSeconds now) { now_.store(now); }
  void Advance(UnixSeconds seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<UnixSeconds> now_;
};

}  // namespace guardfeed
