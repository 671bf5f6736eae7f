#include "store/pg_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <utility>

#include <spdlog/spdlog.h>

#include "store/pg_connection.h"

namespace guardfeed::pg {
namespace {

// The lease's advisory lock key ("GFDB" + 2); one guardfeed store per database.
constexpr int64_t kLeaseLock = 0x4746444200000002;
// How often a follower retries the lease and every replica checks its connection.
constexpr int kTickMs = 2000;
constexpr int kMaxReconnectMs = 5000;


}  // namespace

Watcher::Watcher(std::string url) : url_(std::move(url)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  Connect();
  thread_ = std::thread([this] { Run(); });
}

Watcher::~Watcher() {
  stop_.store(true);
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  Disconnect();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Watcher::OnChange(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  callbacks_.push_back(std::move(callback));
}

void Watcher::CallBack() {
  std::lock_guard lock(mu_);
  for (const std::function<void()>& callback : callbacks_) callback();
}

bool Watcher::Connect() {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(url_);
  // The session settings (pg_connection.cc) make the server notice a replica whose link went
  // silent within about 10 s and free its lease.
  Status status =
      connection.ok() ? (*connection)->Exec("LISTEN guardfeed_changes") : connection.status();
  if (!status.ok()) {
    spdlog::warn("store watcher error=\"{}\" (retrying)", status.ToString());
    return false;
  }
  conn_ = std::move(connection).value();
  spdlog::info("store watcher connected store={}", conn_->Describe());
  TryLease();
  return true;
}

void Watcher::TryLease() {
  Result<Rows> taken =
      conn_->Query("SELECT pg_try_advisory_lock($1::int8)", Params().Add(kLeaseLock));
  if (!taken.ok()) {
    Disconnect();
    return;
  }
  if (taken->Bool(0, 0) && !leads_.exchange(true)) {
    spdlog::info("publishing lease=taken (this replica publishes)");
  }
}

void Watcher::Disconnect() {
  if (leads_.exchange(false)) spdlog::warn("publishing lease=lost");
  conn_.reset();
}

bool Watcher::Wait(int timeout_ms) {
  // Notifications read along with a query's answer (the lease, the ping) are already queued in
  // libpq and leave the socket quiet: deliver those before waiting.
  Result<std::vector<std::string>> queued = conn_->TakeNotifications();
  if (!queued.ok()) return false;
  if (!queued->empty()) {
    CallBack();
    return true;
  }
  pollfd fds[2] = {{conn_->Socket(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  if (poll(fds, 2, timeout_ms) < 0) return true;  // EINTR: the caller loops
  if (stop_.load()) return true;
  Result<std::vector<std::string>> channels = conn_->TakeNotifications();
  if (!channels.ok()) return false;
  if (!channels->empty()) CallBack();
  return true;
}

void Watcher::Run() {
  if (conn_ != nullptr) CallBack();  // catch up with whatever happened before the first LISTEN
  int backoff_ms = 250;
  auto next_tick = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    if (conn_ == nullptr) {
      pollfd wake = {wake_fd_, POLLIN, 0};
      (void)poll(&wake, 1, backoff_ms);
      if (stop_.load()) break;
      backoff_ms = std::min(backoff_ms * 2, kMaxReconnectMs);
      if (!Connect()) continue;
      backoff_ms = 250;
      CallBack();  // notifications may have been missed while disconnected
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      next_tick = now + std::chrono::milliseconds(kTickMs);
      // A round trip proves the session (and so the lease) is still alive; a follower also
      // tries to take the lease over.
      if (leads_.load()) {
        if (!conn_->Query("SELECT 1").ok()) {
          Disconnect();
          continue;
        }
      } else {
        bool was = leads_.load();
        TryLease();
        if (conn_ == nullptr) continue;
        if (!was && leads_.load()) CallBack();  // the new leader publishes what it serves
      }
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now).count();
    if (!Wait(static_cast<int>(std::max<int64_t>(wait, 0)))) {
      spdlog::warn("store watcher connection=lost (reconnecting)");
      Disconnect();
    }
  }
}

}  // namespace guardfeed::pg
