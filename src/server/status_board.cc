#include "server/status_board.h"

namespace guardfeed::server {

void StatusBoard::RecordPublish(const std::string& target, bool ok, std::string error,
                                UnixSeconds at) {
  std::lock_guard lock(mu_);
  TargetStatus& status = targets_[target];
  status.target = target;
  if (ok) {
    status.last_success = at;
    status.consecutive_failures = 0;
    return;
  }
  status.last_error_at = at;
  status.last_error = std::move(error);
  ++status.consecutive_failures;
}

std::vector<TargetStatus> StatusBoard::Targets() const {
  std::lock_guard lock(mu_);
  std::vector<TargetStatus> out;
  for (const auto& [name, status] : targets_) out.push_back(status);
  return out;
}

void StatusBoard::SetActiveCounts(const ActiveCounts& counts) {
  std::lock_guard lock(mu_);
  active_ = counts;
}

ActiveCounts StatusBoard::Active() const {
  std::lock_guard lock(mu_);
  return active_;
}

void StatusBoard::SetHeldBack(const std::string& feed, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (reason.empty()) {
    held_back_.erase(feed);
  } else {
    held_back_[feed] = reason;
  }
}

std::map<std::string, std::string> StatusBoard::HeldBack() const {
  std::lock_guard lock(mu_);
  return held_back_;
}

}  // namespace guardfeed::server
