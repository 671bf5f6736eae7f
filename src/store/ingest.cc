#include "store/ingest.h"

#include <algorithm>

#include "core/text.h"
#include "core/time_util.h"

namespace guardfeed {

void IngestSummary::Merge(const IngestSummary& other) {
  findings_read += other.findings_read;
  findings_accepted += other.findings_accepted;
  events_skipped += other.events_skipped;
  for (const auto& [reason, count] : other.skipped) skipped[reason] += count;
  indicators_seen += other.indicators_seen;
  suppressed += other.suppressed;
  containment_seen += other.containment_seen;
  rejected_values += other.rejected_values;
  expired_on_arrival += other.expired_on_arrival;
  expired_last_seen = std::max(expired_last_seen, other.expired_last_seen);
  indicators_dropped += other.indicators_dropped;
  findings_capped += other.findings_capped;
  if (stopped_by_limit.ok()) stopped_by_limit = other.stopped_by_limit;
  applied.sightings_new += other.applied.sightings_new;
  applied.sightings_updated += other.applied.sightings_updated;
  applied.sightings_unchanged += other.applied.sightings_unchanged;
  applied.indicators_new += other.applied.indicators_new;
  applied.indicators_updated += other.applied.indicators_updated;
  applied.indicators_withdrawn += other.applied.indicators_withdrawn;
  error_count += other.error_count;
  for (const ReadError& error : other.errors) {
    if (errors.size() < kMaxListedErrors) errors.push_back(error);
  }
}

namespace {

constexpr std::string_view kInstanceMark = " (instance ";

ReadLimits WithOwnHosts(ReadLimits limits, const Policy& policy) {
  limits.own_hosts = policy.ContainmentEnabled();
  return limits;
}

}  // namespace

std::string ContainmentField(std::string_view field, std::string_view instance_id) {
  std::string out(field);
  if (!instance_id.empty()) out.append(kInstanceMark).append(instance_id).append(")");
  return out;
}

ContainmentFieldParts SplitContainmentField(std::string_view stored) {
  size_t at = stored.rfind(kInstanceMark);
  if (at == std::string_view::npos || !stored.ends_with(')')) return {stored, {}};
  std::string_view instance = stored.substr(at + kInstanceMark.size());
  instance.remove_suffix(1);
  return {stored.substr(0, at), instance};
}

Ingestor::Ingestor(Store* store, const Policy* policy, const Clock* clock, IngestOptions options)
    : store_(store),
      policy_(policy),
      clock_(clock),
      options_(options),
      reader_(WithOwnHosts(options.read_limits, *policy)) {}

ReadCallbacks Ingestor::Callbacks(IngestSummary& summary, Status& store_status) {
  ReadCallbacks callbacks;
  callbacks.on_finding = [this, &summary, &store_status](Finding&& finding) {
    Accept(std::move(finding), summary, store_status);
  };
  callbacks.on_error = [&summary](const ReadError& error) {
    ++summary.error_count;
    if (summary.errors.size() < IngestSummary::kMaxListedErrors) summary.errors.push_back(error);
  };
  callbacks.on_skipped_event = [&summary](std::string_view) { ++summary.events_skipped; };
  return callbacks;
}

void Ingestor::Accept(Finding&& finding, IngestSummary& summary, Status& store_status) {
  ++summary.findings_read;
  summary.rejected_values += finding.rejected_count;
  if (finding.indicators_dropped > 0) {
    ++summary.findings_capped;
    summary.indicators_dropped += finding.indicators_dropped;
  }
  if (!store_status.ok()) return;  // the store failed: the caller reports it, nothing is acked
  if (SkipReason reason = policy_->Evaluate(finding); reason != SkipReason::kNone) {
    ++summary.skipped[std::string(SkipReasonName(reason))];
    return;
  }
  ++summary.findings_accepted;
  // Without a containment feed the reader left own_hosts empty; with one, only they are stored.
  if (!policy_->ContainmentEnabled()) finding.own_hosts.clear();
  if (finding.indicators.empty() && finding.own_hosts.empty()) {
    ++summary.skipped["no_indicators"];
  }
  // Every engine stores the same text (docs/store.md, "Text"); indicator values never hold NUL.
  for (std::string* text : {&finding.id, &finding.type, &finding.account_id, &finding.region,
                            &finding.action_type, &finding.direction, &finding.instance_id}) {
    ReplaceNulBytes(*text);
  }
  const UnixSeconds now = clock_->Now();
  // A clock skewed into the future must not keep an entry listed for longer than its TTL.
  UnixSeconds last_seen = options_.seen_at_receipt ? now : std::min(finding.last_seen, now);
  const int64_t ttl = policy_->Ttl(finding.severity, finding.type);
  for (ExtractedIndicator& extracted : finding.indicators) {
    ++summary.indicators_seen;
    SightingRecord& record = Record(finding, std::move(extracted.indicator),
                                    std::move(extracted.field), last_seen, now, ttl, summary);
    if (policy_->Suppression(record.indicator, nullptr)) ++summary.suppressed;
  }
  // Our own compromised instances: a keyspace of their own ("instance:10.0.0.5"), so an address
  // that is also an attacker elsewhere is two separate entries, each in its own feeds.
  for (ExtractedIndicator& own : finding.own_hosts) {
    auto entry = ContainmentIndicator(own.indicator.value);
    if (!entry.ok()) continue;  // own_hosts hold canonical addresses: never happens
    ++summary.containment_seen;
    SightingRecord& record =
        Record(finding, std::move(*entry), ContainmentField(own.field, finding.instance_id),
               last_seen, now, policy_->ContainmentTtl(), summary);
    if (policy_->Suppression(record.indicator, nullptr)) ++summary.suppressed;
  }
  if (pending_count_ >= options_.batch_size ||
      std::chrono::steady_clock::now() - last_commit_ >= options_.commit_interval) {
    store_status = Flush(summary);
  }
}

SightingRecord& Ingestor::Record(const Finding& finding, Indicator indicator, std::string field,
                                 UnixSeconds last_seen, UnixSeconds now, int64_t ttl,
                                 IngestSummary& summary) {
  SightingRecord& record = NextRecord();
  record.finding_id = finding.id;
  record.indicator = std::move(indicator);
  record.finding_type = finding.type;
  record.severity = finding.severity;
  record.account_id = finding.account_id;
  record.region = finding.region;
  record.action_type = finding.action_type;
  record.direction = finding.direction;
  record.field = std::move(field);
  record.first_seen = std::min(finding.first_seen, last_seen);
  record.last_seen = last_seen;
  record.updated_at = options_.seen_at_receipt ? now : finding.updated_at;
  record.count = finding.count;
  record.withdrawn = policy_->Withdraws(finding);
  record.expires_at = AddSeconds(last_seen, ttl);  // saturates: a huge TTL never wraps
  if (!record.withdrawn && record.expires_at <= now) {
    ++summary.expired_on_arrival;
    summary.expired_last_seen = std::max(summary.expired_last_seen, last_seen);
  }
  return record;
}

// Every field is assigned by Record, so a record kept from an earlier batch is as good as new;
// its strings keep their buffers, which saves most allocations of bulk ingest.
SightingRecord& Ingestor::NextRecord() {
  if (pending_count_ == pending_.size()) pending_.emplace_back();
  return pending_[pending_count_++];
}

Status Ingestor::Flush(IngestSummary& summary) {
  last_commit_ = std::chrono::steady_clock::now();
  if (pending_count_ == 0) return Status::Ok();
  pending_.resize(pending_count_);  // drops records kept from a larger earlier batch
  pending_count_ = 0;
  auto applied = store_->Apply(pending_);
  if (!applied.ok()) return applied.status();
  summary.applied.sightings_new += applied->sightings_new;
  summary.applied.sightings_updated += applied->sightings_updated;
  summary.applied.sightings_unchanged += applied->sightings_unchanged;
  summary.applied.indicators_new += applied->indicators_new;
  summary.applied.indicators_updated += applied->indicators_updated;
  summary.applied.indicators_withdrawn += applied->indicators_withdrawn;
  return Status::Ok();
}

Result<IngestSummary> Ingestor::IngestBuffer(std::string_view data, std::string_view source) {
  IngestSummary summary;
  Status store_status;
  last_commit_ = std::chrono::steady_clock::now();
  summary.stopped_by_limit = reader_.ReadBuffer(data, source, Callbacks(summary, store_status));
  if (store_status.ok()) store_status = Flush(summary);
  pending_.clear();  // records are reused within one call, not kept between calls
  pending_count_ = 0;
  if (!store_status.ok()) return store_status;
  return summary;
}

Result<IngestSummary> Ingestor::IngestPaths(
    const std::vector<std::string>& paths,
    const std::function<void(uint64_t, uint64_t)>& on_progress) {
  IngestSummary summary;
  Status store_status;
  ReadCallbacks callbacks = Callbacks(summary, store_status);
  callbacks.on_progress = on_progress;
  last_commit_ = std::chrono::steady_clock::now();
  // Unreadable paths are already in summary.errors; the rest was read and is committed.
  (void)reader_.ReadPaths(paths, callbacks);
  if (store_status.ok()) store_status = Flush(summary);
  pending_.clear();  // records are reused within one call, not kept between calls
  pending_count_ = 0;
  if (!store_status.ok()) return store_status;
  return summary;
}

}  // namespace guardfeed
