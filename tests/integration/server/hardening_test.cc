// Issue 7's hostile trial, as tests: decompression bombs however they are labelled, findings
// with a million addresses, the requests a hostile web page can make a browser send to a
// loopback daemon (forms, text/plain, DNS rebinding, foreign origins), the connection cap, HEAD
// on every status, and refused requests in the log and /metrics.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// gzip of `text` repeated until `inflated_bytes`, built one block at a time (no huge buffer).
std::string GzipRepeated(const std::string& text, size_t inflated_bytes) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string block;
  while (block.size() < std::min<size_t>(1u << 20, inflated_bytes)) block += text;
  std::string out;
  char buffer[1 << 16];
  for (size_t done = 0; done < inflated_bytes; done += block.size()) {
    size_t size = std::min(block.size(), inflated_bytes - done);
    bool last = done + size >= inflated_bytes;
    z.next_in = reinterpret_cast<Bytef*>(block.data());
    z.avail_in = static_cast<uInt>(size);
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof(buffer);
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof(buffer) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

std::string Gzip(const std::string& text) { return GzipRepeated(text, text.size()); }

HttpResult PostRaw(const std::string& url, const std::string& body,
                   std::vector<std::string> headers) {
  headers.push_back("Authorization: Bearer " + std::string(kIngestToken));
  return Http({.method = "POST", .url = url + "/v1/findings", .headers = headers, .body = body});
}

std::string Metrics(const Daemon& daemon) { return Get(daemon.url() + "/metrics").body; }

DaemonOptions BigBodies() {
  DaemonOptions options;
  options.replace_server = true;
  options.server_toml = "ingest_token = \"" + std::string(kIngestToken) + "\"\n" +
                        "admin_token = \"" + std::string(kAdminToken) + "\"\n" +
                        "body_limit = \"20MiB\"\nrender_debounce = \"50ms\"\n"
                        "store_poll = \"200ms\"\n";
  return options;
}

class HardeningTest : public DaemonTest {};

TEST_F(HardeningTest, GzipBombLabelledApplicationGzipIsRefusedWith413) {
  std::string bomb = GzipRepeated(std::string(4096, ' ') + "\n", 200u << 20);
  ASSERT_LT(bomb.size(), 2u << 20);
  HttpResult result = PostRaw(daemon_.url(), bomb, {"Content-Type: application/gzip"});
  EXPECT_EQ(result.status, 413) << result.body;
  EXPECT_THAT(result.body, HasSubstr("decompression budget"));
  EXPECT_EQ(PostFindings(daemon_.url(), IpEvent(1)).status, 200);
}

TEST_F(HardeningTest, GzipBombLabelledContentEncodingIsRefusedWith413) {
  std::string bomb = GzipRepeated("0", 200u << 20);
  HttpResult result =
      PostRaw(daemon_.url(), bomb, {"Content-Type: application/json", "Content-Encoding: gzip"});
  EXPECT_EQ(result.status, 413) << result.body;
}

TEST_F(HardeningTest, GzipInsideGzipBombIsRefusedWith413AndEarlierFindingsAreKept) {
  // Valid findings first, then a flood: what came before the budget ran out is committed.
  std::string lines = IpEvent(7) + "\n" + IpEvent(8) + "\n";
  std::string inner = Gzip(lines) + GzipRepeated("\n", 200u << 20);
  HttpResult result = PostRaw(daemon_.url(), Gzip(inner),
                              {"Content-Type: application/gzip", "Content-Encoding: gzip"});
  EXPECT_EQ(result.status, 413) << result.body;
  boost::json::value body = ParseJson(result.body);
  ASSERT_TRUE(body.is_object()) << result.body;
  EXPECT_EQ(body.at("committed").at("findings_accepted").as_int64(), 2);
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(7)));
}

TEST_F(HardeningTest, GzipJsonLinesAreReadAsTheyInflate) {
  std::string lines;
  for (uint32_t i = 0; i < 2000; ++i) lines += IpEvent(i) + "\n";
  HttpResult result = PostRaw(daemon_.url(), Gzip(lines),
                              {"Content-Type: application/x-ndjson", "Content-Encoding: gzip"});
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(ParseJson(result.body).at("findings_accepted").as_int64(), 2000);
}

TEST_F(HardeningTest, ContentEncodingGzipWithPlainBodyIs400) {
  HttpResult result = PostRaw(daemon_.url(), IpEvent(1),
                              {"Content-Type: application/json", "Content-Encoding: gzip"});
  EXPECT_EQ(result.status, 400) << result.body;
}

