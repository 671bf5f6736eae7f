// PostgreSQL engine of Store: one connection for reads and writes, set-based statements (a batch
// is read and written with a handful of statements over arrays, whatever its size), and the merge
// rules of store/apply_rules.h shared with SQLite. Every write transaction starts by locking the
// meta row, so writers from every replica commit one after another in change-counter order and a
// reader's snapshot always holds a prefix of the counter. Commits that change anything send
// NOTIFY guardfeed_changes (store/pg_watcher.h delivers it to the other replicas).
#include "store/postgres_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/apply_rules.h"
#include "store/pg_connection.h"
#include "store/pg_watcher.h"

namespace guardfeed {
namespace {

using pg::Params;
using pg::Rows;
using store_rules::ActivityBuckets;
using store_rules::ActivityCount;
using store_rules::Change;
using store_rules::CheckActivityWindow;

// Migrations of one database run one at a time, whichever replica starts first.
constexpr int64_t kMigrationLock = 0x4746444200000001;  // "GFDB" + 1

int64_t KindCode(IndicatorKind kind) { return static_cast<int64_t>(kind); }
IndicatorKind KindFromCode(int64_t code) {
  if (code == 0) return IndicatorKind::kIpv4;
  if (code == 1) return IndicatorKind::kIpv6;
  return IndicatorKind::kDomain;
}

#define GF_INDICATOR_COLUMNS \
  "value, kind, first_seen, last_seen, expires_at, max_severity, finding_count"
#define GF_SIGHTING_COLUMNS                                                                       \
  "value, finding_id, kind, finding_type, severity, account_id, region, action_type, direction, " \
  "field, first_seen, last_seen, updated_at, count, withdrawn, expires_at"
#define GF_REMOVED "EXISTS (SELECT 1 FROM removals AS r WHERE r.value = i.value)"

constexpr const char* kLockMeta =
    "SELECT change_counter FROM meta WHERE id = 1 FOR UPDATE";
constexpr const char* kBump =
    "WITH bumped AS (UPDATE meta SET change_counter = $1::int8 WHERE id = 1) "
    "SELECT pg_notify('guardfeed_changes', $1::int8::text)";
constexpr const char* kCounter = "SELECT change_counter FROM meta WHERE id = 1";
constexpr const char* kMeta = "SELECT change_counter, allowlist_changed FROM meta WHERE id = 1";
constexpr const char* kStoredSightings =
    "SELECT s.value, s.finding_id, kind, finding_type, severity, account_id, region, action_type, "
    "direction, field, first_seen, last_seen, updated_at, count, withdrawn, expires_at "
    "FROM sightings AS s JOIN unnest($1::text[], $2::text[]) AS k(value, finding_id) "
    "ON s.value = k.value AND s.finding_id = k.finding_id";
constexpr const char* kUpsertSightings =
    "INSERT INTO sightings (" GF_SIGHTING_COLUMNS ") SELECT * FROM unnest($1::text[], "
    "$2::text[], $3::int2[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], "
    "$9::text[], $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::bool[], "
    "$16::int8[]) ON CONFLICT (value, finding_id) DO UPDATE SET kind = excluded.kind, "
    "finding_type = excluded.finding_type, severity = excluded.severity, "
    "account_id = excluded.account_id, region = excluded.region, "
    "action_type = excluded.action_type, direction = excluded.direction, field = excluded.field, "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
    "updated_at = excluded.updated_at, count = excluded.count, withdrawn = excluded.withdrawn, "
    "expires_at = excluded.expires_at";
// Per value: the aggregate of its live sightings, then its stored row (NULLs when none).
constexpr const char* kRefreshInput =
    "SELECT k.value, a.n, a.first_seen, a.last_seen, a.expires_at, a.severity, i.kind, "
    "i.first_seen, i.last_seen, i.expires_at, i.max_severity, i.finding_count "
    "FROM unnest($1::text[]) AS k(value) CROSS JOIN LATERAL (SELECT count(*) AS n, "
    "min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(expires_at) AS expires_at, "
    "max(severity) AS severity FROM sightings AS s WHERE s.value = k.value AND NOT withdrawn) AS a "
    "LEFT JOIN indicators AS i ON i.value = k.value";
constexpr const char* kUpsertIndicators =
    "INSERT INTO indicators (" GF_INDICATOR_COLUMNS ", changed) SELECT *, $8::int8 FROM "
    "unnest($1::text[], $2::int2[], $3::int8[], $4::int8[], $5::int8[], $6::float8[], $7::int8[]) "
    "ON CONFLICT (value) DO UPDATE SET kind = excluded.kind, first_seen = excluded.first_seen, "
    "last_seen = excluded.last_seen, expires_at = excluded.expires_at, "
    "max_severity = excluded.max_severity, finding_count = excluded.finding_count, "
    "changed = excluded.changed";
constexpr const char* kActive = "SELECT " GF_INDICATOR_COLUMNS
                                " FROM indicators AS i WHERE expires_at > $1::int8 AND NOT " GF_REMOVED;
// $8 is a state name or '': the CASE is StateOf (store.cc) in SQL. A NULL limit means none.
constexpr const char* kList =
    "SELECT " GF_INDICATOR_COLUMNS " FROM indicators AS i WHERE value > $1::text AND "
    "value >= $2::text AND ($3::text = '' OR value < $3::text) AND ($4::int4 < 0 OR kind = $4::int4) "
    "AND ($5::bool OR expires_at > $6::int8) AND ($8::text = '' OR $8::text = CASE WHEN " GF_REMOVED
    " THEN 'removed' WHEN finding_count = 0 THEN 'withdrawn' WHEN expires_at <= $6::int8 THEN "
    "'expired' ELSE 'active' END) ORDER BY value LIMIT $7::int8";
constexpr const char* kGetIndicator =
    "SELECT " GF_INDICATOR_COLUMNS " FROM indicators WHERE value = $1";
constexpr const char* kSightingsOf = "SELECT " GF_SIGHTING_COLUMNS
                                     " FROM sightings WHERE value = $1 "
                                     "ORDER BY last_seen DESC, finding_id";
constexpr const char* kRecent = "SELECT " GF_SIGHTING_COLUMNS
                                " FROM sightings ORDER BY updated_at DESC, value LIMIT $1::int8";
constexpr const char* kNextExpiry =
    "SELECT expires_at FROM indicators AS i WHERE expires_at > $1::int8 AND NOT " GF_REMOVED
    " ORDER BY expires_at LIMIT 1";
constexpr const char* kExpireSightings =
    "DELETE FROM sightings WHERE expires_at <= $1::int8 RETURNING value, kind";
constexpr const char* kDeleteOrphans =
    "DELETE FROM indicators AS i WHERE value = ANY ($1::text[]) AND "
    "NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.value = i.value) RETURNING value";
constexpr const char* kChangedIndicators =
    "SELECT " GF_INDICATOR_COLUMNS ", " GF_REMOVED " FROM indicators AS i WHERE changed > $1::int8";
constexpr const char* kAllIndicators =
    "SELECT " GF_INDICATOR_COLUMNS ", " GF_REMOVED " FROM indicators AS i";
// Values whose removal was added (true) or deleted (false) after $1, with their indicator row.
constexpr const char* kChangedRemovals =
    "SELECT c.value, c.kind, c.removed, i.kind, i.first_seen, i.last_seen, i.expires_at, "
    "i.max_severity, i.finding_count FROM (SELECT value, kind, true AS removed FROM removals "
    "WHERE changed > $1::int8 UNION ALL SELECT value, kind, false FROM unremovals AS u WHERE "
    "changed > $1::int8 AND NOT EXISTS (SELECT 1 FROM removals AS r WHERE r.value = u.value)) "
    "AS c LEFT JOIN indicators AS i ON i.value = c.value";
constexpr const char* kPutRemoval =
    "INSERT INTO removals (value, kind, reason, actor, removed_at, changed) "
    "VALUES ($1, $2::int2, $3, $4, $5::int8, $6::int8) ON CONFLICT (value) DO UPDATE SET "
    "kind = excluded.kind, reason = excluded.reason, actor = excluded.actor, "
    "removed_at = excluded.removed_at, changed = excluded.changed";
constexpr const char* kDeleteRemoval = "DELETE FROM removals WHERE value = $1 RETURNING kind";
constexpr const char* kPutUnremoval =
    "INSERT INTO unremovals (value, kind, changed) VALUES ($1, $2::int2, $3::int8) "
    "ON CONFLICT (value) DO UPDATE SET kind = excluded.kind, changed = excluded.changed";
constexpr const char* kGetRemoval =
    "SELECT value, kind, reason, actor, removed_at FROM removals WHERE value = $1";
constexpr const char* kListRemovals =
    "SELECT value, kind, reason, actor, removed_at FROM removals ORDER BY value";
constexpr const char* kSeen =
    "SELECT EXISTS (SELECT 1 FROM indicators WHERE value = $1) OR "
    "EXISTS (SELECT 1 FROM sightings WHERE value = $1)";
constexpr const char* kPutAllow =
    "INSERT INTO allowlist (entry, comment, actor, added_at) VALUES ($1, $2, $3, $4::int8) "
    "ON CONFLICT (entry) DO UPDATE SET comment = excluded.comment";
constexpr const char* kDeleteAllow = "DELETE FROM allowlist WHERE entry = $1";
constexpr const char* kAllowChanged = "UPDATE meta SET allowlist_changed = $1::int8 WHERE id = 1";
constexpr const char* kListAllow =
    "SELECT entry, comment, actor, added_at FROM allowlist ORDER BY entry";
constexpr const char* kPutAudit =
    "INSERT INTO audit (at, actor, action, target, detail) VALUES ($1::int8, $2, $3, $4, $5)";
// (measure, bucket, count) rows; $1 from, $2 width, $3 end, $4 now (Store::Activity).
constexpr const char* kActivity =
    "SELECT 0, (first_seen - $1::int8) / $2::int8, count(*) FROM indicators "
    "WHERE first_seen >= $1::int8 AND first_seen < $3::int8 GROUP BY 2 "
    "UNION ALL SELECT 1, (expires_at - $1::int8) / $2::int8, count(*) FROM indicators "
    "WHERE finding_count > 0 AND expires_at >= $1::int8 AND expires_at < $3::int8 "
    "AND expires_at <= $4::int8 GROUP BY 2 "
    "UNION ALL SELECT 2, (updated_at - $1::int8) / $2::int8, count(DISTINCT value) FROM sightings "
    "WHERE withdrawn AND updated_at >= $1::int8 AND updated_at < $3::int8 GROUP BY 2 "
    "UNION ALL SELECT 3, (removed_at - $1::int8) / $2::int8, count(*) FROM removals "
    "WHERE removed_at >= $1::int8 AND removed_at < $3::int8 GROUP BY 2";
constexpr const char* kListAudit =
    "SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT $1::int8";
constexpr const char* kGetFeed =
    "SELECT feed, content_digest, serial, version, data_ts FROM feed_state WHERE feed = $1";
constexpr const char* kPutFeed =
    "INSERT INTO feed_state (feed, content_digest, serial, version, data_ts) "
    "VALUES ($1, $2, $3::int8, $4, $5::int8) ON CONFLICT (feed) DO UPDATE SET "
    "content_digest = excluded.content_digest, serial = excluded.serial, "
    "version = excluded.version, data_ts = excluded.data_ts";
// Versions are allocated one at a time across replicas (AdvanceFeedState).
constexpr const char* kLockFeedStates = "LOCK TABLE feed_state IN SHARE ROW EXCLUSIVE MODE";
constexpr const char* kGetPublisher = "SELECT value FROM publisher_state WHERE key = $1";
constexpr const char* kPutPublisher =
    "INSERT INTO publisher_state (key, value) VALUES ($1, $2::bytea) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

// Row readers: one per column list above, from column `c`.
IndicatorRecord ReadIndicator(const Rows& rows, int r, int c = 0) {
  return IndicatorRecord{{KindFromCode(rows.Int(r, c + 1)), rows.Text(r, c)},
                         rows.Int(r, c + 2),
                         rows.Int(r, c + 3),
                         rows.Int(r, c + 4),
                         rows.Real(r, c + 5),
                         rows.Int(r, c + 6)};
}

SightingRecord ReadSighting(const Rows& rows, int r) {
  SightingRecord s;
  s.indicator = {KindFromCode(rows.Int(r, 2)), rows.Text(r, 0)};
  s.finding_id = rows.Text(r, 1);
  s.finding_type = rows.Text(r, 3);
  s.severity = rows.Real(r, 4);
  s.account_id = rows.Text(r, 5);
  s.region = rows.Text(r, 6);
  s.action_type = rows.Text(r, 7);
  s.direction = rows.Text(r, 8);
  s.field = rows.Text(r, 9);
  s.first_seen = rows.Int(r, 10);
  s.last_seen = rows.Int(r, 11);
  s.updated_at = rows.Int(r, 12);
  s.count = rows.Int(r, 13);
  s.withdrawn = rows.Bool(r, 14);
  s.expires_at = rows.Int(r, 15);
  return s;
}

RemovalRecord ReadRemoval(const Rows& rows, int r) {
  return RemovalRecord{{KindFromCode(rows.Int(r, 1)), rows.Text(r, 0)},
                       rows.Text(r, 2),
                       rows.Text(r, 3),
                       rows.Int(r, 4)};
}

FeedState ReadFeed(const Rows& rows, int r) {
  return FeedState{rows.Text(r, 0), rows.Text(r, 1), rows.Int(r, 2), rows.Text(r, 3),
                   rows.Int(r, 4)};
}

template <typename T, typename Read>
std::vector<T> ReadAll(const Rows& rows, Read read) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) out.push_back(read(rows, r));
  return out;
}

