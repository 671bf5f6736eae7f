// Retry: bounded retries with exponential backoff and jitter for the remote calls publishers make
// (S3, Juniper ATP Cloud, the AWS credential endpoints). Retryable: network errors (Unavailable),
// HTTP 5xx and 429 (S3's SlowDown is a 503). Everything else is returned at once.
//
// Thread safety: a Retrier holds its random generator; use one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "core/status.h"
#include "aws/http_client.h"

namespace guardfeed {

struct RetryOptions {
  // Attempts in all, the first included; 1 disables retries. Default 5.
  int max_attempts = 5;
  // Wait ceiling before the first retry; doubles per retry. Default 200 ms.
  std::chrono::milliseconds initial_backoff{200};
  // Largest wait, also the cap for a server's Retry-After. Default 20 s.
  std::chrono::milliseconds max_backoff{20000};
};

using SleepFunction = std::function<void(std::chrono::milliseconds)>;

// True for Unavailable errors and for responses with status 5xx or 429.
bool IsRetryable(const Result<HttpResponse>& outcome);

// The wait before retrying a background task that keeps failing (a publish target, a source)
// after `failures` failures in a row (at least 1): 5 s, doubling, at most 5 minutes.
std::chrono::seconds BackgroundRetryDelay(int failures);

class Retrier {
 public:
  // `sleep` null sleeps for real (tests inject a recorder). `seed` 0 seeds from the OS.
  explicit Retrier(RetryOptions options, SleepFunction sleep = nullptr, uint64_t seed = 0);

  // The wait before retry number `retry` (1 = first retry): "equal jitter", uniform in
  // [ceiling/2, ceiling] with ceiling = min(max_backoff, initial_backoff * 2^(retry-1)).
  std::chrono::milliseconds Delay(int retry);

  // Calls `send` until it returns something not retryable or max_attempts calls were made, and
  // returns the last result. A Retry-After header in seconds raises the wait to it (capped at
  // max_backoff). `attempts`, when given, receives the number of calls made.
  Result<HttpResponse> Run(const std::function<Result<HttpResponse>()>& send,
                           int* attempts = nullptr);

  const RetryOptions& options() const { return options_; }

 private:
  const RetryOptions options_;
  const SleepFunction sleep_;
  std::mt19937_64 rng_;
};

}  // namespace guardfeed
