// The runtime loop against a local peer that plays the Lambda service: it hands out queued
// invocations on GET .../invocation/next and records what the runtime posts back.
#include "lambda/runtime_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <sstream>

#include "common/local_http_server.h"
#include "lambda/json_log.h"

namespace guardfeed::lambda {
namespace {

using ::guardfeed::testing::CannedResponse;
using ::guardfeed::testing::LocalHttpServer;
using ::guardfeed::testing::ReceivedRequest;
using ::testing::HasSubstr;

struct QueuedInvocation {
  std::string id;
  std::string trace;
  std::string event;
};

// Hands out the queued invocations, then answers 500 to end the loop (a service going away).
class FakeLambdaService {
 public:
  explicit FakeLambdaService(std::deque<QueuedInvocation> queue)
      : queue_(std::move(queue)), server_([this](const ReceivedRequest& r) { return Answer(r); }) {}

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<ReceivedRequest> Posts() const {
    std::vector<ReceivedRequest> posts;
    for (ReceivedRequest& request : server_.Requests()) {
      if (request.method == "POST") posts.push_back(std::move(request));
    }
    return posts;
  }

 private:
  CannedResponse Answer(const ReceivedRequest& request) {
    if (request.method == "POST") return CannedResponse(202, {}, R"({"status":"OK"})");
    std::lock_guard lock(mu_);
    if (queue_.empty()) return CannedResponse(500, {}, "shutting down");
    QueuedInvocation next = queue_.front();
    queue_.pop_front();
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Lambda-Runtime-Aws-Request-Id", next.id},
        {"Lambda-Runtime-Deadline-Ms", "4102444800000"}};
    if (!next.trace.empty()) headers.emplace_back("Lambda-Runtime-Trace-Id", next.trace);
    return CannedResponse(200, headers, next.event);
  }

  std::mutex mu_;
  std::deque<QueuedInvocation> queue_;
  LocalHttpServer server_;
};

TEST(RuntimeLoop, AnswersEachInvocationAndGoesOnAfterAFailure) {
  FakeLambdaService service({{"req-1", "Root=1-aaa", R"({"n":1})"},
                             {"req-2", "", R"({"n":"bad"})"},
                             {"req-3", "Root=1-ccc", R"({"n":3})"}});
  RuntimeApi api(service.endpoint());
  std::vector<std::string> traces;
  auto handler = [&](const Invocation& invocation) -> Result<std::string> {
    const char* trace = std::getenv("_X_AMZN_TRACE_ID");
    traces.push_back(trace != nullptr ? trace : "(unset)");
    if (invocation.event.find("bad") != std::string::npos) {
      return Status::InvalidArgument("unsupported event (detail-type \"x\")");
    }
    return std::string(R"({"handled":")") + invocation.request_id + "\"}";
  };
  Status ended = RunRuntimeLoop(api, handler);
  EXPECT_FALSE(ended.ok());  // the service answered 500: the loop ends with that error
  EXPECT_THAT(ended.message(), HasSubstr("500"));
  EXPECT_EQ(traces, (std::vector<std::string>{"Root=1-aaa", "(unset)", "Root=1-ccc"}));

  std::vector<ReceivedRequest> posts = service.Posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].target, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(posts[0].body, R"({"handled":"req-1"})");
  EXPECT_EQ(posts[1].target, "/2018-06-01/runtime/invocation/req-2/error");
  EXPECT_EQ(posts[1].headers["lambda-runtime-function-error-type"], "guardfeed.InvalidEvent");
  EXPECT_THAT(posts[1].body, HasSubstr("unsupported event"));
  EXPECT_EQ(posts[2].target, "/2018-06-01/runtime/invocation/req-3/response");
}

TEST(RuntimeLoop, StopsAfterMaxInvocations) {
  FakeLambdaService service({{"a", "", "{}"}, {"b", "", "{}"}});
  RuntimeApi api(service.endpoint());
  int calls = 0;
  Status ended = RunRuntimeLoop(
      api, [&](const Invocation&) -> Result<std::string> { return std::to_string(++calls); },
      {.max_invocations = 1});
  EXPECT_TRUE(ended.ok()) << ended.ToString();
  EXPECT_EQ(calls, 1);
}

TEST(RuntimeLoop, ErrorTypesSayWhetherARetryCanHelp) {
  EXPECT_EQ(ErrorTypeOf(Status::InvalidArgument("x")), "guardfeed.InvalidEvent");
  EXPECT_EQ(ErrorTypeOf(Status::Unavailable("x")), "guardfeed.Unavailable");
  EXPECT_EQ(ErrorTypeOf(Status::IoError("x")), "guardfeed.Unavailable");
  EXPECT_EQ(ErrorTypeOf(Status::ResourceExhausted("x")), "guardfeed.Timeout");
  EXPECT_EQ(ErrorTypeOf(Status::Internal("x")), "guardfeed.Error");
}

TEST(JsonLogFormatter, OneParsableObjectPerLineWithTheRequestId) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(std::make_unique<JsonLogFormatter>());
  spdlog::logger logger("json-test", sink);
  SetLogRequestId("8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  logger.warn("a \"quoted\"\nmessage");
  SetLogRequestId("");
  logger.info("between invocations");
  std::istringstream lines(out.str());
  std::string first, second;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  boost::json::object one = boost::json::parse(first).as_object();
  EXPECT_EQ(one.at("level").as_string(), "WARN");
  EXPECT_EQ(one.at("message").as_string(), "a \"quoted\"\nmessage");
  EXPECT_EQ(one.at("requestId").as_string(), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  std::string timestamp(one.at("timestamp").as_string());
  EXPECT_EQ(timestamp.size(), 24u) << timestamp;  // 2026-12-01T18:00:00.123Z
  EXPECT_EQ(timestamp.back(), 'Z');
  boost::json::object two = boost::json::parse(second).as_object();
  EXPECT_FALSE(two.contains("requestId"));
}

}  // namespace
}  // namespace guardfeed::lambda
