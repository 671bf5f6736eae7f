// The split rendering LiveFeeds uses (head, entries joined by the separator, tail) gives
// Render's bytes for every format and option that splits.
#include <gtest/gtest.h>

#include "feeds/renderer.h"
#include "test_util.h"

namespace guardfeed {
namespace {

using testing::MixedEntries;

std::string RenderSplit(const Renderer& renderer, const FeedConfig& config,
                        const std::vector<FeedEntry>& entries, const RenderInfo& info) {
  std::string out;
  renderer.AppendHead(config, info, entries.size(), out);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += renderer.Separator();
    renderer.AppendEntry(config, entries[i], out);
  }
  renderer.AppendTail(config, entries.size(), out);
  return out;
}

std::vector<FeedConfig> Shapes() {
  std::vector<FeedConfig> shapes;
  for (FeedFormat format :
       {FeedFormat::kPlain, FeedFormat::kSecIntel, FeedFormat::kCheckPoint, FeedFormat::kJson}) {
    FeedConfig config;
    config.name = "gd_block_feed";
    config.format = format;
    shapes.push_back(config);
  }
  FeedConfig crlf = shapes[0];
  crlf.crlf = crlf.header = true;
  shapes.push_back(crlf);
  FeedConfig quoted = shapes[2];
  quoted.confidence = "a,\"b\"";
  shapes.push_back(quoted);
  return shapes;
}

TEST(SplitRendering, EqualsRenderForEveryFormatThatSplits) {
  for (const FeedConfig& config : Shapes()) {
    auto renderer = NewRenderer(config.format);
    ASSERT_TRUE(renderer->Splits(config)) << FormatName(config.format);
    // The publishable kinds only, as LiveFeeds selects them.
    std::vector<FeedEntry> entries;
    for (const FeedEntry& entry : MixedEntries()) {
      if (feeds_internal::FormatPublishes(config, entry.indicator.kind)) entries.push_back(entry);
    }
    for (size_t n : {size_t{0}, size_t{1}, entries.size()}) {
      std::vector<FeedEntry> some(entries.begin(), entries.begin() + static_cast<long>(n));
      RenderInfo info{"20261122.3", 4};
      EXPECT_EQ(RenderSplit(*renderer, config, some, info),
                renderer->Render(config, some, info).body)
          << FormatName(config.format) << " with " << n << " entries";
    }
  }
}

TEST(SplitRendering, AggregatedPlainFeedsDoNotSplit) {
  FeedConfig config;
  config.aggregate = true;
  EXPECT_FALSE(NewRenderer(FeedFormat::kPlain)->Splits(config));
}

}  // namespace
}  // namespace guardfeed
