// Durability: findings are posted in a loop while the daemon is killed with SIGKILL at random
// points, several times; after a restart every finding acknowledged with 2xx is in the store and
// its indicator in the feeds.
#include <signal.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

// Posts single events and 20-finding batches until told to stop; records what was acknowledged.
void PostUntilStopped(const std::string& url, std::atomic<bool>& stop, std::atomic<uint32_t>& next,
                      std::mutex& mu, std::vector<uint32_t>& acknowledged) {
  int request = 0;
  while (!stop) {
    uint32_t count = (++request % 4 == 0) ? 20 : 1;
    uint32_t first = next.fetch_add(count);
    std::string body;
    for (uint32_t i = first; i < first + count; ++i) body += IpEvent(i) + "\n";
    HttpResult result = Http({.method = "POST",
                              .url = url + "/v1/findings",
                              .headers = {"Authorization: Bearer " + std::string(kIngestToken),
                                          "Content-Type: application/x-ndjson"},
                              .body = body,
                              .timeout_seconds = 5});
    if (result.status >= 200 && result.status < 300) {
      std::lock_guard lock(mu);
      for (uint32_t i = first; i < first + count; ++i) acknowledged.push_back(i);
    }
  }
}

TEST(Durability, AcknowledgedFindingsSurviveKillMinus9) {
  Daemon daemon;
  std::mt19937 random(20261122);
  std::atomic<uint32_t> next{50000};
  std::mutex mu;
  std::vector<uint32_t> acknowledged;
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
    std::atomic<bool> stop{false};
    std::vector<std::thread> posters;
    for (int t = 0; t < 3; ++t) {
      posters.emplace_back(PostUntilStopped, daemon.url(), std::ref(stop), std::ref(next),
                           std::ref(mu), std::ref(acknowledged));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 900));
    daemon.Kill9();
    stop = true;
    for (std::thread& poster : posters) poster.join();
  }
  ASSERT_GT(acknowledged.size(), 50u) << "too few findings were acknowledged to mean anything";
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  HttpResult feed = Get(daemon.url() + "/feeds/fortigate_ip");
  ASSERT_EQ(feed.status, 200);
  std::set<std::string> listed;
  for (size_t start = 0; start < feed.body.size();) {
    size_t end = feed.body.find("\r\n", start);
    listed.insert(feed.body.substr(start, end - start));
    start = end + 2;
  }
  size_t missing = 0;
  for (uint32_t i : acknowledged) {
    if (!listed.count(AttackerIp(i))) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged";
  // And in the store, as the admin API sees it.
  for (size_t k = 0; k < acknowledged.size(); k += acknowledged.size() / 10 + 1) {
    HttpResult explained =
        Admin("GET", daemon.url() + "/v1/indicators/" + AttackerIp(acknowledged[k]));
    EXPECT_EQ(explained.status, 200) << AttackerIp(acknowledged[k]);
  }
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace guardfeed::testing
