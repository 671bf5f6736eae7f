// Feed serving: empty feeds, validators and conditional GET, gzip, HEAD, per-feed auth, and the
// Juniper SecIntel layout resolving on this server.
#include <cstdio>
#include <fstream>
#include <pugixml.hpp>

#include "core/hash.h"
#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;

std::string Gunzip(const std::string& data, const std::string& dir) {
  std::string path = dir + "/body.gz";
  {
    std::ofstream out(path, std::ios::binary);
    out << data;
  }
  FILE* pipe = popen(("gzip -dc " + path).c_str(), "r");
  std::string text;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) text.append(buffer, n);
  pclose(pipe);
  return text;
}

// The SecIntel data file's last line is the MD5 of everything before it.
bool SecIntelTrailerVerifies(const std::string& body) {
  if (body.size() < 34 || body.back() != '\n') return false;
  size_t start = body.rfind('\n', body.size() - 2);
  if (start == std::string::npos) return false;
  std::string md5 = body.substr(start + 1, body.size() - start - 2);
  return md5 == Md5Hex(std::string_view(body).substr(0, start + 1));
}

class FeedsTest : public DaemonTest {
 protected:
  void Ingest(uint32_t from, uint32_t count) {
    std::string body;
    for (uint32_t i = from; i < from + count; ++i) body += IpEvent(i) + "\n";
    ASSERT_EQ(PostFindings(daemon_.url(), body, "application/x-ndjson").status, 200);
    ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(from + count - 1)));
  }
};

TEST_F(FeedsTest, EmptyFeedsAre200NeverNotFound) {
  for (const char* feed : {"fortigate_ip", "checkpoint_ioc", "all_indicators", "gd_ip_feed"}) {
    HttpResult result = Get(daemon_.url() + "/feeds/" + feed);
    EXPECT_EQ(result.status, 200) << feed;
    EXPECT_FALSE(result.Header("etag").empty()) << feed;
  }
  EXPECT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip").body, "");
  EXPECT_EQ(Get(daemon_.url() + "/feeds/no_such_feed").status, 404);
  EXPECT_EQ(Get(daemon_.url() + "/feeds/").status, 404);
}

TEST_F(FeedsTest, StrongEtagIsTheBodyHashAndIfNoneMatchGives304) {
  Ingest(100, 5);
  HttpResult first = Get(daemon_.url() + "/feeds/fortigate_ip");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("etag"), "\"" + Sha256Hex(first.body) + "\"");
  EXPECT_EQ(first.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(first.Header("cache-control"), "no-cache");
  EXPECT_FALSE(first.Header("last-modified").empty());
  HttpResult again =
      Get(daemon_.url() + "/feeds/fortigate_ip", {"If-None-Match: " + first.Header("etag")});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.Header("etag"), first.Header("etag"));
  HttpResult since = Get(daemon_.url() + "/feeds/fortigate_ip",
                         {"If-Modified-Since: " + first.Header("last-modified")});
  EXPECT_EQ(since.status, 304);
  EXPECT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip", {"If-None-Match: \"stale\""}).status, 200);
  // A change gives a new ETag; the old one no longer matches.
  Ingest(200, 1);
  HttpResult changed =
      Get(daemon_.url() + "/feeds/fortigate_ip", {"If-None-Match: " + first.Header("etag")});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.Header("etag"), first.Header("etag"));
}

TEST_F(FeedsTest, GzipIsServedWhenAcceptedAndDecodesToTheSameBytes) {
  Ingest(300, 60);
  HttpResult identity = Get(daemon_.url() + "/feeds/all_indicators");
  HttpResult gzipped = Get(daemon_.url() + "/feeds/all_indicators", {"Accept-Encoding: gzip"});
  ASSERT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzipped.Header("vary"), "Accept-Encoding");
  EXPECT_NE(gzipped.Header("etag"), identity.Header("etag"));
  EXPECT_LT(gzipped.body.size(), identity.body.size());
  EXPECT_EQ(Gunzip(gzipped.body, daemon_.dir()), identity.body);
  EXPECT_EQ(identity.Header("content-type"), "application/json");
  HttpResult revalidated =
      Get(daemon_.url() + "/feeds/all_indicators",
          {"Accept-Encoding: gzip", "If-None-Match: " + gzipped.Header("etag")});
  EXPECT_EQ(revalidated.status, 304);
  HttpResult refused = Get(daemon_.url() + "/feeds/all_indicators", {"Accept-Encoding: gzip;q=0"});
  EXPECT_EQ(refused.Header("content-encoding"), "");
}

