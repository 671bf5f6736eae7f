// POST /v1/findings, /healthz, /readyz, /metrics, startup checks, signals, TLS, publishing.
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/hash.h"
#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;

std::string Gzip(const std::string& text) {
  std::string path =
      std::filesystem::temp_directory_path() / ("gf-gzip-" + std::to_string(getpid()));
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  std::string command = "gzip -c " + path + " > " + path + ".gz";
  if (std::system(command.c_str()) != 0) return "";
  std::ifstream in(path + ".gz", std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".gz");
  return data;
}

TEST_F(DaemonTest, HealthReadyAndPrintedUrls) {
  HttpResult health = Get(daemon_.url() + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_TRUE(WaitFor([&] { return Get(daemon_.url() + "/readyz").status == 200; }));
  std::string printed = daemon_.Stdout();
  EXPECT_THAT(printed, HasSubstr(daemon_.url() + "/v1/findings"));
  EXPECT_THAT(printed, HasSubstr(daemon_.url() + "/feeds/fortigate_ip"));
  EXPECT_THAT(printed, HasSubstr(daemon_.url() + "/manifest.xml"));
  EXPECT_THAT(printed, HasSubstr("X-API-Key"));
}

TEST_F(DaemonTest, PostedFindingAppearsInEveryIpFeed) {
  HttpResult posted = PostFindings(daemon_.url(), IpEvent(1));
  ASSERT_EQ(posted.status, 200) << posted.body;
  boost::json::value summary = ParseJson(posted.body);
  EXPECT_EQ(summary.at("findings_accepted").as_int64(), 1);
  EXPECT_EQ(summary.at("sightings_new").as_int64(), 1);
  EXPECT_EQ(summary.at("status").as_string(), "committed");
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(1) + "\r\n"));
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "paloalto_edl", AttackerIp(1)));
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "all_indicators", AttackerIp(1)));
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "checkpoint_ioc", AttackerIp(1)));
}

TEST_F(DaemonTest, DomainFindingReachesDomainFeeds) {
  std::string event = EventBridge(RawDnsFinding("dns-1", "c2.badness-example.net"), "ev-dns-1");
  ASSERT_EQ(PostFindings(daemon_.url(), event).status, 200);
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "blocked_domains", "c2.badness-example.net"));
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "gd_dns_feed", "c2.badness-example.net"));
}

TEST_F(DaemonTest, IngestAuthFailures) {
  HttpRequest request{.method = "POST",
                      .url = daemon_.url() + "/v1/findings",
                      .headers = {"Content-Type: application/json"},
                      .body = IpEvent(2)};
  HttpResult missing = Http(request);
  EXPECT_EQ(missing.status, 401);
  EXPECT_THAT(missing.Header("www-authenticate"), HasSubstr("Bearer"));
  request.headers.push_back("Authorization: Bearer wrong-token");
  EXPECT_EQ(Http(request).status, 403);
  request.headers = {"Content-Type: application/json", "X-API-Key: wrong"};
  EXPECT_EQ(Http(request).status, 403);
  request.headers = {"Content-Type: application/json", std::string("X-API-Key: ") + kIngestToken};
  EXPECT_EQ(Http(request).status, 200);
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(2)));
}

TEST_F(DaemonTest, ContentTypeAndEncoding) {
  EXPECT_EQ(PostFindings(daemon_.url(), IpEvent(3), "text/html").status, 415);
  EXPECT_EQ(PostFindings(daemon_.url(), IpEvent(3), "application/x-www-form-urlencoded").status,
            415);
  HttpRequest request{.method = "POST",
                      .url = daemon_.url() + "/v1/findings",
                      .headers = {"Authorization: Bearer " + std::string(kIngestToken),
                                  "Content-Type: application/json", "Content-Encoding: br"},
                      .body = IpEvent(3)};
  EXPECT_EQ(Http(request).status, 415);
  request.headers[2] = "Content-Encoding: gzip";
  request.body = Gzip(IpEvent(3) + "\n" + IpEvent(4) + "\n");
  ASSERT_FALSE(request.body.empty());
  HttpResult gzipped = Http(request);
  ASSERT_EQ(gzipped.status, 200) << gzipped.body;
  EXPECT_EQ(ParseJson(gzipped.body).at("findings_accepted").as_int64(), 2);
  request.body = "not gzip at all";
  EXPECT_EQ(Http(request).status, 400);
  HttpResult jsonl = PostFindings(daemon_.url(), RawIpFinding("jl-1", AttackerIp(5)) + "\n",
                                  "application/x-ndjson; charset=utf-8");
  EXPECT_EQ(jsonl.status, 200) << jsonl.body;
}