TEST_F(HardeningTest, FloodOfBadLinesStopsAfterTheErrorLimit) {
  std::string flood;
  for (int i = 0; i < 5000; ++i) flood += "{}\n";
  HttpResult result = PostRaw(daemon_.url(), flood, {"Content-Type: application/x-ndjson"});
  EXPECT_EQ(result.status, 400);
  EXPECT_LE(ParseJson(result.body).at("error_count").as_int64(), 1000);
}

TEST(HardeningBigBodies, FindingWithAMillionSourceIpsIsCappedAndAnswered) {
  Daemon daemon(BigBodies());
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::string ips;
  for (uint32_t i = 0; i < 1'000'000; ++i) ips += (i ? ",\"" : "\"") + AttackerIp(i) + "\"";
  std::string finding = R"({"id":"k8s-flood","type":"Discovery:Kubernetes/MaliciousIPCaller",)"
                        R"("severity":8,"updatedAt":"2026-11-30T00:00:00Z","service":{"action":)"
                        R"({"actionType":"KUBERNETES_API_CALL","kubernetesApiCallAction":)"
                        R"({"sourceIPs":[)" +
                        ips + "]}}}}";
  ASSERT_GT(finding.size(), 12u << 20);
  HttpResult result = PostFindings(daemon.url(), finding);
  ASSERT_EQ(result.status, 200) << result.body.substr(0, 300);
  boost::json::value body = ParseJson(result.body);
  EXPECT_EQ(body.at("indicators_seen").as_int64(), 1000);
  EXPECT_EQ(body.at("indicators_dropped").as_int64(), 999'000);
  EXPECT_EQ(body.at("findings_capped").as_int64(), 1);
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

// What a page on http://evil.example can make the operator's browser send to 127.0.0.1.
TEST_F(HardeningTest, HostileWebPageRequestsAreRefused) {
  const std::string url = daemon_.url();
  const std::string finding = IpEvent(42);
  // <form method=post enctype=application/x-www-form-urlencoded>: Origin is sent.
  EXPECT_EQ(Http({.method = "POST",
                  .url = url + "/v1/findings",
                  .headers = {"Origin: http://evil.example",
                              "Content-Type: application/x-www-form-urlencoded"},
                  .body = "x=" + finding})
                .status,
            403);
  // fetch(url, {mode: "no-cors", method: "POST", body}) is text/plain with an Origin.
  EXPECT_EQ(Http({.method = "POST",
                  .url = url + "/v1/findings",
                  .headers = {"Origin: http://evil.example", "Content-Type: text/plain"},
                  .body = finding})
                .status,
            403);
  // The same without an Origin (older browsers, sendBeacon variants): text/plain is refused.
  EXPECT_EQ(PostFindings(url, finding, "text/plain").status, 415);
  EXPECT_EQ(PostFindings(url, finding, "multipart/form-data; boundary=x").status, 415);
  // DNS rebinding: evil.example re-pointed at 127.0.0.1; same-origin for the browser.
  std::string port = std::to_string(PortOf(url));
  EXPECT_EQ(Http({.method = "POST",
                  .url = url + "/v1/findings",
                  .headers = {"Host: evil.example:" + port, "Origin: http://evil.example:" + port,
                              "Content-Type: application/json",
                              "Authorization: Bearer " + std::string(kIngestToken)},
                  .body = finding})
                .status,
            421);
  EXPECT_EQ(Get(url + "/v1/indicators",
                {"Host: evil.example:" + port, "Authorization: Bearer " + std::string(kAdminToken)})
                .status,
            421);
  EXPECT_EQ(Get(url + "/feeds/fortigate_ip", {"Host: evil.example:" + port}).status, 421);
  // A JSON POST from a foreign origin (the preflight would fail, but never trust that).
  EXPECT_EQ(Http({.method = "POST",
                  .url = url + "/v1/allowlist",
                  .headers = {"Origin: http://evil.example", "Content-Type: application/json",
                              "Authorization: Bearer " + std::string(kAdminToken)},
                  .body = R"({"entry":"0.0.0.0/0"})"})
                .status,
            403);
  EXPECT_EQ(Http({.method = "DELETE",
                  .url = url + "/v1/indicators/45.0.0.1",
                  .headers = {"Origin: null", "Authorization: Bearer " + std::string(kAdminToken)}})
                .status,
            403);
  // Nothing reached the store.
  EXPECT_FALSE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(42), true, 1));
}

