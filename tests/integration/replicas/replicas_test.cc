// Several `guardfeed serve` replicas on one PostgreSQL store, as docs/replicas.md deploys them:
// real processes, a real PostgreSQL 15 (scripts/pg-server.sh) and, for publishing, a real Ceph
// RADOS Gateway (scripts/s3-server.sh). Replicas learn of each other's commits through
// LISTEN/NOTIFY (the poll is set to 30 s here, so only notifications can be fast), serve the same
// bytes, and elect one publisher.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_credentials.h"
#include "aws/s3_client.h"
#include "common/ceph_rgw.h"
#include "common/postgres_server.h"
#include "gtest/gtest.h"
#include "integration/server/daemon.h"
#include "integration/server/findings.h"
#include "integration/server/http.h"

namespace guardfeed::testing {
namespace {

const auto* const kPostgres = ::testing::AddGlobalTestEnvironment(new PostgresServer);
const auto* const kCeph = ::testing::AddGlobalTestEnvironment(new CephRgw);

using Clock = std::chrono::steady_clock;

// Everything a firewall fetches, per replica.
const std::vector<std::string> kPaths = {
    "/feeds/fortigate_ip",  "/feeds/paloalto_edl",   "/feeds/blocked_domains",
    "/feeds/gd_ip_feed",    "/feeds/gd_dns_feed",    "/feeds/checkpoint_ioc",
    "/feeds/all_indicators", "/manifest.xml"};

// The [server] section of every replica: notifications, not the 30 s poll, must carry changes.
std::string ServerToml() {
  return std::string("ingest_token = \"") + kIngestToken + "\"\nadmin_token = \"" + kAdminToken +
         "\"\nrender_debounce = \"20ms\"\nstore_poll = \"30s\"\ncount_interval = \"1s\"\n" +
         "shutdown_grace = \"5s\"\n";
}

class Replicas : public ::testing::Test {
 protected:
  void StartReplicas(int count, const std::string& extra_toml = "") {
    store_url_ = PostgresServer::NewDatabase();
    ASSERT_FALSE(store_url_.empty());
    for (int i = 0; i < count; ++i) {
      DaemonOptions options;
      options.store_url = store_url_;
      options.replace_server = true;
      options.server_toml = ServerToml();
      options.extra_toml = extra_toml;
      replicas_.push_back(std::make_unique<Daemon>(options));
      ASSERT_TRUE(replicas_.back()->Start()) << replicas_.back()->Stderr();
    }
  }

  // Path -> (body, ETag) as replica `i` serves it now.
  std::map<std::string, std::pair<std::string, std::string>> Served(size_t i) {
    std::map<std::string, std::pair<std::string, std::string>> served;
    for (const std::string& path : kPaths) {
      HttpResult r = Get(replicas_[i]->url() + path);
      served[path] = {std::to_string(r.status) + "\n" + r.body, r.Header("etag")};
    }
    return served;
  }

  bool AllServeTheSame() {
    auto first = Served(0);
    for (size_t i = 1; i < replicas_.size(); ++i) {
      if (!replicas_[i]->running() || Served(i) != first) return false;
    }
    return true;
  }

  // The replica whose /readyz says it publishes, or -1.
  int Leader() {
    int leader = -1;
    for (size_t i = 0; i < replicas_.size(); ++i) {
      if (!replicas_[i]->running()) continue;
      HttpResult r = Get(replicas_[i]->url() + "/readyz");
      if (r.body.find("\"publishing\":\"leader\"") != std::string::npos) {
        EXPECT_EQ(leader, -1) << "two replicas publish at once";
        leader = static_cast<int>(i);
      }
    }
    return leader;
  }

