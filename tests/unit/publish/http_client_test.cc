#include "publish/http_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "local_http_server.h"

namespace guardfeed {
namespace {

using testing::CannedResponse;
using testing::LocalHttpServer;
using testing::ReceivedRequest;

HttpRequest Request(std::string method, std::string url,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    std::string body = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

TEST(HttpClient, GetReturnsStatusBodyAndLowercasedJoinedHeaders) {
  LocalHttpServer server([](const ReceivedRequest&) {
    return CannedResponse{201, {{"X-Thing", "a"}, {"x-thing", "b"}, {"ETag", "\"e\""}}, "hello"};
  });
  HttpClient client;
  Result<HttpResponse> response = client.Send(Request("GET", server.base_url() + "/p?q=1"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->headers["x-thing"], "a, b");
  EXPECT_EQ(response->headers["etag"], "\"e\"");
  EXPECT_EQ(server.Requests().at(0).target, "/p?q=1");
}

TEST(HttpClient, PutSendsBodyAndOnlyOurHeaders) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{}; });
  HttpClient client;
  HttpRequest request =
      Request("PUT", server.base_url() + "/k", {{"Host", "bucket.example"}, {"X-Amz-Meta-A", "1"}},
              std::string(2 << 20, 'x'));
  ASSERT_TRUE(client.Send(request).ok());
  ReceivedRequest seen = server.Requests().at(0);
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body.size(), size_t{2} << 20);
  EXPECT_EQ(seen.headers["host"], "bucket.example");
  EXPECT_EQ(seen.headers["x-amz-meta-a"], "1");
  EXPECT_FALSE(seen.headers.contains("content-type"));  // curl's form default suppressed
  EXPECT_FALSE(seen.headers.contains("expect"));
}

TEST(HttpClient, EmptyPutStillSendsContentLength) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{}; });
  HttpClient client;
  ASSERT_TRUE(client.Send(Request("PUT", server.base_url() + "/bucket")).ok());
  EXPECT_EQ(server.Requests().at(0).headers["content-length"], "0");
}

TEST(HttpClient, HeadHasNoBody) {
  LocalHttpServer server([](const ReceivedRequest&) {
    return CannedResponse{200, {{"x-amz-meta-entries", "7"}}, "ignored"};
  });
  HttpClient client;
  Result<HttpResponse> response = client.Send(Request("HEAD", server.base_url()));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->headers["x-amz-meta-entries"], "7");
  EXPECT_TRUE(response->body.empty());
}

TEST(HttpClient, ConnectionRefusedIsUnavailableAndNamesTheUrl) {
  int port = 0;
  {
    LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{}; });
    port = server.port();
  }
  HttpClient client;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  Result<HttpResponse> response =
      client.Send(Request("GET", url, {{"Authorization", "SECRET-VALUE"}}));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(response.status().message().find(url), std::string::npos);
  EXPECT_EQ(response.status().message().find("SECRET-VALUE"), std::string::npos);
}

TEST(HttpClient, TimeoutIsUnavailable) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse(200, {}, "", 1500); });
  HttpClient client;
  HttpRequest request = Request("GET", server.base_url());
  request.timeout = std::chrono::milliseconds(300);
  Result<HttpResponse> response = client.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Status::Code::kUnavailable);
}

TEST(HttpClient, DoesNotFollowRedirectsUnlessAsked) {
  LocalHttpServer server([](const ReceivedRequest& request) {
    if (request.target == "/from") return CannedResponse{307, {{"Location", "/to"}}, "moved"};
    return CannedResponse{200, {}, "arrived"};
  });
  HttpClient plain;
  Result<HttpResponse> response = plain.Send(Request("GET", server.base_url() + "/from"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 307);
  EXPECT_EQ(response->body, "moved");
  HttpClientOptions options;
  options.follow_redirects = true;
  HttpClient following(options);
  response = following.Send(Request("GET", server.base_url() + "/from"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, "arrived");
}

// A real TLS peer: `openssl s_server` with a self-signed certificate for 127.0.0.1. Verification
// must fail without the certificate as CA and succeed with it.
class OpensslServer {
 public:
  explicit OpensslServer(const std::filesystem::path& dir) : dir_(dir) {
    std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return;
    LocalHttpServer probe([](const ReceivedRequest&) { return CannedResponse{}; });
    port_ = probe.port();
  }
  bool Start() {
    if (port_ == 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      std::string accept = std::to_string(port_);
      std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert",
             cert.c_str(), "-key", key.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return pid_ > 0;
  }
  ~OpensslServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::string cert() const { return (dir_ / "cert.pem").string(); }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(HttpClient, TlsIsAlwaysVerified) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gf-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    OpensslServer server(dir);
    if (!server.Start()) GTEST_SKIP() << "openssl command line tool not available";
    HttpClient default_store;
    Result<HttpResponse> response = default_store.Send(Request("GET", server.url()));
    ASSERT_FALSE(response.ok()) << "self-signed certificate accepted";
    EXPECT_EQ(response.status().code(), Status::Code::kUnavailable);
    HttpClientOptions options;
    options.ca_file = server.cert();
    HttpClient pinned(options);
    response = pinned.Send(Request("GET", server.url()));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace guardfeed
