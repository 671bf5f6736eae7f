// Lambda events guardfeed handles, told apart by their shape (docs/deploy-lambda.md, "Events"):
// an EventBridge "GuardDuty Finding" event (or a bare finding, as a console test invoke sends),
// an SQS batch of such events (EventBridge -> SQS -> Lambda), S3 ObjectCreated notifications of
// GuardDuty's findings export bucket, and a scheduled event (EventBridge rule or Scheduler) that
// expires indicators and republishes. Anything else is refused with a message naming what it was.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace guardfeed::lambda {

enum class EventKind { kFinding, kSqsBatch, kS3Objects, kSchedule };
std::string_view EventKindName(EventKind kind);  // "finding", "sqs", "s3", "schedule"

struct SqsRecord {
  std::string message_id;  // reported back in batchItemFailures when the record fails
  std::string body;        // an EventBridge GuardDuty event, as queued
};

struct S3ObjectRef {
  std::string bucket;
  std::string key;  // decoded (S3 notifications URL-encode keys, spaces as '+')
  uint64_t size = 0;
};

struct LambdaEvent {
  EventKind kind = EventKind::kFinding;
  std::vector<SqsRecord> records;    // kSqsBatch
  std::vector<S3ObjectRef> objects;  // kS3Objects: only ObjectCreated records
};

// Classifies an invocation's event document. InvalidArgument, saying what the event looked like,
// for anything guardfeed does not handle (the finding itself is read later by the Ingestor, so
// a kFinding event may still turn out to hold no usable finding).
Result<LambdaEvent> ClassifyEvent(std::string_view document);

// The SQS partial batch response: {"batchItemFailures":[{"itemIdentifier":ID},...]}.
std::string BatchItemFailures(const std::vector<std::string>& failed_message_ids);

}  // namespace guardfeed::lambda
