// The request and response types shared by the HTTP server and the route handlers.
//
// An HttpResponse either owns its body or borrows it from a shared snapshot it keeps alive, so a
// 1 MB feed is never copied per request.
//
// Thread safety: values; a response is built on one thread and handed to the connection's strand.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace guardfeed::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using RequestHead = boost::beast::http::request_header<>;

struct HttpResponse {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // owned body, used unless `shared` is set
  // A body borrowed from `shared` (e.g. a feed snapshot), kept alive until the write finishes.
  std::shared_ptr<const void> shared;
  std::string_view shared_body;
  // When >= 0, `shared_body` is also the range [file_offset, file_offset + size) of this file
  // descriptor (kept open by `shared`): plain-HTTP connections send it with sendfile(2).
  int file_fd = -1;
  uint64_t file_offset = 0;
  // HEAD: send Content-Length of the body but not the body itself.
  bool omit_body = false;
  // Close the connection after this response (errors that leave unread input behind).
  bool close = false;
  // For a refused request (4xx): a short fixed label for logs and metrics ("bad_origin",
  // "unauthorized", ...); the dispatcher derives one from the status when empty. Static text only:
  // it becomes a Prometheus label value.
  std::string_view reason;
  // What the refusal log line says when the body is not a JSON error (an HTML page); empty: taken
  // from the body.
  std::string log_message;

  std::string_view Body() const { return shared ? shared_body : std::string_view(body); }
  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// {"...": ...} with Content-Type application/json.
HttpResponse JsonResponse(unsigned status, const boost::json::value& value);
// {"error": message} with Content-Type application/json.
HttpResponse JsonError(unsigned status, std::string_view message);
HttpResponse TextResponse(unsigned status, std::string body);
// A refused request: JsonError with `reason` (a static label, see HttpResponse::reason).
HttpResponse Refusal(unsigned status, std::string_view reason, std::string_view message);

}  // namespace guardfeed::server