TEST_F(DaemonTest, BadJsonNamesTheLineAndKeepsTheGoodOnes) {
  std::string body = RawIpFinding("good-1", AttackerIp(6)) + "\n{\"id\": broken\n" +
                     RawIpFinding("good-2", AttackerIp(7)) + "\n";
  HttpResult result = PostFindings(daemon_.url(), body, "application/x-ndjson");
  ASSERT_EQ(result.status, 400) << result.body;
  boost::json::value error = ParseJson(result.body);
  EXPECT_EQ(error.at("line").as_int64(), 2);
  EXPECT_THAT(std::string(error.at("error").as_string()), HasSubstr(":2"));
  EXPECT_EQ(error.at("committed").at("findings_accepted").as_int64(), 2);
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(7)));
  HttpResult not_json = PostFindings(daemon_.url(), "{\"detail\": [1, 2");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_FALSE(ParseJson(not_json.body).at("error").as_string().empty());
  EXPECT_EQ(PostFindings(daemon_.url(), "   \n").status, 400);
}

TEST_F(DaemonTest, BodyOverTheLimitIs413) {
  std::string big(3 * 1024 * 1024, ' ');
  big.replace(0, 2, "[]");
  HttpResult result = PostFindings(daemon_.url(), big);
  EXPECT_EQ(result.status, 413) << result.error;
  EXPECT_THAT(result.body, HasSubstr("limit"));
  // Chunked: the limit applies while reading.
  HttpRequest chunked{.method = "POST",
                      .url = daemon_.url() + "/v1/findings",
                      .headers = {"Authorization: Bearer " + std::string(kIngestToken),
                                  "Content-Type: application/json", "Transfer-Encoding: chunked"},
                      .body = big};
  EXPECT_EQ(Http(chunked).status, 413);
  EXPECT_EQ(Get(daemon_.url() + "/healthz").status, 200);
}

TEST_F(DaemonTest, SameEventThreeTimesIsOneSighting) {
  std::string event = IpEvent(8);
  std::vector<int64_t> new_sightings;
  for (int i = 0; i < 3; ++i) {
    HttpResult result = PostFindings(daemon_.url(), event);
    ASSERT_EQ(result.status, 200);
    new_sightings.push_back(ParseJson(result.body).at("sightings_new").as_int64());
  }
  EXPECT_EQ(new_sightings, (std::vector<int64_t>{1, 0, 0}));
  HttpResult explained = Admin("GET", daemon_.url() + "/v1/indicators/" + AttackerIp(8));
  ASSERT_EQ(explained.status, 200) << explained.body;
  EXPECT_EQ(ParseJson(explained.body).at("sightings").as_array().size(), 1u);
}

TEST_F(DaemonTest, SkippedFindingsAreCountedNotErrors) {
  HttpResult low = PostFindings(daemon_.url(), IpEvent(9, 2.0));
  ASSERT_EQ(low.status, 200);
  boost::json::value summary = ParseJson(low.body);
  EXPECT_EQ(summary.at("findings_accepted").as_int64(), 0);
  EXPECT_EQ(summary.at("skipped").at("below_min_severity").as_int64(), 1);
  std::string health = R"({"version":"0","id":"x","detail-type":"GuardDuty Runtime Protection )"
                       R"(Health","source":"aws.guardduty","detail":{}})";
  HttpResult other = PostFindings(daemon_.url(), health);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(ParseJson(other.body).at("events_skipped").as_int64(), 1);
}

TEST_F(DaemonTest, MetricsExposeIngestRequestsAndFeeds) {
  ASSERT_EQ(PostFindings(daemon_.url(), IpEvent(10)).status, 200);
  ASSERT_EQ(PostFindings(daemon_.url(), IpEvent(11, 1.0)).status, 200);
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(10)));
  std::string text;
  ASSERT_TRUE(WaitFor([&] {
    text = Get(daemon_.url() + "/metrics").body;
    return text.find("guardfeed_indicators_active{kind=\"ipv4\"} 1") != std::string::npos;
  })) << text;
  EXPECT_THAT(text, HasSubstr("guardfeed_http_requests_total{route=\"ingest\",status=\"200\"} 2"));
  EXPECT_THAT(text, HasSubstr("guardfeed_http_requests_total{route=\"feed\",status=\"200\"}"));
  EXPECT_THAT(text, HasSubstr("guardfeed_findings_total{outcome=\"accepted\"} 1"));
  EXPECT_THAT(text, HasSubstr("guardfeed_findings_skipped_total{reason=\"below_min_severity\"} 1"));
  EXPECT_THAT(text, HasSubstr("guardfeed_feed_entries{feed=\"fortigate_ip\"} 1"));
  EXPECT_THAT(text, HasSubstr("guardfeed_http_request_duration_seconds_bucket{route=\"ingest\""));
  EXPECT_THAT(text, HasSubstr("guardfeed_feed_versions_total{feed=\"fortigate_ip\"}"));
}

