// HttpClient: the small blocking HTTPS client (libcurl) publishers use to talk to S3, the AWS
// credential endpoints and Juniper ATP Cloud. TLS is always verified; there is no switch to turn
// it off. Bodies are raw bytes or multipart/form-data parts (FormPart) that libcurl encodes.
//
// Thread safety: one HttpClient per thread (it reuses one curl handle and its connections).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace guardfeed {

// One part of a multipart/form-data body (RFC 7578), e.g. {"file", "servers.csv", "text/csv",
// csv}. libcurl writes the part headers and picks a boundary that does not occur in `data`.
struct FormPart {
  std::string name;          // form field name; required
  std::string filename;      // "" sends no filename (a plain field)
  std::string content_type;  // "" lets libcurl choose (text/plain for fields)
  std::string data;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given, in order
  // The body, sent as given (not for GET and HEAD). Ignored when `form` is not empty.
  std::string body;
  // When not empty the body is multipart/form-data built from these parts (libcurl's MIME API),
  // with its Content-Type and boundary; any other method than GET and HEAD may carry it.
  std::vector<FormPart> form;
  std::chrono::milliseconds timeout{30000};  // whole request
  std::chrono::milliseconds connect_timeout{5000};
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; repeated headers joined ", "
  std::string body;
};

struct HttpClientOptions {
  // CA bundle file for TLS verification; "" uses the system bundle: libcurl's own, else the first
  // of the usual distribution paths (Amazon Linux keeps it elsewhere than Debian). Default "".
  std::string ca_file;
  // Never follow redirects unless asked (S3 answers 301/307 with a body we must read).
  bool follow_redirects = false;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request. Any HTTP status is a successful Result; Unavailable on network errors
  // (connection refused, timeout, TLS failure) with curl's message and the URL (never headers).
  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace guardfeed
