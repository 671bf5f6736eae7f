// LocalHttpServer: a tiny blocking HTTP/1.1 server on 127.0.0.1 for tests that need a real peer
// (HttpClient, the AWS container credentials endpoint, EC2 instance metadata). One connection at
// a time, one request per connection ("Connection: close"). Records every request it answers.
//
// Thread safety: Requests() and the handler run on different threads; both are guarded.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace guardfeed::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

struct CannedResponse {
  CannedResponse(int status_code = 200,  // NOLINT: implicit from a status by design
                 std::vector<std::pair<std::string, std::string>> response_headers = {},
                 std::string response_body = "", int delay = 0)
      : status(status_code),
        headers(std::move(response_headers)),
        body(std::move(response_body)),
        delay_ms(delay) {}

  int status;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int delay_ms;  // wait before answering (timeouts)
};

class LocalHttpServer {
 public:
  using Handler = std::function<CannedResponse(const ReceivedRequest&)>;

  explicit LocalHttpServer(Handler handler);
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<ReceivedRequest> Requests() const;

 private:
  void Serve();
  void HandleConnection(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace guardfeed::testing
