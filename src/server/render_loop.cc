#include "server/render_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "aws/retry.h"
#include "feeds/secintel.h"
#include "server/consumers.h"

namespace guardfeed::server {

using Steady = std::chrono::steady_clock;

namespace {

constexpr std::chrono::hours kExpireInterval{1};

}  // namespace

RenderLoop::RenderLoop(ServerContext& ctx) : ctx_(ctx) {
  watch_target_->loop = this;
  gzip_thread_ = std::thread([this] { GzipLoop(); });
}

RenderLoop::~RenderLoop() {
  {
    std::lock_guard lock(watch_target_->mu);
    watch_target_->loop = nullptr;
  }
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(gzip_mu_);
    gzip_stop_ = true;
  }
  gzip_cv_.notify_all();
  gzip_thread_.join();
}

void RenderLoop::RenderNow() { Tick(true); }

void RenderLoop::Start() {
  // The consumer gauges are computed when /metrics is scraped (Metrics exists by now).
  ServerContext* ctx = &ctx_;
  ctx_.metrics->SetScrapeHook(
      [ctx] { return ConsumerMetricsText(*ctx, ctx->generation()->pipeline->clock->Now()); });
  WatchStore(*ctx_.generation()->pipeline->store);
  thread_ = std::thread([this] { Run(); });
}

// A store shared with other replicas tells us about their commits (the poll stays as the safety
// net); a reload may bring a new store object, watched in turn. The callback may outlive this
// loop (the store owns it): it goes through watch_target_, which the destructor clears.
void RenderLoop::WatchStore(Store& store) {
  // Not under watch_target_->mu: the store may call the callback (which takes it) while it
  // registers another.
  if (watched_ == &store) return;
  watched_ = &store;
  std::shared_ptr<WatchTarget> target = watch_target_;
  store.WatchChanges([target] {
    std::lock_guard notify_lock(target->mu);
    if (target->loop != nullptr) target->loop->Notify();
  });
}

void RenderLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Tick(false);  // pick up what the last requests committed
}

void RenderLoop::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void RenderLoop::AcceptShrink(const std::string& feed) {
  {
    std::lock_guard lock(mu_);
    accept_shrink_.insert(feed);
    forced_ = true;
  }
  cv_.notify_all();
}

void RenderLoop::RestoreAccepted(const std::set<std::string>& accepted) {
  std::lock_guard lock(mu_);
  accept_shrink_.insert(accepted.begin(), accepted.end());
}

void RenderLoop::ForceRender() {
  {
    std::lock_guard lock(mu_);
    forced_ = true;
  }
  cv_.notify_all();
}

std::chrono::milliseconds RenderLoop::WaitTime(const Generation& generation) const {
  std::chrono::milliseconds wait = generation.options.store_poll;
  if (next_expiry_) {
    UnixSeconds now = generation.pipeline->clock->Now();
    // Clamped before the multiplication: an expiry centuries away must not overflow.
    int64_t seconds = std::clamp<int64_t>(*next_expiry_ - std::min(now, *next_expiry_), 0, 86400);
    auto until = std::chrono::milliseconds(seconds * 1000 + 50);
    wait = std::min(wait, until);
  }
  for (const auto& [name, pending] : pending_) {
    auto until =
        std::chrono::duration_cast<std::chrono::milliseconds>(pending.retry_at - Steady::now());
    wait = std::min(wait, std::max(until, std::chrono::milliseconds(0)));
  }
  return wait;
}

void RenderLoop::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    std::shared_ptr<const Generation> generation = ctx_.generation();
    cv_.wait_for(lock, WaitTime(*generation), [this] { return stop_ || notified_ || forced_; });
    if (stop_) break;
    if (notified_) {
      // Debounce: let the rest of a burst of ingests land, then render once.
      cv_.wait_for(lock, generation->options.render_debounce, [this] { return stop_; });
      if (stop_) break;
    }
    bool force = forced_;
    notified_ = forced_ = false;
    lock.unlock();
    Tick(force);
    lock.lock();
  }
}

