#include "aws/http_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/ci_skip.h"
#include "common/local_http_server.h"

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

// The multipart boundary of a request as libcurl chose it ("" when the type is not a form).
std::string Boundary(const ReceivedRequest& request) {
  const std::string prefix = "multipart/form-data; boundary=";
  auto type = request.headers.find("content-type");
  if (type == request.headers.end() || !type->second.starts_with(prefix)) return "";
  return type->second.substr(prefix.size());
}

TEST(HttpClient, FormIsSentAsMultipartWithAFreshBoundary) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{202}; });
  HttpClient client;
  for (const char* method : {"POST", "PATCH", "DELETE"}) {
    HttpRequest request =
        Request(method, server.base_url() + "/cc/file/ip/feed", {{"Authorization", "Bearer t"}});
    request.form = {FormPart{"file", "servers.csv", "text/csv", "192.0.2.1,10\n"}};
    Result<HttpResponse> response = client.Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 202);
  }
  std::vector<ReceivedRequest> seen = server.Requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[1].method, "PATCH");
  EXPECT_EQ(seen[2].method, "DELETE");
  for (const ReceivedRequest& request : seen) {
    const std::string boundary = Boundary(request);
    ASSERT_FALSE(boundary.empty()) << request.headers.at("content-type");
    EXPECT_EQ(request.body, "--" + boundary +
                                "\r\nContent-Disposition: form-data; name=\"file\"; "
                                "filename=\"servers.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                                "192.0.2.1,10\n\r\n--" +
                                boundary + "--\r\n");
    EXPECT_EQ(request.headers.at("content-length"), std::to_string(request.body.size()));
    EXPECT_EQ(request.headers.at("authorization"), "Bearer t");
    EXPECT_FALSE(request.headers.contains("expect"));
  }
}

TEST(HttpClient, FormWithSeveralPartsAndBinaryData) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{}; });
  HttpClient client;
  const std::string binary("a\0b\r\n--x", 8);
  HttpRequest request = Request("POST", server.base_url() + "/upload");
  request.form = {FormPart{"comment", "", "", "hello"},
                  FormPart{"blob", "b.bin", "application/octet-stream", binary}};
  ASSERT_TRUE(client.Send(request).ok());
  const ReceivedRequest seen = server.Requests().at(0);
  const std::string boundary = Boundary(seen);
  ASSERT_FALSE(boundary.empty());
  size_t delimiters = 0;  // two part openings and the closing one
  for (size_t at = seen.body.find("--" + boundary); at != std::string::npos;
       at = seen.body.find("--" + boundary, at + 1)) {
    ++delimiters;
  }
  EXPECT_EQ(delimiters, 3u);
  EXPECT_NE(seen.body.find("name=\"comment\"\r\n\r\nhello\r\n"), std::string::npos);
  EXPECT_NE(seen.body.find("Content-Type: application/octet-stream\r\n\r\n" + binary + "\r\n--" +
                           boundary + "--\r\n"),
            std::string::npos);
}

// The hand-written encoder pasted field and file names into the part header as given, so a
// quote or a line break in them forged part headers.
TEST(HttpClient, FormPartNamesCannotInjectPartHeaders) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{}; });
  HttpClient client;
  HttpRequest request = Request("POST", server.base_url() + "/upload");
  request.form = {FormPart{"f\"; x=\"1", "a\"\r\nX-Forged: 1\r\n.csv", "text/csv", "data"}};
  ASSERT_TRUE(client.Send(request).ok());
  const std::string body = server.Requests().at(0).body;
  EXPECT_EQ(body.find("\r\nX-Forged"), std::string::npos) << body;
  EXPECT_EQ(body.find("x=\"1"), std::string::npos) << body;
}

TEST(HttpClient, FormRefusesACallersContentTypeAndUnnamedParts) {
  LocalHttpServer server([](const ReceivedRequest&) { return CannedResponse{}; });
  HttpClient client;
  HttpRequest typed = Request("POST", server.base_url(), {{"Content-Type", "text/csv"}});
  typed.form = {FormPart{"file", "a.csv", "text/csv", "x"}};
  EXPECT_EQ(client.Send(typed).status().code(), Status::Code::kInvalidArgument);
  HttpRequest unnamed = Request("POST", server.base_url());
  unnamed.form = {FormPart{"", "a.csv", "text/csv", "x"}};
  EXPECT_EQ(client.Send(unnamed).status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(server.Requests().empty());
  // A GET ignores the form, as it ignores a body.
  HttpRequest get = Request("GET", server.base_url());
  get.form = {FormPart{"file", "a.csv", "text/csv", "x"}};
  ASSERT_TRUE(client.Send(get).ok());
  EXPECT_TRUE(server.Requests().at(0).body.empty());
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
    if (!server.Start()) GF_SKIP_UNLESS_CI("openssl command line tool not available");
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
