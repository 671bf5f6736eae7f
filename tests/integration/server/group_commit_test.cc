// Group commit over HTTP: 32 clients post single findings at once, so the daemon's ingest
// requests share commits (store/group_commit.h). Whatever the grouping, a 2xx still means
// committed: it survives kill -9, and a group whose commit fails answers every request in it
// with 503 and commits nothing.
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kPosters = 32;

HttpResult PostOne(const std::string& url, uint32_t i) {
  return Http({.method = "POST",
               .url = url + "/v1/findings",
               .headers = {"Authorization: Bearer " + std::string(kIngestToken),
                           "Content-Type: application/json"},
               .body = IpEvent(i),
               .timeout_seconds = 30});
}

// What kPosters clients posting one finding per request, each a new one, got back.
struct Outcomes {
  std::mutex mu;
  std::vector<uint32_t> acknowledged;   // 2xx
  std::vector<uint32_t> refused;        // 503
  std::vector<std::string> unexpected;  // anything else except a dropped connection
};

void PostUntilStopped(const std::string& url, std::atomic<bool>& stop, std::atomic<uint32_t>& next,
                      Outcomes& outcomes) {
  while (!stop) {
    uint32_t i = next.fetch_add(1);
    HttpResult result = PostOne(url, i);
    std::lock_guard lock(outcomes.mu);
    if (result.status >= 200 && result.status < 300) {
      outcomes.acknowledged.push_back(i);
    } else if (result.status == 503) {
      outcomes.refused.push_back(i);
    } else if (result.status != 0) {  // 0: the daemon was killed under the request
      outcomes.unexpected.push_back(std::to_string(result.status) + " " + result.body);
    }
  }
}