  // A fresh bucket on the gateway; the replicas get its credentials from the environment.
  static std::unique_ptr<S3Client> Bucket(const std::string& name) {
    setenv("AWS_ACCESS_KEY_ID", CephRgw::kAccessKey, 1);
    setenv("AWS_SECRET_ACCESS_KEY", CephRgw::kSecretKey, 1);
    S3ClientOptions options;
    options.bucket = name;
    options.endpoint = CephRgw::Endpoint();
    options.path_style = true;
    options.credentials = NewStaticAwsCredentials({CephRgw::kAccessKey, CephRgw::kSecretKey, "", 0});
    auto client = NewS3Client(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (!client.ok()) return nullptr;
    EXPECT_TRUE((*client)->CreateBucket().ok());
    return std::move(*client);
  }

  std::string store_url_;
  std::vector<std::unique_ptr<Daemon>> replicas_;
};

TEST_F(Replicas, ThreeReplicasServeIdenticalBytesAndEtagsSoonAfterEachIngest) {
  GF_REQUIRE_POSTGRES();
  StartReplicas(3);
  ASSERT_EQ(replicas_.size(), 3u);
  const uint32_t kFindings = 30;
  double worst_seconds = 0;
  for (uint32_t i = 0; i < kFindings; ++i) {
    HttpResult posted = PostFindings(replicas_[i % 3]->url(), IpEvent(i));
    ASSERT_EQ(posted.status, 200) << posted.body;
    // Every fifth finding: how long until all three serve the same bytes with it.
    if (i % 5 != 4) continue;
    auto acknowledged = Clock::now();
    const std::string ip = AttackerIp(i);
    ASSERT_TRUE(WaitFor(
        [&] {
          for (auto& replica : replicas_) {
            if (Get(replica->url() + "/feeds/fortigate_ip").body.find(ip) == std::string::npos) {
              return false;
            }
          }
          return AllServeTheSame();
        },
        10));
    worst_seconds =
        std::max(worst_seconds, std::chrono::duration<double>(Clock::now() - acknowledged).count());
  }
  // The budget is 1 s (docs/performance.md reports it); the bound here leaves room for a
  // loaded CI machine, and still fails where only the 30 s poll would deliver.
  EXPECT_LT(worst_seconds, 5.0);
  std::printf("replicas: identical bytes and ETags on all three at most %.3f s after the 2xx\n",
              worst_seconds);
  std::string list = Get(replicas_[2]->url() + "/feeds/fortigate_ip").body;
  for (uint32_t i = 0; i < kFindings; ++i) EXPECT_NE(list.find(AttackerIp(i)), std::string::npos);
  // A removal on one replica takes the value out everywhere.
  HttpResult removed = Admin("DELETE", replicas_[1]->url() + "/v1/indicators/" + AttackerIp(3),
                             R"({"reason":"false positive"})");
  ASSERT_EQ(removed.status, 200) << removed.body;
  ASSERT_TRUE(WaitFor([&] {
    for (auto& replica : replicas_) {
      if (Get(replica->url() + "/feeds/fortigate_ip").body.find(AttackerIp(3) + "\r\n") !=
          std::string::npos) {
        return false;
      }
    }
    return AllServeTheSame();
  }));
}

// The publishing replica is killed while it publishes to S3 (Ceph RGW): another one takes the
// lease within 10 s and the bucket ends with every acknowledged indicator, never a shrink.
TEST_F(Replicas, ExactlyOneReplicaPublishesAndAnotherTakesOverWhenItDies) {
  GF_REQUIRE_POSTGRES();
  GF_REQUIRE_CEPH();
  std::unique_ptr<S3Client> bucket = Bucket("gf-replicas");
  ASSERT_NE(bucket, nullptr);
  StartReplicas(3, "[publish.s3]\nbucket = \"gf-replicas\"\nendpoint = \"" +
                       CephRgw::Endpoint() + "\"\npath_style = true\nregion = \"us-east-1\"\n");
  ASSERT_EQ(replicas_.size(), 3u);
  int leader = -1;
  ASSERT_TRUE(WaitFor([&] { return (leader = Leader()) != -1; }));
  size_t follower = static_cast<size_t>((leader + 1) % 3);
  // A burst through a follower, then the leader dies while it renders and publishes the burst.
  const uint32_t kBefore = 40;
  for (uint32_t i = 0; i < kBefore; ++i) {
    ASSERT_EQ(PostFindings(replicas_[follower]->url(), IpEvent(i)).status, 200);
  }
  replicas_[static_cast<size_t>(leader)]->Kill9();
  auto killed = Clock::now();
  int next = -1;
  ASSERT_TRUE(WaitFor([&] { return (next = Leader()) != -1; }, 15));
  double seconds = std::chrono::duration<double>(Clock::now() - killed).count();
  EXPECT_LT(seconds, 10.0);
  std::printf("replicas: publishing taken over %.3f s after kill -9\n", seconds);
  EXPECT_NE(next, leader);
  for (uint32_t i = kBefore; i < kBefore + 10; ++i) {
    ASSERT_EQ(PostFindings(replicas_[follower]->url(), IpEvent(i)).status, 200);
  }
  // The bucket converges on what the survivors serve: every acknowledged address, and the
  // manifest (uploaded after the data it points at) of the same versions.
  const std::string base = replicas_[static_cast<size_t>(next)]->url();
  std::string served;
  ASSERT_TRUE(WaitFor(
      [&] {
        served = Get(base + "/feeds/fortigate_ip").body;
        Result<std::string> list = bucket->GetObject("fortigate_ip.txt");
        Result<std::string> manifest = bucket->GetObject("manifest.xml");
        return list.ok() && *list == served && manifest.ok() &&
               *manifest == Get(base + "/manifest.xml").body;
      },
      20));
  for (uint32_t i = 0; i < kBefore + 10; ++i) {
    EXPECT_NE(served.find(AttackerIp(i) + "\r\n"), std::string::npos) << AttackerIp(i);
  }
}

// A replica killed with -9 while it takes findings loses none it acknowledged: the other replica
// serves every one of them.
TEST_F(Replicas, ReplicaKilledMidIngestLosesNoAcknowledgedFinding) {
  GF_REQUIRE_POSTGRES();
  StartReplicas(2);
  ASSERT_EQ(replicas_.size(), 2u);
  std::mutex mu;
  std::vector<uint32_t> acknowledged;
  std::vector<std::thread> posters;
  for (uint32_t t = 0; t < 4; ++t) {
    posters.emplace_back([&, t] {
      for (uint32_t i = 2000 + t; i < 2000 + 4000; i += 4) {
        HttpResult r = PostFindings(replicas_[0]->url(), IpEvent(i));
        if (r.status == 0) return;  // the replica is gone
        if (r.status != 200) continue;
        std::lock_guard lock(mu);
        acknowledged.push_back(i);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  replicas_[0]->Kill9();
  for (std::thread& poster : posters) poster.join();
  ASSERT_FALSE(acknowledged.empty());
  ASSERT_TRUE(WaitFor([&] {
    std::string list = Get(replicas_[1]->url() + "/feeds/fortigate_ip").body;
    for (uint32_t i : acknowledged) {
      if (list.find(AttackerIp(i) + "\r\n") == std::string::npos) return false;
    }
    return true;
  }));
  std::printf("replicas: %zu findings acknowledged before kill -9, all served by the other\n",
              acknowledged.size());
}

// Ingest keeps arriving while PostgreSQL is down for 5 s: no 2xx without a commit, feeds keep
// being served, /readyz says why, and both replicas recover without a restart.
TEST_F(Replicas, PostgresqlOutageUnderIngestLoad) {
  GF_REQUIRE_POSTGRES();
  StartReplicas(2);
  ASSERT_EQ(replicas_.size(), 2u);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<uint32_t> acknowledged;
  int unavailable = 0, unavailable_without_retry_after = 0, other = 0;
  std::thread poster([&] {
    for (uint32_t i = 1000; !stop.load(); ++i) {
      HttpResult r = PostFindings(replicas_[i % 2]->url(), IpEvent(i));
      std::lock_guard lock(mu);
      if (r.status == 200) {
        acknowledged.push_back(i);
      } else if (r.status == 503) {
        ++unavailable;
        if (r.Header("retry-after").empty()) ++unavailable_without_retry_after;
      } else {
        ++other;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::atomic<int> feed_failures{0};
  std::atomic<int> feed_fetches{0};
  std::thread fetcher([&] {
    while (!stop.load()) {
      for (auto& replica : replicas_) {
        if (Get(replica->url() + "/feeds/fortigate_ip").status != 200) ++feed_failures;
        ++feed_fetches;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_EQ(Shell(PostgresServer::Script() + " stop-server " + PostgresServer::dir), 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  HttpResult ready = Get(replicas_[0]->url() + "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("\"store\":\"unreachable\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("store_error"), std::string::npos) << ready.body;
  EXPECT_EQ(Get(replicas_[0]->url() + "/readyz?scope=feeds").status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_EQ(Shell(PostgresServer::Script() + " start-server " + PostgresServer::dir), 0);
  for (auto& replica : replicas_) {
    EXPECT_TRUE(WaitFor([&] { return Get(replica->url() + "/readyz").status == 200; }, 20));
  }
  size_t before = 0;
  {
    std::lock_guard lock(mu);
    before = acknowledged.size();
  }
  EXPECT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return acknowledged.size() > before + 10;
      },
      20))
      << "ingest did not resume";
  stop.store(true);
  poster.join();
  fetcher.join();
  EXPECT_GT(unavailable, 0) << "the outage was not noticed";
  EXPECT_EQ(unavailable_without_retry_after, 0);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(feed_failures.load(), 0) << "of " << feed_fetches.load() << " feed fetches";
  // Every acknowledged finding was committed: both replicas list it.
  for (auto& replica : replicas_) {
    ASSERT_TRUE(WaitFor([&] {
      std::string list = Get(replica->url() + "/feeds/fortigate_ip").body;
      for (uint32_t i : acknowledged) {
        if (list.find(AttackerIp(i) + "\r\n") == std::string::npos) return false;
      }
      return true;
    }));
  }
  std::printf("replicas: outage of 5 s: %zu acknowledged, %d answered 503\n", acknowledged.size(),
              unavailable);
}

}  // namespace
}  // namespace guardfeed::testing
