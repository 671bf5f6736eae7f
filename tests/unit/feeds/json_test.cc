#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/time_util.h"
#include "feeds/render_util.h"
#include "feeds/renderer.h"
#include "test_util.h"

namespace guardfeed {
namespace {

using testing::ExpectGolden;
using testing::MakeEntry;
using testing::MixedEntries;

FeedConfig JsonConfig() {
  FeedConfig config;
  config.name = "all_json";
  config.format = FeedFormat::kJson;
  return config;
}

TEST(JsonRenderer, OneEntryPerLineWithStableKeys) {
  RenderedFeed feed =
      NewRenderer(FeedFormat::kJson)->Render(JsonConfig(), MixedEntries(), {"12", 0});
  EXPECT_EQ(feed.entries, 8u);
  ExpectGolden("feed.json", feed.body);
}

TEST(JsonRenderer, ParsesAsJsonWithEveryField) {
  RenderedFeed feed =
      NewRenderer(FeedFormat::kJson)->Render(JsonConfig(), MixedEntries(), {"12", 0});
  boost::json::value root = boost::json::parse(feed.body);
  EXPECT_EQ(root.at("feed").as_string(), "all_json");
  EXPECT_EQ(root.at("version").as_string(), "12");
  const boost::json::array& entries = root.at("entries").as_array();
  ASSERT_EQ(entries.size(), 8u);
  const boost::json::object& first = entries[0].as_object();
  EXPECT_EQ(first.at("value").as_string(), "1.2.3.4");
  EXPECT_EQ(first.at("kind").as_string(), "ipv4");
  EXPECT_EQ(first.at("threat_level").as_int64(), 3);
  EXPECT_EQ(first.at("first_seen").as_string(), "2020-10-13T10:31:04Z");
  EXPECT_EQ(first.at("last_seen").as_string(), "2020-10-13T10:32:04Z");
  EXPECT_EQ(first.at("expires").as_string(), "2020-11-12T10:32:04Z");
  EXPECT_EQ(first.at("finding_count").as_int64(), 1);
  EXPECT_EQ(entries[7].at("kind").as_string(), "domain");
}

TEST(JsonRenderer, EmptyFeedIsAValidDocument) {
  RenderedFeed feed = NewRenderer(FeedFormat::kJson)->Render(JsonConfig(), {}, {"1", 0});
  EXPECT_EQ(feed.body, "{\"feed\":\"all_json\",\"version\":\"1\",\"entries\":[]}\n");
  EXPECT_TRUE(boost::json::parse(feed.body).is_object());
}

TEST(JsonRenderer, EscapesStrings) {
  FeedConfig config = JsonConfig();
  config.name = "we\"ird\\\n";
  RenderedFeed feed = NewRenderer(FeedFormat::kJson)->Render(config, {}, {"1", 0});
  EXPECT_EQ(boost::json::parse(feed.body).at("feed").as_string(), "we\"ird\\\n");
}

TEST(JsonRenderer, FileNameAndContentType) {
  auto renderer = NewRenderer(FeedFormat::kJson);
  EXPECT_EQ(renderer->FileName(JsonConfig()), "all_json.json");
  EXPECT_EQ(renderer->ContentType(), "application/json");
}

TEST(AppendIso8601, MatchesCoreFormatting) {
  for (UnixSeconds t :
       {UnixSeconds{0}, UnixSeconds{951782400}, UnixSeconds{1602585124}, UnixSeconds{4102444799},
        UnixSeconds{-1}, UnixSeconds{253402300799}, UnixSeconds{253402300800}}) {
    std::string text;
    feeds_internal::AppendIso8601(text, t);
    EXPECT_EQ(text, FormatIso8601(t)) << t;
  }
}

}  // namespace
}  // namespace guardfeed