template <typename T>
Result<T> Context(Result<T> result, const std::string& what) {
  if (result.ok()) return result;
  return result.status().WithContext(what);
}

// A sighting key: (value, finding id).
using SightingKey = std::pair<std::string_view, std::string_view>;
struct SightingKeyHash {
  size_t operator()(const SightingKey& key) const {
    return std::hash<std::string_view>()(key.first) * 31 + std::hash<std::string_view>()(key.second);
  }
};

// Appends one sighting to the 16 column arrays of kUpsertSightings.
struct SightingColumns {
  std::vector<std::string_view> value, finding_id, finding_type, account_id, region, action_type,
      direction, field;
  std::vector<int64_t> kind, first_seen, last_seen, updated_at, count, expires_at;
  std::vector<double> severity;
  std::vector<bool> withdrawn;

  void Append(const SightingRecord& s) {
    value.push_back(s.indicator.value);
    finding_id.push_back(s.finding_id);
    kind.push_back(KindCode(s.indicator.kind));
    finding_type.push_back(s.finding_type);
    severity.push_back(s.severity);
    account_id.push_back(s.account_id);
    region.push_back(s.region);
    action_type.push_back(s.action_type);
    direction.push_back(s.direction);
    field.push_back(s.field);
    first_seen.push_back(s.first_seen);
    last_seen.push_back(s.last_seen);
    updated_at.push_back(s.updated_at);
    count.push_back(s.count);
    withdrawn.push_back(s.withdrawn);
    expires_at.push_back(s.expires_at);
  }
  Params ToParams() const {
    Params p;
    p.AddArray(value).AddArray(finding_id).AddArray(kind).AddArray(finding_type);
    p.AddArray(severity).AddArray(account_id).AddArray(region).AddArray(action_type);
    p.AddArray(direction).AddArray(field).AddArray(first_seen).AddArray(last_seen);
    p.AddArray(updated_at).AddArray(count).AddArray(withdrawn).AddArray(expires_at);
    return p;
  }
};

