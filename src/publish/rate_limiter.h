// RateLimiter: client-side pacing for APIs with a documented "N requests per window" limit
// (Juniper ATP Cloud: 60 C&C requests per minute). A sliding window: Acquire blocks until fewer
// than N requests were started in the last window, so the server never has a reason to answer
// 429. PauseUntil honours a server's Retry-After on top of that.
//
// Time and sleeping are injectable so tests run without waiting.
// Threading: not thread-safe; one limiter per publisher, used from its one thread.
#pragma once

#include <chrono>
#include <deque>
#include <functional>

namespace guardfeed {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;
  using SleepFn = std::function<void(Clock::duration)>;

  // `limit` >= 1 requests per `window` (> 0). Defaults: the steady clock and a real sleep.
  RateLimiter(int limit, Clock::duration window, NowFn now = nullptr, SleepFn sleep = nullptr);

  // Waits (sleeping) until one more request is allowed, then records it as started now.
  void Acquire();
  // No request starts before `until` (e.g. now + Retry-After).
  void PauseUntil(Clock::time_point until);

 private:
  void SleepUntil(Clock::time_point until);

  // Constant after construction.
  const size_t limit_;
  const Clock::duration window_;
  const NowFn now_;
  const SleepFn sleep_;
  // Mutable state (single-threaded).
  std::deque<Clock::time_point> started_;  // start times within the last window, oldest first
  Clock::time_point paused_until_{};
};

}  // namespace guardfeed
