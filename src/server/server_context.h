// ServerContext: the state every route handler shares for the life of the server: the current
// configuration generation, the served snapshots, metrics, the fetch log and the store pool.
//
// Thread safety: generation() and snapshots.Current() are lock-free reads of immutable objects;
// SetGeneration is called by the controlling thread (reload). Metrics and FetchLog are
// thread-safe. Store work runs on store_pool (RunOnStorePool), never on an I/O thread; ingest
// there waits for its group commit (Generation::ingest_store).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/fetch_log.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/server.h"
#include "server/snapshot_holder.h"
#include "server/status_board.h"
#include "server/ui_auth.h"
#include "server/ui_data.h"

namespace guardfeed::server {

// One configuration: options plus the pipeline they run on. Immutable; replaced on reload.
struct Generation {
  uint64_t id = 0;
  ServerOptions options;
  std::shared_ptr<const Pipeline> pipeline;
  std::vector<FeedConfig> feeds;
  // What POST /v1/findings writes through: pipeline->store behind group commit
  // (store/group_commit.h, options.group_commit_*), so concurrent requests share durable commits.
  // Declared after `pipeline`, whose owner keeps the store alive, so it goes first.
  std::shared_ptr<Store> ingest_store;

  const FeedConfig* FindFeed(std::string_view name) const;
};

class ServerContext {
 public:
  ServerContext(std::shared_ptr<const Generation> generation, int store_threads);
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  std::shared_ptr<const Generation> generation() const {
    return generation_.load(std::memory_order_acquire);
  }
  void SetGeneration(std::shared_ptr<const Generation> generation) {
    generation_.store(std::move(generation), std::memory_order_release);
  }

  boost::asio::thread_pool& store_pool() { return store_pool_; }
  // One thread for compressed or large request bodies: a burst of them (or of decompression
  // bombs) queues here instead of delaying small findings on the store pool.
  boost::asio::thread_pool& bulk_pool() { return bulk_pool_; }
  // Tells the render loop that the store changed (ingest, removal, allowlist edit).
  void NotifyStoreChanged() const {
    if (on_store_changed) on_store_changed();
  }

  SnapshotHolder snapshots;
  FetchLog fetches;
  StatusBoard status_board;      // publish targets and active counts, for the dashboard
  UiSessions ui_sessions;        // dashboard logins
  DashboardCache ui_cache;       // the dashboard's whole-table store reads
  std::unique_ptr<Metrics> metrics;        // set once before serving starts
  std::function<void()> on_store_changed;  // set once before serving starts
  // Waives the shrink guard for a feed ("*": all) at the next render (RenderLoop::AcceptShrink).
  std::function<void(const std::string&)> on_accept_shrink;  // set once before serving starts
  void AcceptShrink(const std::string& feed) const {
    if (on_accept_shrink) on_accept_shrink(feed);
  }
  std::atomic<bool> store_ok{false};  // last store poll by the render loop succeeded
  // Why the last store poll failed (null when it succeeded), for /readyz.
  std::atomic<std::shared_ptr<const std::string>> store_error;
  // The pulling sources' state, when the daemon runs any (Server::SetSourceReports).
  std::atomic<std::shared_ptr<const SourceReports>> source_reports;
  // This replica publishes to the external targets (Store::LeadsPublishing at the last poll).
  std::atomic<bool> publishing_leader{true};
  std::atomic<bool> stopping{false};
  std::atomic<uint16_t> bound_port{0};  // set once the listener is bound
  const UnixSeconds started_at;

 private:
  std::atomic<std::shared_ptr<const Generation>> generation_;
  boost::asio::thread_pool store_pool_;
  boost::asio::thread_pool bulk_pool_{1};
};

// Runs `fn` (returning HttpResponse) on `pool` and resumes the calling coroutine on its own
// executor with the result. Exceptions from `fn` propagate to the caller.
template <typename F>
boost::asio::awaitable<HttpResponse> RunOnPool(boost::asio::thread_pool& pool, F fn) {
  co_return co_await boost::asio::co_spawn(
      pool,
      [fn = std::move(fn)]() mutable -> boost::asio::awaitable<HttpResponse> { co_return fn(); },
      boost::asio::use_awaitable);
}

template <typename F>
boost::asio::awaitable<HttpResponse> RunOnStorePool(ServerContext& ctx, F fn) {
  return RunOnPool(ctx.store_pool(), std::move(fn));
}

}  // namespace guardfeed::server