struct IndicatorColumns {
  std::vector<std::string_view> value;
  std::vector<int64_t> kind, first_seen, last_seen, expires_at, finding_count;
  std::vector<double> max_severity;

  void Append(const IndicatorRecord& i) {
    value.push_back(i.indicator.value);
    kind.push_back(KindCode(i.indicator.kind));
    first_seen.push_back(i.first_seen);
    last_seen.push_back(i.last_seen);
    expires_at.push_back(i.expires_at);
    max_severity.push_back(i.max_severity);
    finding_count.push_back(i.finding_count);
  }
  Params ToParams(int64_t changed) const {
    Params p;
    p.AddArray(value).AddArray(kind).AddArray(first_seen).AddArray(last_seen);
    p.AddArray(expires_at).AddArray(max_severity).AddArray(finding_count).Add(changed);
    return p;
  }
};

// The write transaction in progress: the counter value its commit will reach, and whether
// anything it wrote needs that bump (and a NOTIFY).
struct WriteTx {
  int64_t next = 0;
  bool changed = false;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string url, std::unique_ptr<pg::Connection> connection)
      : url_(std::move(url)), description_(connection->Describe()), conn_(std::move(connection)) {}
  ~PostgresStore() override { watcher_.reset(); }

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
  Status ExportRows(size_t chunk_rows, int64_t& counter,
                    const std::function<Status(const StoreRows&)>& sink) override;
  Status ImportRows(const StoreRows& rows, int64_t counter) override;
  Result<bool> IsEmpty() override;
  Status Clear() override;
  bool WatchChanges(std::function<void()> on_change) override;
  bool LeadsPublishing() override;
  std::string Describe() const override { return description_; }

 private:
  // Takes mu_, runs `body` inside a transaction that first locks the meta row, bumps the counter
  // (and notifies) when the body set `tx.changed`, commits, and rolls back on any failure.
  template <typename Body>
  Status Transact(const std::string& what, Body&& body);
  // Takes mu_ and runs `body` in a REPEATABLE READ, READ ONLY transaction (one snapshot).
  template <typename Body>
  Status Snapshot(const std::string& what, Body&& body);
  // One statement outside any explicit transaction, under mu_.
  Result<Rows> Query(const char* sql, const Params& params = Params());
  Status Audit(WriteTx& tx, UnixSeconds at, std::string_view actor, std::string_view action,
               std::string_view target, std::string_view detail);

  Status ApplyBatch(WriteTx& tx, const std::vector<SightingRecord>& sightings,
                    ApplyResult& result);
  // Recomputes the indicator rows of `values` (sorted, unique) from their live sightings and
  // writes those that changed; counts what happened to each in `result` when given.
  Status RefreshIndicators(WriteTx& tx, const std::vector<std::string_view>& values,
                           const std::unordered_map<std::string_view, IndicatorKind>& kinds,
                           ApplyResult* result);
  Status ExpireSightings(WriteTx& tx, UnixSeconds cutoff, int64_t& deleted);
  Status AdvanceFeed(std::string_view feed, std::string_view digest, UnixSeconds now,
                     const NextFeedVersion& next_version, FeedAdvance& result);
  Status ReadChanges(int64_t counter, StoreChanges& changes);
  Status ExportTables(size_t chunk_rows, const std::function<Status(const StoreRows&)>& sink);
  Status ImportTables(WriteTx& tx, const StoreRows& rows, int64_t counter);

  const std::string url_;
  const std::string description_;

  std::mutex mu_;
  std::unique_ptr<pg::Connection> conn_;  // guarded by mu_

  std::mutex watcher_mu_;
  std::unique_ptr<pg::Watcher> watcher_;  // guarded by watcher_mu_
};

template <typename Body>
Status PostgresStore::Transact(const std::string& what, Body&& body) {
  std::lock_guard lock(mu_);
  Status status = conn_->Exec("BEGIN");
  WriteTx tx;
  if (status.ok()) {
    Result<Rows> meta = conn_->Query(kLockMeta);
    if (!meta.ok()) status = meta.status();
    if (status.ok() && meta->size() != 1) status = Status::Internal("no meta row");
    if (status.ok()) tx.next = meta->Int(0, 0) + 1;
  }
  if (status.ok()) status = body(tx);
  if (status.ok() && tx.changed) {
    status = conn_->Query(kBump, Params().Add(tx.next)).status();
  }
  if (status.ok()) status = conn_->Exec("COMMIT");
  // A failed statement leaves the transaction aborted; ROLLBACK's own error adds nothing. A
  // broken connection has no transaction left to roll back.
  if (!status.ok() && conn_->InTransaction()) (void)conn_->Exec("ROLLBACK");
  return status.WithContext(what);
}

template <typename Body>
Status PostgresStore::Snapshot(const std::string& what, Body&& body) {
  std::lock_guard lock(mu_);
  Status status = conn_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (status.ok()) status = body();
  if (status.ok()) status = conn_->Exec("COMMIT");
  if (!status.ok() && conn_->InTransaction()) (void)conn_->Exec("ROLLBACK");
  return status.WithContext(what);
}

Result<Rows> PostgresStore::Query(const char* sql, const Params& params) {
  std::lock_guard lock(mu_);
  return conn_->Query(sql, params);
}

Status PostgresStore::Audit(WriteTx& tx, UnixSeconds at, std::string_view actor,
                            std::string_view action, std::string_view target,
                            std::string_view detail) {
  tx.changed = true;
  return conn_->Query(kPutAudit, Params().Add(at).Add(actor).Add(action).Add(target).Add(detail))
      .status();
}

// ---- Apply ----

