#include <gtest/gtest.h>

#include "feeds/renderer.h"
#include "test_util.h"

namespace guardfeed {
namespace {

using testing::ExpectGolden;
using testing::FeedOrder;
using testing::MakeEntry;
using testing::MixedEntries;

FeedConfig CheckPointConfig() {
  FeedConfig config;
  config.name = "cp_ioc";
  config.format = FeedFormat::kCheckPoint;
  return config;
}

RenderedFeed RenderCsv(const FeedConfig& config, const std::vector<FeedEntry>& entries) {
  return NewRenderer(FeedFormat::kCheckPoint)->Render(config, entries, {"5", 0});
}

TEST(CheckPointRenderer, HeaderThenOneObservablePerIndicator) {
  RenderedFeed feed = RenderCsv(CheckPointConfig(), MixedEntries());
  ExpectGolden("checkpoint.csv", feed.body);
  EXPECT_EQ(feed.entries, 6u);  // the two IPv6 entries are not published
}

TEST(CheckPointRenderer, SeverityBandsFollowThreatLevel) {
  std::vector<FeedEntry> entries;
  for (int level = 1; level <= 10; ++level) {
    entries.push_back(MakeEntry("198.51.100." + std::to_string(level), level));
  }
  RenderedFeed feed = RenderCsv(CheckPointConfig(), FeedOrder(std::move(entries)));
  const char* expected[] = {"low",    "low",  "low",  "medium",   "medium",
                            "medium", "high", "high", "critical", "critical"};
  size_t pos = feed.body.find('\n') + 1;
  for (int level = 1; level <= 10; ++level) {
    size_t end = feed.body.find('\n', pos);
    std::string line = feed.body.substr(pos, end - pos);
    EXPECT_NE(line.find(std::string(",high,") + expected[level - 1] + ",AB,"), std::string::npos)
        << line;
    pos = end + 1;
  }
}

TEST(CheckPointRenderer, QuotesConfiguredColumnsThatNeedIt) {
  FeedConfig config = CheckPointConfig();
  config.confidence = "medium";
  config.product = "AB,\"AV\"";
  RenderedFeed feed = RenderCsv(config, {MakeEntry("evil.example.com", 7)});
  EXPECT_EQ(feed.body,
            "# UNIQ-NAME,VALUE,TYPE,CONFIDENCE,SEVERITY,PRODUCT,COMMENT\n"
            "guardfeed_evil.example.com,evil.example.com,Domain,medium,high,\"AB,\"\"AV\"\"\","
            "GuardDuty threat level 7\n");
}

TEST(CheckPointRenderer, EmptyFeedIsTheHeaderLine) {
  RenderedFeed feed = RenderCsv(CheckPointConfig(), {});
  EXPECT_EQ(feed.body, "# UNIQ-NAME,VALUE,TYPE,CONFIDENCE,SEVERITY,PRODUCT,COMMENT\n");
  EXPECT_EQ(feed.entries, 0u);
}

TEST(CheckPointRenderer, FileNameAndContentType) {
  auto renderer = NewRenderer(FeedFormat::kCheckPoint);
  EXPECT_EQ(renderer->FileName(CheckPointConfig()), "cp_ioc.csv");
  EXPECT_EQ(renderer->ContentType(), "text/csv; charset=utf-8");
}

}  // namespace
}  // namespace guardfeed
