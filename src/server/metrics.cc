#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace guardfeed::server {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return kBuckets;
}

}  // namespace

Metrics::Metrics(std::vector<std::string> routes)
    : registry_(std::make_shared<prometheus::Registry>()),
      routes_(std::move(routes)),
      requests_(BuildCounter()
                    .Name("guardfeed_http_requests_total")
                    .Help("HTTP requests by route and status")
                    .Register(*registry_)),
      latency_(BuildHistogram()
                   .Name("guardfeed_http_request_duration_seconds")
                   .Help("Time from request headers to the end of the response, by route")
                   .Register(*registry_)),
      findings_(BuildCounter()
                    .Name("guardfeed_findings_total")
                    .Help("Findings received over HTTP by outcome (accepted, skipped, error)")
                    .Register(*registry_)),
      skipped_(BuildCounter()
                   .Name("guardfeed_findings_skipped_total")
                   .Help("Findings skipped by policy, by reason")
                   .Register(*registry_)),
      ingest_failures_(BuildCounter()
                           .Name("guardfeed_ingest_failures_total")
                           .Help("POST /v1/findings requests not committed, by reason")
                           .Register(*registry_)),
      refused_(
          BuildCounter()
              .Name("guardfeed_requests_refused_total")
              .Help("Requests refused with a 4xx (or connections refused), by route and reason")
              .Register(*registry_)),
      target_last_success_(BuildGauge()
                               .Name("guardfeed_publish_target_last_success_timestamp_seconds")
                               .Help("Unix time of the last successful publish, per target")
                               .Register(*registry_)),
      target_last_error_(BuildGauge()
                             .Name("guardfeed_publish_target_last_error_timestamp_seconds")
                             .Help("Unix time of the last failed publish, per target")
                             .Register(*registry_)),
      target_failures_(BuildGauge()
                           .Name("guardfeed_publish_target_consecutive_failures")
                           .Help("Failed publishes since the last success, per target")
                           .Register(*registry_)),
      feed_held_back_(BuildGauge()
                          .Name("guardfeed_feed_held_back")
                          .Help("1 while the shrink guard keeps serving a feed's previous content")
                          .Register(*registry_)),
      indicators_active_(BuildGauge()
                             .Name("guardfeed_indicators_active")
                             .Help("Active (unexpired, not removed) indicators by kind")
                             .Register(*registry_)),
      feed_entries_(BuildGauge()
                        .Name("guardfeed_feed_entries")
                        .Help("Entries in the served feed file")
                        .Register(*registry_)),
      feed_dropped_(BuildGauge()
                        .Name("guardfeed_feed_dropped_entries")
                        .Help("Entries dropped from the feed by its max_entries cap")
                        .Register(*registry_)),
      feed_bytes_(BuildGauge()
                      .Name("guardfeed_feed_bytes")
                      .Help("Size of the served feed file")
                      .Register(*registry_)),
      feed_versions_(BuildCounter()
                         .Name("guardfeed_feed_versions_total")
                         .Help("New feed versions rendered since start")
                         .Register(*registry_)),
      renders_ok_(BuildCounter()
                      .Name("guardfeed_renders_total")
                      .Help("Feed renders by result")
                      .Register(*registry_)
                      .Add({{"result", "ok"}})),
      renders_failed_(BuildCounter()
                          .Name("guardfeed_renders_total")
                          .Help("Feed renders by result")
                          .Register(*registry_)
                          .Add({{"result", "error"}})),
      render_seconds_(BuildHistogram()
                          .Name("guardfeed_render_duration_seconds")
                          .Help("Time to render every feed")
                          .Register(*registry_)
                          .Add({}, LatencyBuckets())),
      ingest_seconds_(BuildHistogram()
                          .Name("guardfeed_ingest_duration_seconds")
                          .Help("Time to parse and commit one POST /v1/findings body")
                          .Register(*registry_)
                          .Add({}, LatencyBuckets())),
      publish_ok_(BuildGauge()
                      .Name("guardfeed_publish_last_success")
                      .Help("1 when the last publish (to any target) succeeded, 0 when it failed")
                      .Register(*registry_)
                      .Add({})),
      publish_timestamp_(BuildGauge()
                             .Name("guardfeed_publish_last_timestamp_seconds")
                             .Help("Unix time of the last publish attempt")
                             .Register(*registry_)
                             .Add({})),
      publishes_ok_(BuildCounter()
                        .Name("guardfeed_publishes_total")
                        .Help("Publishes by result")
                        .Register(*registry_)
                        .Add({{"result", "ok"}})),
      publishes_failed_(BuildCounter()
                            .Name("guardfeed_publishes_total")
                            .Help("Publishes by result")
                            .Register(*registry_)
                            .Add({{"result", "error"}})),
      request_cache_(std::make_unique<std::array<std::atomic<prometheus::Counter*>, kStatuses>[]>(
          routes_.size())) {
  for (const std::string& route : routes_) {
    route_latency_.push_back(&latency_.Add({{"route", route}}, LatencyBuckets()));
  }
  for (size_t r = 0; r < routes_.size(); ++r) {
    for (auto& slot : request_cache_[r]) slot.store(nullptr, std::memory_order_relaxed);
  }
}