void RenderLoop::Tick(bool force) {
  std::shared_ptr<const Generation> generation = ctx_.generation();
  Store& store = *generation->pipeline->store;
  WatchStore(store);
  // A replica that just became the publisher publishes what it serves, changed or not: the
  // previous one may have died mid-publish. Read before any publish of this tick.
  bool leads = store.LeadsPublishing();
  if (leads && !ctx_.publishing_leader.load()) took_over_ = true;
  ctx_.publishing_leader.store(leads);
  // Before the store check: a failing target must be retried (and its backoff advanced) even
  // while the store is down, or its past-due retry time would make the loop spin.
  RetryDuePublishes(*generation);
  Result<int64_t> counter = store.ChangeCounter();
  ctx_.store_ok.store(counter.ok());
  if (!counter.ok()) {
    ctx_.store_error.store(std::make_shared<const std::string>(counter.status().ToString()));
    if (!last_store_error_logged_) {
      spdlog::error("render store_error=\"{}\"", counter.status().ToString());
    }
    last_store_error_logged_ = true;
    return;
  }
  ctx_.store_error.store(nullptr);
  if (last_store_error_logged_) spdlog::info("render store=reachable");
  last_store_error_logged_ = false;
  if (took_over_) force = true;
  UnixSeconds now = generation->pipeline->clock->Now();
  bool expired = next_expiry_ && now >= *next_expiry_;
  bool stale = force || expired || *counter != rendered_counter_ ||
               generation->id != rendered_generation_ || !ctx_.snapshots.Current();
  if (!stale) stale = VersionsMoved(*generation);
  if (stale) Render(*generation, *counter);
  if (Steady::now() - last_count_ >= generation->options.count_interval) CountActive(*generation);
  if (!last_expire_ || Steady::now() - *last_expire_ >= kExpireInterval) {
    ExpireRetained(*generation);
  }
}

void RenderLoop::Render(const Generation& generation, int64_t counter) {
  auto started = Steady::now();
  // Taken before the build: an accept must apply to a render that contains what it accepts.
  std::set<std::string> accepted;
  {
    std::lock_guard lock(mu_);
    accepted.swap(accept_shrink_);
  }
  Result<BuildResult> built = BuildFeeds(generation);
  if (!built.ok()) {
    RestoreAccepted(accepted);
    next_expiry_.reset();  // wait for the next poll, not 50 ms: a failing build must not spin
    ctx_.metrics->RecordRender({}, 0, false);
    spdlog::error("render error=\"{}\"", built.status().ToString());
    return;
  }
  std::unique_lock swap_lock(swap_mu_);
  std::shared_ptr<const ServedSet> previous = ctx_.snapshots.Current();
  std::set<std::string> unserved;
  std::vector<std::string> held =
      HoldBackShrunkFeeds(generation, built->set, previous.get(), accepted, unserved);
  // The served set keeps large bodies only in memfds; publish from the build's own snapshots,
  // without the feeds held back (their targets keep what they have).
  // Consumer variants are served, never published.
  FeedSet to_publish = built->set;
  std::erase_if(to_publish.files, [&held](const SnapshotPtr& snapshot) {
    return std::find(held.begin(), held.end(), snapshot->feed) != held.end() ||
           (!held.empty() && snapshot->path == kManifestPath) || IsConsumerVariant(snapshot->feed);
  });
  std::vector<FeedReport> variant_reports;
  std::erase_if(built->reports, [&variant_reports](const FeedReport& report) {
    if (!IsConsumerVariant(report.feed)) return false;
    variant_reports.push_back(report);
    return true;
  });
  std::set<std::string> held_served = HeldServed(*built, held);  // before `built` is moved from
  auto set = MakeServedSet(std::move(built).value(), generation.feeds, previous.get(),
                           generation.options.gzip, std::move(unserved), /*defer_gzip=*/true,
                           std::move(held_served));
  previous.reset();
  ctx_.snapshots.Swap(set);
  swap_lock.unlock();
  QueueGzip(set);
  double seconds = std::chrono::duration<double>(Steady::now() - started).count();
  rendered_counter_ = counter;
  rendered_generation_ = generation.id;
  took_over_ = false;
  next_expiry_ = live_->NextExpiry();
  ctx_.metrics->RecordRender(set->reports, seconds, true);
  std::string changed;
  for (const std::vector<FeedReport>* reports :
       std::array<const std::vector<FeedReport>*, 2>{&set->reports, &variant_reports}) {
    for (const FeedReport& report : *reports) {
      if (!report.changed) continue;
      changed += changed.empty() ? report.feed : "," + report.feed;
    }
  }
  for (const ServedFile& file : set->files) {
    const Snapshot& s = *file.snapshot;
    const std::string& key = s.feed.empty() ? s.path : s.feed;
    // What consumers hold is compared with this history (GET /v1/consumers, FetchLog).
    ctx_.fetches.NoteVersion(key, s.etag, s.version, file.modified);
    if (IsConsumerVariant(s.feed)) continue;
    ctx_.metrics->SetFeedFile(key, s.entries, s.dropped, file.Body().size());
  }
  spdlog::info("render files={} changed={} duration_ms={:.1f}", set->files.size(),
               changed.empty() ? "-" : changed, seconds * 1000);
  PublishAll(generation, to_publish, accepted);
}

