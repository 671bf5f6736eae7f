// SourceRunner: polls every configured Source on a thread of its own until stopped: at the
// source's interval after a poll that finished its work, at once after one that stopped early,
// and with exponential backoff (5 s doubling to 5 min) after a failure. A single-consumer source
// runs only while `leads` says this process holds the publishing lease (replicas share one store).
//
// Thread safety: Start and Stop from one controlling thread; Statuses from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sources/source.h"

namespace guardfeed {

struct SourceStatus {
  std::string name;
  UnixSeconds last_success = 0;  // 0: never
  UnixSeconds last_error_at = 0;
  std::string last_error;
  int consecutive_failures = 0;
  int64_t documents_total = 0;
  int64_t findings_total = 0;
  bool standby = false;  // single-consumer source waiting for the lease
};

class SourceRunner {
 public:
  // `leads` null means this process always leads (one box).
  SourceRunner(std::vector<std::unique_ptr<Source>> sources, const Clock* clock,
               std::function<bool()> leads = nullptr);
  ~SourceRunner();  // Stop()s
  SourceRunner(const SourceRunner&) = delete;
  SourceRunner& operator=(const SourceRunner&) = delete;

  void Start();
  // Asks every poll to stop between requests and joins the threads. Idempotent.
  void Stop();
  std::vector<SourceStatus> Statuses() const;
  size_t size() const { return sources_.size(); }

 private:
  void Run(size_t index);
  std::chrono::milliseconds Record(size_t index, const Result<PollResult>& polled);
  // Waits up to `delay` or until Stop; false when stopping.
  bool Sleep(std::chrono::milliseconds delay);

  std::vector<std::unique_ptr<Source>> sources_;
  const Clock* const clock_;
  const std::function<bool()> leads_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SourceStatus> statuses_;  // guarded by mu_, one per source
};

}  // namespace guardfeed
