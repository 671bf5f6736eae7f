// Serving one snapshot: conditional GET, gzip negotiation, HEAD; and the served-set wrapper.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/hash.h"
#include "guardduty/reader.h"
#include "server/fetch_log.h"
#include "server/http_util.h"
#include "server/routes.h"
#include "server/snapshot_holder.h"

namespace guardfeed::server {
namespace {

std::string Header(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

BuildResult MakeBuild(size_t lines) {
  std::string body;
  for (size_t i = 0; i < lines; ++i) body += "203.0.113." + std::to_string(i % 250) + "\n";
  Snapshot feed;
  feed.feed = "fortigate_ip";
  feed.path = "fortigate_ip.txt";
  feed.content_type = "text/plain; charset=utf-8";
  feed.body = body;
  feed.entries = lines;
  feed.version = "7";
  feed.data_ts = 1'700'000'000;
  Snapshot manifest;
  manifest.path = "manifest.xml";
  manifest.content_type = "application/xml";
  manifest.body = "<manifest/>\n";
  BuildResult result;
  result.set.files = {MakeSnapshot(feed), MakeSnapshot(manifest)};
  result.set.generated_at = 1'700'000'100;
  return result;
}

std::vector<FeedConfig> Feeds() {
  FeedConfig feed;
  feed.name = "fortigate_ip";
  return {feed};
}

RequestHead Head(std::initializer_list<std::pair<std::string, std::string>> headers) {
  RequestHead head;
  for (const auto& [name, value] : headers) head.set(name, value);
  return head;
}

TEST(MakeServedSet, PrecompressesLargeBodiesOnly) {
  auto set = MakeServedSet(MakeBuild(1000), Feeds(), nullptr, true);
  const ServedFile* feed = set->FindFeed("fortigate_ip");
  ASSERT_NE(feed, nullptr);
  EXPECT_EQ(set->FindPath("fortigate_ip.txt"), feed);
  EXPECT_FALSE(feed->secintel);
  EXPECT_FALSE(feed->Gzip().empty());
  Result<std::string> inflated = GunzipBuffer(feed->Gzip(), 1 << 20);
  ASSERT_TRUE(inflated.ok());
  EXPECT_EQ(*inflated, feed->Body());
  EXPECT_EQ(feed->snapshot->etag, "\"" + Sha256Hex(feed->Body()) + "\"");
  EXPECT_EQ(feed->gzip_etag, "\"" + Sha256Hex(feed->Body()) + "-gzip\"");
  const ServedFile* manifest = set->FindPath("manifest.xml");
  ASSERT_NE(manifest, nullptr);
  EXPECT_TRUE(manifest->secintel);
  EXPECT_TRUE(manifest->Gzip().empty());
  EXPECT_EQ(feed->last_modified, FormatHttpDate(1'700'000'000));
  EXPECT_EQ(manifest->last_modified, FormatHttpDate(1'700'000'100));
}

TEST(MakeServedSet, ReusesTheGzipOfAnUnchangedSnapshot) {
  auto first = MakeServedSet(MakeBuild(1000), Feeds(), nullptr, true);
  auto second = MakeServedSet(MakeBuild(1000), Feeds(), first.get(), true);
  EXPECT_EQ(second->FindFeed("fortigate_ip")->Gzip(), first->FindFeed("fortigate_ip")->Gzip());
  auto off = MakeServedSet(MakeBuild(1000), Feeds(), nullptr, false);
  EXPECT_TRUE(off->FindFeed("fortigate_ip")->Gzip().empty());
}

class ServeFileTest : public ::testing::Test {
 protected:
  std::shared_ptr<const ServedSet> set_ = MakeServedSet(MakeBuild(1000), Feeds(), nullptr, true);
  const ServedFile& file_ = *set_->FindFeed("fortigate_ip");
  ServerOptions options_;
};

TEST_F(ServeFileTest, PlainGetSendsTheSnapshotWithValidators) {
  HttpResponse response = ServeFile(file_, set_, Head({}), false, options_);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.Body(), file_.Body());
  EXPECT_EQ(Header(response, "ETag"), file_.snapshot->etag);
  EXPECT_EQ(Header(response, "Last-Modified"), file_.last_modified);
  EXPECT_EQ(Header(response, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(response, "Vary"), "Accept-Encoding");
  EXPECT_EQ(Header(response, "Content-Encoding"), "");
  EXPECT_EQ(Header(response, "X-Feed-Entries"), "1000");
}

TEST_F(ServeFileTest, GzipWhenAccepted) {
  HttpResponse response =
      ServeFile(file_, set_, Head({{"Accept-Encoding", "gzip"}}), false, options_);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(Header(response, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(response, "ETag"), file_.gzip_etag);
  EXPECT_EQ(response.Body(), file_.Gzip());
}

TEST_F(ServeFileTest, IfNoneMatchGives304ForEitherRepresentation) {
  for (const std::string& tag :
       {file_.snapshot->etag, file_.gzip_etag, "W/" + file_.gzip_etag, std::string("*")}) {
    HttpResponse response = ServeFile(file_, set_, Head({{"If-None-Match", tag}}), false, options_);
    EXPECT_EQ(response.status, 304u) << tag;
    EXPECT_TRUE(response.omit_body);
    EXPECT_EQ(Header(response, "ETag"), file_.snapshot->etag);
  }
  HttpResponse stale =
      ServeFile(file_, set_, Head({{"If-None-Match", "\"old\""}}), false, options_);
  EXPECT_EQ(stale.status, 200u);
}

TEST_F(ServeFileTest, IfModifiedSinceOnlyWithoutIfNoneMatch) {
  std::string later = FormatHttpDate(file_.modified + 10);
  std::string earlier = FormatHttpDate(file_.modified - 10);
  EXPECT_EQ(ServeFile(file_, set_, Head({{"If-Modified-Since", later}}), false, options_).status,
            304u);
  EXPECT_EQ(ServeFile(file_, set_, Head({{"If-Modified-Since", earlier}}), false, options_).status,
            200u);
  EXPECT_EQ(ServeFile(file_, set_, Head({{"If-Modified-Since", later}, {"If-None-Match", "\"x\""}}),
                      false, options_)
                .status,
            200u);
}

TEST_F(ServeFileTest, HeadKeepsTheLengthButOmitsTheBody) {
  HttpResponse response = ServeFile(file_, set_, Head({}), true, options_);
  EXPECT_EQ(response.status, 200u);
  EXPECT_TRUE(response.omit_body);
  EXPECT_EQ(response.Body().size(), file_.Body().size());
}

TEST(MakeServedSet, LargeFilesLiveInAFileForSendfile) {
  BuildResult build = MakeBuild(10000);
  std::string body = build.set.files[0]->body;
  ASSERT_GE(body.size(), kFileContentMinBytes);
  auto set = MakeServedSet(std::move(build), Feeds(), nullptr, true);
  const ServedFile& file = *set->FindFeed("fortigate_ip");
  ASSERT_NE(file.content, nullptr);
  EXPECT_TRUE(file.snapshot->body.empty());  // one copy of the bytes, in the file
  EXPECT_EQ(file.Body(), body);
  EXPECT_EQ(file.snapshot->etag, "\"" + Sha256Hex(body) + "\"");
  std::string from_fd(file.Gzip().size(), '\0');
  ASSERT_EQ(pread(file.content->fd(), from_fd.data(), from_fd.size(),
                  static_cast<off_t>(file.gzip_offset())),
            static_cast<ssize_t>(from_fd.size()));
  EXPECT_EQ(GunzipBuffer(from_fd, 1 << 22).value(), body);
  HttpResponse response = ServeFile(file, set, Head({{"Accept-Encoding", "gzip"}}), false, {});
  EXPECT_EQ(response.file_fd, file.content->fd());
  EXPECT_EQ(response.file_offset, file.gzip_offset());
  EXPECT_EQ(response.Body(), file.Gzip());
  // Unchanged on the next render: the same file, not a new copy.
  auto next = MakeServedSet(MakeBuild(10000), Feeds(), set.get(), true);
  EXPECT_EQ(next->FindFeed("fortigate_ip")->content, file.content);
}

TEST(FetchLog, KeepsTheLatestFetchPerClient) {
  FetchLog log;
  log.Record("feed", "10.0.0.1", 100, 200);
  log.Record("feed", "10.0.0.2", 150, 200);
  log.Record("feed", "10.0.0.1", 200, 304);
  auto records = log.Get("feed");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].client, "10.0.0.1");
  EXPECT_EQ(records[0].at, 200);
  EXPECT_EQ(records[0].status, 304u);
  EXPECT_EQ(records[0].count, 2u);
  EXPECT_TRUE(log.Get("other").empty());
}

}  // namespace
}  // namespace guardfeed::server
