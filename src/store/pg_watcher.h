// Internal to store/: a PostgreSQL replica's watch on the shared store. On a connection and a
// thread of its own it LISTENs on guardfeed_changes and calls the registered callbacks on every
// notification and after every (re)connect (notifications sent while it was away are lost, so the
// callback must catch up through the change counter), and it holds the publishing lease: a session
// advisory lock, which PostgreSQL releases when the session ends (a replica killed, or its
// connection cut), so that another replica, retrying every 2 s, takes it over.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace guardfeed::pg {

class Connection;

class Watcher {
 public:
  // Connects once before returning (a lone replica leads from its first render), then watches on
  // its own thread until destroyed.
  explicit Watcher(std::string url);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void OnChange(std::function<void()> callback);
  // Whether this process holds the publishing lease now.
  bool Leads() const { return leads_.load(); }

 private:
  void Run();
  // Connects, LISTENs and tries the lease; false (and logs once) when the server is unreachable.
  bool Connect();
  void TryLease();
  // Waits up to `timeout_ms` for a notification or Stop; false when the connection broke.
  bool Wait(int timeout_ms);
  void Disconnect();
  void CallBack();

  const std::string url_;
  std::unique_ptr<Connection> conn_;  // the watcher thread's (the constructor's before it starts)
  std::atomic<bool> leads_{false};
  int wake_fd_ = -1;  // an eventfd: the destructor wakes the thread through it
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::vector<std::function<void()>> callbacks_;  // guarded by mu_

  std::thread thread_;
};

}  // namespace guardfeed::pg