Result<std::vector<ApplyResult>> PostgresStore::ApplyBatches(
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
  Status status =
      Transact("apply " + std::to_string(total) + " sightings", [&](WriteTx& tx) -> Status {
        // Each batch that writes gets a counter value of its own, as if applied alone.
        bool wrote = false;
        for (size_t i = 0; i < batches.size(); ++i) {
          tx.changed = false;
          GF_RETURN_IF_ERROR(ApplyBatch(tx, *batches[i], results[i]));
          if (tx.changed) ++tx.next;
          wrote = wrote || tx.changed;
        }
        if (wrote) --tx.next;  // the value the last writing batch used
        tx.changed = wrote;
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return results;
}

// Reads the stored rows of the batch's keys at once, merges every delivery in key order in
// memory (store_rules, as SQLite does row by row), writes the rows that changed with one upsert
// and refreshes the indicators they belong to.
Status PostgresStore::ApplyBatch(WriteTx& tx, const std::vector<SightingRecord>& sightings,
                                 ApplyResult& result) {
  std::vector<uint32_t> order = store_rules::KeyOrder(sightings);
  std::vector<std::string_view> key_values, key_findings;
  for (size_t n = 0; n < order.size(); ++n) {
    const SightingRecord& s = sightings[order[n]];
    if (n > 0) {
      const SightingRecord& p = sightings[order[n - 1]];
      if (p.indicator.value == s.indicator.value && p.finding_id == s.finding_id) continue;
    }
    key_values.push_back(s.indicator.value);
    key_findings.push_back(s.finding_id);
  }
  Result<Rows> stored_rows =
      conn_->Query(kStoredSightings, Params().AddArray(key_values).AddArray(key_findings));
  if (!stored_rows.ok()) return stored_rows.status();
  std::vector<SightingRecord> stored_list = ReadAll<SightingRecord>(*stored_rows, ReadSighting);
  // The current row of each key: stored, then as this batch rewrote it.
  std::unordered_map<SightingKey, SightingRecord, SightingKeyHash> current;
  for (const SightingRecord& s : stored_list) {
    current.emplace(SightingKey(s.indicator.value, s.finding_id), s);
  }
  std::map<SightingKey, SightingRecord> to_write;  // sorted: stable lock order across replicas
  std::unordered_map<std::string_view, IndicatorKind> touched;
  for (uint32_t i : order) {
    const SightingRecord& in = sightings[i];
    SightingKey key(in.indicator.value, in.finding_id);
    SightingRecord next = in;
    auto found = current.find(key);
    if (found == current.end()) {
      ++result.sightings_new;
    } else {
      const SightingRecord& stored = found->second;
      // An older delivery never overwrites a newer one.
      store_rules::MergedTimes times = store_rules::Merge(stored, in);
      if (in.updated_at < stored.updated_at || store_rules::SameSighting(stored, in, times)) {
        ++result.sightings_unchanged;
        continue;
      }
      ++result.sightings_updated;
      next.first_seen = times.first_seen;
      next.last_seen = times.last_seen;
      next.expires_at = times.expires_at;
    }
    // Keys point into `sightings`, which outlives both maps.
    current.insert_or_assign(key, next);
    to_write.insert_or_assign(key, next);
    touched.emplace(in.indicator.value, in.indicator.kind);
  }
  if (to_write.empty()) return Status::Ok();  // a pure re-delivery writes nothing
  SightingColumns columns;
  for (const auto& [key, row] : to_write) columns.Append(row);
  GF_RETURN_IF_ERROR(conn_->Query(kUpsertSightings, columns.ToParams()).status());
  std::vector<std::string_view> values;
  values.reserve(touched.size());
  for (const auto& [value, kind] : touched) values.push_back(value);
  std::sort(values.begin(), values.end());
  tx.changed = true;
  return RefreshIndicators(tx, values, touched, &result);
}

Status PostgresStore::RefreshIndicators(
    WriteTx& tx, const std::vector<std::string_view>& values,
    const std::unordered_map<std::string_view, IndicatorKind>& kinds, ApplyResult* result) {
  if (values.empty()) return Status::Ok();
  Result<Rows> rows = conn_->Query(kRefreshInput, Params().AddArray(values));
  if (!rows.ok()) return rows.status();
  std::vector<IndicatorRecord> writes;
  for (int r = 0; r < rows->size(); ++r) {
    std::string value = rows->Text(r, 0);
    std::optional<IndicatorRecord> old;
    if (!rows->IsNull(r, 6)) {
      old = IndicatorRecord{{KindFromCode(rows->Int(r, 6)), value}, rows->Int(r, 7),
                            rows->Int(r, 8), rows->Int(r, 9), rows->Real(r, 10), rows->Int(r, 11)};
    }
    // A value refreshed without a new sighting (expiry) keeps its stored kind.
    auto kind = kinds.find(value);
    IndicatorKind live_kind = kind != kinds.end() ? kind->second
                              : old.has_value()   ? old->indicator.kind
                                                  : IndicatorKind::kIpv4;
    IndicatorRecord live{{live_kind, value}, rows->Int(r, 2), rows->Int(r, 3), rows->Int(r, 4),
                         rows->Real(r, 5), rows->Int(r, 1)};
    IndicatorRecord next;
    Change change = store_rules::RefreshIndicator(live, old, next);
    if (change == Change::kUnchanged) continue;
    if (result != nullptr && change == Change::kNew) ++result->indicators_new;
    if (result != nullptr && change == Change::kUpdated) ++result->indicators_updated;
    if (result != nullptr && change == Change::kWithdrawn) ++result->indicators_withdrawn;
    writes.push_back(std::move(next));
  }
  if (writes.empty()) return Status::Ok();
  IndicatorColumns columns;
  for (const IndicatorRecord& row : writes) columns.Append(row);
  tx.changed = true;
  return conn_->Query(kUpsertIndicators, columns.ToParams(tx.next)).status();
}

// ---- Changes ----

ChangedIndicator ReadChangedRow(const Rows& rows, int r) {
  return {ReadIndicator(rows, r), rows.Bool(r, 7)};
}

// A value whose removal changed, with its indicator row when it has one.
ChangedIndicator ReadRemovalChangeRow(const Rows& rows, int r) {
  ChangedIndicator change;
  change.removed = rows.Bool(r, 2);
  std::string value = rows.Text(r, 0);
  if (rows.IsNull(r, 3)) {
    change.record.indicator = {KindFromCode(rows.Int(r, 1)), std::move(value)};
    return change;
  }
  change.record = IndicatorRecord{{KindFromCode(rows.Int(r, 3)), std::move(value)},
                                  rows.Int(r, 4),
                                  rows.Int(r, 5),
                                  rows.Int(r, 6),
                                  rows.Real(r, 7),
                                  rows.Int(r, 8)};
  return change;
}

Result<StoreChanges> PostgresStore::ChangesSince(int64_t counter) {
  StoreChanges changes;
  GF_RETURN_IF_ERROR(Snapshot("read changes since " + std::to_string(counter),
                              [&] { return ReadChanges(counter, changes); }));
  return changes;
}

// Counter 0 (or less) asks for everything; otherwise the `changed` indexes bound the work.
Status PostgresStore::ReadChanges(int64_t counter, StoreChanges& changes) {
  Result<Rows> meta = conn_->Query(kMeta);
  if (!meta.ok()) return meta.status();
  if (meta->size() != 1) return Status::Internal("no meta row");
  changes.counter = meta->Int(0, 0);
  if (counter > changes.counter) {
    changes.reset = true;
    return Status::Ok();
  }
  const bool all = counter <= 0;
  changes.allowlist_changed = meta->Int(0, 1) > std::max<int64_t>(counter, 0);
  Result<Rows> rows = all ? conn_->Query(kAllIndicators)
                          : conn_->Query(kChangedIndicators, Params().Add(counter));
  if (!rows.ok()) return rows.status();
  changes.indicators = ReadAll<ChangedIndicator>(*rows, ReadChangedRow);
  Result<Rows> removals = conn_->Query(kChangedRemovals, Params().Add(all ? int64_t{-1} : counter));
  if (!removals.ok()) return removals.status();
  std::unordered_set<std::string_view> listed;
  for (const ChangedIndicator& change : changes.indicators) {
    listed.insert(change.record.indicator.value);
  }
  std::vector<ChangedIndicator> extra;
  for (int r = 0; r < removals->size(); ++r) {
    // Everything asked: a deleted removal is no change from nothing.
    if (all && !removals->Bool(r, 2)) continue;
    if (listed.contains(removals->View(r, 0))) continue;
    extra.push_back(ReadRemovalChangeRow(*removals, r));
  }
  for (ChangedIndicator& change : extra) changes.indicators.push_back(std::move(change));
  return Status::Ok();
}

// ---- Reads ----

IndicatorRecord ReadIndicatorRow(const Rows& rows, int r) { return ReadIndicator(rows, r); }

Result<std::vector<IndicatorRecord>> PostgresStore::ActiveIndicators(UnixSeconds now) {
  Result<Rows> rows = Query(kActive, Params().Add(now));
  if (!rows.ok()) return rows.status().WithContext("read active indicators");
  return ReadAll<IndicatorRecord>(*rows, ReadIndicatorRow);
}

Result<std::vector<IndicatorRecord>> PostgresStore::ListIndicators(const IndicatorQuery& query) {
  std::string prefix_end = store_rules::PrefixEnd(query.value_prefix);
  int64_t kind = query.kind.has_value() ? KindCode(*query.kind) : -1;
  std::string_view state = query.state.has_value() ? IndicatorStateName(*query.state) : "";
  // Withdrawn indicators have expires_at 0: a state filter looks past the expiry filter.
  const bool include_expired = query.include_expired || query.state.has_value();
  Params params;
  params.Add(std::string_view(query.after)).Add(std::string_view(query.value_prefix));
  params.Add(std::string_view(prefix_end)).Add(kind).Add(include_expired).Add(query.now);
  if (query.limit > 0) {
    params.Add(query.limit);
  } else {
    params.AddNull();
  }
  params.Add(state);
  Result<Rows> rows = Query(kList, params);
  if (!rows.ok()) return rows.status().WithContext("list indicators");
  return ReadAll<IndicatorRecord>(*rows, ReadIndicatorRow);
}

Result<std::optional<IndicatorRecord>> PostgresStore::GetIndicator(const Indicator& indicator) {
  Result<Rows> rows = Query(kGetIndicator, Params().Add(std::string_view(indicator.value)));
  if (!rows.ok()) return rows.status().WithContext("get indicator " + indicator.value);
  if (rows->size() == 0) return std::optional<IndicatorRecord>();
  return std::optional<IndicatorRecord>(ReadIndicator(*rows, 0));
}

Result<std::vector<SightingRecord>> PostgresStore::SightingsOf(const Indicator& indicator) {
  Result<Rows> rows = Query(kSightingsOf, Params().Add(std::string_view(indicator.value)));
  if (!rows.ok()) return rows.status().WithContext("read sightings of " + indicator.value);
  return ReadAll<SightingRecord>(*rows, ReadSighting);
}

Result<std::vector<SightingRecord>> PostgresStore::RecentSightings(int64_t limit) {
  Result<Rows> rows = Query(kRecent, Params().Add(limit));
  if (!rows.ok()) return rows.status().WithContext("read recent sightings");
  return ReadAll<SightingRecord>(*rows, ReadSighting);
}

Result<int64_t> PostgresStore::ChangeCounter() {
  Result<Rows> rows = Query(kCounter);
  if (!rows.ok()) return rows.status().WithContext("read change counter");
  if (rows->size() != 1) return Status::Internal("read change counter: no meta row");
  return rows->Int(0, 0);
}

Result<std::optional<UnixSeconds>> PostgresStore::NextExpiry(UnixSeconds now) {
  Result<Rows> rows = Query(kNextExpiry, Params().Add(now));
  if (!rows.ok()) return rows.status().WithContext("read next expiry");
  if (rows->size() == 0) return std::optional<UnixSeconds>();
  return std::optional<UnixSeconds>(rows->Int(0, 0));
}

Result<std::vector<ActivityBucket>> PostgresStore::Activity(UnixSeconds from, int64_t width,
                                                           int count, UnixSeconds now) {
  GF_RETURN_IF_ERROR(CheckActivityWindow(from, width, count));
  Result<Rows> rows =
      Query(kActivity, Params().Add(from).Add(width).Add(from + width * count).Add(now));
  if (!rows.ok()) return rows.status().WithContext("read activity");
  std::vector<ActivityCount> counts;
  for (int i = 0; i < rows->size(); ++i) {
    counts.push_back({static_cast<int>(rows->Int(i, 0)), rows->Int(i, 1), rows->Int(i, 2)});
  }
  return ActivityBuckets(counts, from, width, count);
}

// ---- Removals, allowlist, audit ----

Status PostgresStore::Remove(const Indicator& indicator, std::string_view reason,
                             std::string_view actor, UnixSeconds now) {
  return Transact("remove " + indicator.value, [&](WriteTx& tx) -> Status {
    std::string_view value = indicator.value;
    Result<Rows> seen = conn_->Query(kSeen, Params().Add(value));
    if (!seen.ok()) return seen.status();
    if (seen->size() == 0 || !seen->Bool(0, 0)) return Status::NotFound("never seen");
    Params put;
    put.Add(value).Add(KindCode(indicator.kind)).Add(reason).Add(actor).Add(now).Add(tx.next);
    GF_RETURN_IF_ERROR(conn_->Query(kPutRemoval, put).status());
    return Audit(tx, now, actor, "remove", value, reason);
  });
}

Status PostgresStore::Unremove(const Indicator& indicator, std::string_view actor,
                               UnixSeconds now) {
  return Transact("unremove " + indicator.value, [&](WriteTx& tx) -> Status {
    std::string_view value = indicator.value;
    Result<Rows> deleted = conn_->Query(kDeleteRemoval, Params().Add(value));
    if (!deleted.ok()) return deleted.status();
    if (deleted->size() == 0) return Status::NotFound("it is not removed");
    // The deleted removal leaves a mark for ChangesSince (the value may have no indicator row).
    Params mark;
    mark.Add(value).Add(deleted->Int(0, 0)).Add(tx.next);
    GF_RETURN_IF_ERROR(conn_->Query(kPutUnremoval, mark).status());
    return Audit(tx, now, actor, "unremove", value, "");
  });
}

Result<std::optional<RemovalRecord>> PostgresStore::GetRemoval(const Indicator& indicator) {
  Result<Rows> rows = Query(kGetRemoval, Params().Add(std::string_view(indicator.value)));
  if (!rows.ok()) return rows.status().WithContext("get removal of " + indicator.value);
  if (rows->size() == 0) return std::optional<RemovalRecord>();
  return std::optional<RemovalRecord>(ReadRemoval(*rows, 0));
}

Result<std::vector<RemovalRecord>> PostgresStore::ListRemovals() {
  Result<Rows> rows = Query(kListRemovals);
  if (!rows.ok()) return rows.status().WithContext("list removals");
  return ReadAll<RemovalRecord>(*rows, ReadRemoval);
}

Status PostgresStore::AddAllowlist(const AllowlistRecord& record) {
  if (record.entry.empty()) return Status::InvalidArgument("allowlist entry is empty");
  return Transact("add allowlist entry " + record.entry, [&](WriteTx& tx) -> Status {
    Params put;
    put.Add(std::string_view(record.entry)).Add(std::string_view(record.comment));
    put.Add(std::string_view(record.actor)).Add(record.added_at);
    GF_RETURN_IF_ERROR(conn_->Query(kPutAllow, put).status());
    GF_RETURN_IF_ERROR(conn_->Query(kAllowChanged, Params().Add(tx.next)).status());
    return Audit(tx, record.added_at, record.actor, "allow_add", record.entry, record.comment);
  });
}

Status PostgresStore::RemoveAllowlist(std::string_view entry, std::string_view actor,
                                      UnixSeconds now) {
  return Transact("remove allowlist entry " + std::string(entry), [&](WriteTx& tx) -> Status {
    Result<Rows> deleted = conn_->Query(kDeleteAllow, Params().Add(entry));
    if (!deleted.ok()) return deleted.status();
    if (deleted->Affected() == 0) return Status::NotFound("no such entry");
    GF_RETURN_IF_ERROR(conn_->Query(kAllowChanged, Params().Add(tx.next)).status());
    return Audit(tx, now, actor, "allow_remove", entry, "");
  });
}

AllowlistRecord ReadAllowRow(const Rows& r, int i) {
  return AllowlistRecord{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3)};
}

AuditRecord ReadAuditRow(const Rows& r, int i) {
  return AuditRecord{r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)};
}

