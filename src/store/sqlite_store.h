// Internal to store/: the SQLite engine's factory, its on-disk schema, and the small SQLite helpers
// it is built on. Everyone else opens a store through OpenStore (store.h), which picks the engine
// from the URL; only store.cc and sqlite_store.cc include this header.
//
// Thread safety: the helpers use a connection the caller already serialises (SqliteStore's mutex).
#pragma once

#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace guardfeed {

// Opens, or creates, the SQLite database at `path` (a file path, not a URL; ":memory:" gives a
// private in-memory database for tests). Creates the parent directory if missing, switches the
// file to WAL with synchronous=FULL and a busy timeout, and applies pending schema migrations in
// one transaction. Fails, naming the path, when the file is not a SQLite database, belongs to
// another program, or has a schema newer than this binary knows. Never exits.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

namespace sqlite_internal {

// ---- On-disk format (docs/store.md) ----

inline constexpr int64_t kApplicationId = 0x47464442;  // "GFDB" in PRAGMA application_id

// Schema migrations in order: entry i moves PRAGMA user_version from i to i + 1, and all pending
// ones run in one transaction at open. Never edit a released entry; append a new one.
inline constexpr std::array<const char*, 2> kMigrations = {
    R"sql(
CREATE TABLE meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  change_counter INTEGER NOT NULL
) STRICT;
INSERT INTO meta (id, change_counter) VALUES (1, 0);
CREATE TABLE sightings (
  value TEXT NOT NULL, finding_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('ipv4', 'ipv6', 'domain')),
  finding_type TEXT NOT NULL, severity REAL NOT NULL,
  account_id TEXT NOT NULL, region TEXT NOT NULL,
  action_type TEXT NOT NULL, direction TEXT NOT NULL, field TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  count INTEGER NOT NULL, withdrawn INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (value, finding_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX sightings_by_expiry ON sightings (expires_at);
CREATE TABLE indicators (
  value TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('ipv4', 'ipv6', 'domain')),
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  max_severity REAL NOT NULL, finding_count INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX indicators_by_expiry ON indicators (expires_at);
CREATE TABLE removals (
  value TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('ipv4', 'ipv6', 'domain')),
  reason TEXT NOT NULL, actor TEXT NOT NULL, removed_at INTEGER NOT NULL
) STRICT;
CREATE TABLE allowlist (
  entry TEXT NOT NULL PRIMARY KEY,
  comment TEXT NOT NULL, actor TEXT NOT NULL, added_at INTEGER NOT NULL
) STRICT;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, detail TEXT NOT NULL
) STRICT;
CREATE TABLE feed_state (
  feed TEXT NOT NULL PRIMARY KEY,
  content_digest TEXT NOT NULL, serial INTEGER NOT NULL, version TEXT NOT NULL,
  data_ts INTEGER NOT NULL
) STRICT;
CREATE TABLE publisher_state (
  key TEXT NOT NULL PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;
PRAGMA application_id = 1195787330;
)sql",
    // Version 2 (docs/store.md, "Schema version 2"): per-finding text moves out of sightings
    // (findings, labels), kinds become integers (0 ipv4, 1 ipv6, 2 domain; an IN list in a CHECK
    // costs SQLite 3.40 an ephemeral table per row written), and indicators and removals gain
    // `changed`, the change counter of their last write, for ChangesSince.
    R"sql(
ALTER TABLE meta ADD COLUMN allowlist_changed INTEGER NOT NULL DEFAULT 0;
UPDATE meta SET allowlist_changed = change_counter WHERE EXISTS (SELECT 1 FROM allowlist);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  finding_id TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  finding_type TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,
  action_type TEXT NOT NULL, direction TEXT NOT NULL, field TEXT NOT NULL,
  UNIQUE (finding_type, account_id, region, action_type, direction, field)
) STRICT;
INSERT INTO findings (finding_id) SELECT DISTINCT finding_id FROM sightings ORDER BY finding_id;
INSERT INTO labels (finding_type, account_id, region, action_type, direction, field)
  SELECT DISTINCT finding_type, account_id, region, action_type, direction, field FROM sightings
  ORDER BY 1, 2, 3, 4, 5, 6;
CREATE TABLE sightings_v2 (
  value TEXT NOT NULL, finding INTEGER NOT NULL,
  kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 2),
  label INTEGER NOT NULL, severity REAL NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  count INTEGER NOT NULL, withdrawn INTEGER NOT NULL CHECK (withdrawn BETWEEN 0 AND 1),
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (value, finding)
) STRICT, WITHOUT ROWID;
INSERT INTO sightings_v2
  SELECT s.value, f.id, CASE s.kind WHEN 'ipv4' THEN 0 WHEN 'ipv6' THEN 1 ELSE 2 END, l.id,
    s.severity, s.first_seen, s.last_seen, s.updated_at, s.count, s.withdrawn, s.expires_at
  FROM sightings AS s JOIN findings AS f ON f.finding_id = s.finding_id
  JOIN labels AS l ON l.finding_type = s.finding_type AND l.account_id = s.account_id AND
    l.region = s.region AND l.action_type = s.action_type AND l.direction = s.direction AND
    l.field = s.field;