// Up to date with the store, yet another replica may have versioned the same content (or an
// older one) after this one did: then serve the stored version, or version this content anew.
bool RenderLoop::VersionsMoved(const Generation& generation) {
  if (!live_ || live_generation_ != generation.id) return false;
  Result<bool> moved = live_->SyncVersions();
  if (!moved.ok()) {
    spdlog::warn("render version_sync_error=\"{}\"", moved.status().ToString());
    return false;
  }
  return *moved;
}

Result<BuildResult> RenderLoop::BuildFeeds(const Generation& generation) {
  const Pipeline& pipeline = *generation.pipeline;
  if (!live_ || live_generation_ != generation.id) {
    // Consumer variants (consumers.h) are extra feeds of the same LiveFeeds: kept up to date
    // by the same changes, rendered block by block like the rest.
    std::vector<FeedConfig> variants =
        ConsumerVariants(generation.options.consumers, generation.feeds);
    if (variants.empty()) {
      live_ = pipeline.builder->NewLiveFeeds();
    } else {
      std::vector<FeedConfig> feeds = generation.feeds;
      feeds.insert(feeds.end(), variants.begin(), variants.end());
      live_ = std::make_unique<LiveFeeds>(std::move(feeds), generation.options.secintel,
                                          pipeline.policy, pipeline.store, pipeline.clock);
    }
    live_generation_ = generation.id;
  }
  // Entry lists cost a copy of every changed feed's entries: only publishers read them.
  live_->KeepEntryLists(!pipeline.publishers.empty());
  Status updated = live_->Update();
  if (!updated.ok()) {
    // A store that cannot list its changes (or failed just then) is read in full instead.
    if (!incremental_error_logged_) {
      spdlog::warn("render incremental_error=\"{}\" (reading every indicator)", updated.ToString());
    }
    incremental_error_logged_ = true;
    updated = live_->Reload();
  } else {
    incremental_error_logged_ = false;
  }
  if (!updated.ok()) return updated;
  return live_->Render();
}

// Feeds and consumer lists served from before a hold: the held feeds, every list of theirs, and
// the lists held on their own shrink.
std::set<std::string> RenderLoop::HeldServed(const BuildResult& built,
                                             const std::vector<std::string>& held) const {
  std::set<std::string> out(held.begin(), held.end());
  out.insert(held_variants_.begin(), held_variants_.end());
  for (const SnapshotPtr& snapshot : built.set.files) {
    if (IsConsumerVariant(snapshot->feed) && out.contains(std::string(VariantParent(snapshot->feed)))) {
      out.insert(snapshot->feed);
    }
  }
  return out;
}

void RenderLoop::QueueGzip(std::shared_ptr<const ServedSet> set) {
  if (GzipPending(*set).empty()) return;
  {
    std::lock_guard lock(gzip_mu_);
    gzip_next_ = std::move(set);
  }
  gzip_cv_.notify_all();
}

