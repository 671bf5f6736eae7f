#include "feeds/feed.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "feeds/renderer.h"

namespace guardfeed {
namespace {

TEST(FeedFormat, NamesRoundTrip) {
  for (FeedFormat format :
       {FeedFormat::kPlain, FeedFormat::kSecIntel, FeedFormat::kCheckPoint, FeedFormat::kJson}) {
    auto parsed = ParseFormatName(FormatName(format));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, format);
  }
  EXPECT_EQ(FormatName(FeedFormat::kCheckPoint), "checkpoint");
}

TEST(FeedFormat, UnknownNameIsAClearError) {
  auto parsed = ParseFormatName("csv");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("'csv'"), std::string::npos);
}

TEST(FeedConfig, CarriesConfiguredKinds) {
  FeedConfig config;
  EXPECT_TRUE(config.Carries(IndicatorKind::kIpv6));
  config.kinds = {IndicatorKind::kDomain};
  EXPECT_TRUE(config.Carries(IndicatorKind::kDomain));
  EXPECT_FALSE(config.Carries(IndicatorKind::kIpv4));
}

TEST(MakeSnapshot, EtagIsTheQuotedSha256OfTheBody) {
  Snapshot snapshot;
  snapshot.path = "x.txt";
  snapshot.body = "198.51.100.7\n";
  SnapshotPtr made = MakeSnapshot(snapshot);
  EXPECT_EQ(made->etag, "\"" + Sha256Hex("198.51.100.7\n") + "\"");
  EXPECT_EQ(made->body, "198.51.100.7\n");
  EXPECT_EQ(MakeSnapshot(Snapshot{})->etag, "\"" + Sha256Hex("") + "\"");
}

TEST(FeedSet, FindsByPath) {
  FeedSet set;
  Snapshot a;
  a.path = "a.txt";
  Snapshot b;
  b.path = "manifest.xml";
  set.files = {MakeSnapshot(a), MakeSnapshot(b)};
  ASSERT_NE(set.Find("manifest.xml"), nullptr);
  EXPECT_EQ(set.Find("manifest.xml")->path, "manifest.xml");
  EXPECT_EQ(set.Find("missing"), nullptr);
}

TEST(NewRenderer, FileNamesAndContentTypesPerFormat) {
  FeedConfig config;
  config.name = "feed_name";
  struct Case {
    FeedFormat format;
    const char* file;
    const char* type;
  };
  for (const Case& c : {Case{FeedFormat::kPlain, "feed_name.txt", "text/plain; charset=utf-8"},
                        Case{FeedFormat::kSecIntel, "feed_name", "text/plain"},
                        Case{FeedFormat::kCheckPoint, "feed_name.csv", "text/csv; charset=utf-8"},
                        Case{FeedFormat::kJson, "feed_name.json", "application/json"}}) {
    auto renderer = NewRenderer(c.format);
    ASSERT_NE(renderer, nullptr);
    EXPECT_EQ(renderer->FileName(config), c.file);
    EXPECT_EQ(renderer->ContentType(), c.type);
  }
}

}  // namespace
}  // namespace guardfeed
