// The ATP Cloud publisher against the local contract server (atp_contract_server.py), which
// implements the documented Threat Intelligence Open API endpoints and validates every request.
#include "publish/atp_cloud.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "contract_server.h"
#include "core/indicator.h"
#include "store/store.h"

namespace guardfeed {
namespace {

using testing::ContractServer;

constexpr char kToken[] = "test-token-0123456789abcdef";
constexpr char kIpFeed[] = "gd_ip_feed";
constexpr char kDnsFeed[] = "gd_dns_feed";

FeedEntry Entry(const std::string& value, int threat_level) {
  FeedEntry entry;
  Result<Indicator> indicator = NormalizeIndicator(value);
  EXPECT_TRUE(indicator.ok()) << value;
  if (indicator.ok()) entry.indicator = *indicator;
  entry.threat_level = threat_level;
  return entry;
}

// One snapshot per feed, built the way FeedBuilder hands them over.
FeedSet Set(const std::map<std::string, std::vector<FeedEntry>>& feeds) {
  FeedSet set;
  for (const auto& [name, entries] : feeds) {
    Snapshot snapshot;
    snapshot.feed = name;
    snapshot.path = name;
    snapshot.entries = entries.size();
    snapshot.feed_entries = std::make_shared<const std::vector<FeedEntry>>(entries);
    set.files.push_back(MakeSnapshot(std::move(snapshot)));
  }
  return set;
}

FeedSet IpSet(const std::vector<FeedEntry>& entries) { return Set({{"guardduty_ip", entries}}); }

using Servers = std::map<std::string, int64_t>;

class AtpCloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<ContractServer>> server = ContractServer::Start(kToken);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_TRUE(OpenDb().ok());
  }

  Status OpenDb() {
    store_.reset();
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + server_->dir() + "/state.db");
    if (!store.ok()) return store.status();
    store_ = std::move(store).value();
    return Status::Ok();
  }

  AtpOptions Options() const {
    AtpOptions options;
    options.base_url = server_->base_url();
    options.token = kToken;
    options.ca_file = server_->ca_file();
    options.feeds = {{"guardduty_ip", kIpFeed, AtpContentType::kIp}};
    options.retry_base_delay = std::chrono::milliseconds(20);
    options.retry_max_delay = std::chrono::milliseconds(3000);
    options.timeout = std::chrono::milliseconds(5000);
    return options;
  }

  std::unique_ptr<Publisher> NewPublisher(const AtpOptions& options) {
    Result<std::unique_ptr<Publisher>> publisher = NewAtpCloudPublisher(options, store_.get());
    EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
    return publisher.ok() ? std::move(publisher).value() : nullptr;
  }

  // The servers the contract server holds for "type/name", or nullopt when the feed is absent.
  std::optional<Servers> Remote(const std::string& feed) {
    Result<boost::json::object> state = server_->State();
    EXPECT_TRUE(state.ok());
    if (!state.ok()) return std::nullopt;
    const boost::json::object& feeds = state->at("feeds").as_object();
    if (!feeds.contains(feed)) return std::nullopt;
    Servers servers;
    for (const auto& [server, level] : feeds.at(feed).as_object()) {
      servers[std::string(server)] = level.as_int64();
    }
    return servers;
  }

  // "METHOD STATUS" for every API request the server saw, oldest first.
  std::vector<std::string> Requests() {
    std::vector<std::string> out;
    Result<boost::json::object> state = server_->State();
    if (!state.ok()) return out;
    for (const boost::json::value& request : state->at("requests").as_array()) {
      const boost::json::object& r = request.as_object();
      if (std::string(r.at("path").as_string()).ends_with("/ping")) continue;
      out.push_back(std::string(r.at("method").as_string()) + " " +
                    std::to_string(r.at("status").as_int64()));
    }
    return out;
  }

  // The servers listed in the request number `index` (as the server parsed them).
  std::vector<std::string> RequestServers(size_t index) {
    std::vector<std::string> out;
    Result<boost::json::object> state = server_->State();
    if (!state.ok()) return out;
    std::vector<boost::json::object> api;
    for (const boost::json::value& request : state->at("requests").as_array()) {
      if (!std::string(request.at("path").as_string()).ends_with("/ping")) {
        api.push_back(request.as_object());
      }
    }
    if (index >= api.size() || !api[index].contains("servers")) return out;
    for (const boost::json::value& server : api[index].at("servers").as_array()) {
      out.emplace_back(server.as_string());
    }
    return out;
  }

  std::unique_ptr<ContractServer> server_;
  std::unique_ptr<Store> store_;
};

const std::vector<FeedEntry> kFirst = {Entry("198.51.100.7", 10), Entry("203.0.113.9", 8),
                                       Entry("2001:db8::5", 9), Entry("evil.example.com", 10)};

