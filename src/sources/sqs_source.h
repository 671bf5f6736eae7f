// The SQS consumer ([[sources.sqs]]): EventBridge -> SQS -> guardfeed over SQS's AWS JSON protocol.
// Long-polls ReceiveMessage, ingests each message body (an EventBridge GuardDuty event), and
// deletes a message only after its findings are committed; extends the visibility timeout while a
// large batch is being committed; leaves a message it cannot read for the queue's redrive policy
// (dead-letter queue), logging why. docs/sources.md, "SQS".
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/aws_api.h"
#include "sources/source.h"

namespace guardfeed {

struct SqsSourceOptions {
  // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME; required. The region comes from it unless
  // `api.region` is set.
  std::string queue_url;
  std::chrono::seconds wait_time{20};           // long polling, 0-20 s
  int max_messages = 10;                        // per ReceiveMessage, 1-10
  std::chrono::seconds visibility_timeout{60};  // asked per receive and extended while working
  std::chrono::milliseconds interval{0};        // pause between empty long polls
  AwsApiOptions api;                            // service "sqs"; endpoint, credentials, retries
};

Result<std::unique_ptr<Source>> NewSqsSource(SqsSourceOptions options, SourceContext context);

}  // namespace guardfeed
