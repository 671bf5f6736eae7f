// SQLite engine of Store: one connection in WAL mode with cached prepared statements. The schema,
// the merge rules of Apply and the tuning are described in docs/store.md.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/apply_rules.h"

namespace guardfeed {
namespace {

using sqlite_internal::DbPtr;
using sqlite_internal::Exec;
using sqlite_internal::kApplicationId;
using sqlite_internal::kMigrations;
using sqlite_internal::Query;
using sqlite_internal::QueryInt;
using sqlite_internal::QueryText;
using sqlite_internal::SqliteStatus;
using sqlite_internal::StmtPtr;

// How long a write waits for another process (CLI vs daemon) holding the write lock.
constexpr int kBusyTimeoutMs = 5000;
// Page cache per connection (negative means KiB): keeps a 1M-indicator table in memory.
constexpr const char* kCachePragma = "PRAGMA cache_size = -65536";
// Checkpoint once the WAL holds 8,192 pages (32 MiB) instead of SQLite's 1,000: a page that
// successive commits rewrite (index interior pages, meta, the hot end of the change index) is
// copied into the database once per checkpoint rather than once per few commits, and bulk
// commits of 100,000 sightings do not each end in a checkpoint (docs/store.md, "Tuning").
constexpr const char* kCheckpointPragma = "PRAGMA wal_autocheckpoint = 8192";
// After a checkpoint, a WAL grown past this (bulk ingest) is truncated back to it.
constexpr const char* kWalLimitPragma = "PRAGMA journal_size_limit = 67108864";

// Kinds are stored as IndicatorKind's values (0 ipv4, 1 ipv6, 2 domain; the schema checks the
// range).
int64_t KindCode(IndicatorKind kind) { return static_cast<int64_t>(kind); }
IndicatorKind KindFromCode(int64_t code) {
  if (code == 0) return IndicatorKind::kIpv4;
  if (code == 1) return IndicatorKind::kIpv6;
  return IndicatorKind::kDomain;
}

// Interned labels kept in memory at most; past this the cache starts over (hostile input with
// endless distinct account ids must not grow the process).
constexpr size_t kMaxCachedLabels = 65536;

// Prepared statements, prepared once at open and reused by every call.
// clang-format off
enum StmtId : size_t {
  kBegin, kBeginRead, kCommit, kRollback, kBump, kCounter, kMeta,
  kFindFinding, kInsertFinding, kFindLabel, kInsertLabel,
  kGetSighting, kInsertSighting, kUpdateSighting, kRefreshInput,
  kGetIndicator, kInsertIndicator, kInsertNewIndicator, kUpdateIndicator,
  kActive, kList, kSightingsOf, kNextExpiry, kExpireSightings, kDeleteOrphan, kDeleteUnusedFindings,
  kChangedIndicators, kAllIndicators, kChangedRemovals, kAllRemovals,
  kPutRemoval, kDeleteRemoval, kPutUnremoval, kGetRemoval, kListRemovals,
  kPutAllow, kDeleteAllow, kAllowChanged, kListAllow, kPutAudit, kListAudit,
  kGetFeed, kPutFeed, kGetPublisher, kPutPublisher, kSeen,
  kExportSightings, kExportIndicators, kExportAudit, kExportFeeds, kExportPublishers,
  kImportRemoval, kImportAllow, kImportFeed, kImportPublisher, kRaiseCounter, kAllowImported,
  kIsEmpty, kActivity, kRecent,
  kStmtCount
};
// clang-format on

#define GF_INDICATOR_COLUMNS \
  "value, kind, first_seen, last_seen, expires_at, max_severity, finding_count"
// A sighting with its finding id and labels joined back (s: sightings, f: findings, l: labels).
#define GF_SIGHTING_COLUMNS                                                                    \
  "s.value, s.kind, f.finding_id, l.finding_type, s.severity, l.account_id, l.region, "        \
  "l.action_type, l.direction, l.field, s.first_seen, s.last_seen, s.updated_at, s.count, "    \
  "s.withdrawn, s.expires_at FROM sightings AS s JOIN findings AS f ON f.id = s.finding JOIN " \
  "labels AS l ON l.id = s.label"
// SQLite evaluates the subquery once into a lookup table, which beats a per-row NOT EXISTS.
#define GF_NOT_REMOVED "value NOT IN (SELECT value FROM removals)"
#define GF_REMOVED "value IN (SELECT value FROM removals)"

struct StmtSql {
  StmtId id;
  const char* sql;
};
constexpr StmtSql kStatements[] = {
    {kBegin, "BEGIN IMMEDIATE"},
    // A read transaction: its first SELECT fixes the snapshot every later SELECT reads.
    {kBeginRead, "BEGIN"},
    {kCommit, "COMMIT"},
    {kRollback, "ROLLBACK"},
    {kBump, "UPDATE meta SET change_counter = change_counter + 1 WHERE id = 1"},
    {kCounter, "SELECT change_counter FROM meta WHERE id = 1"},
    {kMeta, "SELECT change_counter, allowlist_changed FROM meta WHERE id = 1"},
    {kFindFinding, "SELECT id FROM findings WHERE finding_id = ?1"},
    {kInsertFinding,
     "INSERT INTO findings (finding_id) VALUES (?1) ON CONFLICT (finding_id) DO NOTHING"},
    {kFindLabel,
     "SELECT id FROM labels WHERE finding_type = ?1 AND account_id = ?2 AND region = ?3 AND "
     "action_type = ?4 AND direction = ?5 AND field = ?6"},
    {kInsertLabel,
     "INSERT INTO labels (finding_type, account_id, region, action_type, direction, field) "
     "VALUES (?, ?, ?, ?, ?, ?)"},
    {kGetSighting,
     "SELECT kind, label, severity, first_seen, last_seen, updated_at, count, withdrawn, "
     "expires_at FROM sightings WHERE value = ?1 AND finding = ?2"},
    // Parameters are numbered as in the column list, so inserts and updates bind alike.
    {kInsertSighting,
     "INSERT INTO sightings (value, finding, kind, label, severity, first_seen, last_seen, "
     "updated_at, count, withdrawn, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {kUpdateSighting,
     "UPDATE sightings SET kind = ?3, label = ?4, severity = ?5, first_seen = ?6, "
     "last_seen = ?7, updated_at = ?8, count = ?9, withdrawn = ?10, expires_at = ?11 "
     "WHERE value = ?1 AND finding = ?2"},
    // The live aggregate of an indicator (keyed by (value, finding_id), so count(*) counts
    // distinct findings) next to its current row, in one step.
    {kRefreshInput,
     "SELECT a.n, a.first_seen, a.last_seen, a.expires_at, a.severity, i.kind, i.first_seen, "
     "i.last_seen, i.expires_at, i.max_severity, i.finding_count FROM (SELECT count(*) AS n, "
     "min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(expires_at) AS expires_at, "
     "max(severity) AS severity FROM sightings WHERE value = ?1 AND withdrawn = 0) AS a "
     "LEFT JOIN indicators AS i ON i.value = ?1"},
    {kGetIndicator, "SELECT " GF_INDICATOR_COLUMNS " FROM indicators WHERE value = ?1"},
    // ?8 (changed) is the change counter the transaction's bump will reach.
    {kInsertIndicator,
     "INSERT INTO indicators (" GF_INDICATOR_COLUMNS ", changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    // A first sighting's aggregate is the sighting itself: insert unless the row exists.
    {kInsertNewIndicator,
     "INSERT INTO indicators (" GF_INDICATOR_COLUMNS ", changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
     "ON CONFLICT (value) DO NOTHING"},
    {kUpdateIndicator,
     "UPDATE indicators SET kind = ?2, first_seen = ?3, last_seen = ?4, expires_at = ?5, "
     "max_severity = ?6, finding_count = ?7, changed = ?8 WHERE value = ?1"},
    // Most indicators are usually active, so a table scan beats the expiry index; the unary
    // plus keeps the planner off the index.
    {kActive,
     "SELECT " GF_INDICATOR_COLUMNS " FROM indicators WHERE +expires_at > ?1 AND " GF_NOT_REMOVED},
    // ?8 is a state name or '': the CASE is StateOf (store.cc) in SQL.
    {kList, "SELECT " GF_INDICATOR_COLUMNS " FROM indicators WHERE value > ?1 AND value >= ?2 AND "
            "(?3 = '' OR value < ?3) AND (?4 < 0 OR kind = ?4) AND (?5 OR expires_at > ?6) "
            "AND (?8 = '' OR ?8 = CASE WHEN " GF_REMOVED " THEN 'removed' "
            "WHEN finding_count = 0 THEN 'withdrawn' WHEN expires_at <= ?6 THEN 'expired' "
            "ELSE 'active' END) ORDER BY value LIMIT ?7"},
    {kSightingsOf, "SELECT " GF_SIGHTING_COLUMNS " WHERE s.value = ?1 "
                   "ORDER BY s.last_seen DESC, f.finding_id"},
    {kRecent, "SELECT " GF_SIGHTING_COLUMNS " ORDER BY s.updated_at DESC, s.value LIMIT ?1"},
    {kNextExpiry, "SELECT expires_at FROM indicators WHERE expires_at > ?1 AND " GF_NOT_REMOVED
                  " ORDER BY expires_at LIMIT 1"},
    {kExpireSightings, "DELETE FROM sightings WHERE expires_at <= ?1 RETURNING value, kind"},
    {kDeleteOrphan,
     "DELETE FROM indicators WHERE value = ?1 AND "
     "NOT EXISTS (SELECT 1 FROM sightings WHERE value = ?1)"},
    // One pass over sightings (no index by finding: it would cost every insert).
    {kDeleteUnusedFindings, "DELETE FROM findings WHERE id NOT IN (SELECT finding FROM sightings)"},
    // ChangesSince: rows written after ?1, with their removal flag.
    {kChangedIndicators,
     "SELECT " GF_INDICATOR_COLUMNS ", " GF_REMOVED " FROM indicators WHERE changed > ?1"},
    {kAllIndicators, "SELECT " GF_INDICATOR_COLUMNS ", " GF_REMOVED " FROM indicators"},
    // Values whose removal was added (1) or deleted (0) after ?1.
    {kChangedRemovals,
     "SELECT value, kind, 1 FROM removals WHERE changed > ?1 UNION ALL "
     "SELECT value, kind, 0 FROM unremovals WHERE changed > ?1 AND " GF_NOT_REMOVED},
    {kAllRemovals, "SELECT value, kind, 1 FROM removals"},
    // REPLACE is a plain upsert here: no table has triggers or foreign keys. `changed` is the
    // value the audit entry's bump (later in the same transaction) gives the counter.
    {kPutRemoval,
     "REPLACE INTO removals (value, kind, reason, actor, removed_at, changed) "
     "VALUES (?, ?, ?, ?, ?, (SELECT change_counter + 1 FROM meta))"},
    {kDeleteRemoval, "DELETE FROM removals WHERE value = ?1 RETURNING kind"},
    {kPutUnremoval,
     "REPLACE INTO unremovals (value, kind, changed) "
     "VALUES (?1, ?2, (SELECT change_counter + 1 FROM meta))"},
    {kGetRemoval, "SELECT value, kind, reason, actor, removed_at FROM removals WHERE value = ?1"},
    {kListRemovals, "SELECT value, kind, reason, actor, removed_at FROM removals ORDER BY value"},
    {kPutAllow,
     "INSERT INTO allowlist (entry, comment, actor, added_at) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (entry) DO UPDATE SET comment = excluded.comment"},
    {kDeleteAllow, "DELETE FROM allowlist WHERE entry = ?1"},
    {kAllowChanged, "UPDATE meta SET allowlist_changed = change_counter + 1 WHERE id = 1"},
    {kListAllow, "SELECT entry, comment, actor, added_at FROM allowlist ORDER BY entry"},
    {kPutAudit, "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)"},
    {kListAudit, "SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT ?1"},
    // (measure, bucket, count) rows; ?1 from, ?2 width, ?3 end, ?4 now (Store::Activity).
    {kActivity,
     "SELECT 0, (first_seen - ?1) / ?2, count(*) FROM indicators "
     "WHERE first_seen >= ?1 AND first_seen < ?3 GROUP BY 2 "
     "UNION ALL SELECT 1, (expires_at - ?1) / ?2, count(*) FROM indicators "
     "WHERE finding_count > 0 AND expires_at >= ?1 AND expires_at < ?3 AND expires_at <= ?4 "
     "GROUP BY 2 "
     "UNION ALL SELECT 2, (updated_at - ?1) / ?2, count(DISTINCT value) FROM sightings "
     "WHERE withdrawn = 1 AND updated_at >= ?1 AND updated_at < ?3 GROUP BY 2 "
     "UNION ALL SELECT 3, (removed_at - ?1) / ?2, count(*) FROM removals "
     "WHERE removed_at >= ?1 AND removed_at < ?3 GROUP BY 2"},
    {kGetFeed,
     "SELECT feed, content_digest, serial, version, data_ts FROM feed_state WHERE feed = ?1"},
    {kPutFeed,
     "REPLACE INTO feed_state (feed, content_digest, serial, version, data_ts) "
     "VALUES (?, ?, ?, ?, ?)"},
    {kGetPublisher, "SELECT value FROM publisher_state WHERE key = ?1"},
    {kPutPublisher, "REPLACE INTO publisher_state (key, value) VALUES (?, ?)"},
    // Whether any finding ever named the value (a withdrawn-only indicator has no row).
    {kSeen,
     "SELECT EXISTS (SELECT 1 FROM indicators WHERE value = ?1) OR "
     "EXISTS (SELECT 1 FROM sightings WHERE value = ?1)"},
    // Raw rows (store copy): every table in primary-key order, bytewise (BINARY collation);
    // removals and the allowlist reuse kListRemovals and kListAllow.
    {kExportSightings, "SELECT " GF_SIGHTING_COLUMNS " ORDER BY s.value, f.finding_id"},
    {kExportIndicators, "SELECT " GF_INDICATOR_COLUMNS " FROM indicators ORDER BY value"},
    {kExportAudit, "SELECT at, actor, action, target, detail FROM audit ORDER BY id"},
    {kExportFeeds,
     "SELECT feed, content_digest, serial, version, data_ts FROM feed_state ORDER BY feed"},
    {kExportPublishers, "SELECT key, value FROM publisher_state ORDER BY key"},
    // Imports are plain inserts: a row whose key exists fails the import instead of merging.
    {kImportRemoval,
     "INSERT INTO removals (value, kind, reason, actor, removed_at, changed) "
     "VALUES (?, ?, ?, ?, ?, ?)"},
    {kImportAllow, "INSERT INTO allowlist (entry, comment, actor, added_at) VALUES (?, ?, ?, ?)"},
    {kImportFeed,
     "INSERT INTO feed_state (feed, content_digest, serial, version, data_ts) "
     "VALUES (?, ?, ?, ?, ?)"},
    {kImportPublisher, "INSERT INTO publisher_state (key, value) VALUES (?, ?)"},
    {kRaiseCounter, "UPDATE meta SET change_counter = max(change_counter, ?1) WHERE id = 1"},
    {kAllowImported, "UPDATE meta SET allowlist_changed = change_counter WHERE id = 1"},
    {kIsEmpty,
     "SELECT NOT EXISTS (SELECT 1 FROM sightings) AND NOT EXISTS (SELECT 1 FROM indicators) AND "
     "NOT EXISTS (SELECT 1 FROM removals) AND NOT EXISTS (SELECT 1 FROM allowlist) AND "
     "NOT EXISTS (SELECT 1 FROM audit) AND NOT EXISTS (SELECT 1 FROM feed_state) AND "
     "NOT EXISTS (SELECT 1 FROM publisher_state)"},
};
static_assert(std::size(kStatements) == kStmtCount, "every StmtId has exactly one statement");

// Clear: every table of the schema but meta. Run by sqlite3_exec (several statements, and rare
// enough not to need preparing).
constexpr const char* kClearSql =
    "DELETE FROM sightings; DELETE FROM findings; DELETE FROM labels; DELETE FROM indicators; "
    "DELETE FROM removals; DELETE FROM unremovals; DELETE FROM allowlist; DELETE FROM audit; "
    "DELETE FROM feed_state; DELETE FROM publisher_state;";

#undef GF_INDICATOR_COLUMNS
#undef GF_SIGHTING_COLUMNS
#undef GF_NOT_REMOVED
#undef GF_REMOVED

using store_rules::ActivityBuckets;
using store_rules::ActivityCount;
using store_rules::Change;
using store_rules::CheckActivityWindow;
using store_rules::MergedTimes;

// Row readers: one per SELECT column list above.
IndicatorRecord ReadIndicatorRow(const Query& q) {
  return IndicatorRecord{{KindFromCode(q.GetInt(1)), q.GetText(0)},
                         q.GetInt(2),
                         q.GetInt(3),
                         q.GetInt(4),
                         q.GetReal(5),
                         q.GetInt(6)};
}

SightingRecord ReadSightingRow(const Query& q) {
  return SightingRecord{q.GetText(2), {KindFromCode(q.GetInt(1)), q.GetText(0)},
                        q.GetText(3), q.GetReal(4),
                        q.GetText(5), q.GetText(6),
                        q.GetText(7), q.GetText(8),
                        q.GetText(9), q.GetInt(10),
                        q.GetInt(11), q.GetInt(12),
                        q.GetInt(13), q.GetInt(14) != 0,
                        q.GetInt(15)};
}

RemovalRecord ReadRemovalRow(const Query& q) {
  return RemovalRecord{
      {KindFromCode(q.GetInt(1)), q.GetText(0)}, q.GetText(2), q.GetText(3), q.GetInt(4)};
}

AllowlistRecord ReadAllowlistRow(const Query& q) {
  return AllowlistRecord{q.GetText(0), q.GetText(1), q.GetText(2), q.GetInt(3)};
}

AuditRecord ReadAuditRow(const Query& q) {
  return AuditRecord{q.GetInt(0), q.GetText(1), q.GetText(2), q.GetText(3), q.GetText(4)};
}

FeedState ReadFeedRow(const Query& q) {
  return FeedState{q.GetText(0), q.GetText(1), q.GetInt(2), q.GetText(3), q.GetInt(4)};
}

Indicator ReadExpiredRow(const Query& q) { return {KindFromCode(q.GetInt(1)), q.GetText(0)}; }

// kChangedIndicators and kAllIndicators: the indicator row and whether it is removed.
ChangedIndicator ReadChangedRow(const Query& q) { return {ReadIndicatorRow(q), q.GetInt(7) != 0}; }

// kChangedRemovals and kAllRemovals: a value whose removal changed, as a record with no
// sightings (replaced by the indicator's row when it has one) and whether it is removed now.
ChangedIndicator ReadRemovalChangeRow(const Query& q) {
  ChangedIndicator change;
  change.record.indicator = {KindFromCode(q.GetInt(1)), q.GetText(0)};
  change.removed = q.GetInt(2) != 0;
  return change;
}
std::pair<std::string, std::string> ReadPublisherRow(const Query& q) {
  return {q.GetText(0), q.GetText(1)};
}
int64_t ReadInt(const Query& q) { return q.GetInt(0); }
std::string ReadText(const Query& q) { return q.GetText(0); }

// Adds `what` to a failed result while unwinding.
template <typename T>
Result<T> Context(Result<T> result, const std::string& what) {
  if (result.ok()) return result;
  return result.status().WithContext(what);
}

// Merges a delivery into the stored sighting row of kGetSighting (store_rules::Merge).
MergedTimes Merge(const Query& stored, const SightingRecord& in) {
  SightingRecord times;
  times.first_seen = stored.GetInt(3);
  times.last_seen = stored.GetInt(4);
  times.withdrawn = stored.GetInt(7) != 0;
  times.expires_at = stored.GetInt(8);
  return store_rules::Merge(times, in);
}

// Labels are unique rows, so equal label ids mean equal type, account, region, action type,
// direction and field.
bool SameSighting(const Query& stored, const SightingRecord& in, int64_t label,
                  const MergedTimes& t) {
  return stored.GetInt(0) == KindCode(in.indicator.kind) && stored.GetInt(1) == label &&
         stored.GetReal(2) == in.severity && stored.GetInt(3) == t.first_seen &&
         stored.GetInt(4) == t.last_seen && stored.GetInt(5) == in.updated_at &&
         stored.GetInt(6) == in.count && (stored.GetInt(7) != 0) == in.withdrawn &&
         stored.GetInt(8) == t.expires_at;
}

// Adds a live sighting to an aggregate (first sightings: docs/store.md, "Apply").
void Fold(IndicatorRecord& aggregate, const SightingRecord& in, const MergedTimes& t) {
  if (aggregate.finding_count == 0) {
    aggregate.first_seen = t.first_seen;
    aggregate.last_seen = t.last_seen;
    aggregate.expires_at = t.expires_at;
    aggregate.max_severity = in.severity;
  } else {
    aggregate.first_seen = std::min(aggregate.first_seen, t.first_seen);
    aggregate.last_seen = std::max(aggregate.last_seen, t.last_seen);
    aggregate.expires_at = std::max(aggregate.expires_at, t.expires_at);
    aggregate.max_severity = std::max(aggregate.max_severity, in.severity);
  }
  ++aggregate.finding_count;
}

// The labels of a sighting as one lookup key; each part is prefixed by its length, so no
// content (NULs included) makes two different label sets collide.
void LabelKey(const SightingRecord& in, std::string& key) {
  key.clear();
  for (const std::string* part :
       {&in.finding_type, &in.account_id, &in.region, &in.action_type, &in.direction, &in.field}) {
    uint64_t size = part->size();
    key.append(reinterpret_cast<const char*>(&size), sizeof size);
    key.append(*part);
  }
}

// Sorts by value and drops repeats, so each indicator is refreshed once per transaction.
void SortUnique(std::vector<Indicator>& indicators) {
  auto by_value = [](const Indicator& a, const Indicator& b) { return a.value < b.value; };
  auto same_value = [](const Indicator& a, const Indicator& b) { return a.value == b.value; };
  std::sort(indicators.begin(), indicators.end(), by_value);
  indicators.erase(std::unique(indicators.begin(), indicators.end(), same_value), indicators.end());
}

// Where a sighting's finding id and labels are stored (ResolveRefs).
struct Refs {
  int64_t finding = 0;       // findings.id
  bool new_finding = false;  // inserted by this batch: no stored sighting can name it yet
  int64_t label = 0;         // labels.id
};

bool SameLabels(const SightingRecord& a, const SightingRecord& b) {
  return a.finding_type == b.finding_type && a.account_id == b.account_id && a.region == b.region &&
         a.action_type == b.action_type && a.direction == b.direction && a.field == b.field;
}

// A sighting this transaction wrote, as the indicator refresh needs it.
struct Written {
  const SightingRecord* in = nullptr;
  Change change = Change::kNew;  // kNew or kUpdated
  MergedTimes times;
};

// ExportRows' output: collects rows and hands them to the sink in chunks of at most `limit`
// rows, filled in table order (a chunk may hold the end of one table and the start of the next).
// The sink is called at least once, so an empty store still sends its counter along.
class ChunkWriter {
 public:
  ChunkWriter(size_t limit, const std::function<Status(const StoreRows&)>& sink)
      : limit_(limit), sink_(sink) {}

  template <typename Row>
  Status Add(std::vector<Row> StoreRows::*table, Row row) {
    (chunk_.*table).push_back(std::move(row));
    return ++rows_ >= limit_ ? Flush() : Status::Ok();
  }
  // Sends the last, partial chunk (or the only, empty one).
  Status Finish() { return rows_ > 0 || !sent_ ? Flush() : Status::Ok(); }

 private:
  Status Flush() {
    Status status = sink_(chunk_);
    chunk_ = StoreRows{};
    rows_ = 0;
    sent_ = true;
    return status;
  }

  const size_t limit_;
  const std::function<Status(const StoreRows&)>& sink_;  // borrowed for the export
  StoreRows chunk_;
  size_t rows_ = 0;
  bool sent_ = false;
};

// What RefreshIndicator starts from.
struct RefreshInput {
  IndicatorRecord live;                // aggregate of live sightings; finding_count 0 if none
  std::optional<IndicatorRecord> old;  // the stored row, if any
};

// The SQLite engine. Thread safety: one connection, and every public method holds mu_ for its
// whole duration, so calls from several threads run one after another. Several processes (or
// several SqliteStore objects) may share one file: SQLite's file locks serialise their writes
// (BEGIN IMMEDIATE takes the write lock up front) and the busy timeout makes them wait.
class SqliteStore final : public Store {
 public:
  SqliteStore(DbPtr db, std::string description)
      : description_(std::move(description)), db_(std::move(db)) {}

  // Prepares every statement of kStatements; called once by OpenSqliteStore.
  Status PrepareStatements();

  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override;
  Result<StoreChanges> ChangesSince(int64_t counter) override;
  Result<std::vector<IndicatorRecord>> ActiveIndicators(UnixSeconds now) override;
  Result<std::vector<IndicatorRecord>> ListIndicators(const IndicatorQuery& query) override;
  Result<std::optional<IndicatorRecord>> GetIndicator(const Indicator& indicator) override;
  Result<std::vector<SightingRecord>> SightingsOf(const Indicator& indicator) override;
  Status Remove(const Indicator& indicator, std::string_view reason, std::string_view actor,
                UnixSeconds now) override;
  Status Unremove(const Indicator& indicator, std::string_view actor, UnixSeconds now) override;
  Result<std::optional<RemovalRecord>> GetRemoval(const Indicator& indicator) override;
  Result<std::vector<RemovalRecord>> ListRemovals() override;
  Status AddAllowlist(const AllowlistRecord& record) override;
  Status RemoveAllowlist(std::string_view entry, std::string_view actor, UnixSeconds now) override;
  Result<std::vector<AllowlistRecord>> ListAllowlist() override;
  Result<std::vector<AuditRecord>> ListAudit(int64_t limit) override;
  Result<int64_t> Expire(UnixSeconds now, int64_t retention_seconds) override;
  Result<std::optional<FeedState>> GetFeedState(std::string_view feed) override;
  Status PutFeedState(const FeedState& state) override;
  Result<FeedAdvance> AdvanceFeedState(std::string_view feed, std::string_view digest,
                                       UnixSeconds now,
                                       const NextFeedVersion& next_version) override;
  Result<int64_t> ChangeCounter() override;
  Result<std::optional<UnixSeconds>> NextExpiry(UnixSeconds now) override;
  Result<std::vector<ActivityBucket>> Activity(UnixSeconds from, int64_t width, int count,
                                               UnixSeconds now) override;
  Result<std::vector<SightingRecord>> RecentSightings(int64_t limit) override;
  Result<std::optional<std::string>> GetPublisherState(std::string_view key) override;
  Status PutPublisherState(std::string_view key, std::string_view value) override;
  // The sink runs while this store holds its lock and a read transaction: it must not call this
  // store.
  Status ExportRows(size_t chunk_rows, int64_t& counter,
                    const std::function<Status(const StoreRows&)>& sink) override;
  Status ImportRows(const StoreRows& rows, int64_t counter) override;
  Result<bool> IsEmpty() override;
  Status Clear() override;
  std::string Describe() const override { return description_; }

 private:
  // The helpers below require mu_ unless they say otherwise.
  sqlite3_stmt* Stmt(StmtId id) { return stmts_[id].get(); }
  // Binds `args` in order to statement `id` and runs it for its effect.
  template <typename... Args>
  Status Run(StmtId id, const Args&... args);
  // Every row of statement `id`, each converted by `read`.
  template <typename Read, typename... Args>
  auto SelectAll(StmtId id, Read read, const Args&... args)
      -> Result<std::vector<std::invoke_result_t<Read, const Query&>>>;
  // The first row of statement `id` converted by `read`, or nullopt when there is none.
  template <typename Read, typename... Args>
  auto SelectOne(StmtId id, Read read, const Args&... args)
      -> Result<std::optional<std::invoke_result_t<Read, const Query&>>>;
  // Takes mu_ itself, runs `body` (returning Status) inside BEGIN IMMEDIATE ... COMMIT, rolls
  // back when the body or the commit fails, and prefixes a failure with `what`.
  template <typename Body>
  Status Transact(const std::string& what, Body&& body);
  // Appends an audit entry and bumps the change counter (every manual action may change feeds).
  Status Audit(UnixSeconds at, std::string_view actor, std::string_view action,
               std::string_view target, std::string_view detail);

  // The change counter as the current transaction sees it.
  Result<int64_t> ReadCounter();
  Status ApplyBatch(const std::vector<SightingRecord>& sightings, ApplyResult& result);
  // Looks up (inserting new finding ids) the finding and label ids of every sighting, in delivery
  // order: a finding's sightings arrive together and share them, so each is looked up once.
  Status ResolveRefs(const std::vector<SightingRecord>& sightings, std::vector<Refs>& refs);
  // Upserts one sighting; on a write, appends it to `written`. `may_exist` is false when no
  // stored row can have its key (a finding new in this batch, and not a repeat of the key).
  Status UpsertSighting(const SightingRecord& in, const Refs& refs, bool may_exist,
                        std::vector<Written>& written, Change& change);
  // The id of a finding id in `findings`, inserting it if new (`created`). `expect_new` says
  // which to try first, the insert or the look-up: one statement when the guess is right.
  Result<int64_t> FindingRef(const std::string& finding_id, bool expect_new, bool& created);
  // The id of `in`'s labels, inserting them if new. A label row stays even when the sighting is
  // not written (an older delivery): labels are shared, tiny, and never deleted.
  Result<int64_t> LabelRef(const SightingRecord& in);
  // Refreshes the indicator of one value's sightings written by this batch, folding first
  // sightings into the stored row instead of re-reading the aggregate.
  Result<Change> RefreshWritten(const std::vector<Written>& written, int64_t changed);
  // Recomputes an indicator row from its live sightings (docs/store.md, "Apply"); `changed` is
  // the change counter the transaction will commit.
  Result<Change> RefreshIndicator(const Indicator& indicator, int64_t changed);
  Result<RefreshInput> ReadRefreshInput(const Indicator& indicator);
  Status WriteIndicator(StmtId id, const IndicatorRecord& record, int64_t changed);
  Status ExpireSightings(UnixSeconds cutoff, int64_t& deleted);
  // The body of ChangesSince's read transaction.
  Status ReadChanges(int64_t counter, StoreChanges& changes);
  // The bodies of ExportRows' read transaction and ImportRows' write transaction.
  Status ExportAll(size_t chunk_rows, int64_t& counter,
                   const std::function<Status(const StoreRows&)>& sink);
  // Every row of statement `id`, converted by `read`, into `table` of the chunks.
  template <typename Read, typename Row>
  Status ExportTable(StmtId id, Read read, std::vector<Row> StoreRows::*table, ChunkWriter& out);
  Status ImportAll(const StoreRows& rows, int64_t counter);
  Status ImportSightings(const std::vector<SightingRecord>& sightings);
  Status ImportChangeRows(const StoreRows& rows, int64_t changed);
  Status ImportOtherRows(const StoreRows& rows);
  // The body of AdvanceFeedState's transaction.
  Status AdvanceFeed(std::string_view feed, std::string_view digest, UnixSeconds now,
                     const NextFeedVersion& next_version, FeedAdvance& result);

  // Constant after construction.
  const std::string description_;

  std::mutex mu_;
  // Guarded by mu_. db_ is declared before stmts_ so that the statements are finalized first.
  DbPtr db_;
  std::array<StmtPtr, kStmtCount> stmts_;
  size_t active_hint_ = 0;  // size of the last ActiveIndicators answer, to reserve
  // Label key (LabelKey) -> labels.id. Labels are never deleted, so an id stays valid across
  // transactions and processes, except one inserted by a transaction that rolled back: Transact
  // clears the cache on every rollback.
  std::unordered_map<std::string, int64_t> labels_;
  std::string label_key_;  // LabelKey's buffer, reused
};

Status SqliteStore::PrepareStatements() {
  for (const StmtSql& entry : kStatements) {
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(db_.get(), entry.sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(db_.get(), rc).WithContext("prepare statements");
    stmts_[entry.id].reset(stmt);
  }
  return Status::Ok();
}

template <typename... Args>
Status SqliteStore::Run(StmtId id, const Args&... args) {
  Query q(Stmt(id));
  (q.Bind(args), ...);
  return q.Run();
}

template <typename Read, typename... Args>
auto SqliteStore::SelectAll(StmtId id, Read read, const Args&... args)
    -> Result<std::vector<std::invoke_result_t<Read, const Query&>>> {
  Query q(Stmt(id));
  (q.Bind(args), ...);
  std::vector<std::invoke_result_t<Read, const Query&>> rows;
  for (;;) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    rows.push_back(read(q));
  }
}

template <typename Read, typename... Args>
auto SqliteStore::SelectOne(StmtId id, Read read, const Args&... args)
    -> Result<std::optional<std::invoke_result_t<Read, const Query&>>> {
  using Row = std::invoke_result_t<Read, const Query&>;
  Query q(Stmt(id));
  (q.Bind(args), ...);
  Result<bool> row = q.Step();
  if (!row.ok()) return row.status();
  return *row ? std::optional<Row>(read(q)) : std::optional<Row>();
}

template <typename Body>
Status SqliteStore::Transact(const std::string& what, Body&& body) {
  std::lock_guard lock(mu_);
  Status status = Run(kBegin);
  if (status.ok()) status = body();
  if (status.ok()) status = Run(kCommit);
  // A failed statement or COMMIT can leave the transaction open; ROLLBACK's own error adds
  // nothing to the first one.
  if (!status.ok() && sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback);
  if (!status.ok()) labels_.clear();  // ids inserted by the failed transaction are gone
  return status.WithContext(what);
}

Status SqliteStore::Audit(UnixSeconds at, std::string_view actor, std::string_view action,
                          std::string_view target, std::string_view detail) {
  GF_RETURN_IF_ERROR(Run(kPutAudit, at, actor, action, target, detail));
  return Run(kBump);
}

// ---- Apply ----

Result<std::vector<ApplyResult>> SqliteStore::ApplyBatches(
    std::span<const std::vector<SightingRecord>* const> batches) {
  size_t total = 0;
  for (const std::vector<SightingRecord>* batch : batches) {
    for (size_t i = 0; i < batch->size(); ++i) {
      const SightingRecord& sighting = (*batch)[i];
      if (sighting.finding_id.empty() || sighting.indicator.value.empty()) {
        return Status::InvalidArgument("apply: sighting " + std::to_string(i) +
                                       " has an empty finding id or indicator");
      }
    }
    total += batch->size();
  }
  std::vector<ApplyResult> results(batches.size());
  if (total == 0) return results;
  std::string what = "apply " + std::to_string(total) + " sightings";
  GF_RETURN_IF_ERROR(Transact(what, [&]() -> Status {
    Status status;
    for (size_t i = 0; i < batches.size() && status.ok(); ++i) {
      status = ApplyBatch(*batches[i], results[i]);
    }
    return status;
  }));
  return results;
}

Result<int64_t> SqliteStore::ReadCounter() {
  Result<std::optional<int64_t>> counter = SelectOne(kCounter, ReadInt);
  if (!counter.ok()) return counter.status();
  if (!counter->has_value()) return Status::Internal("no meta row");
  return **counter;
}

Status SqliteStore::ApplyBatch(const std::vector<SightingRecord>& sightings, ApplyResult& result) {
  std::vector<Refs> refs;
  GF_RETURN_IF_ERROR(ResolveRefs(sightings, refs));
  std::vector<uint32_t> ordered = store_rules::KeyOrder(sightings);
  Result<int64_t> counter = ReadCounter();
  if (!counter.ok()) return counter.status();
  const int64_t changed = *counter + 1;  // what the bump below makes the counter
  bool wrote = false;
  std::vector<Written> written;
  for (size_t begin = 0, end = 0; begin < ordered.size(); begin = end) {
    const std::string& value = sightings[ordered[begin]].indicator.value;
    written.clear();
    for (end = begin; end < ordered.size() && sightings[ordered[end]].indicator.value == value;
         ++end) {
      const uint32_t i = ordered[end];
      bool repeat =
          end > begin && sightings[ordered[end - 1]].finding_id == sightings[i].finding_id;
      Change change = Change::kUnchanged;
      GF_RETURN_IF_ERROR(
          UpsertSighting(sightings[i], refs[i], !refs[i].new_finding || repeat, written, change));
      if (change == Change::kUnchanged) ++result.sightings_unchanged;
      if (change == Change::kNew) ++result.sightings_new;
      if (change == Change::kUpdated) ++result.sightings_updated;
    }
    if (written.empty()) continue;  // a pure re-delivery writes nothing
    wrote = true;
    Result<Change> change = RefreshWritten(written, changed);
    if (!change.ok()) return change.status();
    if (*change == Change::kNew) ++result.indicators_new;
    if (*change == Change::kUpdated) ++result.indicators_updated;
    if (*change == Change::kWithdrawn) ++result.indicators_withdrawn;
  }
  return wrote ? Run(kBump) : Status::Ok();
}

Status SqliteStore::ResolveRefs(const std::vector<SightingRecord>& sightings,
                                std::vector<Refs>& refs) {
  refs.resize(sightings.size());
  // Findings come in runs: all new in a fresh bulk ingest, all stored in a re-delivery. Guess
  // that the next finding is like the last.
  bool expect_new = false;
  for (size_t i = 0; i < sightings.size(); ++i) {
    const SightingRecord& in = sightings[i];
    const SightingRecord* previous = i > 0 ? &sightings[i - 1] : nullptr;
    if (previous != nullptr && previous->finding_id == in.finding_id) {
      refs[i].finding = refs[i - 1].finding;
      refs[i].new_finding = refs[i - 1].new_finding;
    } else {
      Result<int64_t> finding = FindingRef(in.finding_id, expect_new, refs[i].new_finding);
      if (!finding.ok()) return finding.status();
      refs[i].finding = *finding;
      expect_new = refs[i].new_finding;
    }
    if (previous != nullptr && SameLabels(*previous, in)) {
      refs[i].label = refs[i - 1].label;
    } else {
      Result<int64_t> label = LabelRef(in);
      if (!label.ok()) return label.status();
      refs[i].label = *label;
    }
  }
  return Status::Ok();
}

Status SqliteStore::UpsertSighting(const SightingRecord& in, const Refs& refs, bool may_exist,
                                   std::vector<Written>& written, Change& change) {
  MergedTimes times{in.first_seen, in.last_seen, in.expires_at};
  change = Change::kNew;
  if (may_exist) {
    Query stored(Stmt(kGetSighting));
    stored.Bind(in.indicator.value).Bind(refs.finding);
    Result<bool> row = stored.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      change = Change::kUnchanged;
      // An older delivery never overwrites a newer one.
      if (in.updated_at < stored.GetInt(5)) return Status::Ok();
      times = Merge(stored, in);
      if (SameSighting(stored, in, refs.label, times)) return Status::Ok();
      change = Change::kUpdated;
    }
  }  // the read is reset before the write
  GF_RETURN_IF_ERROR(Run(change == Change::kNew ? kInsertSighting : kUpdateSighting,
                         in.indicator.value, refs.finding, KindCode(in.indicator.kind), refs.label,
                         in.severity, times.first_seen, times.last_seen, in.updated_at, in.count,
                         int64_t{in.withdrawn}, times.expires_at));
  written.push_back(Written{&in, change, times});
  return Status::Ok();
}

Result<int64_t> SqliteStore::FindingRef(const std::string& finding_id, bool expect_new,
                                        bool& created) {
  created = false;
  if (expect_new) {
    GF_RETURN_IF_ERROR(Run(kInsertFinding, finding_id));
    created = sqlite3_changes64(db_.get()) > 0;
    if (created) return sqlite3_last_insert_rowid(db_.get());
  }
  Result<std::optional<int64_t>> found = SelectOne(kFindFinding, ReadInt, finding_id);
  if (!found.ok()) return found.status();
  if (found->has_value()) return **found;
  if (expect_new) return Status::Internal("finding " + finding_id + " neither inserted nor found");
  GF_RETURN_IF_ERROR(Run(kInsertFinding, finding_id));
  created = true;
  return sqlite3_last_insert_rowid(db_.get());
}

Result<int64_t> SqliteStore::LabelRef(const SightingRecord& in) {
  LabelKey(in, label_key_);
  if (auto cached = labels_.find(label_key_); cached != labels_.end()) return cached->second;
  Result<std::optional<int64_t>> found =
      SelectOne(kFindLabel, ReadInt, in.finding_type, in.account_id, in.region, in.action_type,
                in.direction, in.field);
  if (!found.ok()) return found.status();
  int64_t id = found->value_or(0);
  if (!found->has_value()) {
    GF_RETURN_IF_ERROR(Run(kInsertLabel, in.finding_type, in.account_id, in.region, in.action_type,
                           in.direction, in.field));
    id = sqlite3_last_insert_rowid(db_.get());
  }
  if (labels_.size() >= kMaxCachedLabels) labels_.clear();
  labels_.emplace(label_key_, id);
  return id;
}

// When every written sighting is new, the live set only grew: the new aggregate is the stored
// one (none for a new or withdrawn indicator) with the new live sightings folded in, exactly
// what re-reading the live sightings would give. Anything else is recomputed.
Result<Change> SqliteStore::RefreshWritten(const std::vector<Written>& written, int64_t changed) {
  const Indicator& indicator = written.front().in->indicator;
  bool all_new = std::all_of(written.begin(), written.end(),
                             [](const Written& w) { return w.change == Change::kNew; });
  if (!all_new) return RefreshIndicator(indicator, changed);
  IndicatorRecord next{indicator};
  for (const Written& w : written) {
    if (!w.in->withdrawn) Fold(next, *w.in, w.times);
  }
  if (next.finding_count == 0) return Change::kUnchanged;  // new withdrawn sightings only
  GF_RETURN_IF_ERROR(WriteIndicator(kInsertNewIndicator, next, changed));
  if (sqlite3_changes64(db_.get()) > 0) return Change::kNew;
  Result<std::optional<IndicatorRecord>> old =
      SelectOne(kGetIndicator, ReadIndicatorRow, indicator.value);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::Internal("indicator row vanished during apply");
  const IndicatorRecord& stored = **old;
  if (stored.finding_count > 0) {
    next.first_seen = std::min(next.first_seen, stored.first_seen);
    next.last_seen = std::max(next.last_seen, stored.last_seen);
    next.expires_at = std::max(next.expires_at, stored.expires_at);
    next.max_severity = std::max(next.max_severity, stored.max_severity);
    next.finding_count += stored.finding_count;
  }
  GF_RETURN_IF_ERROR(WriteIndicator(kUpdateIndicator, next, changed));
  return Change::kUpdated;
}

Result<RefreshInput> SqliteStore::ReadRefreshInput(const Indicator& indicator) {
  Query q(Stmt(kRefreshInput));
  q.Bind(indicator.value);
  Result<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("indicator aggregate returned no row");
  RefreshInput input{
      IndicatorRecord{indicator, q.GetInt(1), q.GetInt(2), q.GetInt(3), q.GetReal(4), q.GetInt(0)},
      std::nullopt};
  if (q.IsNull(5)) return input;
  input.old = IndicatorRecord{{KindFromCode(q.GetInt(5)), indicator.value},
                              q.GetInt(6),
                              q.GetInt(7),
                              q.GetInt(8),
                              q.GetReal(9),
                              q.GetInt(10)};
  return input;
}

// store_rules::RefreshIndicator decides; this writes its answer.
Result<Change> SqliteStore::RefreshIndicator(const Indicator& indicator, int64_t changed) {
  Result<RefreshInput> input = ReadRefreshInput(indicator);
  if (!input.ok()) return input.status();
  IndicatorRecord next;
  Change change = store_rules::RefreshIndicator(input->live, input->old, next);
  if (change == Change::kUnchanged) return change;
  GF_RETURN_IF_ERROR(
      WriteIndicator(input->old.has_value() ? kUpdateIndicator : kInsertIndicator, next, changed));
  return change;
}

Status SqliteStore::WriteIndicator(StmtId id, const IndicatorRecord& record, int64_t changed) {
  return Run(id, record.indicator.value, KindCode(record.indicator.kind), record.first_seen,
             record.last_seen, record.expires_at, record.max_severity, record.finding_count,
             changed);
}

// ---- Changes ----

Result<StoreChanges> SqliteStore::ChangesSince(int64_t counter) {
  std::lock_guard lock(mu_);
  StoreChanges changes;
  Status status = Run(kBeginRead);
  if (status.ok()) status = ReadChanges(counter, changes);
  if (status.ok()) status = Run(kCommit);
  if (!status.ok() && sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback);
  if (!status.ok()) return status.WithContext("read changes since " + std::to_string(counter));
  return changes;
}

// Counter 0 (or less) asks for everything: a scan of every indicator and every removal, with
// no index. Otherwise the `changed` indexes bound the work to the rows written after `counter`.
Status SqliteStore::ReadChanges(int64_t counter, StoreChanges& changes) {
  int64_t allowlist_changed = 0;
  {
    Query meta(Stmt(kMeta));
    Result<bool> row = meta.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("no meta row");
    changes.counter = meta.GetInt(0);
    allowlist_changed = meta.GetInt(1);
  }
  if (counter > changes.counter) {
    changes.reset = true;
    return Status::Ok();
  }
  const bool all = counter <= 0;
  changes.allowlist_changed = allowlist_changed > std::max<int64_t>(counter, 0);
  Result<std::vector<ChangedIndicator>> rows =
      all ? SelectAll(kAllIndicators, ReadChangedRow)
          : SelectAll(kChangedIndicators, ReadChangedRow, counter);
  if (!rows.ok()) return rows.status();
  changes.indicators = std::move(*rows);
  Result<std::vector<ChangedIndicator>> removals =
      all ? SelectAll(kAllRemovals, ReadRemovalChangeRow)
          : SelectAll(kChangedRemovals, ReadRemovalChangeRow, counter);
  if (!removals.ok()) return removals.status();
  if (removals->empty()) return Status::Ok();
  // A value whose removal changed is listed once, with its row when it has one.
  std::unordered_set<std::string_view> listed;
  for (const ChangedIndicator& change : changes.indicators) {
    listed.insert(change.record.indicator.value);
  }
  std::vector<ChangedIndicator> extra;
  for (ChangedIndicator& change : *removals) {
    if (listed.contains(change.record.indicator.value)) continue;
    Result<std::optional<IndicatorRecord>> row =
        SelectOne(kGetIndicator, ReadIndicatorRow, change.record.indicator.value);
    if (!row.ok()) return row.status();
    if (row->has_value()) change.record = std::move(**row);
    extra.push_back(std::move(change));
  }
  for (ChangedIndicator& change : extra) changes.indicators.push_back(std::move(change));
  return Status::Ok();
}

// ---- Reads ----

Result<std::vector<IndicatorRecord>> SqliteStore::ActiveIndicators(UnixSeconds now) {
  std::lock_guard lock(mu_);
  Query q(Stmt(kActive));
  q.Bind(now);
  std::vector<IndicatorRecord> out;
  out.reserve(active_hint_ + active_hint_ / 16);
  for (;;) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status().WithContext("read active indicators");
    if (!*row) break;
    out.push_back(ReadIndicatorRow(q));
  }
  active_hint_ = out.size();
  return out;
}

// An empty upper bound binds '' and means "none", a kind of -1 "any" (kList).
Result<std::vector<IndicatorRecord>> SqliteStore::ListIndicators(const IndicatorQuery& query) {
  std::string prefix_end = store_rules::PrefixEnd(query.value_prefix);
  int64_t kind = query.kind.has_value() ? KindCode(*query.kind) : -1;  // -1: any kind
  std::string_view state = query.state.has_value() ? IndicatorStateName(*query.state) : "";
  // Withdrawn indicators have expires_at 0: a state filter looks past the expiry filter.
  const bool include_expired = query.include_expired || query.state.has_value();
  int64_t limit = query.limit > 0 ? query.limit : -1;  // a negative LIMIT means none
  std::lock_guard lock(mu_);
  return Context(SelectAll(kList, ReadIndicatorRow, std::string_view(query.after),
                           std::string_view(query.value_prefix), std::string_view(prefix_end), kind,
                           int64_t{include_expired}, query.now, limit, state),
                 "list indicators");
}

Result<std::optional<IndicatorRecord>> SqliteStore::GetIndicator(const Indicator& indicator) {
  std::lock_guard lock(mu_);
  return Context(SelectOne(kGetIndicator, ReadIndicatorRow, indicator.value),
                 "get indicator " + indicator.value);
}

Result<std::vector<SightingRecord>> SqliteStore::SightingsOf(const Indicator& indicator) {
  std::lock_guard lock(mu_);
  return Context(SelectAll(kSightingsOf, ReadSightingRow, indicator.value),
                 "read sightings of " + indicator.value);
}

Result<std::vector<SightingRecord>> SqliteStore::RecentSightings(int64_t limit) {
  std::lock_guard lock(mu_);
  return Context(SelectAll(kRecent, ReadSightingRow, limit), "read recent sightings");
}

Result<int64_t> SqliteStore::ChangeCounter() {
  std::lock_guard lock(mu_);
  Result<std::optional<int64_t>> counter = SelectOne(kCounter, ReadInt);
  if (!counter.ok()) return counter.status().WithContext("read change counter");
  if (!counter->has_value()) return Status::Internal("read change counter: no meta row");
  return **counter;
}

Result<std::optional<UnixSeconds>> SqliteStore::NextExpiry(UnixSeconds now) {
  std::lock_guard lock(mu_);
  return Context(SelectOne(kNextExpiry, ReadInt, now), "read next expiry");
}

Result<std::vector<ActivityBucket>> SqliteStore::Activity(UnixSeconds from, int64_t width,
                                                         int count, UnixSeconds now) {
  GF_RETURN_IF_ERROR(CheckActivityWindow(from, width, count));
  auto read = [](const Query& q) {
    return ActivityCount{static_cast<int>(q.GetInt(0)), q.GetInt(1), q.GetInt(2)};
  };
  std::lock_guard lock(mu_);
  auto rows = SelectAll(kActivity, read, from, width, from + width * count, now);
  if (!rows.ok()) return rows.status().WithContext("read activity");
  return ActivityBuckets(*rows, from, width, count);
}

// ---- Removals, allowlist, audit ----

Status SqliteStore::Remove(const Indicator& indicator, std::string_view reason,
                           std::string_view actor, UnixSeconds now) {
  return Transact("remove " + indicator.value, [&] {
    Result<std::optional<int64_t>> seen = SelectOne(kSeen, ReadInt, indicator.value);
    if (!seen.ok()) return seen.status();
    if (seen->value_or(0) == 0) return Status::NotFound("never seen");
    GF_RETURN_IF_ERROR(
        Run(kPutRemoval, indicator.value, KindCode(indicator.kind), reason, actor, now));
    return Audit(now, actor, "remove", indicator.value, reason);
  });
}

Status SqliteStore::Unremove(const Indicator& indicator, std::string_view actor, UnixSeconds now) {
  return Transact("unremove " + indicator.value, [&] {
    Result<std::optional<int64_t>> kind = SelectOne(kDeleteRemoval, ReadInt, indicator.value);
    if (!kind.ok()) return kind.status();
    if (!kind->has_value()) return Status::NotFound("it is not removed");
    // The deleted removal leaves a mark for ChangesSince (the value may have no indicator row).
    GF_RETURN_IF_ERROR(Run(kPutUnremoval, indicator.value, **kind));
    return Audit(now, actor, "unremove", indicator.value, "");
  });
}

Result<std::optional<RemovalRecord>> SqliteStore::GetRemoval(const Indicator& indicator) {
  std::lock_guard lock(mu_);
  return Context(SelectOne(kGetRemoval, ReadRemovalRow, indicator.value),
                 "get removal of " + indicator.value);
}

Result<std::vector<RemovalRecord>> SqliteStore::ListRemovals() {
  std::lock_guard lock(mu_);
  return Context(SelectAll(kListRemovals, ReadRemovalRow), "list removals");
}

Status SqliteStore::AddAllowlist(const AllowlistRecord& record) {
  if (record.entry.empty()) return Status::InvalidArgument("allowlist entry is empty");
  return Transact("add allowlist entry " + record.entry, [&] {
    GF_RETURN_IF_ERROR(Run(kPutAllow, record.entry, record.comment, record.actor, record.added_at));
    GF_RETURN_IF_ERROR(Run(kAllowChanged));
    return Audit(record.added_at, record.actor, "allow_add", record.entry, record.comment);
  });
}

Status SqliteStore::RemoveAllowlist(std::string_view entry, std::string_view actor,
                                    UnixSeconds now) {
  return Transact("remove allowlist entry " + std::string(entry), [&] {
    GF_RETURN_IF_ERROR(Run(kDeleteAllow, entry));
    if (sqlite3_changes64(db_.get()) == 0) return Status::NotFound("no such entry");
    GF_RETURN_IF_ERROR(Run(kAllowChanged));
    return Audit(now, actor, "allow_remove", entry, "");
  });
}

Result<std::vector<AllowlistRecord>> SqliteStore::ListAllowlist() {
  std::lock_guard lock(mu_);
  return Context(SelectAll(kListAllow, ReadAllowlistRow), "list allowlist");
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(int64_t limit) {
  std::lock_guard lock(mu_);
  return Context(SelectAll(kListAudit, ReadAuditRow, limit > 0 ? limit : int64_t{-1}),
                 "list audit log");
}

// ---- Expiry ----

Result<int64_t> SqliteStore::Expire(UnixSeconds now, int64_t retention_seconds) {
  if (retention_seconds < 0) {
    return Status::InvalidArgument("expire: retention must not be negative");
  }
  // Saturates instead of overflowing for absurd retentions.
  constexpr UnixSeconds kMin = std::numeric_limits<UnixSeconds>::min();
  UnixSeconds cutoff = now >= kMin + retention_seconds ? now - retention_seconds : kMin;
  int64_t deleted = 0;
  GF_RETURN_IF_ERROR(Transact("expire", [&] { return ExpireSightings(cutoff, deleted); }));
  return deleted;
}

// Indicators that lose some sightings but keep others are recomputed, as in Apply.
Status SqliteStore::ExpireSightings(UnixSeconds cutoff, int64_t& deleted) {
  Result<std::vector<Indicator>> touched = SelectAll(kExpireSightings, ReadExpiredRow, cutoff);
  if (!touched.ok()) return touched.status();
  if (touched->empty()) return Status::Ok();
  Result<int64_t> counter = ReadCounter();
  if (!counter.ok()) return counter.status();
  SortUnique(*touched);
  for (const Indicator& indicator : *touched) {
    GF_RETURN_IF_ERROR(Run(kDeleteOrphan, indicator.value));
    if (sqlite3_changes64(db_.get()) > 0) {
      ++deleted;
      continue;
    }
    Result<Change> change = RefreshIndicator(indicator, *counter + 1);
    if (!change.ok()) return change.status();
  }
  GF_RETURN_IF_ERROR(Run(kDeleteUnusedFindings));
  return Run(kBump);
}

// ---- Feed and publisher state ----

Result<std::optional<FeedState>> SqliteStore::GetFeedState(std::string_view feed) {
  std::lock_guard lock(mu_);
  return Context(SelectOne(kGetFeed, ReadFeedRow, feed), "get state of feed " + std::string(feed));
}

Status SqliteStore::PutFeedState(const FeedState& state) {
  return Transact("put state of feed " + state.feed, [&] {
    return Run(kPutFeed, state.feed, state.content_digest, state.serial, state.version,
               state.data_ts);
  });
}

Result<FeedAdvance> SqliteStore::AdvanceFeedState(std::string_view feed, std::string_view digest,
                                                  UnixSeconds now,
                                                  const NextFeedVersion& next_version) {
  const std::string what = "advance state of feed " + std::string(feed);
  {
    // Most renders change nothing: answer those without taking the write lock. A state read
    // here is committed, so its version belongs to this digest even if it moves on right after.
    std::lock_guard lock(mu_);
    Result<std::optional<FeedState>> stored = SelectOne(kGetFeed, ReadFeedRow, feed);
    if (!stored.ok()) return stored.status().WithContext(what);
    if (*stored && (*stored)->content_digest == digest) return FeedAdvance{**stored, false};
  }
  FeedAdvance result;
  GF_RETURN_IF_ERROR(
      Transact(what, [&] { return AdvanceFeed(feed, digest, now, next_version, result); }));
  return result;
}

// Re-reads under the write lock: another process may have versioned this (or another) content
// since the unlocked read.
Status SqliteStore::AdvanceFeed(std::string_view feed, std::string_view digest, UnixSeconds now,
                                const NextFeedVersion& next_version, FeedAdvance& result) {
  Result<std::optional<FeedState>> stored = SelectOne(kGetFeed, ReadFeedRow, feed);
  if (!stored.ok()) return stored.status();
  const std::optional<FeedState>& previous = *stored;
  if (previous && previous->content_digest == digest) {
    result = FeedAdvance{*previous, false};
    return Status::Ok();
  }
  FeedState next;
  next.feed = std::string(feed);
  next.content_digest = std::string(digest);
  next.serial = (previous ? previous->serial : 0) + 1;
  next.data_ts = now;
  next.version = next_version(previous ? &*previous : nullptr, next.serial, now);
  GF_RETURN_IF_ERROR(Run(kPutFeed, std::string_view(next.feed),
                         std::string_view(next.content_digest), next.serial,
                         std::string_view(next.version), next.data_ts));
  result = FeedAdvance{std::move(next), true};
  return Status::Ok();
}

Result<std::optional<std::string>> SqliteStore::GetPublisherState(std::string_view key) {
  std::lock_guard lock(mu_);
  return Context(SelectOne(kGetPublisher, ReadText, key),
                 "get publisher state " + std::string(key));
}

Status SqliteStore::PutPublisherState(std::string_view key, std::string_view value) {
  return Transact("put publisher state " + std::string(key), [&] {
    Query q(Stmt(kPutPublisher));
    return q.Bind(key).BindBlob(value).Run();
  });
}

// ---- Raw rows (store copy) ----

Status SqliteStore::ExportRows(size_t chunk_rows, int64_t& counter,
                               const std::function<Status(const StoreRows&)>& sink) {
  if (chunk_rows == 0) return Status::InvalidArgument("export rows: chunk size is 0");
  std::lock_guard lock(mu_);
  Status status = Run(kBeginRead);
  if (status.ok()) status = ExportAll(chunk_rows, counter, sink);
  if (status.ok()) status = Run(kCommit);
  if (!status.ok() && sqlite3_get_autocommit(db_.get()) == 0) (void)Run(kRollback);
  return status.WithContext("export rows");
}

// The counter is read first: that read fixes the snapshot every table is read from.
Status SqliteStore::ExportAll(size_t chunk_rows, int64_t& counter,
                              const std::function<Status(const StoreRows&)>& sink) {
  Result<int64_t> read = ReadCounter();
  if (!read.ok()) return read.status();
  counter = *read;
  ChunkWriter out(chunk_rows, sink);
  GF_RETURN_IF_ERROR(ExportTable(kExportSightings, ReadSightingRow, &StoreRows::sightings, out));
  GF_RETURN_IF_ERROR(ExportTable(kExportIndicators, ReadIndicatorRow, &StoreRows::indicators, out));
  GF_RETURN_IF_ERROR(ExportTable(kListRemovals, ReadRemovalRow, &StoreRows::removals, out));
  GF_RETURN_IF_ERROR(ExportTable(kListAllow, ReadAllowlistRow, &StoreRows::allowlist, out));
  GF_RETURN_IF_ERROR(ExportTable(kExportAudit, ReadAuditRow, &StoreRows::audit, out));
  GF_RETURN_IF_ERROR(ExportTable(kExportFeeds, ReadFeedRow, &StoreRows::feed_states, out));
  GF_RETURN_IF_ERROR(
      ExportTable(kExportPublishers, ReadPublisherRow, &StoreRows::publisher_states, out));
  return out.Finish();
}

template <typename Read, typename Row>
Status SqliteStore::ExportTable(StmtId id, Read read, std::vector<Row> StoreRows::*table,
                                ChunkWriter& out) {
  Query q(Stmt(id));
  for (;;) {
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    GF_RETURN_IF_ERROR(out.Add(table, read(q)));
  }
}

Status SqliteStore::ImportRows(const StoreRows& rows, int64_t counter) {
  return Transact("import " + std::to_string(rows.size()) + " rows",
                  [&] { return ImportAll(rows, counter); });
}

// The counter moves first, so that the imported indicators and removals carry the value it
// commits with: readers of the target see them as changed after any counter of the source.
Status SqliteStore::ImportAll(const StoreRows& rows, int64_t counter) {
  GF_RETURN_IF_ERROR(Run(kRaiseCounter, counter));
  Result<int64_t> changed = ReadCounter();
  if (!changed.ok()) return changed.status();
  if (!rows.allowlist.empty()) GF_RETURN_IF_ERROR(Run(kAllowImported));
  GF_RETURN_IF_ERROR(ImportSightings(rows.sightings));
  GF_RETURN_IF_ERROR(ImportChangeRows(rows, *changed));
  return ImportOtherRows(rows);
}

// Sightings arrive by (value, finding id): a finding named by several values repeats, so the
// guess of FindingRef follows the last finding's.
Status SqliteStore::ImportSightings(const std::vector<SightingRecord>& sightings) {
  bool expect_new = true;
  for (const SightingRecord& in : sightings) {
    bool created = false;
    Result<int64_t> finding = FindingRef(in.finding_id, expect_new, created);
    if (!finding.ok()) return finding.status();
    expect_new = created;
    Result<int64_t> label = LabelRef(in);
    if (!label.ok()) return label.status();
    GF_RETURN_IF_ERROR(Run(kInsertSighting, in.indicator.value, *finding,
                           KindCode(in.indicator.kind), *label, in.severity, in.first_seen,
                           in.last_seen, in.updated_at, in.count, int64_t{in.withdrawn},
                           in.expires_at));
  }
  return Status::Ok();
}

Status SqliteStore::ImportChangeRows(const StoreRows& rows, int64_t changed) {
  for (const IndicatorRecord& record : rows.indicators) {
    GF_RETURN_IF_ERROR(WriteIndicator(kInsertIndicator, record, changed));
  }
  for (const RemovalRecord& r : rows.removals) {
    GF_RETURN_IF_ERROR(Run(kImportRemoval, r.indicator.value, KindCode(r.indicator.kind), r.reason,
                           r.actor, r.removed_at, changed));
  }
  return Status::Ok();
}

Status SqliteStore::ImportOtherRows(const StoreRows& rows) {
  for (const AllowlistRecord& r : rows.allowlist) {
    GF_RETURN_IF_ERROR(Run(kImportAllow, r.entry, r.comment, r.actor, r.added_at));
  }
  for (const AuditRecord& r : rows.audit) {
    GF_RETURN_IF_ERROR(Run(kPutAudit, r.at, r.actor, r.action, r.target, r.detail));
  }
  for (const FeedState& r : rows.feed_states) {
    GF_RETURN_IF_ERROR(Run(kImportFeed, r.feed, r.content_digest, r.serial, r.version, r.data_ts));
  }
  for (const auto& [key, value] : rows.publisher_states) {
    Query q(Stmt(kImportPublisher));
    GF_RETURN_IF_ERROR(q.Bind(key).BindBlob(value).Run());
  }
  return Status::Ok();
}

Result<bool> SqliteStore::IsEmpty() {
  std::lock_guard lock(mu_);
  Result<std::optional<int64_t>> empty = SelectOne(kIsEmpty, ReadInt);
  if (!empty.ok()) return empty.status().WithContext("check whether the store is empty");
  return empty->value_or(0) != 0;
}

// The counter is kept and bumped, never reset: a reader following it must not see it go back.
Status SqliteStore::Clear() {
  return Transact("clear store", [&] {
    labels_.clear();  // the label ids are gone
    GF_RETURN_IF_ERROR(Exec(db_.get(), kClearSql));
    GF_RETURN_IF_ERROR(Run(kAllowChanged));
    return Run(kBump);
  });
}

// ---- Opening ----

// Refuses files that are not guardfeed stores before anything is written to them.
Status CheckOwnership(sqlite3* db, const std::string& path) {
  Result<int64_t> app_id = QueryInt(db, "PRAGMA application_id");
  if (!app_id.ok()) {
    if ((sqlite3_errcode(db) & 0xff) != SQLITE_NOTADB) return app_id.status();
    return Status::InvalidArgument(path + " is not a SQLite database");
  }
  if (*app_id == kApplicationId) return Status::Ok();
  Result<int64_t> tables = QueryInt(db, "SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.status();
  if (*app_id == 0 && *tables == 0) return Status::Ok();  // a new, empty file
  return Status::InvalidArgument(path + " is a SQLite database of another program, not a " +
                                 "guardfeed store");
}

Status CheckVersion(sqlite3* db, const std::string& path, int64_t& version) {
  Result<int64_t> current = QueryInt(db, "PRAGMA user_version");
  if (!current.ok()) return current.status();
  version = *current;
  auto known = static_cast<int64_t>(kMigrations.size());
  if (version >= 0 && version <= known) return Status::Ok();
  return Status::FailedPrecondition(path + " has store schema version " + std::to_string(version) +
                                    ", which this guardfeed does not " + "know (it knows up to " +
                                    std::to_string(known) + "); use a newer guardfeed");
}

// Applies pending migrations in one write transaction; a process opening the same file at the
// same time waits on the write lock and then finds nothing left to do.
Status Migrate(sqlite3* db, const std::string& path) {
  GF_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  int64_t version = 0;
  Status status = CheckVersion(db, path, version);
  size_t from = status.ok() ? static_cast<size_t>(version) : kMigrations.size();
  for (size_t v = from; status.ok() && v < kMigrations.size(); ++v) {
    status = Exec(db, kMigrations[v]).WithContext("schema migration " + std::to_string(v + 1));
  }
  if (status.ok() && from < kMigrations.size()) {
    std::string set = "PRAGMA user_version = " + std::to_string(kMigrations.size());
    status = Exec(db, set.c_str());
  }
  if (status.ok()) status = Exec(db, "COMMIT");
  if (!status.ok() && sqlite3_get_autocommit(db) == 0) (void)Exec(db, "ROLLBACK");
  return status;
}

// WAL lets readers (the daemon rendering feeds) run during a write; synchronous=FULL makes a
// commit durable before it returns.
Status Configure(sqlite3* db, const std::string& path) {
  Result<std::string> mode = QueryText(db, "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  bool memory = path == ":memory:" && *mode == "memory";
  if (*mode != "wal" && !memory) {
    return Status::IoError(path + ": cannot switch to WAL journal mode (got " + *mode + ")");
  }
  GF_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = FULL"));
  GF_RETURN_IF_ERROR(Exec(db, kCheckpointPragma));
  GF_RETURN_IF_ERROR(Exec(db, kWalLimitPragma));
  return Exec(db, kCachePragma);
}

Status CreateParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (!error) return Status::Ok();
  return Status::IoError("cannot create directory " + parent.string() + ": " + error.message());
}

std::string DescribePath(const std::string& path) {
  if (path == ":memory:") return "sqlite://:memory:";
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return "sqlite://" + (error ? path : absolute.lexically_normal().string());
}

Result<DbPtr> OpenDatabase(const std::string& path) {
  if (path != ":memory:") GF_RETURN_IF_ERROR(CreateParentDirectory(path));
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  // Debian's SQLite reads names starting with "file:" as URIs; "./" keeps every path a path.
  std::string name = path.starts_with("file:") ? "./" + path : path;
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);  // closed on every path, including a failed open
  if (rc != SQLITE_OK) {
    return Status::IoError("cannot open " + path + ": " +
                           (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  Status status = CheckOwnership(db.get(), path);
  if (status.ok()) status = Configure(db.get(), path);
  if (status.ok()) status = Migrate(db.get(), path);
  if (!status.ok()) return status;
  return db;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("SQLite store path is empty");
  Result<DbPtr> db = OpenDatabase(path);
  if (!db.ok()) return db.status().WithContext("open store");
  auto store = std::make_unique<SqliteStore>(std::move(db).value(), DescribePath(path));
  Status status = store->PrepareStatements();
  if (!status.ok()) return status.WithContext("open store " + path);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace guardfeed