TEST_F(AtpCloudTest, CreatesTheFeedOnFirstPublish) {
  auto publisher = NewPublisher(Options());
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Remote("ip/gd_ip_feed"),
            (Servers{{"198.51.100.7", 10}, {"203.0.113.9", 8}, {"2001:db8::5", 9}}));
  EXPECT_EQ(Requests(), std::vector<std::string>{"POST 202"});
  ASSERT_EQ(report->written.size(), 1u);
  EXPECT_NE(report->written[0].find("atp:ip/gd_ip_feed"), std::string::npos);
}

TEST_F(AtpCloudTest, SendsOnlyAddsUpdatesAndDeletes) {
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  // 198.51.100.7 stays, 203.0.113.9 changes level, 2001:db8::5 goes, 192.0.2.44 is new.
  const std::vector<FeedEntry> second = {Entry("198.51.100.7", 10), Entry("203.0.113.9", 10),
                                         Entry("192.0.2.44", 9)};
  Result<PublishReport> report = publisher->Publish(IpSet(second));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Remote("ip/gd_ip_feed"),
            (Servers{{"198.51.100.7", 10}, {"203.0.113.9", 10}, {"192.0.2.44", 9}}));
  EXPECT_EQ(Requests(), (std::vector<std::string>{"POST 202", "PATCH 202", "DELETE 202"}));
  EXPECT_EQ(RequestServers(1), (std::vector<std::string>{"192.0.2.44", "203.0.113.9"}));
  EXPECT_EQ(RequestServers(2), std::vector<std::string>{"2001:db8::5"});
}

TEST_F(AtpCloudTest, PublishingUnchangedContentSendsNothing) {
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  Result<PublishReport> again = publisher->Publish(IpSet(kFirst));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Requests().size(), 1u);
  EXPECT_TRUE(again->written.empty());
  EXPECT_EQ(again->unchanged, std::vector<std::string>{"atp:ip/gd_ip_feed"});
}

TEST_F(AtpCloudTest, EmptyFeedIsNotCreated) {
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet({})).ok());
  EXPECT_TRUE(Requests().empty());
  EXPECT_EQ(Remote("ip/gd_ip_feed"), std::nullopt);
}

TEST_F(AtpCloudTest, WrongTokenIsAClearErrorWithoutTheToken) {
  AtpOptions options = Options();
  options.token = "wrong-token-zzz";
  auto publisher = NewPublisher(options);
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_FALSE(report.ok());
  const std::string message = report.status().ToString();
  EXPECT_NE(message.find("rejected the application token"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 401"), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong-token-zzz"), std::string::npos) << message;
  EXPECT_EQ(publisher->Describe().find("wrong-token-zzz"), std::string::npos);
  EXPECT_EQ(Requests(), std::vector<std::string>{"POST 401"});  // not retried
}

TEST_F(AtpCloudTest, HonoursRetryAfterOn429) {
  ASSERT_TRUE(server_->Inject(R"({"status": 429, "retry_after": 1, "count": 1})").ok());
  ManualPacingClock clock;
  AtpOptions options = Options();
  options.pacing_clock = &clock;
  auto publisher = NewPublisher(options);
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // The wait happened on the injected clock: at least the server's Retry-After, no real time.
  ASSERT_FALSE(clock.sleeps().empty());
  EXPECT_GE(clock.sleeps().back(), std::chrono::seconds(1));
  EXPECT_EQ(Requests(), (std::vector<std::string>{"POST 429", "POST 202"}));
  EXPECT_EQ(Remote("ip/gd_ip_feed")->size(), 3u);
}

TEST_F(AtpCloudTest, ServerRateLimitIsHonoured) {
  // The server allows 2 requests per 2 s; the client is configured too generously.
  ASSERT_TRUE(server_->Config(R"({"rate_limit": 2, "rate_window": 2})").ok());
  AtpOptions options = Options();
  options.max_servers_per_request = 1;
  auto publisher = NewPublisher(options);
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Remote("ip/gd_ip_feed")->size(), 3u);
  std::vector<std::string> requests = Requests();
  EXPECT_NE(std::find(requests.begin(), requests.end(), "PATCH 429"), requests.end());
}

TEST_F(AtpCloudTest, ClientPacingKeepsUnderTheLimit) {
  // The server is a little more lenient than the client, so only client pacing can pass.
  ASSERT_TRUE(server_->Config(R"({"rate_limit": 2, "rate_window": 0.9})").ok());
  AtpOptions options = Options();
  options.requests_per_window = 2;
  options.rate_window = std::chrono::milliseconds(1000);
  options.max_servers_per_request = 1;
  auto publisher = NewPublisher(options);
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  // Three requests at 2 per second: without pacing the third would be answered 429 (and
  // retried). How long the limiter waits is tested on a fake clock in
  // tests/unit/publish/rate_limiter_test.cc, not measured here.
  EXPECT_EQ(Requests(), (std::vector<std::string>{"POST 202", "PATCH 202", "PATCH 202"}));
}

