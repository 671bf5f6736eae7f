#include "lambda/handler.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/gzip.h"
#include "guardduty/inflate.h"
#include "lambda/journal_entry.h"
#include "lambda/state_journal.h"
#include "store/store_wrapper.h"

namespace guardfeed::lambda {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

// The local store, seen through a recorder: what this invocation applied and the feed versions
// its render gave become the journal entry.
class RecordingStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;

  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override {
    Result<std::vector<ApplyResult>> results = target()->ApplyBatches(batches);
    if (results.ok()) {
      for (const auto* batch : batches) {
        entry_.sightings.insert(entry_.sightings.end(), batch->begin(), batch->end());
      }
    }
    return results;
  }
  Result<FeedAdvance> AdvanceFeedState(std::string_view feed, std::string_view digest,
                                       UnixSeconds now,
                                       const NextFeedVersion& next_version) override {
    Result<FeedAdvance> advance = target()->AdvanceFeedState(feed, digest, now, next_version);
    if (advance.ok() && advance->changed) feeds_[std::string(feed)] = advance->state;
    return advance;
  }

  // This invocation's entry: its sightings and the latest version of each feed it advanced.
  JournalEntry Entry() const {
    JournalEntry entry{entry_.sightings, {}};
    for (const auto& [name, state] : feeds_) entry.feeds.push_back(state);
    return entry;
  }
  void ForgetFeeds() { feeds_.clear(); }
  void ForgetAll() {
    entry_ = {};
    feeds_.clear();
  }

