#include "aws/retry.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace guardfeed {
namespace {

using std::chrono::milliseconds;

struct Recorder {
  std::vector<milliseconds> waits;
  SleepFunction Sleep() {
    return [this](milliseconds wait) { waits.push_back(wait); };
  }
};

RetryOptions Options(int max_attempts, int64_t initial_ms = 200, int64_t max_ms = 20000) {
  RetryOptions options;
  options.max_attempts = max_attempts;
  options.initial_backoff = milliseconds(initial_ms);
  options.max_backoff = milliseconds(max_ms);
  return options;
}

HttpResponse Answer(long status, std::map<std::string, std::string> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  return response;
}

TEST(Retry, RetryableOutcomes) {
  EXPECT_TRUE(IsRetryable(Status::Unavailable("refused")));
  EXPECT_FALSE(IsRetryable(Status::InvalidArgument("bad")));
  EXPECT_TRUE(IsRetryable(Answer(500)));
  EXPECT_TRUE(IsRetryable(Answer(503)));  // S3 SlowDown
  EXPECT_TRUE(IsRetryable(Answer(429)));
  EXPECT_FALSE(IsRetryable(Answer(200)));
  EXPECT_FALSE(IsRetryable(Answer(403)));
  EXPECT_FALSE(IsRetryable(Answer(404)));
}

TEST(Retry, DelaysGrowExponentiallyWithJitterAndAreCapped) {
  Retrier retrier(
      Options(10, 100, 1000), [](milliseconds) {}, 42);
  for (int round = 0; round < 50; ++round) {
    for (int retry = 1; retry <= 8; ++retry) {
      int64_t ceiling = std::min<int64_t>(100 << (retry - 1), 1000);
      milliseconds wait = retrier.Delay(retry);
      EXPECT_GE(wait.count(), ceiling / 2) << retry;
      EXPECT_LE(wait.count(), ceiling) << retry;
    }
  }
}

TEST(Retry, JitterVaries) {
  Retrier retrier(
      Options(5, 1000), [](milliseconds) {}, 7);
  std::set<int64_t> seen;
  for (int i = 0; i < 20; ++i) seen.insert(retrier.Delay(1).count());
  EXPECT_GT(seen.size(), 5u);
}

TEST(Retry, RetriesUntilSuccess) {
  Recorder recorder;
  Retrier retrier(Options(5), recorder.Sleep(), 1);
  int calls = 0;
  int attempts = 0;
  Result<HttpResponse> outcome = retrier.Run(
      [&]() -> Result<HttpResponse> {
        ++calls;
        if (calls == 1) return Status::Unavailable("connection refused");
        if (calls == 2) return Answer(503);
        return Answer(200);
      },
      &attempts);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->status, 200);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(recorder.waits.size(), 2u);
}

TEST(Retry, StopsAtMaxAttemptsAndReturnsLastOutcome) {
  Recorder recorder;
  Retrier retrier(Options(3), recorder.Sleep(), 1);
  int attempts = 0;
  Result<HttpResponse> outcome =
      retrier.Run([] { return Result<HttpResponse>(Answer(500)); }, &attempts);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->status, 500);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(recorder.waits.size(), 2u);
}

TEST(Retry, NonRetryableReturnsAtOnce) {
  Recorder recorder;
  Retrier retrier(Options(5), recorder.Sleep(), 1);
  int attempts = 0;
  Result<HttpResponse> outcome =
      retrier.Run([] { return Result<HttpResponse>(Answer(403)); }, &attempts);
  EXPECT_EQ(outcome->status, 403);
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(recorder.waits.empty());
}

TEST(Retry, HonoursRetryAfterSecondsCappedAtMaxBackoff) {
  Recorder recorder;
  Retrier retrier(Options(3, 10, 5000), recorder.Sleep(), 1);
  int calls = 0;
  retrier.Run([&]() -> Result<HttpResponse> {
    ++calls;
    if (calls == 1) return Answer(429, {{"retry-after", "2"}});
    if (calls == 2) return Answer(429, {{"retry-after", "3600"}});
    return Answer(200);
  });
  ASSERT_EQ(recorder.waits.size(), 2u);
  EXPECT_EQ(recorder.waits[0], milliseconds(2000));
  EXPECT_EQ(recorder.waits[1], milliseconds(5000));
}

}  // namespace
}  // namespace guardfeed