TEST_F(DaemonTest, StoreUnavailableIs503AndFeedsKeepServing) {
  ASSERT_EQ(PostFindings(daemon_.url(), IpEvent(15)).status, 200);
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(15)));
  // Another process holds the write lock past the store's busy timeout.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((daemon_.dir() + "/guardfeed.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  HttpResult refused = PostFindings(daemon_.url(), IpEvent(16));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_FALSE(refused.Header("retry-after").empty());
  EXPECT_THAT(refused.body, HasSubstr("nothing committed"));
  EXPECT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip").status, 200);  // served from memory
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(PostFindings(daemon_.url(), IpEvent(16)).status, 200);  // EventBridge's retry works
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(16)));
  EXPECT_THAT(Get(daemon_.url() + "/metrics").body,
              HasSubstr("guardfeed_ingest_failures_total{reason=\"store_unavailable\"} 1"));
}

TEST(DaemonStartup, RefusesAPublicAddressWithoutIngestToken) {
  Daemon daemon({.server_toml = "", .replace_server = true, .listen = "0.0.0.0:0"});
  EXPECT_FALSE(daemon.Start());
  EXPECT_EQ(daemon.exit_code(), 2);
  EXPECT_THAT(daemon.Stderr(), HasSubstr("server.ingest_token"));
  EXPECT_THAT(daemon.Stderr(), HasSubstr("refusing"));
}

TEST(DaemonStartup, BadServerKeysAreNamed) {
  Daemon bad_size({.server_toml = "body_limit = \"lots\"\n", .replace_server = true});
  EXPECT_FALSE(bad_size.Start());
  EXPECT_EQ(bad_size.exit_code(), 2);
  EXPECT_THAT(bad_size.Stderr(), HasSubstr("server.body_limit"));
  Daemon unknown({.server_toml = "listne = \"1.2.3.4:5\"\n", .replace_server = true});
  EXPECT_FALSE(unknown.Start());
  EXPECT_THAT(unknown.Stderr(), HasSubstr("server.listne: unknown key"));
  Daemon no_feed({.server_toml = "[server.feed_auth.nope]\ntoken = \"t\"\n"});
  EXPECT_FALSE(no_feed.Start());
  EXPECT_THAT(no_feed.Stderr(), HasSubstr("server.feed_auth.nope: no feed named"));
}

TEST(DaemonSignals, SigtermFinishesAndExitsZero) {
  Daemon daemon;
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  ASSERT_EQ(PostFindings(daemon.url(), IpEvent(12)).status, 200);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
  EXPECT_THAT(daemon.Stderr(), HasSubstr("stopped"));
  // What was acknowledged is there after a restart.
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  EXPECT_TRUE(FeedEventuallyContains(daemon, "fortigate_ip", AttackerIp(12)));
  EXPECT_EQ(daemon.Stop(SIGINT), 0);
}

TEST(DaemonSignals, SighupReloadsTheConfiguration) {
  Daemon daemon;
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  EXPECT_EQ(Get(daemon.url() + "/feeds/fortigate_ip").status, 200);
  daemon.WriteConfig({.server_toml = "[server.feed_auth.fortigate_ip]\nuser = \"fg\"\n"
                                     "password = \"fg-pass\"\n"});
  daemon.Signal(SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return Get(daemon.url() + "/feeds/fortigate_ip").status == 401; }))
      << daemon.Stderr();
  EXPECT_EQ(
      Get(daemon.url() + "/feeds/fortigate_ip", {"Authorization: Basic Zmc6ZmctcGFzcw=="}).status,
      200);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

