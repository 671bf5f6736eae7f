// RuntimeApi against a local HTTP peer that plays the Lambda service's side of the documented
// protocol (paths, headers, status codes) and records every request.
#include "lambda/runtime_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/local_http_server.h"

namespace guardfeed::lambda {
namespace {

using ::guardfeed::testing::CannedResponse;
using ::guardfeed::testing::LocalHttpServer;
using ::guardfeed::testing::ReceivedRequest;
using ::testing::HasSubstr;

constexpr const char* kRequestId = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

std::string Endpoint(const LocalHttpServer& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

TEST(RuntimeApi, NextReadsTheInvocationHeadersAndEvent) {
  LocalHttpServer service([](const ReceivedRequest&) {
    return CannedResponse(200,
                          {{"Lambda-Runtime-Aws-Request-Id", kRequestId},
                           {"Lambda-Runtime-Deadline-Ms", "1542409706888"},
                           {"Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-2:123456789012:function:guardfeed"},
                           {"Lambda-Runtime-Trace-Id",
                            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419"}},
                          R"({"detail-type":"Scheduled Event"})");
  });
  RuntimeApi api(Endpoint(service));
  Result<Invocation> invocation = api.Next();
  ASSERT_TRUE(invocation.ok()) << invocation.status().ToString();
  EXPECT_EQ(invocation->request_id, kRequestId);
  EXPECT_EQ(invocation->deadline_ms, 1542409706888);
  EXPECT_THAT(invocation->function_arn, HasSubstr("function:guardfeed"));
  EXPECT_THAT(invocation->trace_id, HasSubstr("Root=1-5bef4de7"));
  EXPECT_EQ(invocation->event, R"({"detail-type":"Scheduled Event"})");
  std::vector<ReceivedRequest> requests = service.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/invocation/next");
}

TEST(RuntimeApi, NextWithoutARequestIdFails) {
  LocalHttpServer service([](const ReceivedRequest&) { return CannedResponse(200, {}, "{}"); });
  RuntimeApi api(Endpoint(service));
  Result<Invocation> invocation = api.Next();
  ASSERT_FALSE(invocation.ok());
  EXPECT_THAT(invocation.status().message(), HasSubstr("request id"));
}

TEST(RuntimeApi, RequestIdsThatWouldBendThePathAreRefused) {
  LocalHttpServer service([](const ReceivedRequest&) {
    return CannedResponse(200, {{"Lambda-Runtime-Aws-Request-Id", "../init/error"}}, "{}");
  });
  RuntimeApi api(Endpoint(service));
  EXPECT_FALSE(api.Next().ok());
  EXPECT_FALSE(api.Respond("a/b", "{}").ok());
  EXPECT_EQ(service.Requests().size(), 1u);  // nothing was posted
}

TEST(RuntimeApi, RespondFailAndFailInitPostTheDocumentedRequests) {
  LocalHttpServer service([](const ReceivedRequest&) { return CannedResponse(202, {}, "{}"); });
  RuntimeApi api(Endpoint(service));
  ASSERT_TRUE(api.Respond(kRequestId, R"({"ok":true})").ok());
  ASSERT_TRUE(api.Fail(kRequestId, {"Runtime.UnsupportedEvent", "unsupported event"}).ok());
  ASSERT_TRUE(api.FailInit({"Runtime.ConfigError", "no feeds"}).ok());
  std::vector<ReceivedRequest> requests = service.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, std::string("/2018-06-01/runtime/invocation/") + kRequestId +
                                    "/response");
  EXPECT_EQ(requests[0].body, R"({"ok":true})");
  EXPECT_EQ(requests[1].target,
            std::string("/2018-06-01/runtime/invocation/") + kRequestId + "/error");
  EXPECT_EQ(requests[1].headers["lambda-runtime-function-error-type"], "Runtime.UnsupportedEvent");
  boost::json::value error = boost::json::parse(requests[1].body);
  EXPECT_EQ(error.at("errorType").as_string(), "Runtime.UnsupportedEvent");
  EXPECT_EQ(error.at("errorMessage").as_string(), "unsupported event");
  EXPECT_TRUE(error.at("stackTrace").is_array());
  EXPECT_EQ(requests[2].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[2].headers["lambda-runtime-function-error-type"], "Runtime.ConfigError");
}

TEST(RuntimeApi, AnAnswerOtherThan202IsAnError) {
  LocalHttpServer service([](const ReceivedRequest&) {
    return CannedResponse(413, {}, R"({"errorMessage":"payload too large"})");
  });
  RuntimeApi api(Endpoint(service));
  Status status = api.Respond(kRequestId, "{}");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("413"));
}

TEST(RuntimeApi, AnUnreachableServiceIsUnavailable) {
  RuntimeApi api("127.0.0.1:1");
  Result<Invocation> invocation = api.Next();
  ASSERT_FALSE(invocation.ok());
  EXPECT_EQ(invocation.status().code(), Status::Code::kUnavailable);
}

}  // namespace
}  // namespace guardfeed::lambda