prometheus::Counter& Metrics::RequestCounter(size_t route, unsigned status) {
  if (status >= kStatuses) status = 0;
  auto& slot = request_cache_[route][status];
  prometheus::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add is thread-safe and returns the same counter for the same labels.
    counter = &requests_.Add({{"route", routes_[route]}, {"status", std::to_string(status)}});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

void Metrics::CountRequest(size_t route, unsigned status, double seconds) {
  if (route >= routes_.size()) return;
  RequestCounter(route, status).Increment();
  route_latency_[route]->Observe(seconds);
}

void Metrics::CountIngest(const IngestSummary& summary, double seconds) {
  findings_.Add({{"outcome", "accepted"}})
      .Increment(static_cast<double>(summary.findings_accepted));
  findings_.Add({{"outcome", "error"}}).Increment(static_cast<double>(summary.error_count));
  int64_t skipped = 0;
  for (const auto& [reason, count] : summary.skipped) {
    skipped_.Add({{"reason", reason}}).Increment(static_cast<double>(count));
    skipped += count;
  }
  findings_.Add({{"outcome", "skipped"}}).Increment(static_cast<double>(skipped));
  if (summary.events_skipped > 0) {
    skipped_.Add({{"reason", "not_a_finding"}})
        .Increment(static_cast<double>(summary.events_skipped));
  }
  ingest_seconds_.Observe(seconds);
}

void Metrics::CountIngestFailure(std::string_view reason) {
  ingest_failures_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::CountRefusal(size_t route, std::string_view reason) {
  std::string label = route < routes_.size() ? routes_[route] : "unmatched";
  refused_.Add({{"route", label}, {"reason", std::string(reason)}}).Increment();
  if (label == "ingest") CountIngestFailure(reason);
}

void Metrics::RecordTargetPublish(const std::string& target, bool ok, UnixSeconds at) {
  prometheus::Gauge& failures = target_failures_.Add({{"target", target}});
  if (ok) {
    target_last_success_.Add({{"target", target}}).Set(static_cast<double>(at));
    failures.Set(0);
  } else {
    target_last_error_.Add({{"target", target}}).Set(static_cast<double>(at));
    failures.Increment();
  }
}

void Metrics::SetFeedHeldBack(const std::string& feed, bool held) {
  feed_held_back_.Add({{"feed", feed}}).Set(held ? 1 : 0);
}

void Metrics::SetIndicatorsActive(IndicatorKind kind, int64_t count) {
  indicators_active_.Add({{"kind", std::string(KindName(kind))}}).Set(static_cast<double>(count));
}

void Metrics::RecordRender(const std::vector<FeedReport>& reports, double seconds, bool ok) {
  (ok ? renders_ok_ : renders_failed_).Increment();
  if (!ok) return;
  render_seconds_.Observe(seconds);
  for (const FeedReport& report : reports) {
    if (report.changed) feed_versions_.Add({{"feed", report.feed}}).Increment();
  }
}

void Metrics::SetFeedFile(const std::string& feed, uint64_t entries, uint64_t dropped,
                          uint64_t bytes) {
  feed_entries_.Add({{"feed", feed}}).Set(static_cast<double>(entries));
  feed_dropped_.Add({{"feed", feed}}).Set(static_cast<double>(dropped));
  feed_bytes_.Add({{"feed", feed}}).Set(static_cast<double>(bytes));
}

void Metrics::RecordPublish(bool ok, UnixSeconds at, double seconds) {
  (void)seconds;
  publish_ok_.Set(ok ? 1 : 0);
  publish_timestamp_.Set(static_cast<double>(at));
  (ok ? publishes_ok_ : publishes_failed_).Increment();
}

std::string Metrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  if (scrape_hook_) out << scrape_hook_();
  return out.str();
}

}  // namespace guardfeed::server
