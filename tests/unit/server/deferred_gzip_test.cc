// Deferred gzip: a large new body is served as identity at once, its gzip installed afterwards
// only while that body is still the one served.
#include <gtest/gtest.h>

#include "core/hash.h"
#include "guardduty/inflate.h"
#include "server/snapshot_holder.h"

namespace guardfeed::server {
namespace {

BuildResult Build(size_t lines, const std::string& version) {
  std::string body;
  for (size_t i = 0; i < lines; ++i) body += "203.0.113." + std::to_string(i % 250) + "\n";
  Snapshot feed;
  feed.feed = "all";
  feed.path = "all.txt";
  feed.content_type = "text/plain; charset=utf-8";
  feed.body = body + "# " + version + "\n";
  feed.entries = lines;
  feed.version = version;
  feed.data_ts = 1'700'000'000;
  BuildResult result;
  result.set.files = {MakeSnapshot(feed)};
  result.set.generated_at = 1'700'000'100;
  return result;
}

std::vector<FeedConfig> Feeds() {
  FeedConfig feed;
  feed.name = "all";
  return {feed};
}

constexpr size_t kLarge = 40000;  // ~600 KB, over kDeferGzipMinBytes

TEST(DeferredGzip, LargeBodiesAreServedAtOnceAndTheirGzipFollows) {
  auto set = MakeServedSet(Build(kLarge, "1"), Feeds(), nullptr, true, {}, true);
  const ServedFile& file = *set->FindFeed("all");
  ASSERT_GE(file.Body().size(), kDeferGzipMinBytes);
  EXPECT_TRUE(file.gzip_pending);
  EXPECT_TRUE(file.Gzip().empty());
  EXPECT_EQ(GzipPending(*set), std::vector<std::string>{"all.txt"});

  ServedFile gzipped = WithGzip(file, CompressBody("all.txt", file.Body()));
  auto next = ReplacePending(*set, "all.txt", file.snapshot->etag, std::move(gzipped));
  ASSERT_NE(next, nullptr);
  const ServedFile& served = *next->FindFeed("all");
  EXPECT_FALSE(served.gzip_pending);
  EXPECT_EQ(served.Body(), file.Body());
  Result<std::string> inflated = GunzipBuffer(served.Gzip(), 1 << 24);
  ASSERT_TRUE(inflated.ok());
  EXPECT_EQ(*inflated, served.Body());
  EXPECT_EQ(served.gzip_etag, "\"" + Sha256Hex(served.Body()) + "-gzip\"");

  // The next render of the same content keeps the installed gzip.
  auto again = MakeServedSet(Build(kLarge, "1"), Feeds(), next.get(), true, {}, true);
  EXPECT_EQ(again->FindFeed("all")->Gzip(), served.Gzip());
  EXPECT_TRUE(GzipPending(*again).empty());
}

TEST(DeferredGzip, AGzipOfABodyNoLongerServedIsNotInstalled) {
  auto first = MakeServedSet(Build(kLarge, "1"), Feeds(), nullptr, true, {}, true);
  const ServedFile& old = *first->FindFeed("all");
  auto second = MakeServedSet(Build(kLarge, "2"), Feeds(), first.get(), true, {}, true);
  ServedFile gzipped = WithGzip(old, CompressBody("all.txt", old.Body()));
  EXPECT_EQ(ReplacePending(*second, "all.txt", old.snapshot->etag, std::move(gzipped)), nullptr);
  EXPECT_TRUE(second->FindFeed("all")->gzip_pending);
}

TEST(DeferredGzip, SmallBodiesAreStillCompressedAtOnce) {
  auto set = MakeServedSet(Build(1000, "1"), Feeds(), nullptr, true, {}, true);
  EXPECT_FALSE(set->FindFeed("all")->gzip_pending);
  EXPECT_FALSE(set->FindFeed("all")->Gzip().empty());
}

}  // namespace
}  // namespace guardfeed::server
