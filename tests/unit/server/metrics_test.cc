#include "server/metrics.h"

#include <gtest/gtest.h>

namespace guardfeed::server {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Metrics, ExposesRequestsIngestAndFeeds) {
  Metrics metrics({"unmatched", "malformed", "feed", "ingest"});
  metrics.CountRequest(2, 200, 0.001);
  metrics.CountRequest(2, 200, 0.002);
  metrics.CountRequest(2, 304, 0.001);
  metrics.CountRequest(99, 200, 0.001);  // unknown route: ignored
  IngestSummary summary;
  summary.findings_accepted = 3;
  summary.skipped["below_min_severity"] = 2;
  metrics.CountIngest(summary, 0.01);
  metrics.SetIndicatorsActive(IndicatorKind::kIpv4, 42);
  metrics.SetFeedFile("fortigate_ip", 10, 1, 200);
  metrics.RecordPublish(true, 1'700'000'000, 0.1);
  std::string text = metrics.Serialize();
  EXPECT_TRUE(Contains(text, "guardfeed_http_requests_total{route=\"feed\",status=\"200\"} 2"));
  EXPECT_TRUE(Contains(text, "guardfeed_http_requests_total{route=\"feed\",status=\"304\"} 1"));
  EXPECT_TRUE(Contains(text, "guardfeed_http_request_duration_seconds_bucket{route=\"feed\""));
  EXPECT_TRUE(Contains(text, "guardfeed_findings_total{outcome=\"accepted\"} 3"));
  EXPECT_TRUE(Contains(text, "guardfeed_findings_skipped_total{reason=\"below_min_severity\"} 2"));
  EXPECT_TRUE(Contains(text, "guardfeed_indicators_active{kind=\"ipv4\"} 42"));
  EXPECT_TRUE(Contains(text, "guardfeed_feed_entries{feed=\"fortigate_ip\"} 10"));
  EXPECT_TRUE(Contains(text, "guardfeed_publish_last_success 1"));
}

}  // namespace
}  // namespace guardfeed::server
