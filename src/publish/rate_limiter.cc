#include "publish/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace guardfeed {

RateLimiter::RateLimiter(int limit, Clock::duration window, NowFn now, SleepFn sleep)
    : limit_(static_cast<size_t>(std::max(limit, 1))),
      window_(window),
      now_(now ? std::move(now) : NowFn([] { return Clock::now(); })),
      sleep_(sleep ? std::move(sleep)
                   : SleepFn([](Clock::duration d) { std::this_thread::sleep_for(d); })) {}

void RateLimiter::SleepUntil(Clock::time_point until) {
  for (Clock::time_point now = now_(); now < until; now = now_()) sleep_(until - now);
}

void RateLimiter::Acquire() {
  SleepUntil(paused_until_);
  for (;;) {
    const Clock::time_point now = now_();
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