void RenderLoop::GzipLoop() {
  std::unique_lock lock(gzip_mu_);
  while (true) {
    gzip_cv_.wait(lock, [this] { return gzip_stop_ || gzip_next_ != nullptr; });
    if (gzip_stop_) return;
    std::shared_ptr<const ServedSet> set = std::move(gzip_next_);
    gzip_next_.reset();
    lock.unlock();
    for (const std::string& path : GzipPending(*set)) {
      const ServedFile& file = *set->FindPath(path);
      ServedFile gzipped = WithGzip(file, CompressBody(path, file.Body()));
      std::lock_guard swap_lock(swap_mu_);
      std::shared_ptr<const ServedSet> current = ctx_.snapshots.Current();
      if (current == nullptr) continue;
      auto next = ReplacePending(*current, path, file.snapshot->etag, std::move(gzipped));
      if (next != nullptr) ctx_.snapshots.Swap(std::move(next));
    }
    lock.lock();
  }
}

// What the publish targets hold for a feed the daemon has not served yet (the first render after
// a start): the largest count any of them knows, unknown if one cannot tell, else never.
PreviousEntries RenderLoop::TargetsHold(const Generation& generation, const Snapshot& snapshot) {
  PreviousEntries held = PreviousEntries::Never();
  for (Publisher* target : generation.pipeline->publishers) {
    if (!target->Carries(snapshot)) continue;
    PreviousEntries there = target->Previous(snapshot);
    if (there.kind == PreviousEntries::Kind::kUnknown) return there;
    if (there.kind == PreviousEntries::Kind::kKnown && there.entries >= held.entries) held = there;
  }
  return held;
}

std::vector<std::string> RenderLoop::HoldBackShrunkFeeds(const Generation& generation, FeedSet& set,
                                                         const ServedSet* previous,
                                                         const std::set<std::string>& accepted,
                                                         std::set<std::string>& unserved) {
  std::vector<std::string> held, passed;
  for (SnapshotPtr& snapshot : set.files) {
    if (snapshot->feed.empty() || IsConsumerVariant(snapshot->feed)) continue;
    const ServedFile* old = previous != nullptr ? previous->FindPath(snapshot->path) : nullptr;
    bool never_served = previous == nullptr || previous->held_unserved.contains(snapshot->feed);
    if (old == nullptr && !never_served) continue;  // a feed new to this configuration
    PreviousEntries before = old != nullptr ? PreviousEntries::Known(old->snapshot->entries)
                                            : TargetsHold(generation, *snapshot);
    ShrinkGuardOptions guard = generation.pipeline->shrink_guard;
    guard.force = guard.force || accepted.contains("*") || accepted.contains(snapshot->feed);
    Status check = CheckShrink(snapshot->feed, before, snapshot->entries, guard);
    bool was_held = held_back_.contains(snapshot->feed);
    if (check.ok()) {
      if (was_held) spdlog::info("shrink_guard feed={} released", snapshot->feed);
      held_back_.erase(snapshot->feed);
      passed.push_back(snapshot->feed);
      continue;
    }
    if (!was_held) {
      spdlog::error("shrink_guard feed={} held_back=\"{}\" (accept with POST /v1/feeds/{}/accept)",
                    snapshot->feed, check.message(), snapshot->feed);
    }
    held_back_.insert(snapshot->feed);
    ctx_.metrics->SetFeedHeldBack(snapshot->feed, true);
    ctx_.status_board.SetHeldBack(snapshot->feed, check.message());
    held.push_back(snapshot->feed);
    if (old != nullptr) {
      snapshot = old->snapshot;
    } else {
      unserved.insert(snapshot->feed);  // nothing of it served yet: 503 until accepted
    }
  }
  std::map<std::string, std::string> list_holds =
      HoldBackVariants(generation, set, previous, held, accepted, unserved);
  // Set once per render, so a scrape never sees a held feed as released in between.
  for (const std::string& feed : passed) {
    auto list = list_holds.find(feed);
    ctx_.metrics->SetFeedHeldBack(feed, list != list_holds.end());
    ctx_.status_board.SetHeldBack(feed, list != list_holds.end() ? list->second : "");
  }
  std::erase_if(set.files, [&unserved](const SnapshotPtr& snapshot) {
    return unserved.contains(snapshot->feed);
  });
  HoldBackManifest(generation, set, previous, held, unserved);
  return held;
}

