// HTTP for the daemon tests: a libcurl client that returns status, headers and the raw body
// (no automatic decompression, so gzip bytes can be checked), and raw-socket helpers for
// malformed and deliberately slow requests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace guardfeed::testing {

struct HttpResult {
  long status = 0;                             // 0: transport error (see error)
  std::map<std::string, std::string> headers;  // names lowercased; last value wins
  std::vector<std::pair<std::string, std::string>> all_headers;
  std::string body;
  std::string error;

  std::string Header(const std::string& lowercase_name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  bool insecure_tls = false;
  long timeout_seconds = 30;
};

HttpResult Http(const HttpRequest& request);
HttpResult Get(const std::string& url, std::vector<std::string> headers = {});

// POST /v1/findings with the ingest token and application/json.
HttpResult PostFindings(const std::string& base_url, const std::string& body,
                        std::string content_type = "application/json");
// Admin API call with the admin token.
HttpResult Admin(const std::string& method, const std::string& url, const std::string& body = "");

// Port of "http://127.0.0.1:PORT".
uint16_t PortOf(const std::string& base_url);
// Connects to 127.0.0.1:port; -1 on failure.
int ConnectLoopback(uint16_t port);
// Sends `data` on a fresh connection and reads until the server closes or `seconds` pass.
std::string RawExchange(uint16_t port, const std::string& data, double seconds = 5);

}  // namespace guardfeed::testing
