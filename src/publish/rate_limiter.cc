#include "publish/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace guardfeed {
namespace {

class SteadyPacingClock final : public PacingClock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

PacingClock* RealPacingClock() {
  static SteadyPacingClock* const clock = new SteadyPacingClock();  // never destroyed
  return clock;
}

RateLimiter::RateLimiter(int limit, Clock::duration window, PacingClock* clock)
    : limit_(static_cast<size_t>(std::max(limit, 1))),
      window_(window),
      clock_(clock != nullptr ? clock : RealPacingClock()) {}

void RateLimiter::SleepUntil(Clock::time_point until) {
  for (Clock::time_point now = clock_->Now(); now < until; now = clock_->Now()) {
    clock_->SleepFor(until - now);
  }
}

void RateLimiter::Acquire() {
  SleepUntil(paused_until_);
  for (;;) {
    const Clock::time_point now = clock_->Now();
    while (!started_.empty() && started_.front() + window_ <= now) started_.pop_front();
    if (started_.size() < limit_) {
      started_.push_back(now);
      return;
    }
    SleepUntil(started_.front() + window_);
  }
}

void RateLimiter::PauseUntil(Clock::time_point until) {
  paused_until_ = std::max(paused_until_, until);
}

}  // namespace guardfeed
