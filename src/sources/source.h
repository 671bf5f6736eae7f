// Source: pulls GuardDuty findings from where a daemon can reach them by calling out (the
// GuardDuty API, the findings export bucket, an SQS queue) and hands them to the one ingest path,
// like POST /v1/findings does for pushed findings. SourceRunner (sources/runner.h) polls each
// source on a thread of its own. docs/sources.md describes every source.
//
// sources/ depends on store/ (ingest, cursors), aws/ and below; never on feeds, publish or server.
//
// Thread safety: a Source is polled by one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/ingest.h"
#include "store/store.h"

namespace guardfeed {

// What a source needs from the process that runs it.
struct SourceContext {
  // Ingests one document in any shape guardduty/ reads (a GetFindings response, an EventBridge
  // event, JSON Lines, gzip), named `name` in errors, and returns once its findings are
  // committed. Thread-safe: sources call it from their own threads.
  std::function<Result<IngestSummary>(std::string_view data, std::string_view name)> ingest;
  // Where cursors live (LoadCursor/SaveCursor), shared by restarts and replicas.
  Store* store = nullptr;
  const Clock* clock = nullptr;
};

// What one poll did.
struct PollResult {
  int64_t documents = 0;  // GetFindings pages, export objects, SQS messages ingested
  int64_t findings = 0;   // findings read from them
  bool more = false;      // stopped early with work left (a page limit): poll again at once
};

class Source {
 public:
  Source() = default;
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  virtual ~Source() = default;

  // For logs, metrics and cursors: "guardduty:us-east-1", "s3:bucket/prefix", "sqs:queue".
  virtual std::string Name() const = 0;
  // Time between polls that found nothing more to do.
  virtual std::chrono::milliseconds Interval() const = 0;
  // True when only one process of a shared store may poll it (sources with a cursor: the
  // replica holding the publishing lease, Store::LeadsPublishing); false when consumers share
  // the work by themselves (SQS).
  virtual bool SingleConsumer() const = 0;
  // One round: fetches what is new, ingests it (committed before this returns) and moves the
  // cursor past it. Checks `stop` between requests and returns early when it is set. A failure
  // leaves the cursor at the last committed point: the next poll resumes there.
  virtual Result<PollResult> Poll(const std::atomic<bool>& stop) = 0;
};

// A source's cursor in the store (kept with the publishers' state under "source:NAME"), so a
// restarted daemon or another replica resumes where the last commit left off.
inline Result<std::optional<std::string>> LoadCursor(Store& store, std::string_view name) {
  return store.GetPublisherState("source:" + std::string(name));
}
inline Status SaveCursor(Store& store, std::string_view name, std::string_view cursor) {
  return store.PutPublisherState("source:" + std::string(name), cursor);
}

}  // namespace guardfeed