// The SecIntel manifest must not announce a version of a feed that is being held back: the one
// served before stays; with none served yet (a start), it is not served either (503), as a
// manifest without the held feeds would make every SRX drop them.
void RenderLoop::HoldBackManifest(const Generation& generation, FeedSet& set,
                                  const ServedSet* previous, const std::vector<std::string>& held,
                                  std::set<std::string>& unserved) {
  if (held.empty()) return;
  bool secintel_held = std::any_of(held.begin(), held.end(), [&](const std::string& feed) {
    const FeedConfig* config = generation.FindFeed(feed);
    return config != nullptr && config->format == FeedFormat::kSecIntel;
  });
  const ServedFile* old = previous != nullptr ? previous->FindPath(kManifestPath) : nullptr;
  for (SnapshotPtr& snapshot : set.files) {
    if (snapshot->path == kManifestPath && old != nullptr) snapshot = old->snapshot;
  }
  if (old == nullptr && secintel_held) {
    std::erase_if(set.files,
                  [](const SnapshotPtr& snapshot) { return snapshot->path == kManifestPath; });
    unserved.insert(std::string(kManifestPath));
  }
}

// A consumer variant follows its feed: while the feed is held back it keeps its own served
// snapshot (or, with none, is not served either), so a capped consumer never sees content its
// feed is not allowed to show. It is also held on its own shrink: a consumer's list can lose
// more than its feed (a Check Point list has no IPv6; a cap keeps the top entries). Such a hold
// is reported, and accepted, under the feed's name.
std::map<std::string, std::string> RenderLoop::HoldBackVariants(
    const Generation& generation, FeedSet& set, const ServedSet* previous,
    const std::vector<std::string>& held, const std::set<std::string>& accepted,
    std::set<std::string>& unserved) {
  std::set<std::string> now_held;
  std::map<std::string, std::string> list_holds;  // feed -> why one of its lists is held
  for (SnapshotPtr& snapshot : set.files) {
    if (!IsConsumerVariant(snapshot->feed)) continue;
    std::string parent(VariantParent(snapshot->feed));
    if (unserved.contains(parent)) {
      unserved.insert(snapshot->feed);
      continue;
    }
    const ServedFile* old = previous != nullptr ? previous->FindPath(snapshot->path) : nullptr;
    if (std::find(held.begin(), held.end(), parent) == held.end()) {
      if (old == nullptr) continue;  // a variant new to this configuration
      ShrinkGuardOptions guard = generation.pipeline->shrink_guard;
      guard.force = guard.force || accepted.contains("*") || accepted.contains(parent);
      Status check = CheckShrink(snapshot->feed, PreviousEntries::Known(old->snapshot->entries),
                                 snapshot->entries, guard);
      if (check.ok()) continue;
      now_held.insert(snapshot->feed);
      if (!held_variants_.contains(snapshot->feed)) {
        spdlog::error(
            "shrink_guard feed={} consumer_list={} held_back=\"{}\" (accept with POST "
            "/v1/feeds/{}/accept)",
            parent, snapshot->feed, check.message(), parent);
      }
      list_holds[parent] = "a consumer's list: " + check.message();
    }
    if (old != nullptr) {
      snapshot = old->snapshot;
    } else {
      unserved.insert(snapshot->feed);
    }
  }
  for (const std::string& variant : held_variants_) {
    if (!now_held.contains(variant)) {
      spdlog::info("shrink_guard feed={} consumer_list={} released", VariantParent(variant),
                   variant);
    }
  }
  held_variants_ = std::move(now_held);
  return list_holds;
}

void RenderLoop::PublishAll(const Generation& generation, const FeedSet& feeds,
                            const std::set<std::string>& accepted) {
  // Replicas of one store publish through one of them (Store::LeadsPublishing).
  if (!ctx_.publishing_leader.load()) return;
  for (Publisher* target : generation.pipeline->publishers) {
    PublishTo(generation, *target, feeds, accepted);
  }
}