Result<std::vector<AllowlistRecord>> PostgresStore::ListAllowlist() {
  Result<Rows> rows = Query(kListAllow);
  if (!rows.ok()) return rows.status().WithContext("list allowlist");
  return ReadAll<AllowlistRecord>(*rows, ReadAllowRow);
}

Result<std::vector<AuditRecord>> PostgresStore::ListAudit(int64_t limit) {
  Params params;
  if (limit > 0) {
    params.Add(limit);
  } else {
    params.AddNull();
  }
  Result<Rows> rows = Query(kListAudit, params);
  if (!rows.ok()) return rows.status().WithContext("list audit log");
  return ReadAll<AuditRecord>(*rows, ReadAuditRow);
}

// ---- Expiry ----

Result<int64_t> PostgresStore::Expire(UnixSeconds now, int64_t retention_seconds) {
  if (retention_seconds < 0) {
    return Status::InvalidArgument("expire: retention must not be negative");
  }
  // Saturates instead of overflowing for absurd retentions.
  constexpr UnixSeconds kMin = std::numeric_limits<UnixSeconds>::min();
  UnixSeconds cutoff = now >= kMin + retention_seconds ? now - retention_seconds : kMin;
  int64_t deleted = 0;
  GF_RETURN_IF_ERROR(
      Transact("expire", [&](WriteTx& tx) { return ExpireSightings(tx, cutoff, deleted); }));
  return deleted;
}

