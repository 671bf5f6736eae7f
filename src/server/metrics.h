// Metrics: the daemon's Prometheus metrics (prometheus-cpp registry, text exposition at
// /metrics). Names and meanings: docs/server.md#metrics.
//
// Thread safety: every method may be called from any thread. The per-request path touches only
// atomics (counters are created once per route and status, then cached).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/indicator.h"
#include "feeds/builder.h"
#include "store/ingest.h"

namespace guardfeed::server {

class Metrics {
 public:
  // `routes` are the route labels; CountRequest takes an index into it.
  explicit Metrics(std::vector<std::string> routes);

  void CountRequest(size_t route, unsigned status, double seconds);
  void CountIngest(const IngestSummary& summary, double seconds);
  void CountIngestFailure(std::string_view reason);
  // A refused request (4xx, or a connection refused at the cap) by route and reason; refusals
  // of POST /v1/findings also count in guardfeed_ingest_failures_total.
  void CountRefusal(size_t route, std::string_view reason);
  // One target's publish outcome (per target: last success, last error, consecutive failures).
  void RecordTargetPublish(const std::string& target, bool ok, UnixSeconds at);
  // Feeds held back by the shrink guard (1) or current (0), per feed.
  void SetFeedHeldBack(const std::string& feed, bool held);
  void SetIndicatorsActive(IndicatorKind kind, int64_t count);
  void RecordRender(const std::vector<FeedReport>& reports, double seconds, bool ok);
  void SetFeedFile(const std::string& feed, uint64_t entries, uint64_t dropped, uint64_t bytes);
  void RecordPublish(bool ok, UnixSeconds at, double seconds);

  // Text in the exposition format that Serialize appends, computed at each scrape (the consumer
  // gauges: consumers.h). Set once before serving starts; may be empty.
  void SetScrapeHook(std::function<std::string()> hook) { scrape_hook_ = std::move(hook); }

  // Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

 private:
  static constexpr unsigned kStatuses = 600;
  prometheus::Counter& RequestCounter(size_t route, unsigned status);

  std::shared_ptr<prometheus::Registry> registry_;
  const std::vector<std::string> routes_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& findings_;
  prometheus::Family<prometheus::Counter>& skipped_;
  prometheus::Family<prometheus::Counter>& ingest_failures_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Family<prometheus::Gauge>& target_last_success_;
  prometheus::Family<prometheus::Gauge>& target_last_error_;
  prometheus::Family<prometheus::Gauge>& target_failures_;
  prometheus::Family<prometheus::Gauge>& feed_held_back_;
  prometheus::Family<prometheus::Gauge>& indicators_active_;
  prometheus::Family<prometheus::Gauge>& feed_entries_;
  prometheus::Family<prometheus::Gauge>& feed_dropped_;
  prometheus::Family<prometheus::Gauge>& feed_bytes_;
  prometheus::Family<prometheus::Counter>& feed_versions_;
  prometheus::Counter& renders_ok_;
  prometheus::Counter& renders_failed_;
  prometheus::Histogram& render_seconds_;
  prometheus::Histogram& ingest_seconds_;
  prometheus::Gauge& publish_ok_;
  prometheus::Gauge& publish_timestamp_;
  prometheus::Counter& publishes_ok_;
  prometheus::Counter& publishes_failed_;
  std::vector<prometheus::Histogram*> route_latency_;  // constant after construction
  std::function<std::string()> scrape_hook_;           // constant once serving starts
  // [route][status] -> counter, created on first use.
  std::unique_ptr<std::array<std::atomic<prometheus::Counter*>, kStatuses>[]> request_cache_;
};

}  // namespace guardfeed::server
