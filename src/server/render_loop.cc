#include "server/render_loop.h"

#include <spdlog/spdlog.h>

#include <array>

namespace guardfeed::server {

using Steady = std::chrono::steady_clock;

RenderLoop::RenderLoop(ServerContext& ctx) : ctx_(ctx) {}

RenderLoop::~RenderLoop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RenderLoop::RenderNow() { Tick(true); }

void RenderLoop::Start() {
  thread_ = std::thread([this] { Run(); });
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
    auto until = std::chrono::milliseconds(std::max<int64_t>(0, *next_expiry_ - now) * 1000 + 50);
    wait = std::min(wait, until);
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
  Result<int64_t> counter = generation->pipeline->store->ChangeCounter();
  ctx_.store_ok.store(counter.ok());
  if (!counter.ok()) {
    if (!last_store_error_logged_) {
      spdlog::error("render store_error=\"{}\"", counter.status().ToString());
    }
    last_store_error_logged_ = true;
    return;
  }
  if (last_store_error_logged_) spdlog::info("render store=reachable");
  last_store_error_logged_ = false;
  UnixSeconds now = generation->pipeline->clock->Now();
  bool expired = next_expiry_ && now >= *next_expiry_;
  bool stale = force || expired || *counter != rendered_counter_ ||
               generation->id != rendered_generation_ || !ctx_.snapshots.Current();
  if (stale) Render(*generation, *counter);
  if (Steady::now() - last_count_ >= generation->options.count_interval) CountActive(*generation);
}

void RenderLoop::Render(const Generation& generation, int64_t counter) {
  const Pipeline& pipeline = *generation.pipeline;
  auto started = Steady::now();
  Result<BuildResult> built = pipeline.builder->Build();
  if (!built.ok()) {
    ctx_.metrics->RecordRender({}, 0, false);
    spdlog::error("render error=\"{}\"", built.status().ToString());
    return;
  }
  // The served set keeps large bodies only in memfds; publish from the build's own snapshots.
  FeedSet to_publish = built->set;
  std::shared_ptr<const ServedSet> previous = ctx_.snapshots.Current();
  auto set = MakeServedSet(std::move(built).value(), generation.feeds, previous.get(),
                           generation.options.gzip);
  previous.reset();
  ctx_.snapshots.Swap(set);
  double seconds = std::chrono::duration<double>(Steady::now() - started).count();
  rendered_counter_ = counter;
  rendered_generation_ = generation.id;
  auto expiry = pipeline.store->NextExpiry(pipeline.clock->Now());
  next_expiry_ = expiry.ok() ? *expiry : std::nullopt;
  ctx_.metrics->RecordRender(set->reports, seconds, true);
  std::string changed;
  for (const FeedReport& report : set->reports) {
    if (!report.changed) continue;
    changed += changed.empty() ? report.feed : "," + report.feed;
  }
  for (const ServedFile& file : set->files) {
    const Snapshot& s = *file.snapshot;
    ctx_.metrics->SetFeedFile(s.feed.empty() ? s.path : s.feed, s.entries, s.dropped,
                              file.Body().size());
  }
  spdlog::info("render files={} changed={} duration_ms={:.1f}", set->files.size(),
               changed.empty() ? "-" : changed, seconds * 1000);
  if (pipeline.publisher != nullptr) Publish(generation, to_publish);
}

void RenderLoop::Publish(const Generation& generation, const FeedSet& feeds) {
  auto started = Steady::now();
  Publisher& publisher = *generation.pipeline->publisher;
  Result<PublishReport> report = publisher.Publish(feeds);
  double seconds = std::chrono::duration<double>(Steady::now() - started).count();
  ctx_.metrics->RecordPublish(report.ok(), generation.pipeline->clock->Now(), seconds);
  if (!report.ok()) {
    spdlog::error("publish target={} error=\"{}\"", publisher.Describe(),
                  report.status().ToString());
    return;
  }
  if (!report->written.empty()) {
    spdlog::info("publish target={} written={} unchanged={}", publisher.Describe(),
                 report->written.size(), report->unchanged.size());
  }
}

void RenderLoop::CountActive(const Generation& generation) {
  last_count_ = Steady::now();
  const Pipeline& pipeline = *generation.pipeline;
  auto active = pipeline.store->ActiveIndicators(pipeline.clock->Now());
  if (!active.ok()) return;
  std::array<int64_t, 3> counts{};
  for (const IndicatorRecord& record : *active)
    ++counts[static_cast<size_t>(record.indicator.kind)];
  for (IndicatorKind kind : {IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}) {
    ctx_.metrics->SetIndicatorsActive(kind, counts[static_cast<size_t>(kind)]);
  }
}

}  // namespace guardfeed::server