// Indicators left without sightings are deleted; those that lose some sightings but keep others
// are recomputed, as in Apply.
Status PostgresStore::ExpireSightings(WriteTx& tx, UnixSeconds cutoff, int64_t& deleted) {
  Result<Rows> expired = conn_->Query(kExpireSightings, Params().Add(cutoff));
  if (!expired.ok()) return expired.status();
  if (expired->size() == 0) return Status::Ok();
  tx.changed = true;
  std::vector<std::string_view> values;
  for (int r = 0; r < expired->size(); ++r) values.push_back(expired->View(r, 0));
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  Result<Rows> orphans = conn_->Query(kDeleteOrphans, Params().AddArray(values));
  if (!orphans.ok()) return orphans.status();
  deleted = orphans->size();
  std::unordered_set<std::string_view> gone;
  for (int r = 0; r < orphans->size(); ++r) gone.insert(orphans->View(r, 0));
  std::erase_if(values, [&gone](std::string_view value) { return gone.contains(value); });
  return RefreshIndicators(tx, values, {}, nullptr);
}

// ---- Feed and publisher state ----

Params FeedParams(const FeedState& state) {
  Params p;
  p.Add(std::string_view(state.feed)).Add(std::string_view(state.content_digest));
  p.Add(state.serial).Add(std::string_view(state.version)).Add(state.data_ts);
  return p;
}

Result<std::optional<FeedState>> PostgresStore::GetFeedState(std::string_view feed) {
  Result<Rows> rows = Query(kGetFeed, Params().Add(feed));
  if (!rows.ok()) return rows.status().WithContext("get state of feed " + std::string(feed));
  if (rows->size() == 0) return std::optional<FeedState>();
  return std::optional<FeedState>(ReadFeed(*rows, 0));
}

Status PostgresStore::PutFeedState(const FeedState& state) {
  return Transact("put state of feed " + state.feed,
                  [&](WriteTx&) { return conn_->Query(kPutFeed, FeedParams(state)).status(); });
}

// Most renders change nothing: those are answered by one read. Otherwise the table lock makes
// replicas allocate versions one at a time, and the re-read under it sees any version another
// replica gave this (or another) content in between.
Result<FeedAdvance> PostgresStore::AdvanceFeedState(std::string_view feed, std::string_view digest,
                                                    UnixSeconds now,
                                                    const NextFeedVersion& next_version) {
  const std::string what = "advance state of feed " + std::string(feed);
  Result<std::optional<FeedState>> stored = GetFeedState(feed);
  if (!stored.ok()) return stored.status().WithContext(what);
  if (*stored && (*stored)->content_digest == digest) return FeedAdvance{**stored, false};
  FeedAdvance result;
  GF_RETURN_IF_ERROR(Transact(what, [&](WriteTx&) {
    return AdvanceFeed(feed, digest, now, next_version, result);
  }));
  return result;
}

Status PostgresStore::AdvanceFeed(std::string_view feed, std::string_view digest, UnixSeconds now,
                                  const NextFeedVersion& next_version, FeedAdvance& result) {
  GF_RETURN_IF_ERROR(conn_->Exec(kLockFeedStates));
  Result<Rows> rows = conn_->Query(kGetFeed, Params().Add(feed));
  if (!rows.ok()) return rows.status();
  std::optional<FeedState> previous;
  if (rows->size() > 0) previous = ReadFeed(*rows, 0);
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
  GF_RETURN_IF_ERROR(conn_->Query(kPutFeed, FeedParams(next)).status());
  // Wakes the other replicas without moving the change counter: they check their versions
  // (LiveFeeds::SyncVersions) and adopt this one for the same content.
  GF_RETURN_IF_ERROR(conn_->Exec("SELECT pg_notify('guardfeed_changes', 'feed_state')"));
  result = FeedAdvance{std::move(next), true};
  return Status::Ok();
}

Result<std::optional<std::string>> PostgresStore::GetPublisherState(std::string_view key) {
  Result<Rows> rows = Query(kGetPublisher, Params().Add(key));
  if (!rows.ok()) return rows.status().WithContext("get publisher state " + std::string(key));
  if (rows->size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows->Bytes(0, 0));
}

