// LambdaHandler: one invocation of guardfeed as a Lambda (docs/deploy-lambda.md): bring the local
// store up to date with the shared state in S3 (state_journal.h), ingest what the event carries,
// render, commit the invocation as the next journal entry (on a lost race: catch up, re-apply,
// render again, retry), then publish the changed objects. Only a committed invocation publishes
// or answers success, so a finding acknowledged to Lambda is never lost with the container.
//
// Thread safety: one invocation at a time (Lambda never runs two in one sandbox).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aws/s3_client.h"
#include "core/clock.h"
#include "core/status.h"
#include "feeds/live_feeds.h"
#include "lambda/events.h"
#include "lambda/runtime_api.h"
#include "policy/policy.h"
#include "publish/publisher.h"
#include "store/ingest.h"

namespace guardfeed::lambda {

struct LambdaOptions {
  // Where the local copy of the state lives (Lambda's /tmp is fast and private, not durable).
  std::string state_dir = "/tmp/guardfeed";
  // The shared state: bucket, region, endpoint and credentials of its S3 client, and its prefix.
  S3ClientOptions state_s3;
  std::string state_prefix = "guardfeed-state";
  // Write a snapshot every this many journal entries (cold starts read the snapshot and at most
  // this many entries).
  int64_t snapshot_every = 100;
  // Attempts at appending the journal entry (each lost race costs one); the invocation's
  // deadline usually ends a losing streak first.
  int max_commit_attempts = 1000;
  // Stop taking new work this long before the invocation's deadline.
  int64_t deadline_margin_ms = 2000;
  IngestOptions ingest;
  int64_t retention_seconds = 7 * 86400;
};

// What the handler builds on a store it opened: made by cli/ from the configuration.
struct LambdaPipelineFactory {
  std::function<std::unique_ptr<LiveFeeds>(Store* store)> feeds;
  std::function<Result<std::vector<std::unique_ptr<Publisher>>>(Store* store)> publishers;
  // A client for a bucket an S3 notification names (GuardDuty's findings export).
  std::function<Result<std::unique_ptr<S3Client>>(const std::string& bucket)> export_reader;
};

class LambdaHandler {
 public:
  // Checks the options and opens the state's S3 client; the state itself is read on the first
  // invocation. `policy` and `clock` must outlive the handler.
  static Result<std::unique_ptr<LambdaHandler>> Create(LambdaOptions options,
                                                       LambdaPipelineFactory factory,
                                                       const Policy* policy, const Clock* clock);
  ~LambdaHandler();

  // The invocation's response document, or its error (lambda/runtime_loop.h maps error codes).
  Result<std::string> Handle(const Invocation& invocation);

  class Impl;

 private:
  explicit LambdaHandler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace guardfeed::lambda
