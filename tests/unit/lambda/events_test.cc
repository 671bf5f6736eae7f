#include "lambda/events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace guardfeed::lambda {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kFindingEvent = R"({"version":"0","id":"c8c4daa7-a20c-2f03-0070-b7393dd542ad",
 "detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"123456789012",
 "time":"2026-11-30T12:00:00Z","region":"us-east-1","resources":[],
 "detail":{"schemaVersion":"2.0","id":"f1","type":"Recon:EC2/PortProbeUnprotectedPort"}})";

TEST(ClassifyEvent, EventBridgeGuardDutyFinding) {
  Result<LambdaEvent> event = ClassifyEvent(kFindingEvent);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kFinding);
}

TEST(ClassifyEvent, BareFindingAsAConsoleTestInvokeSends) {
  Result<LambdaEvent> event =
      ClassifyEvent(R"({"schemaVersion":"2.0","id":"f1","type":"Backdoor:EC2/C&CActivity.B"})");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kFinding);
}

TEST(ClassifyEvent, SqsBatchKeepsMessageIdsAndBodies) {
  Result<LambdaEvent> event = ClassifyEvent(R"({"Records":[
    {"messageId":"059f36b4-87a3-44ab-83d2-661975830a7d","receiptHandle":"AQEB","body":"{\"a\":1}",
     "attributes":{},"messageAttributes":{},"md5OfBody":"x","eventSource":"aws:sqs",
     "eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:q","awsRegion":"us-east-1"},
    {"messageId":"2e1424d4-f796-459a-8184-9c92662be6da","body":"second","eventSource":"aws:sqs"}]})");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kSqsBatch);
  ASSERT_EQ(event->records.size(), 2u);
  EXPECT_EQ(event->records[0].message_id, "059f36b4-87a3-44ab-83d2-661975830a7d");
  EXPECT_EQ(event->records[0].body, R"({"a":1})");
  EXPECT_EQ(event->records[1].body, "second");
}

TEST(ClassifyEvent, SqsRecordWithoutMessageIdIsRefused) {
  Result<LambdaEvent> event = ClassifyEvent(R"({"Records":[{"body":"x","eventSource":"aws:sqs"}]})");
  ASSERT_FALSE(event.ok());
  EXPECT_THAT(event.status().message(), HasSubstr("messageId"));
}

TEST(ClassifyEvent, S3ObjectCreatedKeysAreDecodedAndOtherEventsSkipped) {
  Result<LambdaEvent> event = ClassifyEvent(R"({"Records":[
    {"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
     "eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"gd-export"},
     "object":{"key":"AWSLogs/123456789012/GuardDuty/us-east-1/2026/11/30/a+b%2Bc.jsonl.gz",
               "size":1024}}},
    {"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete",
     "s3":{"bucket":{"name":"gd-export"},"object":{"key":"gone"}}}]})");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kS3Objects);
  ASSERT_EQ(event->objects.size(), 1u);
  EXPECT_EQ(event->objects[0].bucket, "gd-export");
  EXPECT_EQ(event->objects[0].key,
            "AWSLogs/123456789012/GuardDuty/us-east-1/2026/11/30/a b+c.jsonl.gz");
  EXPECT_EQ(event->objects[0].size, 1024u);
}

TEST(ClassifyEvent, S3KeyWithBrokenEncodingIsRefused) {
  Result<LambdaEvent> event = ClassifyEvent(R"({"Records":[{"eventSource":"aws:s3",
    "eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"a%zz"}}}]})");
  ASSERT_FALSE(event.ok());
  EXPECT_THAT(event.status().message(), HasSubstr("encoding"));
}

TEST(ClassifyEvent, ScheduledEventsFromRulesAndScheduler) {
  for (std::string_view document :
       {R"({"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}})",
        R"({"detail-type":"Scheduled Event","source":"aws.scheduler"})"}) {
    Result<LambdaEvent> event = ClassifyEvent(document);
    ASSERT_TRUE(event.ok()) << document;
    EXPECT_EQ(event->kind, EventKind::kSchedule);
  }
}

TEST(ClassifyEvent, AnythingElseIsAClearError) {
  struct Case {
    std::string_view document;
    std::string_view says;
  };
  for (const Case& c : {Case{"not json", "not JSON"}, Case{"[1,2]", "not a JSON object"},
                        Case{R"({"Records":[]})", "empty Records"},
                        Case{R"({"Records":[{"eventSource":"aws:sns"}]})", "aws:sns"},
                        Case{R"({"detail-type":"EC2 Instance State-change Notification",
                                 "source":"aws.ec2"})",
                             "EC2 Instance State-change"},
                        Case{R"({"hello":"world"})", "unsupported event"}}) {
    Result<LambdaEvent> event = ClassifyEvent(c.document);
    ASSERT_FALSE(event.ok()) << c.document;
    EXPECT_EQ(event.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(event.status().message(), HasSubstr(std::string(c.says)));
  }
}

TEST(ClassifyEvent, QuotedFieldsInErrorsAreCut) {
  std::string long_source(5000, 'x');
  Result<LambdaEvent> event =
      ClassifyEvent(R"({"source":")" + long_source + R"(","detail-type":"y"})");
  ASSERT_FALSE(event.ok());
  EXPECT_LT(event.status().message().size(), 400u);
}

TEST(BatchItemFailures, ListsEachFailedMessage) {
  EXPECT_EQ(BatchItemFailures({}), R"({"batchItemFailures":[]})");
  EXPECT_EQ(BatchItemFailures({"a", "b"}),
            R"({"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]})");
}

}  // namespace
}  // namespace guardfeed::lambda
