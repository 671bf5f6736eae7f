// RuntimeApi: the client side of the AWS Lambda Runtime API that a custom runtime (provided.al2023)
// speaks to the Lambda service: fetch the next invocation, answer it with a response or an
// error, or report that initialisation failed. The protocol, version 2018-06-01, is the one
// documented in the Lambda developer guide ("Using the Lambda runtime API for custom runtimes").
//
// Thread safety: one RuntimeApi per thread (it owns an HttpClient).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/http_client.h"
#include "core/status.h"

namespace guardfeed::lambda {

// One invocation handed out by GET /runtime/invocation/next.
struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;   // Lambda-Runtime-Deadline-Ms: Unix epoch milliseconds
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;      // Lambda-Runtime-Trace-Id (X-Ray), may be empty
  std::string event;         // the event document, as sent
};

// What an error report says (the Runtime API's error body, plus the error type header).
struct RuntimeError {
  std::string type;     // e.g. "Runtime.UnsupportedEvent", "Store.Unavailable"
  std::string message;  // one line, no secrets
};

class RuntimeApi {
 public:
  // `endpoint` is AWS_LAMBDA_RUNTIME_API: "HOST:PORT", no scheme.
  explicit RuntimeApi(std::string endpoint);

  // Blocks until the service hands out an invocation (no timeout: the service may freeze the
  // process while it waits). Fails when the endpoint is unreachable or the answer lacks a request
  // id: the runtime cannot go on and should exit.
  Result<Invocation> Next();
  // POST /runtime/invocation/ID/response with `body` (JSON).
  Status Respond(std::string_view request_id, std::string_view body);
  // POST /runtime/invocation/ID/error: the invocation failed; the loop goes on.
  Status Fail(std::string_view request_id, const RuntimeError& error);
  // POST /runtime/init/error: the runtime could not start; the process exits after it.
  Status FailInit(const RuntimeError& error);

 private:
  Status Post(const std::string& path, std::string body, const std::string& error_type);

  const std::string base_;  // "http://HOST:PORT/2018-06-01/runtime"
  HttpClient client_;
};

// The Runtime API's error document: {"errorMessage":..., "errorType":..., "stackTrace":[]}.
std::string ErrorDocument(const RuntimeError& error);

}  // namespace guardfeed::lambda