TEST_F(AtpCloudTest, ServerErrorsAreRetried) {
  ASSERT_TRUE(server_->Inject(R"({"status": 500, "count": 2})").ok());
  auto publisher = NewPublisher(Options());
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Requests(), (std::vector<std::string>{"POST 500", "POST 500", "POST 202"}));
}

TEST_F(AtpCloudTest, TimeoutIsRetriedThenReported) {
  ASSERT_TRUE(server_->Inject(R"({"delay": 1.5, "count": 2})").ok());
  AtpOptions options = Options();
  options.timeout = std::chrono::milliseconds(400);
  options.max_attempts = 2;
  auto publisher = NewPublisher(options);
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kUnavailable) << report.status().ToString();
  EXPECT_NE(report.status().message().find("after 2 attempts"), std::string::npos);
  EXPECT_EQ(Remote("ip/gd_ip_feed"), std::nullopt);
  // Nothing was recorded, so the next publish creates the feed.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // let the delayed ones finish
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  EXPECT_EQ(Remote("ip/gd_ip_feed")->size(), 3u);
}

TEST_F(AtpCloudTest, FailureMidwayIsCompletedByTheNextPublish) {
  AtpOptions options = Options();
  options.max_servers_per_request = 1;
  options.max_attempts = 1;
  auto publisher = NewPublisher(options);
  ASSERT_TRUE(server_->Inject(R"({"status": 503, "method": "PATCH", "count": 1})").ok());
  ASSERT_FALSE(publisher->Publish(IpSet(kFirst)).ok());
  EXPECT_EQ(Remote("ip/gd_ip_feed")->size(), 1u);  // the POST went through
  // A new publisher on the same store sends only what was not acknowledged.
  auto next = NewPublisher(options);
  ASSERT_TRUE(next->Publish(IpSet(kFirst)).ok());
  EXPECT_EQ(Requests(),
            (std::vector<std::string>{"POST 202", "PATCH 503", "PATCH 202", "PATCH 202"}));
  EXPECT_EQ(Remote("ip/gd_ip_feed")->size(), 3u);
}

TEST_F(AtpCloudTest, ResyncReplacesTheWholeFeed) {
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  // Someone adds a server through the portal; a diff would never remove it.
  ASSERT_EQ(*server_->Call("PATCH", "/cc/file/ip/gd_ip_feed", kToken, "192.0.2.99,5\n"), 202);
  AtpOptions options = Options();
  options.resync = true;
  auto resync = NewPublisher(options);
  Result<PublishReport> report = resync->Publish(IpSet(kFirst));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Remote("ip/gd_ip_feed"),
            (Servers{{"198.51.100.7", 10}, {"203.0.113.9", 8}, {"2001:db8::5", 9}}));
  std::vector<std::string> requests = Requests();
  EXPECT_EQ(std::vector<std::string>(requests.end() - 2, requests.end()),
            (std::vector<std::string>{"DELETE 202", "POST 202"}));
  // Afterwards a normal publish has nothing to do.
  ASSERT_TRUE(NewPublisher(Options())->Publish(IpSet(kFirst)).ok());
  EXPECT_EQ(Requests().size(), requests.size());
}

TEST_F(AtpCloudTest, ExistingFeedWithoutARecordAsksForResync) {
  ASSERT_EQ(*server_->Call("POST", "/cc/file/ip/gd_ip_feed", kToken, "192.0.2.99,5\n"), 202);
  auto publisher = NewPublisher(Options());
  Result<PublishReport> report = publisher->Publish(IpSet(kFirst));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("--resync"), std::string::npos);
}

TEST_F(AtpCloudTest, FeedDeletedOutsideIsRecreated) {
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  ASSERT_EQ(*server_->Call("DELETE", "/cc/file/ip/gd_ip_feed", kToken, ""), 202);
  const std::vector<FeedEntry> second = {Entry("198.51.100.7", 10), Entry("192.0.2.44", 9)};
  Result<PublishReport> report = publisher->Publish(IpSet(second));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Remote("ip/gd_ip_feed"), (Servers{{"198.51.100.7", 10}, {"192.0.2.44", 9}}));
}