std::set<std::string> FeedLines(const Daemon& daemon) {
  HttpResult feed = Get(daemon.url() + "/feeds/fortigate_ip");
  EXPECT_EQ(feed.status, 200);
  std::set<std::string> lines;
  for (size_t start = 0; start < feed.body.size();) {
    size_t end = feed.body.find("\r\n", start);
    if (end == std::string::npos) break;
    lines.insert(feed.body.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

bool InStore(const Daemon& daemon, uint32_t i) {
  return Admin("GET", daemon.url() + "/v1/indicators/" + AttackerIp(i)).status == 200;
}

TEST(GroupCommitDaemon, AcknowledgedFindingsFrom32PostersSurviveKillMinus9) {
  Daemon daemon;
  std::atomic<uint32_t> next{200000};
  Outcomes outcomes;
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
    std::atomic<bool> stop{false};
    std::vector<std::thread> posters;
    for (int t = 0; t < kPosters; ++t) {
      posters.emplace_back(PostUntilStopped, daemon.url(), std::ref(stop), std::ref(next),
                           std::ref(outcomes));
    }
    // Kill while requests are surely in flight: after some have been acknowledged.
    size_t before = outcomes.acknowledged.size();
    WaitFor(
        [&] {
          std::lock_guard lock(outcomes.mu);
          return outcomes.acknowledged.size() >= before + 200;
        },
        20);
    daemon.Kill9();
    stop = true;
    for (std::thread& poster : posters) poster.join();
  }
  EXPECT_THAT(outcomes.unexpected, ::testing::IsEmpty());
  ASSERT_GE(outcomes.acknowledged.size(), 400u) << daemon.Stderr();

  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::set<std::string> listed = FeedLines(daemon);
  size_t missing = 0;
  for (uint32_t i : outcomes.acknowledged) {
    if (!listed.count(AttackerIp(i))) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << outcomes.acknowledged.size() << " acknowledged";
  for (size_t k = 0; k < outcomes.acknowledged.size(); k += outcomes.acknowledged.size() / 20 + 1) {
    EXPECT_TRUE(InStore(daemon, outcomes.acknowledged[k])) << AttackerIp(outcomes.acknowledged[k]);
  }
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

// Another process holds the store's write lock past its busy timeout: every group's commit fails,
// so every one of the 32 concurrent requests must be refused, none acknowledged, none stored.
TEST(GroupCommitDaemon, NoRequestIsAcknowledgedBeforeItsCommit) {
  Daemon daemon;
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  ASSERT_EQ(PostOne(daemon.url(), 300000).status, 200);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((daemon.dir() + "/guardfeed.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<long> statuses(kPosters);
  std::vector<std::string> bodies(kPosters);
  std::vector<std::thread> posters;
  for (int t = 0; t < kPosters; ++t) {
    posters.emplace_back([&, t] {
      HttpResult result = PostOne(daemon.url(), 300001 + static_cast<uint32_t>(t));
      statuses[static_cast<size_t>(t)] = result.status;
      bodies[static_cast<size_t>(t)] = result.body;
    });
  }
  for (std::thread& poster : posters) poster.join();
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  for (int t = 0; t < kPosters; ++t) {
    EXPECT_EQ(statuses[static_cast<size_t>(t)], 503) << bodies[static_cast<size_t>(t)];
    EXPECT_THAT(bodies[static_cast<size_t>(t)], HasSubstr("nothing committed"));
    EXPECT_FALSE(InStore(daemon, 300001 + static_cast<uint32_t>(t)));
  }
  // The retries, once the store is back, are committed together and acknowledged.
  posters.clear();
  for (int t = 0; t < kPosters; ++t) {
    posters.emplace_back([&, t] {
      statuses[static_cast<size_t>(t)] =
          PostOne(daemon.url(), 300001 + static_cast<uint32_t>(t)).status;
    });
  }
  for (std::thread& poster : posters) poster.join();
  for (int t = 0; t < kPosters; ++t) {
    EXPECT_EQ(statuses[static_cast<size_t>(t)], 200);
    EXPECT_TRUE(InStore(daemon, 300001 + static_cast<uint32_t>(t)));
  }
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

// SIGTERM while 32 requests wait in groups: each one is answered (committed, or refused while
// stopping), none is left hanging, and every acknowledged one is stored.
TEST(GroupCommitDaemon, StopAnswersEveryRequestInAGroup) {
  Daemon daemon({.server_toml = "group_commit_window = \"20ms\"\n"});
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::atomic<bool> stop{false};
  std::atomic<uint32_t> next{400000};
  Outcomes outcomes;
  std::vector<std::thread> posters;
  for (int t = 0; t < kPosters; ++t) {
    posters.emplace_back(PostUntilStopped, daemon.url(), std::ref(stop), std::ref(next),
                         std::ref(outcomes));
  }
  WaitFor(
      [&] {
        std::lock_guard lock(outcomes.mu);
        return outcomes.acknowledged.size() >= 100;
      },
      20);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
  stop = true;
  for (std::thread& poster : posters) poster.join();
  EXPECT_THAT(outcomes.unexpected, ::testing::IsEmpty());
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::set<std::string> listed = FeedLines(daemon);
  size_t missing = 0;
  for (uint32_t i : outcomes.acknowledged) {
    if (!listed.count(AttackerIp(i))) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << outcomes.acknowledged.size() << " acknowledged";
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

TEST(GroupCommitDaemon, OptionsAreBoundsChecked) {
  Daemon long_window({.server_toml = "group_commit_window = \"1s\"\n"});
  EXPECT_FALSE(long_window.Start());
  EXPECT_EQ(long_window.exit_code(), 2);
  EXPECT_THAT(long_window.Stderr(), HasSubstr("server.group_commit_window"));
  Daemon empty_group({.server_toml = "group_commit_max_sightings = 0\n"});
  EXPECT_FALSE(empty_group.Start());
  EXPECT_EQ(empty_group.exit_code(), 2);
  EXPECT_THAT(empty_group.Stderr(), HasSubstr("server.group_commit_max_sightings"));
}

}  // namespace
}  // namespace guardfeed::testing
