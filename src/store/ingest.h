// Ingestor: the write path guardduty -> policy -> store. Reads findings in any shape, applies the
// policy, and commits sightings in batches bounded by size and time (IngestOptions). Every commit
// is durable; nothing is reported as ingested before its commit. Bad documents are reported and
// skipped; everything before them stays committed.
//
// Thread safety: one Ingestor per thread (it owns a FindingReader); the Store is shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "guardduty/reader.h"
#include "policy/policy.h"
#include "store/store.h"

namespace guardfeed {

struct IngestSummary {
  int64_t findings_read = 0;
  int64_t findings_accepted = 0;  // passed policy (including archived ones that withdraw)
  int64_t events_skipped = 0;     // EventBridge events that are not findings
  std::map<std::string, int64_t> skipped;  // by reason: below_min_severity, sample, ...
  int64_t indicators_seen = 0;             // indicators in accepted findings
  int64_t suppressed = 0;   // of those, never-block/allowlisted (stored, never published)
  // Containment entries (docs/containment.md) in accepted findings: our instances' addresses,
  // counted apart from indicators_seen (those the containment allowlist covers are counted in
  // suppressed too). Always 0 without a containment feed.
  int64_t containment_seen = 0;
  int64_t rejected_values = 0;  // indicator-shaped values that failed to parse
  // Of indicators_seen, those not withdrawn whose expiry had already passed when they arrived
  // (expires_at <= now: a backfill of old findings), and the newest last seen among them (0 if
  // none). They are stored but no feed lists them.
  int64_t expired_on_arrival = 0;
  UnixSeconds expired_last_seen = 0;
  // Indicators past ReadLimits::max_indicators_per_finding, and the findings that had them.
  int64_t indicators_dropped = 0;
  int64_t findings_capped = 0;
  ApplyResult applied;
  int64_t error_count = 0;
  std::vector<ReadError> errors;  // the first kMaxListedErrors errors
  // ResourceExhausted when a limit (decompression budget, error count) stopped reading early;
  // everything read before it is committed and counted above.
  Status stopped_by_limit;

  static constexpr size_t kMaxListedErrors = 100;
  void Merge(const IngestSummary& other);
};

struct IngestOptions {
  // At most this many sightings per transaction ([ingest] batch_size). Default 100,000: bulk
  // ingest is bound by the B-tree pages each commit rewrites, and fewer, larger commits rewrite
  // each page fewer times (docs/store.md, "Tuning").
  size_t batch_size = 100'000;
  // A transaction also commits once this much time has passed since the previous commit (checked
  // as findings arrive), so a slow stream is not held back for a full batch. Default 1 s.
  std::chrono::milliseconds commit_interval{1000};
  // Use the time of receipt as last seen instead of the finding's own eventLastSeen (for
  // replaying samples or old exports as if they were new). Default false.
  bool seen_at_receipt = false;
  // What the reader accepts (document sizes, decompression budget, indicators per finding).
  ReadLimits read_limits;
};

// A containment sighting's field names the instance its address belongs to:
// "resource.instanceDetails.networkInterfaces[].publicIp (instance i-0abc)". Explain splits it
// again with SplitContainmentField (instance_id "" when the field names none).
std::string ContainmentField(std::string_view field, std::string_view instance_id);
struct ContainmentFieldParts {
  std::string_view field;
  std::string_view instance_id;
};
ContainmentFieldParts SplitContainmentField(std::string_view stored);

class Ingestor {
 public:
  // `store`, `policy` and `clock` must outlive the Ingestor. The reader reads findings'
  // own_hosts (ReadLimits::own_hosts) exactly when the policy enables containment.
  Ingestor(Store* store, const Policy* policy, const Clock* clock, IngestOptions options = {});

  // Parses and commits one buffer. Fails only when the store fails (Unavailable/IoError): then
  // nothing of the failing batch is committed, and the summary of what was committed before it
  // is lost to the caller, so callers acknowledge only on success.
  Result<IngestSummary> IngestBuffer(std::string_view data, std::string_view source);
  // Reads files, directories or "-" and commits as it goes. `on_progress` may be empty.
  Result<IngestSummary> IngestPaths(const std::vector<std::string>& paths,
                                    const std::function<void(uint64_t, uint64_t)>& on_progress);

 private:
  ReadCallbacks Callbacks(IngestSummary& summary, Status& store_status);
  void Accept(Finding&& finding, IngestSummary& summary, Status& store_status);
  // Fills the next record from `finding` for one indicator or containment entry.
  SightingRecord& Record(const Finding& finding, Indicator indicator, std::string field,
                         UnixSeconds last_seen, UnixSeconds now, int64_t ttl,
                         IngestSummary& summary);
  Status Flush(IngestSummary& summary);
  // The next record of pending_ to fill, reusing one left by an earlier batch when there is one.
  SightingRecord& NextRecord();

  Store* const store_;
  const Policy* const policy_;
  const Clock* const clock_;
  const IngestOptions options_;
  FindingReader reader_;
  // pending_[0, pending_count_) wait for the next commit; records past them are kept for reuse
  // until the end of the call.
  std::vector<SightingRecord> pending_;
  size_t pending_count_ = 0;
  std::chrono::steady_clock::time_point last_commit_;  // of the last Flush (or the start)
};

}  // namespace guardfeed
