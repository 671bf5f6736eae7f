// RenderLoop: re-renders the feeds off the request path. Wakes when told the store changed
// (debounced: one render per burst), when the store's ChangeCounter moved (another process
// wrote), when the soonest indicator expiry passed, or on reload. Each render swaps a new
// ServedSet into the SnapshotHolder and then runs the publisher, if configured.
//
// Thread safety: Notify and ForceRender may be called from any thread. RenderNow, Start and
// Stop from the controlling thread. Everything else (FeedBuilder::Build, Publisher::Publish)
// runs on the loop's own thread, one call at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "server/server_context.h"

namespace guardfeed::server {

class RenderLoop {
 public:
  explicit RenderLoop(ServerContext& ctx);  // `ctx` must outlive the loop
  ~RenderLoop();
  RenderLoop(const RenderLoop&) = delete;
  RenderLoop& operator=(const RenderLoop&) = delete;

  // Renders once on the calling thread (startup, before serving). Failures are logged; the loop
  // retries after Start.
  void RenderNow();
  void Start();
  // Stops the thread; renders and publishes once more first if the store changed since.
  void Stop();

  void Notify();
  void ForceRender();

 private:
  void Run();
  void Tick(bool force);
  void Render(const Generation& generation, int64_t counter);
  void Publish(const Generation& generation, const FeedSet& feeds);
  void CountActive(const Generation& generation);
  std::chrono::milliseconds WaitTime(const Generation& generation) const;

  ServerContext& ctx_;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;      // guarded by mu_
  bool notified_ = false;  // guarded by mu_
  bool forced_ = false;    // guarded by mu_

  // Loop thread only (or the controlling thread before Start / after Stop).
  int64_t rendered_counter_ = -1;
  uint64_t rendered_generation_ = 0;
  std::optional<UnixSeconds> next_expiry_;
  std::chrono::steady_clock::time_point last_count_{};
  bool last_store_error_logged_ = false;
};

}  // namespace guardfeed::server