Status PostgresStore::PutPublisherState(std::string_view key, std::string_view value) {
  return Transact("put publisher state " + std::string(key), [&](WriteTx&) {
    return conn_->Query(kPutPublisher, Params().Add(key).AddBytes(value)).status();
  });
}

// ---- Replicas: notifications and publishing leadership ----

bool PostgresStore::WatchChanges(std::function<void()> on_change) {
  std::lock_guard lock(watcher_mu_);
  if (watcher_ == nullptr) watcher_ = std::make_unique<pg::Watcher>(url_);
  watcher_->OnChange(std::move(on_change));
  return true;
}

bool PostgresStore::LeadsPublishing() {
  std::lock_guard lock(watcher_mu_);
  if (watcher_ == nullptr) watcher_ = std::make_unique<pg::Watcher>(url_);
  return watcher_->Leads();
}

// ---- Raw rows (store copy) ----

constexpr const char* kExportCursors[] = {
    "DECLARE export_sightings NO SCROLL CURSOR FOR SELECT " GF_SIGHTING_COLUMNS
    " FROM sightings ORDER BY value, finding_id",
    "DECLARE export_indicators NO SCROLL CURSOR FOR SELECT " GF_INDICATOR_COLUMNS
    " FROM indicators ORDER BY value",
    "DECLARE export_removals NO SCROLL CURSOR FOR SELECT value, kind, reason, actor, removed_at "
    "FROM removals ORDER BY value",
    "DECLARE export_allowlist NO SCROLL CURSOR FOR SELECT entry, comment, actor, added_at "
    "FROM allowlist ORDER BY entry",
    "DECLARE export_audit NO SCROLL CURSOR FOR SELECT at, actor, action, target, detail "
    "FROM audit ORDER BY id",
    "DECLARE export_feed_state NO SCROLL CURSOR FOR SELECT feed, content_digest, serial, "
    "version, data_ts FROM feed_state ORDER BY feed",
    "DECLARE export_publisher_state NO SCROLL CURSOR FOR SELECT key, value "
    "FROM publisher_state ORDER BY key",
};
constexpr const char* kExportNames[] = {"export_sightings", "export_indicators",
                                        "export_removals",  "export_allowlist",
                                        "export_audit",     "export_feed_state",
                                        "export_publisher_state"};
static_assert(std::size(kExportCursors) == std::size(kExportNames));

// Moves the rows of table `table` (an index of kExportNames) into `out`.
void AppendExported(size_t table, const Rows& rows, StoreRows& out) {
  for (int r = 0; r < rows.size(); ++r) {
    switch (table) {
      case 0:
        out.sightings.push_back(ReadSighting(rows, r));
        break;
      case 1:
        out.indicators.push_back(ReadIndicator(rows, r));
        break;
      case 2:
        out.removals.push_back(ReadRemoval(rows, r));
        break;
      case 3:
        out.allowlist.push_back(ReadAllowRow(rows, r));
        break;
      case 4:
        out.audit.push_back(ReadAuditRow(rows, r));
        break;
      case 5:
        out.feed_states.push_back(ReadFeed(rows, r));
        break;
      default:
        out.publisher_states.emplace_back(rows.Text(r, 0), rows.Bytes(r, 1));
        break;
    }
  }
}

Status PostgresStore::ExportRows(size_t chunk_rows, int64_t& counter,
                                 const std::function<Status(const StoreRows&)>& sink) {
  if (chunk_rows == 0) return Status::InvalidArgument("export: chunk_rows must be positive");
  return Snapshot("export rows", [&]() -> Status {
    Result<Rows> meta = conn_->Query(kCounter);
    if (!meta.ok()) return meta.status();
    if (meta->size() != 1) return Status::Internal("no meta row");
    counter = meta->Int(0, 0);
    // Chunks fill across tables, as SQLite's do: every chunk but the last holds chunk_rows rows.
    StoreRows chunk;
    bool sent = false;
    for (size_t table = 0; table < std::size(kExportCursors); ++table) {
      GF_RETURN_IF_ERROR(conn_->Exec(kExportCursors[table]));
      for (;;) {
        std::string fetch = "FETCH " + std::to_string(chunk_rows - chunk.size()) + " FROM " +
                            std::string(kExportNames[table]);
        Result<Rows> rows = conn_->Query(fetch.c_str());
        if (!rows.ok()) return rows.status();
        if (rows->size() == 0) break;
        AppendExported(table, *rows, chunk);
        if (chunk.size() < chunk_rows) continue;
        GF_RETURN_IF_ERROR(sink(chunk));
        chunk = StoreRows();
        sent = true;
      }
    }
    // The last chunk; an empty store still sends one, with its counter.
    return chunk.size() > 0 || !sent ? sink(chunk) : Status::Ok();
  });
}

constexpr const char* kImportSightings =
    "INSERT INTO sightings (" GF_SIGHTING_COLUMNS ") SELECT * FROM unnest($1::text[], "
    "$2::text[], $3::int2[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], "
    "$9::text[], $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::bool[], "
    "$16::int8[])";
constexpr const char* kImportIndicators =
    "INSERT INTO indicators (" GF_INDICATOR_COLUMNS ", changed) SELECT *, $8::int8 FROM "
    "unnest($1::text[], $2::int2[], $3::int8[], $4::int8[], $5::int8[], $6::float8[], $7::int8[])";
constexpr const char* kImportRemovals =
    "INSERT INTO removals (value, kind, reason, actor, removed_at, changed) SELECT *, $6::int8 "
    "FROM unnest($1::text[], $2::int2[], $3::text[], $4::text[], $5::int8[])";
constexpr const char* kImportAllowlist =
    "INSERT INTO allowlist (entry, comment, actor, added_at) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[])";
// WITH ORDINALITY keeps the given order in the identity column (ListAudit's order).
constexpr const char* kImportAudit =
    "INSERT INTO audit (at, actor, action, target, detail) SELECT at, actor, action, target, "
    "detail FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[]) "
    "WITH ORDINALITY AS t(at, actor, action, target, detail, n) ORDER BY n";
constexpr const char* kImportFeed =
    "INSERT INTO feed_state (feed, content_digest, serial, version, data_ts) "
    "VALUES ($1, $2, $3::int8, $4, $5::int8)";
constexpr const char* kImportPublisherState =
    "INSERT INTO publisher_state (key, value) VALUES ($1, $2::bytea)";

Status PostgresStore::ImportRows(const StoreRows& rows, int64_t counter) {
  return Transact("import " + std::to_string(rows.size()) + " rows",
                  [&](WriteTx& tx) { return ImportTables(tx, rows, counter); });
}