TEST_F(AtpCloudTest, StateSurvivesANewPublisherAndStore) {
  ASSERT_TRUE(NewPublisher(Options())->Publish(IpSet(kFirst)).ok());
  ASSERT_TRUE(OpenDb().ok());  // close and reopen the SQLite file
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  EXPECT_EQ(Requests().size(), 1u);
  // Half of the feed goes: as much as the shrink guard allows by default.
  const std::vector<FeedEntry> second = {Entry("198.51.100.7", 10), Entry("203.0.113.9", 8)};
  ASSERT_TRUE(publisher->Publish(IpSet(second)).ok());
  EXPECT_EQ(Requests(), (std::vector<std::string>{"POST 202", "DELETE 202"}));
  EXPECT_EQ(Remote("ip/gd_ip_feed"), (Servers{{"198.51.100.7", 10}, {"203.0.113.9", 8}}));
}

TEST_F(AtpCloudTest, ShrinkGuardSendsNoDeleteForAFeedThatLosesTooMuch) {
  auto publisher = NewPublisher(Options());
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  Result<PublishReport> report = publisher->Publish(IpSet({Entry("198.51.100.7", 10)}));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("would go from 4 to 1"), std::string::npos)
      << report.status().message();
  EXPECT_FALSE(publisher->Publish(IpSet({})).ok());
  EXPECT_EQ(Requests(), std::vector<std::string>{"POST 202"});  // no DELETE, no resync
  EXPECT_EQ(Remote("ip/gd_ip_feed")->size(), 3u);
  AtpOptions forced = Options();
  forced.shrink_guard.force = true;
  ASSERT_TRUE(NewPublisher(forced)->Publish(IpSet({Entry("198.51.100.7", 10)})).ok());
  EXPECT_EQ(Remote("ip/gd_ip_feed"), (Servers{{"198.51.100.7", 10}}));
}

TEST_F(AtpCloudTest, DomainAndUrlFeedsCarryDomains) {
  AtpOptions options = Options();
  options.feeds = {{"guardduty_dns", kDnsFeed, AtpContentType::kDomain},
                   {"guardduty_dns", "gd_url_feed", AtpContentType::kUrl}};
  auto publisher = NewPublisher(options);
  const FeedSet set = Set(
      {{"guardduty_dns",
        {Entry("evil.example.com", 10), Entry("198.51.100.7", 10), Entry("c2.example.net", 7)}}});
  Result<PublishReport> report = publisher->Publish(set);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const Servers expected = {{"evil.example.com", 10}, {"c2.example.net", 7}};
  EXPECT_EQ(Remote("domain/gd_dns_feed"), expected);
  EXPECT_EQ(Remote("url/gd_url_feed"), expected);
}

TEST_F(AtpCloudTest, FeedsMissingFromThePartialBuildAreLeftAlone) {
  AtpOptions options = Options();
  options.feeds.push_back({"guardduty_dns", kDnsFeed, AtpContentType::kDomain});
  auto publisher = NewPublisher(options);
  ASSERT_TRUE(publisher->Publish(IpSet(kFirst)).ok());
  EXPECT_EQ(Requests(), std::vector<std::string>{"POST 202"});
}

TEST_F(AtpCloudTest, SnapshotWithoutEntriesIsAnInternalError) {
  auto publisher = NewPublisher(Options());
  Snapshot bytes_only;
  bytes_only.feed = "guardduty_ip";
  bytes_only.path = "guardduty_ip.txt";
  FeedSet set;
  set.files.push_back(MakeSnapshot(bytes_only));
  Result<PublishReport> report = publisher->Publish(set);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kInternal);
}

TEST_F(AtpCloudTest, ContractServerRejectsBadRequests) {
  // The contract server itself: what it refuses, the publisher must never send.
  EXPECT_EQ(*server_->Call("POST", "/cc/file/ip/short", kToken, "192.0.2.1,5\n"), 400);
  EXPECT_EQ(*server_->Call("POST", "/cc/file/ipv4/gd_ip_feed", kToken, "192.0.2.1,5\n"), 400);
  EXPECT_EQ(*server_->Call("POST", "/cc/file/ip/gd_ip_feed", kToken, "192.0.2.1,11\n"), 400);
  EXPECT_EQ(*server_->Call("POST", "/cc/file/ip/gd_ip_feed", kToken, "example.com,5\n"), 400);
  EXPECT_EQ(*server_->Call("POST", "/cc/file/domain/gd_dns_feed", kToken, "192.0.2.1,5\n"), 400);
  EXPECT_EQ(*server_->Call("POST", "/cc/file/ip/gd_ip_feed", kToken, ""), 400);
  EXPECT_EQ(*server_->Call("POST", "/cc/file/ip/gd_ip_feed", "nope", "192.0.2.1,5\n"), 401);
  EXPECT_EQ(*server_->Call("PATCH", "/cc/file/ip/gd_ip_feed", kToken, "192.0.2.1,5\n"), 404);
  EXPECT_EQ(Remote("ip/gd_ip_feed"), std::nullopt);
}

}  // namespace
}  // namespace guardfeed
