// RateLimiter on a ManualPacingClock: every wait is a recorded SleepFor that moves the fake clock,
// so nothing here sleeps or measures real time.
#include "publish/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace guardfeed {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Sleeps = std::vector<PacingClock::Duration>;

TEST(RateLimiter, AllowsTheLimitPerWindowThenWaits) {
  ManualPacingClock clock;
  RateLimiter limiter(3, seconds(60), &clock);
  for (int i = 0; i < 3; ++i) limiter.Acquire();
  EXPECT_TRUE(clock.sleeps().empty());
  clock.Advance(seconds(10));
  limiter.Acquire();  // the 4th waits until the 1st leaves the window
  EXPECT_EQ(clock.sleeps(), Sleeps{seconds(50)});
}

TEST(RateLimiter, PauseDelaysTheNextRequest) {
  ManualPacingClock clock;
  RateLimiter limiter(60, seconds(60), &clock);
  limiter.PauseUntil(clock.Now() + milliseconds(1500));
  limiter.PauseUntil(clock.Now() + milliseconds(500));  // an earlier pause does not shorten it
  limiter.Acquire();
  EXPECT_EQ(clock.sleeps(), Sleeps{milliseconds(1500)});
  limiter.Acquire();
  EXPECT_EQ(clock.sleeps().size(), 1u);
}

// The ATP publisher tests waited a real window (and asserted the elapsed time) to see pacing;
// the limiter now takes its clock and sleep from a PacingClock that tests drive.
TEST(RateLimiter, WaitsOnTheInjectedClockNotInRealTime) {
  ManualPacingClock clock;
  RateLimiter limiter(60, seconds(60), &clock);  // the documented ATP Cloud limit
  for (int i = 0; i < 121; ++i) limiter.Acquire();
  EXPECT_EQ(clock.sleeps(), (Sleeps{seconds(60), seconds(60)}));
  EXPECT_EQ(clock.Now() - PacingClock::TimePoint{}, seconds(120));
}

TEST(RateLimiter, SlidingWindowSpacesABurst) {
  ManualPacingClock clock;
  RateLimiter limiter(2, seconds(1), &clock);
  std::vector<PacingClock::TimePoint> started;
  for (int i = 0; i < 5; ++i) {
    limiter.Acquire();
    started.push_back(clock.Now());
  }
  const PacingClock::TimePoint t0{};
  EXPECT_EQ(started, (std::vector<PacingClock::TimePoint>{t0, t0, t0 + seconds(1), t0 + seconds(1),
                                                          t0 + seconds(2)}));
}

TEST(RateLimiter, LimitBelowOneCountsAsOne) {
  ManualPacingClock clock;
  RateLimiter limiter(0, seconds(2), &clock);
  limiter.Acquire();
  limiter.Acquire();
  EXPECT_EQ(clock.sleeps(), Sleeps{seconds(2)});
}

TEST(RateLimiter, DefaultsToTheRealClock) {
  PacingClock* real = RealPacingClock();
  ASSERT_NE(real, nullptr);
  EXPECT_EQ(real, RealPacingClock());
  const PacingClock::TimePoint before = real->Now();
  RateLimiter limiter(1, seconds(60));
  limiter.Acquire();  // the first request never waits
  EXPECT_GE(real->Now(), before);
}

}  // namespace
}  // namespace guardfeed
