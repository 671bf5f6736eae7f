#include "sources/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "aws/retry.h"

namespace guardfeed {
namespace {

// How often a standby replica checks whether it took the lease over.
constexpr std::chrono::seconds kStandbyCheck{2};

}  // namespace

SourceRunner::SourceRunner(std::vector<std::unique_ptr<Source>> sources, const Clock* clock,
                           std::function<bool()> leads)
    : sources_(std::move(sources)), clock_(clock), leads_(std::move(leads)) {
  for (const auto& source : sources_) {
    SourceStatus status;
    status.name = source->Name();
    statuses_.push_back(std::move(status));
  }
}

SourceRunner::~SourceRunner() { Stop(); }

void SourceRunner::Start() {
  for (size_t i = 0; i < sources_.size(); ++i) threads_.emplace_back([this, i] { Run(i); });
}

void SourceRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true);
  }
  cv_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::vector<SourceStatus> SourceRunner::Statuses() const {
  std::lock_guard lock(mu_);
  return statuses_;
}

bool SourceRunner::Sleep(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, delay, [this] { return stop_.load(); });
  return !stop_.load();
}

void SourceRunner::Run(size_t index) {
  Source& source = *sources_[index];
  const std::string name = source.Name();
  while (!stop_.load()) {
    bool standby = source.SingleConsumer() && leads_ && !leads_();
    {
      std::lock_guard lock(mu_);
      statuses_[index].standby = standby;
    }
    if (standby) {
      if (!Sleep(kStandbyCheck)) return;
      continue;
    }
    Result<PollResult> polled = source.Poll(stop_);
    std::chrono::milliseconds next = Record(index, polled);
    if (next.count() > 0 && !Sleep(next)) return;
  }
}

// Updates the source's status with a poll's outcome and returns how long to wait before the next.
std::chrono::milliseconds SourceRunner::Record(size_t index, const Result<PollResult>& polled) {
  const std::string& name = statuses_[index].name;  // constant after construction
  std::chrono::milliseconds next = sources_[index]->Interval();
  std::lock_guard lock(mu_);
  SourceStatus& status = statuses_[index];
  if (polled.ok()) {
    if (status.consecutive_failures > 0) spdlog::info("source name={} recovered", name);
    status.consecutive_failures = 0;
    status.last_success = clock_->Now();
    status.documents_total += polled->documents;
    status.findings_total += polled->findings;
    if (polled->documents > 0) {
      spdlog::info("source name={} documents={} findings={}", name, polled->documents,
                   polled->findings);
    }
    return polled->more ? std::chrono::milliseconds(0) : next;
  }
  ++status.consecutive_failures;
  status.last_error_at = clock_->Now();
  status.last_error = polled.status().ToString();
  next = BackgroundRetryDelay(status.consecutive_failures);
  spdlog::error("source name={} error=\"{}\" retry_in_s={}", name, status.last_error,
                std::chrono::duration_cast<std::chrono::seconds>(next).count());
  return next;
}

}  // namespace guardfeed