void RenderLoop::PublishTo(const Generation& generation, Publisher& target, const FeedSet& feeds,
                           const std::set<std::string>& accepted) {
  // The lease may have moved while earlier targets were published.
  if (!generation.pipeline->store->LeadsPublishing()) return;
  const std::string name = target.Describe();
  auto started = Steady::now();
  Result<PublishReport> report = target.PublishAccepting(feeds, accepted);
  double seconds = std::chrono::duration<double>(Steady::now() - started).count();
  UnixSeconds now = generation.pipeline->clock->Now();
  ctx_.metrics->RecordPublish(report.ok(), now, seconds);
  ctx_.metrics->RecordTargetPublish(name, report.ok(), now);
  ctx_.status_board.RecordPublish(name, report.ok(),
                                  report.ok() ? std::string() : report.status().ToString(), now);
  if (report.ok()) {
    if (pending_.erase(name) > 0) spdlog::info("publish target={} recovered", name);
    if (!report->written.empty()) {
      spdlog::info("publish target={} written={} unchanged={}", name, report->written.size(),
                   report->unchanged.size());
    }
    return;
  }
  PendingPublish& pending = pending_[name];
  pending.name = name;
  pending.target = &target;
  pending.feeds = std::make_shared<const FeedSet>(feeds);
  pending.accepted.insert(accepted.begin(), accepted.end());  // kept until a publish succeeds
  ++pending.failures;
  auto delay = BackgroundRetryDelay(pending.failures);
  pending.retry_at = Steady::now() + delay;
  spdlog::error("publish target={} failures={} retry_in_s={} error=\"{}\"", name, pending.failures,
                delay.count(), report.status().ToString());
}

void RenderLoop::RetryDuePublishes(const Generation& generation) {
  // A standby replica leaves retries to the leader; it publishes everything when it takes over.
  if (!ctx_.publishing_leader.load()) {
    pending_.clear();
    return;
  }
  std::vector<PendingPublish> due;
  for (const auto& [name, pending] : pending_) {
    if (pending.retry_at <= Steady::now()) due.push_back(pending);
  }
  for (const PendingPublish& pending : due) {
    // A reload replaces the targets: a retry only ever goes to a target of this generation.
    const auto& targets = generation.pipeline->publishers;
    bool current = std::find(targets.begin(), targets.end(), pending.target) != targets.end();
    if (!current) {
      pending_.erase(pending.name);
      continue;
    }
    PublishTo(generation, *pending.target, *pending.feeds, pending.accepted);
  }
}

void RenderLoop::ExpireRetained(const Generation& generation) {
  last_expire_ = Steady::now();
  const Pipeline& pipeline = *generation.pipeline;
  Result<int64_t> deleted =
      pipeline.store->Expire(pipeline.clock->Now(), pipeline.retention_seconds);
  if (!deleted.ok()) {
    spdlog::warn("expire error=\"{}\"", deleted.status().ToString());
  } else if (*deleted > 0) {
    spdlog::info("expire deleted_indicators={} retention_s={}", *deleted,
                 pipeline.retention_seconds);
  }
}

void RenderLoop::CountActive(const Generation& generation) {
  last_count_ = Steady::now();
  const Pipeline& pipeline = *generation.pipeline;
  auto active = pipeline.store->ActiveIndicators(pipeline.clock->Now());
  if (!active.ok()) return;
  std::array<int64_t, 3> counts{};
  int64_t containment = 0;  // our own hosts: not attackers of any kind
  for (const IndicatorRecord& record : *active) {
    if (IsContainment(record.indicator)) {
      ++containment;
    } else {
      ++counts[static_cast<size_t>(record.indicator.kind)];
    }
  }
  for (IndicatorKind kind : {IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}) {
    ctx_.metrics->SetIndicatorsActive(kind, counts[static_cast<size_t>(kind)]);
  }
  ctx_.status_board.SetActiveCounts(ActiveCounts{counts, containment, pipeline.clock->Now()});
}

}  // namespace guardfeed::server
