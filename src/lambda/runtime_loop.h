// The custom runtime's main loop: take the next invocation, run the handler, post its response
// or its error, again, until the Runtime API goes away (the service shuts the sandbox down).
// Per invocation it exports _X_AMZN_TRACE_ID (as Lambda's own runtimes do) and tags log lines
// with the request id.
//
// Thread safety: runs on the calling thread; one loop per process.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "lambda/runtime_api.h"

namespace guardfeed::lambda {

// The handler answers an invocation with a JSON response, or fails: InvalidArgument for events it
// cannot handle (error type "guardfeed.InvalidEvent"), Unavailable and IoError for AWS or store
// trouble worth retrying ("guardfeed.Unavailable"), DeadlineExceeded-like ResourceExhausted when
// it ran out of time ("guardfeed.Timeout"), anything else "guardfeed.Error".
using InvocationHandler = std::function<Result<std::string>(const Invocation&)>;

struct RuntimeLoopOptions {
  // Stop after this many invocations (tests); 0 = until the Runtime API fails.
  int max_invocations = 0;
};

// The Runtime API error type for a handler failure.
std::string ErrorTypeOf(const Status& status);

// Returns the error that ended the loop (Next failing), or OK after max_invocations.
Status RunRuntimeLoop(RuntimeApi& api, const InvocationHandler& handler,
                      RuntimeLoopOptions options = {});

}  // namespace guardfeed::lambda