 private:
  JournalEntry entry_;
  std::map<std::string, FeedState> feeds_;
};

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status WriteWholeFile(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

// A compact, consistent copy of the SQLite database (VACUUM INTO): the snapshot's content.
Status CopyDatabase(const fs::path& from, const fs::path& to) {
  std::error_code ignored;
  fs::remove(to, ignored);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(from.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) {
    std::string sql = "VACUUM INTO '" + to.string() + "'";  // our own path: no quotes in it
    rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  sqlite3_close_v2(db);
  if (rc != SQLITE_OK) return Status::IoError("snapshot of " + from.string() + ": " + message);
  return Status::Ok();
}

// The local store's size limit when a snapshot is inflated (far above any real state).
constexpr uint64_t kMaxSnapshotBytes = 4ull << 30;

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

class LambdaHandler::Impl {
 public:
  Impl(LambdaOptions options, LambdaPipelineFactory factory, const Policy* policy,
       const Clock* clock, std::unique_ptr<S3Client> state_client)
      : options_(std::move(options)),
        factory_(std::move(factory)),
        policy_(policy),
        clock_(clock),
        state_client_(std::move(state_client)),
        journal_(state_client_.get(), options_.state_prefix) {}

  Result<std::string> Handle(const Invocation& invocation) {
    deadline_ms_ = invocation.deadline_ms;
    Result<LambdaEvent> event = ClassifyEvent(invocation.event);
    if (!event.ok()) return event.status();
    GF_RETURN_IF_ERROR(Sync());
    recorder_->ForgetAll();
    Result<std::string> response = Run(invocation, *event);
    // Whatever failed after the local store took sightings left it ahead of the shared state:
    // start again from S3 next time rather than publish what was never committed.
    if (!response.ok()) Forget();
    return response;
  }

 private:
  Result<std::string> Run(const Invocation& invocation, const LambdaEvent& event) {
    std::vector<std::string> failed_records;
    json::object summary{{"event", EventKindName(event.kind)}};
    GF_RETURN_IF_ERROR(Ingest(invocation, event, summary, failed_records));
    Result<FeedSet> feeds = Commit();
    if (!feeds.ok()) return feeds.status();
    summary["seq"] = seq_;
    GF_RETURN_IF_ERROR(Publish(*feeds, summary));
    MaybeSnapshot();
    spdlog::info("handled {}", json::serialize(summary));
    if (event.kind == EventKind::kSqsBatch) return BatchItemFailures(failed_records);
    summary["status"] = "committed";
    return json::serialize(summary);
  }

  // ---- The shared state ----

  fs::path DatabasePath() const { return fs::path(options_.state_dir) / "state.db"; }

  // Brings the local store up to the newest committed entry: a cold start (or a runtime that fell
  // behind a snapshot) loads the snapshot first; then every later journal entry is applied.
  Status Sync() {
    Result<std::optional<StateSnapshot>> snapshot = journal_.FetchSnapshot(snapshot_etag_);
    if (!snapshot.ok()) return snapshot.status();
    const bool newer = snapshot->has_value() && !(*snapshot)->unchanged;
    if (newer) snapshot_etag_ = (*snapshot)->etag;
    if (!store_ || (newer && (*snapshot)->seq > seq_)) {
      GF_RETURN_IF_ERROR(Load(newer ? &**snapshot : nullptr));
    }
    return CatchUp();
  }

  Status Load(const StateSnapshot* snapshot) {
    Forget();
    std::error_code ec;
    fs::create_directories(options_.state_dir, ec);
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(DatabasePath().string() + suffix, ec);
    int64_t seq = 0;
    if (snapshot != nullptr) {
      // A truncated or corrupt snapshot fails here rather than open as a partial database.
      Result<std::string> database = GunzipBuffer(snapshot->body, kMaxSnapshotBytes);
      if (!database.ok()) return database.status().WithContext(journal_.snapshot_key());
      GF_RETURN_IF_ERROR(WriteWholeFile(DatabasePath(), *database));
      seq = snapshot->seq;
    }
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + DatabasePath().string());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    recorder_ = std::make_unique<RecordingStore>(store_.get());
    feeds_ = factory_.feeds(recorder_.get());
    Result<std::vector<std::unique_ptr<Publisher>>> publishers =
        factory_.publishers(store_.get());
    if (!publishers.ok()) return publishers.status();
    publishers_ = std::move(*publishers);
    feeds_->KeepEntryLists(!publishers_.empty());  // ATP Cloud pushes entries, not bytes
    seq_ = seq;
    spdlog::info("state loaded seq={} snapshot={}", seq_, snapshot != nullptr);
    return Status::Ok();
  }

  void Forget() {
    publishers_.clear();
    feeds_.reset();
    recorder_.reset();
    store_.reset();
    seq_ = -1;
    snapshot_etag_.clear();
  }

  Status CatchUp() {
    for (;;) {
      Result<std::optional<std::string>> entry = journal_.ReadEntry(seq_ + 1);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) return Status::Ok();
      Result<JournalEntry> decoded = DecodeJournalEntry(**entry);
      if (!decoded.ok()) return decoded.status().WithContext(journal_.EntryKey(seq_ + 1));
      GF_RETURN_IF_ERROR(ApplyJournalEntry(*decoded, *store_));
      ++seq_;
    }
  }

  // Renders and appends this invocation's entry; a lost race catches up with the winner, applies
  // our sightings again on top (Apply is idempotent) and renders again.
  Result<FeedSet> Commit() {
    const std::vector<SightingRecord> ours = recorder_->Entry().sightings;
    for (int attempt = 1; attempt <= options_.max_commit_attempts; ++attempt) {
      recorder_->ForgetFeeds();
      GF_RETURN_IF_ERROR(feeds_->Update());
      Result<BuildResult> built = feeds_->Render();
      if (!built.ok()) return built.status();
      JournalEntry entry = recorder_->Entry();
      if (entry.sightings.empty() && entry.feeds.empty()) return std::move(built->set);
      Result<std::string> encoded = EncodeJournalEntry(entry);
      if (!encoded.ok()) return encoded.status();
      Status appended = journal_.AppendEntry(seq_ + 1, *encoded);
      if (appended.ok()) {
        ++seq_;
        return std::move(built->set);
      }
      if (appended.code() != Status::Code::kFailedPrecondition) return appended;
      if (OutOfTime()) {
        return Status::ResourceExhausted("state: out of time after losing the race for journal "
                                         "entry " + std::to_string(seq_ + 1) + " " +
                                         std::to_string(attempt) + " times");
      }
      spdlog::info("state entry {} taken by another runtime: catching up", seq_ + 1);
      GF_RETURN_IF_ERROR(CatchUp());
      if (!ours.empty()) {
        Result<ApplyResult> again = store_->Apply(ours);
        if (!again.ok()) return again.status();
      }
    }
    return Status::Unavailable("state: lost the race for the next journal entry " +
                               std::to_string(options_.max_commit_attempts) + " times");
  }

  void MaybeSnapshot() {
    if (options_.snapshot_every <= 0 || seq_ <= 0 || seq_ % options_.snapshot_every != 0) return;
    fs::path copy = fs::path(options_.state_dir) / "snapshot.db";
    Status status = CopyDatabase(DatabasePath(), copy);
    Result<std::string> database = status.ok() ? ReadWholeFile(copy) : Result<std::string>(status);
    std::error_code ignored;
    fs::remove(copy, ignored);
    Result<std::string> compressed =
        database.ok() ? GzipCompress(*database) : Result<std::string>(database.status());
    if (compressed.ok()) {
      Result<std::string> etag = journal_.WriteSnapshot(seq_, *compressed, snapshot_etag_);
      if (etag.ok()) snapshot_etag_ = *etag;
      status = etag.status();
    } else {
      status = compressed.status();
    }
    // A lost or failed snapshot costs only longer cold starts: the journal has everything.
    if (!status.ok()) spdlog::warn("state snapshot at seq={} skipped: {}", seq_, status.ToString());
  }

  // ---- Work ----

  bool OutOfTime() const {
    return deadline_ms_ > 0 && NowMs() + options_.deadline_margin_ms >= deadline_ms_;
  }

  Status Ingest(const Invocation& invocation, const LambdaEvent& event, json::object& summary,
                std::vector<std::string>& failed_records) {
    Ingestor ingestor(recorder_.get(), policy_, clock_, options_.ingest);
    IngestSummary total;
    switch (event.kind) {
      case EventKind::kFinding:
        GF_RETURN_IF_ERROR(IngestOne(ingestor, invocation.event, "event", total));
        break;
      case EventKind::kSqsBatch:
        GF_RETURN_IF_ERROR(IngestRecords(ingestor, event.records, total, failed_records));
        break;
      case EventKind::kS3Objects:
        GF_RETURN_IF_ERROR(IngestObjects(ingestor, event.objects, total));
        break;
      case EventKind::kSchedule: {
        Result<int64_t> expired = store_->Expire(clock_->Now(), options_.retention_seconds);
        if (!expired.ok()) return expired.status();
        summary["indicators_deleted"] = *expired;
        break;
      }
    }
    summary["findings_read"] = total.findings_read;
    summary["findings_accepted"] = total.findings_accepted;
    summary["indicators_new"] = total.applied.indicators_new;
    summary["sightings_new"] = total.applied.sightings_new;
    if (!failed_records.empty()) summary["records_failed"] = failed_records.size();
    return Status::Ok();
  }

  // One document: a store failure fails the invocation; a document without any usable finding
  // is a bad event.
  static Status IngestOne(Ingestor& ingestor, std::string_view data, std::string_view source,
                          IngestSummary& total) {
    Result<IngestSummary> summary = ingestor.IngestBuffer(data, source);
    if (!summary.ok()) return summary.status();
    total.Merge(*summary);
    if (summary->findings_read == 0 && !summary->errors.empty()) {
      return Status::InvalidArgument(std::string(source) + ": " + summary->errors.front().ToString());
    }
    if (!summary->stopped_by_limit.ok()) return summary->stopped_by_limit;
    return Status::Ok();
  }

  Status IngestRecords(Ingestor& ingestor, const std::vector<SqsRecord>& records,
                       IngestSummary& total, std::vector<std::string>& failed) {
    for (const SqsRecord& record : records) {
      if (OutOfTime()) {
        failed.push_back(record.message_id);  // left for the next delivery
        continue;
      }
      Status status = IngestOne(ingestor, record.body, "sqs message " + record.message_id, total);
      if (status.code() == Status::Code::kUnavailable || status.code() == Status::Code::kIoError) {
        return status;  // the store: nothing of this batch may be acknowledged
      }
      if (!status.ok()) {
        spdlog::warn("sqs message {} refused: {}", record.message_id, status.message());
        failed.push_back(record.message_id);
      }
    }
    return Status::Ok();
  }

  Status IngestObjects(Ingestor& ingestor, const std::vector<S3ObjectRef>& objects,
                       IngestSummary& total) {
    for (const S3ObjectRef& object : objects) {
      if (OutOfTime()) return Status::ResourceExhausted("out of time before s3://" + object.bucket);
      Result<std::unique_ptr<S3Client>> reader = factory_.export_reader(object.bucket);
      if (!reader.ok()) return reader.status();
      Result<std::string> body = (*reader)->GetObject(object.key);
      if (!body.ok()) return body.status();
      GF_RETURN_IF_ERROR(
          IngestOne(ingestor, *body, "s3://" + object.bucket + "/" + object.key, total));
    }
    return Status::Ok();
  }

  Status Publish(const FeedSet& feeds, json::object& summary) {
    json::array published;
    Status first_error;
    for (const std::unique_ptr<Publisher>& publisher : publishers_) {
      Result<PublishReport> report = publisher->Publish(feeds);
      if (!report.ok()) {
        spdlog::error("publish target={} error=\"{}\"", publisher->Describe(),
                      report.status().ToString());
        if (first_error.ok()) first_error = report.status();
        continue;
      }
      for (const std::string& written : report->written) published.push_back(json::value(written));
    }
    summary["published"] = std::move(published);
    // Committed but not published: Lambda retries the event, which changes nothing in the state
    // and publishes again.
    return first_error;
  }

  const LambdaOptions options_;
  const LambdaPipelineFactory factory_;
  const Policy* const policy_;
  const Clock* const clock_;
  const std::unique_ptr<S3Client> state_client_;
  StateJournal journal_;

  std::unique_ptr<Store> store_;
  std::unique_ptr<RecordingStore> recorder_;
  std::unique_ptr<LiveFeeds> feeds_;  // kept across warm invocations: renders are incremental
  std::vector<std::unique_ptr<Publisher>> publishers_;
  int64_t seq_ = -1;           // the last journal entry the local store holds
  std::string snapshot_etag_;  // of the snapshot last seen
  int64_t deadline_ms_ = 0;
};

LambdaHandler::LambdaHandler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LambdaHandler::~LambdaHandler() = default;

Result<std::unique_ptr<LambdaHandler>> LambdaHandler::Create(LambdaOptions options,
                                                             LambdaPipelineFactory factory,
                                                             const Policy* policy,
                                                             const Clock* clock) {
  if (options.state_prefix.empty() || options.state_prefix.front() == '/' ||
      options.state_prefix.back() == '/') {
    return Status::InvalidArgument("lambda: the state prefix must be non-empty, without a "
                                   "leading or trailing '/'");
  }
  Result<std::unique_ptr<S3Client>> client = NewS3Client(options.state_s3);
  if (!client.ok()) return client.status().WithContext("lambda state");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(factory), policy, clock,
                                     std::move(*client));
  return std::unique_ptr<LambdaHandler>(new LambdaHandler(std::move(impl)));
}

Result<std::string> LambdaHandler::Handle(const Invocation& invocation) {
  return impl_->Handle(invocation);
}

}  // namespace guardfeed::lambda