DROP TABLE sightings;
ALTER TABLE sightings_v2 RENAME TO sightings;
CREATE INDEX sightings_by_expiry ON sightings (expires_at);
CREATE TABLE indicators_v2 (
  value TEXT PRIMARY KEY,
  kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 2),
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  max_severity REAL NOT NULL, finding_count INTEGER NOT NULL,
  changed INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO indicators_v2
  SELECT value, CASE kind WHEN 'ipv4' THEN 0 WHEN 'ipv6' THEN 1 ELSE 2 END, first_seen,
    last_seen, expires_at, max_severity, finding_count, (SELECT change_counter FROM meta)
  FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_v2 RENAME TO indicators;
CREATE INDEX indicators_by_expiry ON indicators (expires_at);
CREATE INDEX indicators_by_change ON indicators (changed);
CREATE TABLE removals_v2 (
  value TEXT NOT NULL PRIMARY KEY,
  kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 2),
  reason TEXT NOT NULL, actor TEXT NOT NULL, removed_at INTEGER NOT NULL,
  changed INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO removals_v2
  SELECT value, CASE kind WHEN 'ipv4' THEN 0 WHEN 'ipv6' THEN 1 ELSE 2 END, reason, actor,
    removed_at, (SELECT change_counter FROM meta)
  FROM removals;
DROP TABLE removals;
ALTER TABLE removals_v2 RENAME TO removals;
CREATE INDEX removals_by_change ON removals (changed);
CREATE TABLE unremovals (
  value TEXT NOT NULL PRIMARY KEY,
  kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 2),
  changed INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX unremovals_by_change ON unremovals (changed);
)sql"};
static_assert(kApplicationId == 1195787330, "migration 1 writes the same application_id");

// ---- Helpers ----

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Busy or locked means another connection held the lock past the busy timeout: retry later.
// Everything else is a problem with the database file. The message names the file.
inline Status SqliteStatus(sqlite3* db, int rc) {
  bool current = db != nullptr && (sqlite3_errcode(db) & 0xff) == (rc & 0xff);
  std::string message = current ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  if (file != nullptr && *file != '\0') message = std::string(file) + ": " + message;
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Unavailable(message);
  return Status::IoError(message);
}

inline Status Exec(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteStatus(db, rc);
}

// One use of a prepared statement: binds parameters left to right, steps, reads columns, and
// resets the statement when destroyed so that no read transaction outlives the call. Bound text
// and blobs are not copied: they must outlive the Query.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // One overload per SQL type; an `int` argument is ambiguous on purpose (say int64_t or double).
  Query& Bind(int64_t value) { return Check(sqlite3_bind_int64(stmt_, ++bound_, value)); }
  Query& Bind(double value) { return Check(sqlite3_bind_double(stmt_, ++bound_, value)); }
  Query& Bind(std::string_view value) {
    // A null pointer would bind SQL NULL; an empty view must stay an empty string.
    const char* data = value.data() != nullptr ? value.data() : "";
    return Check(
        sqlite3_bind_text64(stmt_, ++bound_, data, value.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  Query& BindBlob(std::string_view value) {
    const char* data = value.data() != nullptr ? value.data() : "";
    return Check(sqlite3_bind_blob64(stmt_, ++bound_, data, value.size(), SQLITE_STATIC));
  }

  // True when a row is ready, false when the statement is done.
  Result<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return SqliteStatus(sqlite3_db_handle(stmt_), bind_rc_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteStatus(sqlite3_db_handle(stmt_), rc);
  }
  // Runs a statement for its effect; rows it returns are ignored.
  Status Run() {
    Result<bool> row = Step();
    return row.ok() ? Status::Ok() : row.status();
  }

  int64_t GetInt(int column) const { return sqlite3_column_int64(stmt_, column); }
  double GetReal(int column) const { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // Valid until the next Step or the end of the Query.
  std::string_view GetView(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, column));
    auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
    return text != nullptr ? std::string_view(text, size) : std::string_view();
  }
  std::string GetText(int column) const { return std::string(GetView(column)); }

 private:
  Query& Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }

  sqlite3_stmt* const stmt_;
  int bound_ = 0;
  int bind_rc_ = SQLITE_OK;
};

// Runs a one-row statement (a PRAGMA) and returns its first column as text.
inline Result<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(db, rc);
  Query q(stmt.get());
  Result<bool> row = q.Step();
  if (!row.ok()) return row.status();
  return *row ? q.GetText(0) : std::string();
}

inline Result<int64_t> QueryInt(sqlite3* db, const char* sql) {
  Result<std::string> text = QueryText(db, sql);
  if (!text.ok()) return text.status();
  int64_t value = 0;
  std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

}  // namespace sqlite_internal
}  // namespace guardfeed
