#include "aws/retry.h"

#include <algorithm>
#include <charconv>
#include <thread>

namespace guardfeed {
namespace {

using std::chrono::milliseconds;

// Whole seconds from a Retry-After header; 0 when absent or an HTTP date (not honoured).
milliseconds RetryAfter(const HttpResponse& response) {
  auto it = response.headers.find("retry-after");
  if (it == response.headers.end()) return milliseconds(0);
  int64_t seconds = 0;
  const std::string& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() || seconds < 0) {
    return milliseconds(0);
  }
  return milliseconds(std::min<int64_t>(seconds, 86400) * 1000);
}

}  // namespace

bool IsRetryable(const Result<HttpResponse>& outcome) {
  if (!outcome.ok()) return outcome.status().code() == Status::Code::kUnavailable;
  return outcome->status >= 500 || outcome->status == 429;
}

Retrier::Retrier(RetryOptions options, SleepFunction sleep, uint64_t seed)
    : options_(options),
      sleep_(sleep ? std::move(sleep)
                   : SleepFunction([](milliseconds wait) { std::this_thread::sleep_for(wait); })),
      rng_(seed != 0 ? seed : std::random_device{}()) {}

milliseconds Retrier::Delay(int retry) {
  int64_t ceiling = std::max<int64_t>(options_.initial_backoff.count(), 1);
  int64_t cap = std::max<int64_t>(options_.max_backoff.count(), 1);
  for (int i = 1; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  std::uniform_int_distribution<int64_t> jitter(ceiling / 2, ceiling);
  return milliseconds(jitter(rng_));
}

Result<HttpResponse> Retrier::Run(const std::function<Result<HttpResponse>()>& send,
                                  int* attempts) {
  int max_attempts = std::max(options_.max_attempts, 1);
  int made = 0;
  for (;;) {
    Result<HttpResponse> outcome = send();
    ++made;
    if (attempts != nullptr) *attempts = made;
    if (made >= max_attempts || !IsRetryable(outcome)) return outcome;
    milliseconds wait = Delay(made);
    if (outcome.ok()) wait = std::max(wait, std::min(RetryAfter(*outcome), options_.max_backoff));
    sleep_(wait);
  }
}

std::chrono::seconds BackgroundRetryDelay(int failures) {
  constexpr std::chrono::seconds kFirst{5};
  constexpr std::chrono::seconds kMax{300};
  auto delay = kFirst * (1 << std::clamp(failures - 1, 0, 10));
  return std::min<std::chrono::seconds>(delay, kMax);
}

}  // namespace guardfeed
