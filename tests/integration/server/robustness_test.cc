// Malformed and hostile HTTP: bad request lines and headers, oversized headers, unknown routes
// and methods, slowloris-style partial requests and stalled bodies (closed by the server's
// timeouts without holding up anyone else), pipelining.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class RobustnessTest : public DaemonTest {
 protected:
  std::string Raw(const std::string& data) { return RawExchange(PortOf(daemon_.url()), data); }
};

TEST_F(RobustnessTest, MalformedRequestsGet400AndTheServerCarriesOn) {
  EXPECT_THAT(Raw("BLAH\r\n\r\n"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Raw("GET /healthz HTTP/7.1\r\n\r\n"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Raw("GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Raw("GET http://x/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
              StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Raw(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n"),
              StartsWith("HTTP/1.1 400"));
  std::string chunked = "POST /v1/findings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        std::string(kIngestToken) +
                        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "zz\r\nabc\r\n0\r\n\r\n";
  EXPECT_THAT(Raw(chunked), StartsWith("HTTP/1.1 400"));
  EXPECT_EQ(Get(daemon_.url() + "/healthz").status, 200);
}

TEST_F(RobustnessTest, OversizedHeadersGet431) {
  std::string request =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_THAT(Raw(request), StartsWith("HTTP/1.1 431"));
}

TEST_F(RobustnessTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(Get(daemon_.url() + "/nothing/here").status, 404);
  HttpResult wrong_method =
      Http({.method = "PUT", .url = daemon_.url() + "/v1/findings", .body = "x"});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("allow"), "POST");
  EXPECT_EQ(Http({.method = "DELETE", .url = daemon_.url() + "/feeds/fortigate_ip"}).status, 405);
}

TEST_F(RobustnessTest, PipelinedRequestsAreAnsweredInOrder) {
  std::string reply =
      Raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  size_t first = reply.find("HTTP/1.1 200");
  size_t second = reply.find("HTTP/1.1 404");
  ASSERT_NE(first, std::string::npos) << reply;
  ASSERT_NE(second, std::string::npos) << reply;
  EXPECT_LT(first, second);
}

// Reads until EOF or `seconds`; true when the server closed the connection.
bool ClosedByServer(int fd, double seconds) {
  timeval timeout{static_cast<time_t>(seconds), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  char buffer[4096];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

TEST_F(RobustnessTest, SlowlorisConnectionsTimeOutWithoutBlockingOthers) {
  uint16_t port = PortOf(daemon_.url());
  std::vector<int> slow;
  for (int i = 0; i < 50; ++i) {
    int fd = ConnectLoopback(port);
    ASSERT_GE(fd, 0);
    std::string partial = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    ASSERT_GT(send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
    slow.push_back(fd);
  }
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    while (trickling) {
      for (int fd : slow) send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  // Everyone else is served while the slow clients trickle.
  for (int i = 0; i < 20; ++i) {
    HttpResult result = Http({.url = daemon_.url() + "/healthz", .timeout_seconds = 5});
    EXPECT_EQ(result.status, 200) << result.error;
  }
  // header_timeout is 1 s in the test configuration: every slow connection gets closed.
  for (int fd : slow) EXPECT_TRUE(ClosedByServer(fd, 10));
  trickling = false;
  trickle.join();
  for (int fd : slow) close(fd);
}

TEST_F(RobustnessTest, StalledBodiesTimeOut) {
  int fd = ConnectLoopback(PortOf(daemon_.url()));
  ASSERT_GE(fd, 0);
  std::string head = "POST /v1/findings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     std::string(kIngestToken) +
                     "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"a\":";
  ASSERT_GT(send(fd, head.data(), head.size(), MSG_NOSIGNAL), 0);
  EXPECT_EQ(Get(daemon_.url() + "/healthz").status, 200);
  EXPECT_TRUE(ClosedByServer(fd, 10));  // body_timeout is 2 s
  close(fd);
  // An idle connection that never sends anything is closed too.
  int idle = ConnectLoopback(PortOf(daemon_.url()));
  EXPECT_TRUE(ClosedByServer(idle, 10));
  close(idle);
}

TEST_F(RobustnessTest, ClientsHangingUpMidResponseDoNotHurtTheServer) {
  // A feed large enough to be sent with sendfile, and clients that leave before reading it
  // (sendfile has no MSG_NOSIGNAL: this once killed the daemon with SIGPIPE).
  for (uint32_t from = 30000; from < 36000; from += 1000) {
    std::string body;
    for (uint32_t i = from; i < from + 1000; ++i) body += IpEvent(i) + "\n";
    ASSERT_EQ(PostFindings(daemon_.url(), body, "application/x-ndjson").status, 200);
  }
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(35999)));
  std::string request = "GET /feeds/fortigate_ip HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (int i = 0; i < 40; ++i) {
    int fd = ConnectLoopback(PortOf(daemon_.url()));
    ASSERT_GE(fd, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    // Read part of the response, drain what has arrived, then leave: the server is mid-body.
    char buffer[4096];
    for (int reads = 0; reads < 1 + i % 4; ++reads) recv(fd, buffer, sizeof(buffer), 0);
    while (recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT) > 0) {
    }
    if (i % 3 == 2) {
      linger reset{1, 0};  // some leave with RST, the others with FIN
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    }
    close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Get(daemon_.url() + "/healthz").status, 200);
  HttpResult feed = Get(daemon_.url() + "/feeds/fortigate_ip");
  EXPECT_EQ(feed.Header("x-feed-entries"), "6000");
}

TEST_F(RobustnessTest, ExpectContinueIsHonouredAndRejectedEarly) {
  std::string body = IpEvent(7000);
  std::string request = "POST /v1/findings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        std::string(kIngestToken) +
                        "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                        "Connection: close\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n";
  int fd = ConnectLoopback(PortOf(daemon_.url()));
  ASSERT_GT(send(fd, request.data(), request.size(), MSG_NOSIGNAL), 0);
  char buffer[256];
  ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
  ASSERT_GT(n, 0);
  EXPECT_THAT(std::string(buffer, static_cast<size_t>(n)), StartsWith("HTTP/1.1 100"));
  ASSERT_GT(send(fd, body.data(), body.size(), MSG_NOSIGNAL), 0);
  std::string rest;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) rest.append(buffer, static_cast<size_t>(n));
  close(fd);
  EXPECT_THAT(rest, HasSubstr("HTTP/1.1 200"));
  // Too large or unauthorised: the final status comes instead of 100 Continue.
  std::string big = "POST /v1/findings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    std::string(kIngestToken) +
                    "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    "Content-Length: 99999999\r\n\r\n";
  EXPECT_THAT(Raw(big), StartsWith("HTTP/1.1 413"));
}

}  // namespace
}  // namespace guardfeed::testing