TEST_F(FeedsTest, LargeFeedsAreSentWhole) {
  // Over 64 KiB: served from the snapshot's memfd with sendfile.
  for (uint32_t from = 10000; from < 16000; from += 1000) Ingest(from, 1000);
  HttpResult plain = Get(daemon_.url() + "/feeds/fortigate_ip");
  ASSERT_EQ(plain.status, 200);
  EXPECT_GT(plain.body.size(), 64u * 1024);
  EXPECT_EQ(plain.Header("etag"), "\"" + Sha256Hex(plain.body) + "\"");
  EXPECT_EQ(plain.Header("content-length"), std::to_string(plain.body.size()));
  EXPECT_EQ(plain.Header("x-feed-entries"), "6000");
  HttpResult gzipped = Get(daemon_.url() + "/feeds/fortigate_ip", {"Accept-Encoding: gzip"});
  EXPECT_EQ(Gunzip(gzipped.body, daemon_.dir()), plain.body);
  HttpResult head = Http({.method = "HEAD", .url = daemon_.url() + "/feeds/fortigate_ip"});
  EXPECT_EQ(head.Header("content-length"), std::to_string(plain.body.size()));
  EXPECT_EQ(head.body, "");
}

TEST_F(FeedsTest, HeadHasTheHeadersOfGetWithoutTheBody) {
  Ingest(400, 3);
  HttpResult get = Get(daemon_.url() + "/feeds/checkpoint_ioc");
  HttpResult head = Http({.method = "HEAD", .url = daemon_.url() + "/feeds/checkpoint_ioc"});
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.Header("etag"), get.Header("etag"));
  EXPECT_THAT(get.Header("content-type"), HasSubstr("text/csv"));
}

TEST(FeedAuth, BasicAndBearerPerFeed) {
  Daemon daemon({.server_toml = "[server.feed_auth.paloalto_edl]\nuser = \"palo\"\n"
                                "password = \"alto-pass\"\n"
                                "[server.feed_auth.gd_ip_feed]\ntoken = \"srx-token-123\"\n"});
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  HttpResult anonymous = Get(daemon.url() + "/feeds/paloalto_edl");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.Header("www-authenticate"), HasSubstr("Basic realm="));
  EXPECT_EQ(
      Get(daemon.url() + "/feeds/paloalto_edl", {"Authorization: Basic cGFsbzp3cm9uZw=="}).status,
      401);
  // palo:alto-pass
  EXPECT_EQ(Get(daemon.url() + "/feeds/paloalto_edl", {"Authorization: Basic cGFsbzphbHRvLXBhc3M="})
                .status,
            200);
  EXPECT_EQ(Get(daemon.url() + "/feeds/fortigate_ip").status, 200);  // not protected
  HttpResult srx = Get(daemon.url() + "/gd_ip_feed");
  EXPECT_EQ(srx.status, 401);
  EXPECT_THAT(srx.Header("www-authenticate"), HasSubstr("Bearer"));
  EXPECT_EQ(Get(daemon.url() + "/gd_ip_feed", {"Authorization: Bearer srx-token-123"}).status, 200);
  EXPECT_EQ(Get(daemon.url() + "/secintel/gd_ip_feed", {"Authorization: Bearer nope"}).status, 401);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

TEST_F(FeedsTest, SecIntelManifestUrlsResolveOnThisServer) {
  Ingest(500, 4);
  ASSERT_EQ(PostFindings(daemon_.url(),
                         EventBridge(RawDnsFinding("d-1", "evil.example-c2.org"), "ev-d-1"))
                .status,
            200);
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "gd_dns_feed", "evil.example-c2.org"));
  for (const std::string prefix : {"/secintel", ""}) {
    HttpResult manifest = Get(daemon_.url() + prefix + "/manifest.xml");
    ASSERT_EQ(manifest.status, 200) << prefix;
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(manifest.body.c_str())) << manifest.body;
    int urls = 0;
    for (pugi::xpath_node node : doc.select_nodes("//url")) {
      std::string url = node.node().text().get();
      ASSERT_EQ(url.rfind("/", 0), 0u) << url;
      HttpResult file = Get(daemon_.url() + url);
      EXPECT_EQ(file.status, 200) << url;
      if (url == "/cc_schema") {
        EXPECT_EQ(Md5Hex(file.body), "3d27776bcc7b1a2bac241d88887850dd");
      } else {
        EXPECT_TRUE(SecIntelTrailerVerifies(file.body)) << url << "\n" << file.body;
        EXPECT_EQ(Get(daemon_.url() + "/secintel" + url).body, file.body);
      }
      ++urls;
    }
    EXPECT_EQ(urls, 3) << manifest.body;  // cc_schema and the two data files
  }
  EXPECT_EQ(Get(daemon_.url() + "/fortigate_ip.txt").status, 404);  // root: SecIntel files only
  EXPECT_EQ(Get(daemon_.url() + "/secintel/fortigate_ip.txt").status, 404);
}

}  // namespace
}  // namespace guardfeed::testing