Status PostgresStore::ImportTables(WriteTx& tx, const StoreRows& rows, int64_t counter) {
  // The rows carry the counter the source had (readers of the target are stopped during a copy).
  tx.next = std::max(tx.next - 1, counter);
  tx.changed = true;
  if (!rows.sightings.empty()) {
    SightingColumns columns;
    for (const SightingRecord& s : rows.sightings) columns.Append(s);
    GF_RETURN_IF_ERROR(conn_->Query(kImportSightings, columns.ToParams()).status());
  }
  if (!rows.indicators.empty()) {
    IndicatorColumns columns;
    for (const IndicatorRecord& i : rows.indicators) columns.Append(i);
    GF_RETURN_IF_ERROR(conn_->Query(kImportIndicators, columns.ToParams(tx.next)).status());
  }
  if (!rows.removals.empty()) {
    std::vector<std::string_view> value, reason, actor;
    std::vector<int64_t> kind, removed_at;
    for (const RemovalRecord& r : rows.removals) {
      value.push_back(r.indicator.value);
      kind.push_back(KindCode(r.indicator.kind));
      reason.push_back(r.reason);
      actor.push_back(r.actor);
      removed_at.push_back(r.removed_at);
    }
    Params p;
    p.AddArray(value).AddArray(kind).AddArray(reason).AddArray(actor).AddArray(removed_at);
    GF_RETURN_IF_ERROR(conn_->Query(kImportRemovals, p.Add(tx.next)).status());
  }
  if (!rows.allowlist.empty()) {
    std::vector<std::string_view> entry, comment, actor;
    std::vector<int64_t> added_at;
    for (const AllowlistRecord& a : rows.allowlist) {
      entry.push_back(a.entry);
      comment.push_back(a.comment);
      actor.push_back(a.actor);
      added_at.push_back(a.added_at);
    }
    Params p;
    p.AddArray(entry).AddArray(comment).AddArray(actor).AddArray(added_at);
    GF_RETURN_IF_ERROR(conn_->Query(kImportAllowlist, p).status());
    GF_RETURN_IF_ERROR(conn_->Query(kAllowChanged, Params().Add(tx.next)).status());
  }
  if (!rows.audit.empty()) {
    std::vector<int64_t> at;
    std::vector<std::string_view> actor, action, target, detail;
    for (const AuditRecord& a : rows.audit) {
      at.push_back(a.at);
      actor.push_back(a.actor);
      action.push_back(a.action);
      target.push_back(a.target);
      detail.push_back(a.detail);
    }
    Params p;
    p.AddArray(at).AddArray(actor).AddArray(action).AddArray(target).AddArray(detail);
    GF_RETURN_IF_ERROR(conn_->Query(kImportAudit, p).status());
  }
  for (const FeedState& state : rows.feed_states) {
    GF_RETURN_IF_ERROR(conn_->Query(kImportFeed, FeedParams(state)).status());
  }
  for (const auto& [key, value] : rows.publisher_states) {
    Params p;
    p.Add(std::string_view(key)).AddBytes(value);
    GF_RETURN_IF_ERROR(conn_->Query(kImportPublisherState, p).status());
  }
  return Status::Ok();
}

Result<bool> PostgresStore::IsEmpty() {
  Result<Rows> rows = Query(
      "SELECT NOT EXISTS (SELECT 1 FROM sightings) AND NOT EXISTS (SELECT 1 FROM indicators) AND "
      "NOT EXISTS (SELECT 1 FROM removals) AND NOT EXISTS (SELECT 1 FROM allowlist) AND "
      "NOT EXISTS (SELECT 1 FROM audit) AND NOT EXISTS (SELECT 1 FROM feed_state) AND "
      "NOT EXISTS (SELECT 1 FROM publisher_state)");
  if (!rows.ok()) return rows.status().WithContext("check whether the store is empty");
  return rows->size() == 1 && rows->Bool(0, 0);
}

// The counter moves on (it never goes back): readers following it reload everything.
Status PostgresStore::Clear() {
  return Transact("clear", [&](WriteTx& tx) -> Status {
    tx.changed = true;
    GF_RETURN_IF_ERROR(conn_->Exec(
        "TRUNCATE sightings, indicators, removals, unremovals, allowlist, audit, feed_state, "
        "publisher_state"));
    return conn_->Query(kAllowChanged, Params().Add(tx.next)).status();
  });
}


// ---- Opening ----

Result<int64_t> SchemaVersion(pg::Connection& conn) {
  Result<Rows> exists = conn.Query("SELECT to_regclass('guardfeed.schema_version') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  if (!exists->Bool(0, 0)) return int64_t{0};
  Result<Rows> version = conn.Query("SELECT max(version) FROM guardfeed.schema_version");
  if (!version.ok()) return version.status();
  return version->IsNull(0, 0) ? int64_t{0} : version->Int(0, 0);
}

// Tables in schema `guardfeed` without guardfeed's version table are another program's.
Status CheckOwnership(pg::Connection& conn) {
  Result<Rows> foreign = conn.Query(
      "SELECT count(*) FROM pg_tables WHERE schemaname = 'guardfeed' AND "
      "to_regclass('guardfeed.schema_version') IS NULL");
  if (!foreign.ok()) return foreign.status();
  if (foreign->Int(0, 0) == 0) return Status::Ok();
  return Status::InvalidArgument("schema \"guardfeed\" of " + conn.Describe() +
                                 " holds tables of another program, not a guardfeed store");
}

// Applies pending migrations in one transaction under an advisory lock, so replicas starting
// together migrate once. A store already current needs no DDL right, only the tables' grants.
Status Migrate(pg::Connection& conn) {
  const auto known = static_cast<int64_t>(postgres_internal::kMigrations.size());
  Result<int64_t> version = SchemaVersion(conn);
  if (!version.ok()) return version.status();
  if (*version == known) return Status::Ok();
  GF_RETURN_IF_ERROR(CheckOwnership(conn));
  Status status = conn.Exec("BEGIN");
  if (status.ok()) {
    status = conn.Query("SELECT pg_advisory_xact_lock($1::int8)", Params().Add(kMigrationLock))
                 .status();
  }
  if (status.ok()) {
    status = conn.Exec(
        "CREATE SCHEMA IF NOT EXISTS guardfeed; "
        "CREATE TABLE IF NOT EXISTS guardfeed.schema_version (version integer NOT NULL)");
  }
  if (status.ok()) {
    version = SchemaVersion(conn);
    if (!version.ok()) status = version.status();
  }
  if (status.ok() && (*version < 0 || *version > known)) {
    status = Status::FailedPrecondition(
        conn.Describe() + " has store schema version " + std::to_string(*version) +
        ", which this guardfeed does not know (it knows up to " + std::to_string(known) +
        "); use a newer guardfeed");
  }
  for (int64_t v = status.ok() ? *version : known; status.ok() && v < known; ++v) {
    status = conn.Exec(postgres_internal::kMigrations[static_cast<size_t>(v)])
                 .WithContext("schema migration " + std::to_string(v + 1));
  }
  if (status.ok()) {
    status = conn.Exec("DELETE FROM guardfeed.schema_version");
  }
  if (status.ok()) {
    status = conn.Query("INSERT INTO guardfeed.schema_version (version) VALUES ($1::int4)",
                        Params().Add(known))
                 .status();
  }
  if (status.ok()) status = conn.Exec("COMMIT");
  if (!status.ok() && conn.InTransaction()) (void)conn.Exec("ROLLBACK");
  return status;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  Result<std::unique_ptr<pg::Connection>> connection = pg::Connection::Open(url);
  if (!connection.ok()) return connection.status().WithContext("open store");
  Status status = Migrate(**connection);
  if (!status.ok()) return status.WithContext("open store " + (*connection)->Describe());
  return std::unique_ptr<Store>(new PostgresStore(url, std::move(connection).value()));
}

}  // namespace guardfeed

