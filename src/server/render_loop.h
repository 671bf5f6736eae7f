// RenderLoop: re-renders the feeds off the request path. Wakes when told the store changed
// (debounced: one render per burst), when the store's ChangeCounter moved (another process
// wrote: polled, and notified by stores shared between replicas), when the soonest indicator expiry passed, or on reload. Renders are incremental
// (LiveFeeds: the store's changes since the last render are applied and only the feeds they
// touch are rendered and versioned again; a reload starts from a full load). Each render passes
// the shrink guard (a feed that would lose too much keeps serving its previous snapshot until an
// operator accepts the change), swaps the new ServedSet into the SnapshotHolder and publishes to
// every target when this process leads publishing (Store::LeadsPublishing; replicas elect one); a target that failed is retried with exponential backoff until it succeeds,
// even when nothing changes. Large bodies are gzipped on a thread of their own after the swap,
// so new identity bytes are served at once and their gzip follows. Once an hour it deletes
// indicators expired longer than the retention.
//
// Consumer variants (server/consumers.h: feeds capped for one consumer's device limit) are
// rendered as extra feeds of the same LiveFeeds, follow their feed through the shrink guard,
// are served and never published.
//
// Thread safety: Notify and ForceRender may be called from any thread. RenderNow, Start and
// Stop from the controlling thread. Everything else (LiveFeeds, Publisher::Publish) runs on the
// loop's own thread, one call at a time; the gzip thread only compresses and swaps in sets.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "feeds/live_feeds.h"
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
  // Lets `feed`'s ("*": every feed's) next render replace its served snapshot and publish
  // however much it shrinks: the operator looked at the change (an admin removal, a forced
  // allowlist entry, POST /v1/feeds/NAME/accept) and accepts it. Thread-safe.
  void AcceptShrink(const std::string& feed);

 private:
  void Run();
  void WatchStore(Store& store);
  void Tick(bool force);
  void Render(const Generation& generation, int64_t counter);
  // Brings the live feeds up to the store (a new generation starts from a full load) and
  // renders them.
  Result<BuildResult> BuildFeeds(const Generation& generation);
  bool VersionsMoved(const Generation& generation);
  // The gzip thread: compresses the pending files of the newest set queued and installs each
  // into the served set if that file is still the one served.
  void GzipLoop();
  void QueueGzip(std::shared_ptr<const ServedSet> set);
  // Replaces each feed that fails the shrink guard with its served snapshot, or, with none served
  // yet, takes it out of `set` into `unserved` (answered 503); returns the held feeds.
  std::vector<std::string> HoldBackShrunkFeeds(const Generation& generation, FeedSet& set,
                                               const ServedSet* previous,
                                               const std::set<std::string>& accepted,
                                               std::set<std::string>& unserved);
  // Holds consumer lists with their feed and on their own shrink; returns, per feed, why one of
  // its lists is held on its own.
  std::map<std::string, std::string> HoldBackVariants(const Generation& generation, FeedSet& set,
                                                      const ServedSet* previous,
                                                      const std::vector<std::string>& held,
                                                      const std::set<std::string>& accepted,
                                                      std::set<std::string>& unserved);
  void HoldBackManifest(const Generation& generation, FeedSet& set, const ServedSet* previous,
                        const std::vector<std::string>& held, std::set<std::string>& unserved);
  std::set<std::string> HeldServed(const BuildResult& built,
                                   const std::vector<std::string>& held) const;
  PreviousEntries TargetsHold(const Generation& generation, const Snapshot& snapshot);
  void PublishAll(const Generation& generation, const FeedSet& feeds,
                  const std::set<std::string>& accepted);
  void PublishTo(const Generation& generation, Publisher& target, const FeedSet& feeds,
                 const std::set<std::string>& accepted);
  void RetryDuePublishes(const Generation& generation);
  // Puts shrink waivers back when the render that took them failed.
  void RestoreAccepted(const std::set<std::string>& accepted);
  void ExpireRetained(const Generation& generation);
  void CountActive(const Generation& generation);
  std::chrono::milliseconds WaitTime(const Generation& generation) const;

  // A target whose last publish failed: what to publish, and when to try again.
  struct PendingPublish {
    std::string name;             // the target's Describe()
    Publisher* target = nullptr;  // compared, never dereferenced, once its generation is gone
    std::shared_ptr<const FeedSet> feeds;
    std::set<std::string> accepted;  // the shrink guard waivers of the publish that failed
    int failures = 0;
    std::chrono::steady_clock::time_point retry_at;
  };

  // What the store's change watcher calls (Start): this loop until it is destroyed.
  struct WatchTarget {
    std::mutex mu;
    RenderLoop* loop = nullptr;  // guarded by mu
  };
  // The store WatchStore registered with: the loop thread's (the controlling thread's before
  // Start and after Stop), like live_.
  const Store* watched_ = nullptr;

  ServerContext& ctx_;
  std::shared_ptr<WatchTarget> watch_target_ = std::make_shared<WatchTarget>();
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                    // guarded by mu_
  bool notified_ = false;                // guarded by mu_
  bool forced_ = false;                  // guarded by mu_
  std::set<std::string> accept_shrink_;  // guarded by mu_

  // Held while reading the served set, building the next one from it and swapping it in: the
  // render and gzip threads both swap.
  std::mutex swap_mu_;

  std::mutex gzip_mu_;
  std::condition_variable gzip_cv_;
  std::shared_ptr<const ServedSet> gzip_next_;  // guarded by gzip_mu_
  bool gzip_stop_ = false;                      // guarded by gzip_mu_
  std::thread gzip_thread_;

  // Loop thread only (or the controlling thread before Start / after Stop).
  std::unique_ptr<LiveFeeds> live_;
  uint64_t live_generation_ = 0;  // the generation live_ was made for
  int64_t rendered_counter_ = -1;
  uint64_t rendered_generation_ = 0;
  std::optional<UnixSeconds> next_expiry_;
  std::chrono::steady_clock::time_point last_count_{};
  std::optional<std::chrono::steady_clock::time_point> last_expire_;  // nullopt: not yet
  std::map<std::string, PendingPublish> pending_;                     // by target description
  std::set<std::string> held_back_;  // feeds the shrink guard is holding
  std::set<std::string> held_variants_;  // consumer variants held for their own shrink
  bool last_store_error_logged_ = false;
  bool took_over_ = false;  // became the publishing replica; not rendered and published since
  bool incremental_error_logged_ = false;  // until an incremental update succeeds again
};

}  // namespace guardfeed::server