TEST_F(HardeningTest, OurOwnHostsAndOriginAreAccepted) {
  const std::string url = daemon_.url();
  std::string port = std::to_string(PortOf(url));
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "localhost"}) {
    EXPECT_EQ(Get(url + "/healthz", {"Host: " + host}).status, 200) << host;
  }
  HttpResult result =
      Http({.method = "POST",
            .url = url + "/v1/findings",
            .headers = {"Origin: http://127.0.0.1:" + port, "Content-Type: application/json",
                        "Authorization: Bearer " + std::string(kIngestToken)},
            .body = IpEvent(3)});
  EXPECT_EQ(result.status, 200) << result.body;
}

// Reads a raw response and says whether anything follows the head.
bool HasBodyAfterHead(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  return end == std::string::npos || raw.size() > end + 4;
}

TEST_F(HardeningTest, HeadNeverCarriesABodyOnAnyStatus) {
  uint16_t port = PortOf(daemon_.url());
  for (std::string_view path :
       {"/feeds/fortigate_ip", "/nothing", "/v1/indicators", "/v1/findings", "/healthz"}) {
    std::string raw = RawExchange(
        port,
        "HEAD " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        3);
    ASSERT_THAT(raw, StartsWith("HTTP/1.1 ")) << path;
    EXPECT_FALSE(HasBodyAfterHead(raw)) << path << ":\n" << raw;
  }
}

// A GET with a trickled body held a connection the cap could never shed.
TEST_F(HardeningTest, BodyOnGetIsRefusedAndTheConnectionClosed) {
  std::string reply =
      RawExchange(PortOf(daemon_.url()),
                  "GET /feeds/fortigate_ip HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 65536\r\n\r\n{",
                  3);
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 400")) << reply;
  EXPECT_THAT(reply, HasSubstr("Connection: close"));
}

TEST_F(HardeningTest, RefusedRequestsAreLoggedAndCountedByReason) {
  EXPECT_EQ(Http({.method = "POST",
                  .url = daemon_.url() + "/v1/findings",
                  .headers = {"Content-Type: application/json"},
                  .body = IpEvent(1)})
                .status,
            401);
  EXPECT_EQ(PostFindings(daemon_.url(), IpEvent(1), "text/plain").status, 415);
  std::string metrics = Metrics(daemon_);
  EXPECT_THAT(metrics, HasSubstr(R"(guardfeed_ingest_failures_total{reason="unauthorized"} 1)"));
  EXPECT_THAT(metrics,
              HasSubstr(R"(guardfeed_ingest_failures_total{reason="unsupported_media_type"} 1)"));
  EXPECT_THAT(metrics, HasSubstr(R"(guardfeed_requests_refused_total{reason="unauthorized")"));
  EXPECT_TRUE(WaitFor([&] {
    return daemon_.Stderr().find("refused client=127.0.0.1") != std::string::npos &&
           daemon_.Stderr().find("reason=unsupported_media_type") != std::string::npos;
  }));
  EXPECT_THAT(daemon_.Stderr(), Not(HasSubstr(kIngestToken)));
}

