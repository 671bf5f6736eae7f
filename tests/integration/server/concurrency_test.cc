// Concurrency: many clients fetch feeds while findings are ingested; every response is a
// complete, valid snapshot (ETag = SHA-256 of the body, SecIntel MD5 trailer verifies, JSON
// parses, gzip decodes to a body whose hash is the identity ETag).
#include <atomic>
#include <thread>

#include "core/hash.h"
#include "findings.h"
#include "guardduty/reader.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

std::string CheckSecIntel(const HttpResult& result) {
  const std::string& body = result.body;
  size_t start = body.size() >= 2 ? body.rfind('\n', body.size() - 2) : std::string::npos;
  if (start == std::string::npos) return "no trailer";
  std::string md5 = body.substr(start + 1, body.size() - start - 2);
  if (md5 != Md5Hex(std::string_view(body).substr(0, start + 1))) return "MD5 trailer mismatch";
  return "";
}

// "" when the response is a complete, valid snapshot.
std::string Check(const std::string& path, const HttpResult& result, bool gzip) {
  if (result.status != 200) return "status " + std::to_string(result.status) + " " + result.error;
  std::string body = result.body;
  std::string etag = result.Header("etag");
  if (gzip && result.Header("content-encoding") == "gzip") {
    auto inflated = GunzipBuffer(body, 64u << 20);
    if (!inflated.ok()) return "gzip body does not decode";
    body = *inflated;
    etag = etag.substr(0, etag.size() - 6) + "\"";  // "<hash>-gzip" -> "<hash>"
  }
  if (etag != "\"" + Sha256Hex(body) + "\"") return "ETag does not match the body";
  if (result.Header("content-length") != std::to_string(result.body.size())) {
    return "short body";
  }
  if (path == "/gd_ip_feed") return CheckSecIntel({.body = body});
  if (path == "/feeds/all_indicators" && ParseJson(body).is_null()) return "invalid JSON";
  return "";
}

TEST(Concurrency, ReadersAlwaysSeeCompleteSnapshotsWhileWritersIngest) {
  Daemon daemon;
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::atomic<bool> writing{true};
  std::atomic<uint32_t> next{90000};
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      for (int batch = 0; batch < 50; ++batch) {
        std::string body;
        uint32_t first = next.fetch_add(10);
        for (uint32_t i = first; i < first + 10; ++i) body += IpEvent(i) + "\n";
        if (PostFindings(daemon.url(), body, "application/x-ndjson").status == 200) {
          acknowledged += 10;
        }
      }
    });
  }
  const std::vector<std::string> paths = {"/gd_ip_feed", "/feeds/fortigate_ip",
                                          "/feeds/all_indicators", "/feeds/paloalto_edl"};
  std::atomic<int> checked{0};
  std::mutex mu;
  std::vector<std::string> failures;
  std::vector<std::thread> readers;
  for (int r = 0; r < 8; ++r) {
    readers.emplace_back([&, r] {
      for (int k = 0; writing || k < 20; ++k) {
        const std::string& path = paths[static_cast<size_t>(k + r) % paths.size()];
        bool gzip = (k + r) % 2 == 0;
        HttpResult result =
            Get(daemon.url() + path, gzip ? std::vector<std::string>{"Accept-Encoding: gzip"}
                                          : std::vector<std::string>{});
        std::string problem = Check(path, result, gzip);
        ++checked;
        if (!problem.empty()) {
          std::lock_guard lock(mu);
          failures.push_back(path + ": " + problem);
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  writing = false;
  for (std::thread& reader : readers) reader.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " bad responses, first: " << failures[0];
  EXPECT_GT(checked.load(), 100);
  EXPECT_EQ(acknowledged.load(), 1000);
  EXPECT_TRUE(FeedEventuallyContains(daemon, "fortigate_ip", AttackerIp(next.load() - 1)));
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace guardfeed::testing
