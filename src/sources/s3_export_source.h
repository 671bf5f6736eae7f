// The GuardDuty findings export poller ([[sources.s3]]): lists the export bucket under its prefix
// (AWSLogs/ACCOUNT/GuardDuty/REGION/YYYY/MM/DD/UUID.jsonl.gz) with ListObjectsV2 from StartAfter
// cursors kept in the store, and ingests each new `.jsonl.gz` object once, in key order (SSE-KMS
// is transparent to GetObject). Also the backfill behind `guardfeed ingest s3://BUCKET/PREFIX`.
//
// Export object names are random within a day, so a new object may sort before one already read:
// the cursor keeps, per date-partitioned folder, a StartAfter just before the oldest day that may
// still receive objects (`settle_window`) plus the keys already ingested since; keys without the
// date layout use a plain last-key StartAfter. docs/sources.md, "Findings export bucket", has the
// cursor and the failure rules.
#pragma once

#include <chrono>
#include <cstdint>
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
  // How long after a day ends (UTC, the YYYY/MM/DD of the key) objects may still appear in its
  // folder; older days are not listed again. Default 2 days.
  std::chrono::seconds settle_window{2 * 86400};
  // Only keys ending in this are read ("" = every object). Default ".jsonl.gz", what GuardDuty
  // writes, so a bucket shared with other AWSLogs (CloudTrail's .json.gz) can be polled whole.
  std::string key_suffix = ".jsonl.gz";
  // Larger objects are not fetched (each is read whole into memory): logged and counted as an
  // error, then passed. Default 256 MiB; GuardDuty's objects are kilobytes to a few megabytes.
  uint64_t max_object_bytes = 256ull << 20;
};

// Fails (InvalidArgument) without a bucket, a store or an ingest function, or with
// max_objects_per_poll < 1. The client is made here; credentials are resolved per request.
Result<std::unique_ptr<Source>> NewS3ExportSource(S3ExportSourceOptions options,
                                                  SourceContext context);

// `guardfeed ingest s3://BUCKET/PREFIX`: ingests every object under the prefix (ending in
// key_suffix) once, in key order, without a cursor; `progress` (may be empty) after each object
// with the objects and bytes done. Content errors are in the summary (error_count); an object
// that cannot be listed or fetched stops the backfill with that error (what came before it is
// committed; running it again re-ingests idempotently).
Result<IngestSummary> BackfillS3Export(
    const S3ExportSourceOptions& options, const SourceContext& context,
    const std::function<void(int64_t objects, int64_t bytes)>& progress);

}  // namespace guardfeed