// A request whose headers the server has read and whose body is still coming: a busy connection.
// It asks for 100 Continue, so the test knows the server has read its headers; a connection shed
// before that (it still looked idle) is replaced. Returns -1 when the server never answers.
int BusyConnection(uint16_t port) {
  const std::string head = "POST /v1/findings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                           std::string(kIngestToken) +
                           "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
                           "Expect: 100-continue\r\n\r\n";
  for (int attempt = 0; attempt < 20; ++attempt) {
    int fd = ConnectLoopback(port);
    (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    std::string reply;
    char chunk[256];
    pollfd readable{.fd = fd, .events = POLLIN, .revents = 0};
    while (reply.find("\r\n\r\n") == std::string::npos && ::poll(&readable, 1, 5000) == 1) {
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      reply.append(chunk, static_cast<size_t>(n));
    }
    if (reply.starts_with("HTTP/1.1 100")) {
      (void)::send(fd, "{", 1, MSG_NOSIGNAL);
      return fd;
    }
    ::close(fd);
  }
  return -1;
}

TEST(HardeningConnections, ConnectionsPastTheCapShedIdleOnesThenGet503) {
  DaemonOptions options = BigBodies();
  options.server_toml += "max_connections = 3\nbody_timeout = \"20s\"\n";
  Daemon daemon(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  uint16_t port = PortOf(daemon.url());
  // Idle connections (nothing sent yet) make room for new ones.
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(ConnectLoopback(port));
  EXPECT_TRUE(WaitFor([&] { return Get(daemon.url() + "/healthz").status == 200; }));
  // Busy connections are never shed: past the cap a new connection gets 503 and is closed.
  std::vector<int> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(BusyConnection(port));
    ASSERT_GE(busy.back(), 0) << "the server never read a busy connection's headers";
  }
  // Closed idle connections may still count until the server notices: ask until it has.
  std::string reply;
  EXPECT_TRUE(WaitFor([&] {
    reply = RawExchange(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 3);
    return reply.starts_with("HTTP/1.1 503");
  })) << reply;
  for (int fd : busy) ::close(fd);
  for (int fd : idle) ::close(fd);
  EXPECT_TRUE(WaitFor([&] { return Get(daemon.url() + "/healthz").status == 200; }));
  EXPECT_THAT(Metrics(daemon), HasSubstr(R"(reason="too_many_connections")"));
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

std::string Archived(const std::string& event) {
  std::string out = event;
  size_t at = out.find("\"archived\":false");
  if (at != std::string::npos) out.replace(at, 16, "\"archived\":true");
  return out;
}

TEST_F(HardeningTest, ShrinkGuardKeepsServingTheFeedUntilAnOperatorAccepts) {
  std::string events;
  for (uint32_t i = 0; i < 10; ++i) events += IpEvent(100 + i) + "\n";
  ASSERT_EQ(PostFindings(daemon_.url(), events, "application/x-ndjson").status, 200);
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(109)));
  // Every finding archived at once (a mass archive, a script gone wrong): the feed would empty.
  std::string archived;
  for (uint32_t i = 0; i < 10; ++i) archived += Archived(IpEvent(100 + i)) + "\n";
  ASSERT_EQ(PostFindings(daemon_.url(), archived, "application/x-ndjson").status, 200);
  EXPECT_TRUE(WaitFor([&] {
    return Metrics(daemon_).find(R"(guardfeed_feed_held_back{feed="fortigate_ip"} 1)") !=
           std::string::npos;
  }));
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(109)));
  EXPECT_THAT(daemon_.Stderr(), HasSubstr("shrink_guard feed=fortigate_ip held_back"));
  HttpResult accepted = Admin("POST", daemon_.url() + "/v1/feeds/fortigate_ip/accept");
  EXPECT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(109), false));
}

