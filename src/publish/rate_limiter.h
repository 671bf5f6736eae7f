// RateLimiter: client-side pacing for APIs with a documented "N requests per window" limit
// (Juniper ATP Cloud: 60 C&C requests per minute). A sliding window: Acquire blocks until fewer
// than N requests were started in the last window, so the server never has a reason to answer
// 429. PauseUntil honours a server's Retry-After on top of that.
//
// Time and waiting come from a PacingClock, so tests drive a ManualPacingClock and never sleep.
// Threading: RateLimiter and ManualPacingClock are not thread-safe (one limiter per publisher,
// used from its one thread); RealPacingClock() may be used from any thread.
#pragma once

#include <chrono>
#include <deque>
#include <vector>

namespace guardfeed {

// Where pacing code reads the time and waits: a monotonic clock plus a sleep on that clock.
class PacingClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  PacingClock() = default;
  PacingClock(const PacingClock&) = delete;
  PacingClock& operator=(const PacingClock&) = delete;
  virtual ~PacingClock() = default;

  virtual TimePoint Now() const = 0;
  // Returns once `duration` (> 0) has passed on this clock.
  virtual void SleepFor(Duration duration) = 0;
};

// std::chrono::steady_clock and std::this_thread::sleep_for. Never null; lives for the whole
// program.
PacingClock* RealPacingClock();

// A clock that moves only when slept on or advanced, and records every sleep (tests).
class ManualPacingClock final : public PacingClock {
 public:
  TimePoint Now() const override { return now_; }
  void SleepFor(Duration duration) override {
    sleeps_.push_back(duration);
    now_ += duration;
  }
  void Advance(Duration duration) { now_ += duration; }
  // Every SleepFor so far, oldest first.
  const std::vector<Duration>& sleeps() const { return sleeps_; }

 private:
  TimePoint now_{};
  std::vector<Duration> sleeps_;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `limit` >= 1 requests per `window` (> 0); a smaller limit counts as 1. `clock` is borrowed
  // and must outlive the limiter; null uses RealPacingClock().
  RateLimiter(int limit, Clock::duration window, PacingClock* clock = nullptr);

  // Waits (on the clock) until one more request is allowed, then records it as started now.
  void Acquire();
  // No request starts before `until` (e.g. now + Retry-After), a time on the limiter's clock.
  void PauseUntil(Clock::time_point until);

 private:
  void SleepUntil(Clock::time_point until);

  // Constant after construction.
  const size_t limit_;
  const Clock::duration window_;
  PacingClock* const clock_;
  // Mutable state (single-threaded).
  std::deque<Clock::time_point> started_;  // start times within the last window, oldest first
  Clock::time_point paused_until_{};
};

}  // namespace guardfeed