// One request on an open connection: its status code, after reading the whole response.
int ExchangeOn(int fd, const std::string& request) {
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return -1;
  std::string reply;
  char chunk[4096];
  pollfd readable{.fd = fd, .events = POLLIN, .revents = 0};
  size_t body_at = std::string::npos;
  size_t length = 0;
  while (::poll(&readable, 1, 5000) == 1) {
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    reply.append(chunk, static_cast<size_t>(n));
    if (body_at == std::string::npos &&
        (body_at = reply.find("\r\n\r\n")) != std::string::npos) {
      body_at += 4;
      size_t at = reply.find("Content-Length: ");
      if (at != std::string::npos) length = std::stoul(reply.substr(at + 16));
    }
    if (body_at != std::string::npos && reply.size() >= body_at + length) break;
  }
  return reply.starts_with("HTTP/1.1 ") ? std::stoi(reply.substr(9, 3)) : -1;
}

// A keep-alive connection opened before a reload is served under the new configuration: a
// reload that puts a password on a feed (or revokes a consumer) holds for it at once.
TEST(DaemonSignals, AReloadAppliesToConnectionsAlreadyOpen) {
  Daemon daemon;
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  int fd = ConnectLoopback(PortOf(daemon.url()));
  ASSERT_GE(fd, 0);
  const std::string request = "GET /feeds/fortigate_ip HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  EXPECT_EQ(ExchangeOn(fd, request), 200);
  daemon.WriteConfig({.server_toml = "[server.feed_auth.fortigate_ip]\nuser = \"fg\"\n"
                                     "password = \"fg-pass\"\n"});
  daemon.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Get(daemon.url() + "/feeds/fortigate_ip").status == 401; }))
      << daemon.Stderr();
  EXPECT_EQ(ExchangeOn(fd, request), 401);
  ::close(fd);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

TEST(DaemonTls, ServesHttpsWithTheConfiguredCertificate) {
  Daemon daemon;
  std::string cert = daemon.dir() + "/cert.pem";
  std::string key = daemon.dir() + "/key.pem";
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  daemon.WriteConfig({.server_toml = "tls_cert = \"" + cert + "\"\ntls_key = \"" + key + "\"\n"});
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  ASSERT_EQ(daemon.url().rfind("https://", 0), 0u) << daemon.url();
  HttpResult result = Http({.url = daemon.url() + "/healthz", .insecure_tls = true});
  EXPECT_EQ(result.status, 200) << result.error;
  HttpResult posted = Http({.method = "POST",
                            .url = daemon.url() + "/v1/findings",
                            .headers = {"Authorization: Bearer " + std::string(kIngestToken),
                                        "Content-Type: application/json"},
                            .body = IpEvent(13),
                            .insecure_tls = true});
  EXPECT_EQ(posted.status, 200) << posted.error;
  // A feed over 64 KiB: over TLS it is read from the memfd's mapping.
  for (uint32_t from = 20000; from < 26000; from += 1000) {
    std::string batch;
    for (uint32_t i = from; i < from + 1000; ++i) batch += IpEvent(i) + "\n";
    HttpResult many = Http({.method = "POST",
                            .url = daemon.url() + "/v1/findings",
                            .headers = {"Authorization: Bearer " + std::string(kIngestToken),
                                        "Content-Type: application/x-ndjson"},
                            .body = batch,
                            .insecure_tls = true});
    ASSERT_EQ(many.status, 200) << many.body;
  }
  HttpResult feed;
  ASSERT_TRUE(WaitFor([&] {
    feed = Http({.url = daemon.url() + "/feeds/fortigate_ip", .insecure_tls = true});
    return feed.body.find(AttackerIp(25999) + "\r\n") != std::string::npos;
  }));
  EXPECT_EQ(feed.Header("etag"), "\"" + Sha256Hex(feed.body) + "\"");
  std::string plain = "http://" + daemon.url().substr(8) + "/healthz";
  EXPECT_NE(Get(plain).status, 200);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

TEST(DaemonPublish, DirectoryPublisherRunsAfterEachRender) {
  Daemon daemon;
  std::string public_dir = daemon.dir() + "/public";
  daemon.WriteConfig({.extra_toml = "[publish]\ndirectory = \"" + public_dir + "\"\n"});
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  ASSERT_EQ(PostFindings(daemon.url(), IpEvent(14)).status, 200);
  EXPECT_TRUE(WaitFor([&] {
    std::ifstream in(public_dir + "/fortigate_ip.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find(AttackerIp(14)) != std::string::npos;
  }));
  EXPECT_TRUE(std::filesystem::exists(public_dir + "/manifest.xml"));
  EXPECT_THAT(Get(daemon.url() + "/metrics").body, HasSubstr("guardfeed_publish_last_success 1"));
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace guardfeed::testing
