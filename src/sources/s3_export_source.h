// The GuardDuty findings export poller ([[sources.s3]]): lists the export bucket under its prefix
// (AWSLogs/ACCOUNT/GuardDuty/REGION/...) with ListObjectsV2 from a StartAfter cursor kept in the
// store, and ingests each new `.jsonl.gz` object once, in key order (SSE-KMS is transparent to
// GetObject). Also the backfill behind `guardfeed ingest s3://BUCKET/PREFIX`.
// docs/sources.md, "Findings export bucket".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "aws/s3_client.h"
#include "sources/source.h"

namespace guardfeed {

struct S3ExportSourceOptions {
  S3ClientOptions s3;  // bucket (required), region, endpoint, path_style, credentials, retries
  std::string prefix;  // "" = the whole bucket; e.g. "AWSLogs/123456789012/GuardDuty/"
  std::chrono::milliseconds interval{60000};
  // Objects per poll before yielding (PollResult::more); bounds one poll's duration.
  int64_t max_objects_per_poll = 1000;
};

Result<std::unique_ptr<Source>> NewS3ExportSource(S3ExportSourceOptions options,
                                                  SourceContext context);

// `guardfeed ingest s3://BUCKET/PREFIX`: ingests every object under the prefix once, in key order,
// without a cursor; `progress` (may be null) after each object with the objects and bytes done.
Result<IngestSummary> BackfillS3Export(
    const S3ExportSourceOptions& options, const SourceContext& context,
    const std::function<void(int64_t objects, int64_t bytes)>& progress);

}  // namespace guardfeed
