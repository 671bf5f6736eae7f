#include "lambda/runtime_loop.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <chrono>

#include "lambda/json_log.h"

namespace guardfeed::lambda {

std::string ErrorTypeOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return "guardfeed.InvalidEvent";
    case Status::Code::kUnavailable:
    case Status::Code::kIoError:
      return "guardfeed.Unavailable";
    case Status::Code::kResourceExhausted:
      return "guardfeed.Timeout";
    default:
      return "guardfeed.Error";
  }
}

namespace {

void RunOne(RuntimeApi& api, const InvocationHandler& handler, const Invocation& invocation) {
  SetLogRequestId(invocation.request_id);
  if (invocation.trace_id.empty()) {
    unsetenv("_X_AMZN_TRACE_ID");
  } else {
    setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
  }
  auto started = std::chrono::steady_clock::now();
  Result<std::string> response = handler(invocation);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
  Status posted;
  if (response.ok()) {
    posted = api.Respond(invocation.request_id, *response);
    spdlog::info("invocation done duration_ms={:.2f}", ms);
  } else {
    RuntimeError error{ErrorTypeOf(response.status()), response.status().message()};
    spdlog::error("invocation failed error_type={} duration_ms={:.2f} error=\"{}\"", error.type, ms,
                  error.message);
    posted = api.Fail(invocation.request_id, error);
  }
  if (!posted.ok()) spdlog::error("runtime API: {}", posted.ToString());
  SetLogRequestId("");
}

}  // namespace

Status RunRuntimeLoop(RuntimeApi& api, const InvocationHandler& handler,
                      RuntimeLoopOptions options) {
  for (int done = 0; options.max_invocations == 0 || done < options.max_invocations; ++done) {
    Result<Invocation> invocation = api.Next();
    if (!invocation.ok()) return invocation.status();
    RunOne(api, handler, *invocation);
  }
  return Status::Ok();
}

}  // namespace guardfeed::lambda
