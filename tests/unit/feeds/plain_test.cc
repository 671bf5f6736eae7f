#include <gtest/gtest.h>

#include "feeds/renderer.h"
#include "test_util.h"

namespace guardfeed {
namespace {

using testing::ExpectGolden;
using testing::FeedOrder;
using testing::MakeEntry;
using testing::MixedEntries;

FeedConfig PlainConfig() {
  FeedConfig config;
  config.name = "edl_all";
  config.format = FeedFormat::kPlain;
  return config;
}

RenderedFeed RenderPlain(const FeedConfig& config, const std::vector<FeedEntry>& entries,
                         RenderInfo info = {"7", 0}) {
  return NewRenderer(FeedFormat::kPlain)->Render(config, entries, info);
}

TEST(PlainRenderer, LfOneEntryPerLineInFeedOrder) {
  RenderedFeed feed = RenderPlain(PlainConfig(), MixedEntries());
  EXPECT_EQ(feed.entries, 8u);
  ExpectGolden("plain_lf.txt", feed.body);
}

TEST(PlainRenderer, CrlfAfterEveryLineIncludingTheLast) {
  FeedConfig config = PlainConfig();
  config.crlf = true;
  RenderedFeed feed = RenderPlain(config, MixedEntries());
  ExpectGolden("plain_crlf.txt", feed.body);
  ASSERT_GE(feed.body.size(), 2u);
  EXPECT_EQ(feed.body.substr(feed.body.size() - 2), "\r\n");
}

TEST(PlainRenderer, FortinetLambdaBytesForBareIpv4) {
  FeedConfig config = PlainConfig();
  config.crlf = true;
  RenderedFeed feed =
      RenderPlain(config, FeedOrder({MakeEntry("198.51.100.7"), MakeEntry("203.0.113.5")}));
  EXPECT_EQ(feed.body, "198.51.100.7\r\n203.0.113.5\r\n");
}

TEST(PlainRenderer, HeaderCommentWithVersionCountAndDropped) {
  FeedConfig config = PlainConfig();
  config.header = true;
  RenderedFeed feed = RenderPlain(config, MixedEntries(), {"42", 3});
  ExpectGolden("plain_header.txt", feed.body);
  EXPECT_EQ(feed.body.substr(0, feed.body.find('\n')),
            "# guardfeed edl_all version 42: 8 entries, 3 dropped");
}

TEST(PlainRenderer, HeaderOmitsDroppedWhenNothingWasDropped) {
  FeedConfig config = PlainConfig();
  config.header = true;
  RenderedFeed feed = RenderPlain(config, FeedOrder({MakeEntry("198.51.100.7")}), {"1", 0});
  EXPECT_EQ(feed.body, "# guardfeed edl_all version 1: 1 entry\n198.51.100.7\n");
}

TEST(PlainRenderer, EmptyFeedIsAnEmptyBody) {
  RenderedFeed feed = RenderPlain(PlainConfig(), {});
  EXPECT_EQ(feed.body, "");
  EXPECT_EQ(feed.entries, 0u);
}

TEST(PlainRenderer, EmptyFeedWithHeaderIsJustTheHeaderLine) {
  FeedConfig config = PlainConfig();
  config.header = true;
  config.crlf = true;
  RenderedFeed feed = RenderPlain(config, {}, {"3", 0});
  EXPECT_EQ(feed.body, "# guardfeed edl_all version 3: 0 entries\r\n");
  EXPECT_EQ(feed.entries, 0u);
}

std::vector<FeedEntry> AggregationEdgeCases() {
  std::vector<FeedEntry> entries;
  for (const char* value : {"0.0.0.0",
                            "0.0.0.1",
                            "0.0.0.2",
                            "10.0.1.0",
                            "10.0.1.1",
                            "10.0.1.3",
                            "192.0.2.1",
                            "192.0.2.2",
                            "192.0.2.3",
                            "192.0.2.4",
                            "192.0.2.5",
                            "192.0.2.6",
                            "198.51.100.7",
                            "198.51.100.7",
                            "255.255.255.254",
                            "255.255.255.255",
                            "::",
                            "::1",
                            "2001:db8::",
                            "2001:db8::1",
                            "2001:db8::2",
                            "2001:db8::3",
                            "2001:db8::5",
                            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
                            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                            "evil.example.com",
                            "a.example.net"}) {
    entries.push_back(MakeEntry(value));
  }
  for (int i = 0; i < 256; ++i) entries.push_back(MakeEntry("10.0.0." + std::to_string(i)));
  return FeedOrder(std::move(entries));
}

TEST(PlainRenderer, AggregatesIntoMinimalCidrsWithoutWrapping) {
  FeedConfig config = PlainConfig();
  config.aggregate = true;
  config.header = true;
  RenderedFeed feed = RenderPlain(config, AggregationEdgeCases(), {"9", 0});
  ExpectGolden("plain_aggregated.txt", feed.body);
  EXPECT_EQ(feed.entries, 17u);
}

TEST(PlainRenderer, AggregationKeepsEdgesOfTheAddressSpaceApart) {
  FeedConfig config = PlainConfig();
  config.aggregate = true;
  RenderedFeed feed = RenderPlain(
      config, FeedOrder({MakeEntry("255.255.255.255"), MakeEntry("0.0.0.0"), MakeEntry("::"),
                         MakeEntry("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}));
  EXPECT_EQ(feed.body, "0.0.0.0\n255.255.255.255\n::\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n");
  EXPECT_EQ(feed.entries, 4u);
}

TEST(PlainRenderer, AggregatedSingleAddressesPrintBare) {
  FeedConfig config = PlainConfig();
  config.aggregate = true;
  config.crlf = true;
  RenderedFeed feed = RenderPlain(
      config,
      FeedOrder({MakeEntry("198.51.100.7"), MakeEntry("198.51.100.9"), MakeEntry("2001:db8::7")}));
  EXPECT_EQ(feed.body, "198.51.100.7\r\n198.51.100.9\r\n2001:db8::7\r\n");
}

TEST(PlainRenderer, SameInputSameBytes) {
  FeedConfig config = PlainConfig();
  config.aggregate = true;
  EXPECT_EQ(RenderPlain(config, AggregationEdgeCases()).body,
            RenderPlain(config, AggregationEdgeCases()).body);
}

}  // namespace
}  // namespace guardfeed