TEST(HardeningPublish, FailedPublishIsRetriedWithoutAStoreChange) {
  DaemonOptions options;
  Daemon daemon(options);
  const std::string pub = daemon.dir() + "/pub";
  options.extra_toml = "[publish]\ndirectory = \"" + pub + "\"\n";
  daemon.WriteConfig(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  ASSERT_EQ(PostFindings(daemon.url(), IpEvent(1)).status, 200);
  auto published = [&](uint32_t i) {
    std::ifstream in(pub + "/fortigate_ip.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find(AttackerIp(i)) != std::string::npos;
  };
  const std::string target = "{target=\"file://" + pub + "\"}";
  auto failures_are = [&](int n) {
    return Metrics(daemon).find("guardfeed_publish_target_consecutive_failures" + target + " " +
                                std::to_string(n)) != std::string::npos;
  };
  // The whole publish is done: its last step records the entry counts beside the files.
  auto recorded = [&] {
    std::ifstream in(pub + "/.guardfeed-entries");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find("fortigate_ip.txt 1\n") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return published(1) && recorded(); }));
  // The target breaks: the directory becomes a file.
  std::filesystem::remove_all(pub);
  std::ofstream(pub) << "not a directory\n";
  ASSERT_EQ(PostFindings(daemon.url(), IpEvent(2)).status, 200);
  EXPECT_TRUE(WaitFor([&] { return failures_are(1); }));
  // It heals; nothing changes in the store, yet the daemon publishes by itself.
  std::filesystem::remove(pub);
  std::filesystem::create_directories(pub);
  EXPECT_TRUE(WaitFor([&] { return published(2) && failures_are(0); }, 30));
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

TEST(HardeningExpiry, DaemonDeletesIndicatorsExpiredLongerThanTheRetention) {
  Daemon daemon;
  // Seen in 2001 (the tests' configuration takes the time of receipt as last seen): expired for
  // decades, far past the default 7-day retention. Written by the CLI before the daemon starts.
  std::string file = daemon.dir() + "/old.json";
  std::ofstream(file) << IpEvent(77);
  std::string command = std::string(GUARDFEED_EXE) + " -c " + daemon.config_path() +
                        " --now 1000000000 ingest " + file + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  EXPECT_TRUE(WaitFor([&] {
    return daemon.Stderr().find("expire deleted_indicators=1") != std::string::npos;
  })) << daemon.Stderr();
  HttpResult explained = Admin("GET", daemon.url() + "/v1/indicators/" + AttackerIp(77));
  EXPECT_EQ(explained.status, 404) << explained.body;
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

// Restarted on the wrong store (a typo in store.url): the feeds would be served empty while the
// publish directory still holds the lists. They are answered 503 until an operator accepts.
TEST(HardeningRestart, WrongStoreAfterARestartServesNoEmptyFeed) {
  DaemonOptions options;
  Daemon daemon(options);
  options.extra_toml = "[publish]\ndirectory = \"" + daemon.dir() +
                       "/pub\"\n\n[[consumers]]\nname = \"cp\"\ntoken = \"cp-token-0123\"\n"
                       "formats = [\"checkpoint\"]\n";
  daemon.WriteConfig(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::string events;
  for (uint32_t i = 0; i < 10; ++i) events += IpEvent(i) + "\n";
  ASSERT_EQ(PostFindings(daemon.url(), events, "application/x-ndjson").status, 200);
  ASSERT_TRUE(FeedEventuallyContains(daemon, "fortigate_ip", AttackerIp(5)));
  ASSERT_TRUE(
      WaitFor([&] { return std::filesystem::exists(daemon.dir() + "/pub/fortigate_ip.txt"); }));
  ASSERT_EQ(daemon.Stop(SIGTERM), 0);
  options.store_file = "guardfeed-typo.db";
  daemon.WriteConfig(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  HttpResult held = Get(daemon.url() + "/feeds/fortigate_ip");
  EXPECT_EQ(held.status, 503) << held.body;
  EXPECT_EQ(held.Header("retry-after"), "60");
  EXPECT_THAT(Metrics(daemon), HasSubstr(R"(guardfeed_feed_held_back{feed="fortigate_ip"} 1)"));
  // The consumer's list is held with its feed; the SecIntel paths tell neither the feed (not
  // SecIntel) nor the list apart from a name that does not exist.
  EXPECT_EQ(Get(daemon.url() + "/feeds/fortigate_ip", {"Authorization: Bearer cp-token-0123"})
                .status,
            503);
  for (const char* path : {"/fortigate_ip", "/secintel/fortigate_ip", "/fortigate_ip@checkpoint",
                           "/secintel/fortigate_ip@checkpoint"}) {
    EXPECT_EQ(Get(daemon.url() + path).status, 404) << path;
  }
  // The SecIntel feed is held too: no manifest at all rather than one without it (an SRX would
  // drop the feed).
  EXPECT_EQ(Get(daemon.url() + "/secintel/gd_ip_feed").status, 503);
  EXPECT_EQ(Get(daemon.url() + "/manifest.xml").status, 503);
  EXPECT_EQ(Get(daemon.url() + "/secintel/manifest.xml").status, 503);
  std::ifstream in(daemon.dir() + "/pub/fortigate_ip.txt");
  std::string published((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(published.find(AttackerIp(5)), std::string::npos);
  // A feed that was empty before is served as it is.
  EXPECT_EQ(Get(daemon.url() + "/feeds/blocked_domains").status, 200);
  // One new finding on the wrong store: 10 entries to 1 is still far past the limit, served and
  // published (the publish directory's own record says what it holds).
  ASSERT_EQ(PostFindings(daemon.url(), IpEvent(50)).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // past the render debounce
  EXPECT_EQ(Get(daemon.url() + "/feeds/fortigate_ip").status, 503);
  std::ifstream again(daemon.dir() + "/pub/fortigate_ip.txt");
  std::string still((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  EXPECT_NE(still.find(AttackerIp(5)), std::string::npos);
  EXPECT_EQ(Admin("POST", daemon.url() + "/v1/feeds/fortigate_ip/accept").status, 202);
  EXPECT_TRUE(WaitFor([&] { return Get(daemon.url() + "/feeds/fortigate_ip").status == 200; }));
  EXPECT_EQ(daemon.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace guardfeed::testing
