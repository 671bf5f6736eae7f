// The SQS consumer ([[sources.sqs]]): EventBridge -> SQS -> guardfeed over SQS's AWS JSON protocol.
// Long-polls ReceiveMessage, ingests each message body (an EventBridge GuardDuty event), and
// deletes a message only after its findings are committed; extends the visibility timeout while a
// large batch is being committed; leaves a message it cannot read for the queue's redrive policy
// (dead-letter queue), logging why. docs/sources.md, "SQS".
//
// One Poll is one ReceiveMessage (blocking up to `wait_time`: `stop` is not seen during the long
// poll), then each message in turn: a body whose MD5 differs from MD5OfBody, or that holds no
// finding and no EventBridge event at all (not JSON, read errors only), is poisoned: it stays in
// the queue, is logged (`source name=... message=ID poisoned reason=...`) and comes back after its
// visibility timeout until the queue's maxReceiveCount moves it to the dead-letter queue. A store
// failure stops the batch and fails the poll (the runner backs off); messages not yet committed
// stay in the queue. Then one DeleteMessageBatch for the committed messages; entries SQS fails
// to delete are logged and come back (the ingest of a finding is idempotent). When `stop` is set
// the batch ends after the message in hand: the committed ones are deleted, the rest come back
// after their visibility timeout.
//
// Thread safety: as Source (one polling thread); a helper thread of its own extends the
// visibility of a batch while the poll works on it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/aws_api.h"
#include "sources/source.h"

namespace guardfeed {

// AwsApiOptions for SQS: service "sqs" and region "" (taken from the queue URL).
inline AwsApiOptions DefaultSqsApiOptions() {
  AwsApiOptions api;
  api.service = "sqs";
  api.region = "";
  return api;
}

struct SqsSourceOptions {
  // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or a VPC endpoint's host); required. The
  // source's name is "sqs:NAME".
  std::string queue_url;
  std::chrono::seconds wait_time{20};  // long polling, 0-20 s
  int max_messages = 10;               // per ReceiveMessage, 1-10
  // Asked per receive (1 s - 12 h) and set anew every half of it while a batch is being worked
  // on, so a slow commit does not hand the messages to another consumer. Default 60 s.
  std::chrono::seconds visibility_timeout{60};
  // Pause after a poll that received nothing; must be > 0 when wait_time is 0. Default 0.
  std::chrono::milliseconds interval{0};
  // Service "sqs" (forced). `region`: "" = the one in the queue URL's host (sqs.REGION...,
  // REGION.queue..., ...sqs.REGION.vpce...), required when the host names none. `endpoint`: ""
  // = AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, else the queue URL's scheme://host[:port]. The
  // HTTP timeout is raised to at least wait_time + 10 s. Credentials, retries, CA as documented
  // in aws_api.h.
  AwsApiOptions api = DefaultSqsApiOptions();
};

// InvalidArgument for a queue URL that is not http(s)://host[:port]/.../NAME, values out of
// range, no region, or no context.ingest. `context.ingest` must stay callable for the source's
// lifetime.
Result<std::unique_ptr<Source>> NewSqsSource(SqsSourceOptions options, SourceContext context);

}  // namespace guardfeed
