#include "lambda/runtime_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>

namespace guardfeed::lambda {
namespace {

std::string Header(const HttpResponse& response, const std::string& lowercase_name) {
  auto it = response.headers.find(lowercase_name);
  return it == response.headers.end() ? std::string() : it->second;
}

// Request ids are UUIDs; anything else in a URL path would be a protocol violation.
bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string ErrorDocument(const RuntimeError& error) {
  boost::json::object document{{"errorMessage", error.message},
                               {"errorType", error.type},
                               {"stackTrace", boost::json::array()}};
  return boost::json::serialize(document);
}

RuntimeApi::RuntimeApi(std::string endpoint)
    : base_("http://" + std::move(endpoint) + "/2018-06-01/runtime") {}

Result<Invocation> RuntimeApi::Next() {
  HttpRequest request;
  request.url = base_ + "/invocation/next";
  request.timeout = std::chrono::milliseconds(0);  // curl: none; the service decides when
  Result<HttpResponse> response = client_.Send(request);
  if (!response.ok()) return response.status().WithContext("runtime API: next invocation");
  if (response->status != 200) {
    return Status::Remote("runtime API: next invocation answered HTTP " +
                          std::to_string(response->status));
  }
  Invocation invocation;
  invocation.request_id = Header(*response, "lambda-runtime-aws-request-id");
  if (!IsSafeRequestId(invocation.request_id)) {
    return Status::Remote("runtime API: next invocation without a usable request id");
  }
  std::string deadline = Header(*response, "lambda-runtime-deadline-ms");
  std::from_chars(deadline.data(), deadline.data() + deadline.size(), invocation.deadline_ms);
  invocation.function_arn = Header(*response, "lambda-runtime-invoked-function-arn");
  invocation.trace_id = Header(*response, "lambda-runtime-trace-id");
  invocation.event = std::move(response->body);
  return invocation;
}

Status RuntimeApi::Respond(std::string_view request_id, std::string_view body) {
  if (!IsSafeRequestId(request_id)) return Status::InvalidArgument("bad request id");
  return Post("/invocation/" + std::string(request_id) + "/response", std::string(body), "");
}

Status RuntimeApi::Fail(std::string_view request_id, const RuntimeError& error) {
  if (!IsSafeRequestId(request_id)) return Status::InvalidArgument("bad request id");
  return Post("/invocation/" + std::string(request_id) + "/error", ErrorDocument(error),
              error.type);
}

Status RuntimeApi::FailInit(const RuntimeError& error) {
  return Post("/init/error", ErrorDocument(error), error.type);
}

Status RuntimeApi::Post(const std::string& path, std::string body, const std::string& error_type) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_ + path;
  request.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) request.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
  request.body = std::move(body);
  Result<HttpResponse> response = client_.Send(request);
  if (!response.ok()) return response.status().WithContext("runtime API: POST " + path);
  if (response->status != 202) {
    return Status::Remote("runtime API: POST " + path + " answered HTTP " +
                          std::to_string(response->status) + ": " + response->body.substr(0, 200));
  }
  return Status::Ok();
}

}  // namespace guardfeed::lambda
