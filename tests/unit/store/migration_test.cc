// Schema migration v1 -> v2 on a store written by guardfeed at schema version 1 (commit a1f3e08):
// tests/unit/store/fixtures/store_v1.sql is its SQL dump (made by fixtures/make_store_v1.sh).
// The test reads every v1 row with plain SQL, opens the file with OpenStore (which migrates it)
// and proves each value survives through the public Store API.
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/store.h"
#include "unit/store/temp_dir.h"

namespace guardfeed {
namespace {

using testing::StoreTempDir;

std::string FixturePath() {
  return std::string(GUARDFEED_SOURCE_DIR) + "/tests/unit/store/fixtures/store_v1.sql";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The v1 database, read with plain SQL (no Store code involved).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK) << path;
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
  }
  // Every row of `sql`, each column as text (NULL as "<null>", reals as %.17g).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) row.push_back(Text(stmt, i));
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }

 private:
  static std::string Text(sqlite3_stmt* stmt, int column) {
    switch (sqlite3_column_type(stmt, column)) {
      case SQLITE_NULL:
        return "<null>";
      case SQLITE_FLOAT:
        return Real(sqlite3_column_double(stmt, column));
      default: {
        const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, column));
        return std::string(data != nullptr ? data : "",
                           static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
      }
    }
  }

  sqlite3* db_ = nullptr;

 public:
  static std::string Real(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
  }
};

std::string Int(int64_t value) { return std::to_string(value); }

std::vector<std::string> IndicatorRow(const IndicatorRecord& r) {
  return {r.indicator.value,   std::string(KindName(r.indicator.kind)),
          Int(r.first_seen),   Int(r.last_seen),
          Int(r.expires_at),   RawDb::Real(r.max_severity),
          Int(r.finding_count)};
}

std::vector<std::string> SightingRow(const SightingRecord& s) {
  return {s.indicator.value,
          std::string(KindName(s.indicator.kind)),
          s.finding_id,
          s.finding_type,
          RawDb::Real(s.severity),
          s.account_id,
          s.region,
          s.action_type,
          s.direction,
          s.field,
          Int(s.first_seen),
          Int(s.last_seen),
          Int(s.updated_at),
          Int(s.count),
          Int(s.withdrawn),
          Int(s.expires_at)};
}

// Loads the fixture into a new file: a store at schema version 1.
void LoadFixture(const std::string& path) {
  std::string dump = ReadFile(FixturePath());
  ASSERT_FALSE(dump.empty()) << "missing fixture " << FixturePath();
  RawDb db(path);
  db.Exec(dump);
  ASSERT_EQ(db.Rows("PRAGMA user_version"), (std::vector<std::vector<std::string>>{{"1"}}));
}

TEST(StoreMigration, VersionOneStoreSurvivesIntact) {
  StoreTempDir dir;
  const std::string path = dir.File("v1.db");
  LoadFixture(path);
  if (::testing::Test::HasFatalFailure()) return;

  // What schema version 1 holds, read with plain SQL.
  std::vector<std::vector<std::string>> indicators, sightings, removals, allowlist, audit, feeds,
      publishers, counter;
  std::vector<std::vector<std::string>> sighted;  // (value, kind) of every sighted value
  {
    RawDb v1(path);
    indicators = v1.Rows(
        "SELECT value, kind, first_seen, last_seen, expires_at, max_severity, finding_count "
        "FROM indicators ORDER BY value");
    sightings = v1.Rows(
        "SELECT value, kind, finding_id, finding_type, severity, account_id, region, "
        "action_type, direction, field, first_seen, last_seen, updated_at, count, withdrawn, "
        "expires_at FROM sightings ORDER BY value, last_seen DESC, finding_id");
    removals =
        v1.Rows("SELECT value, kind, reason, actor, removed_at FROM removals ORDER BY value");
    allowlist = v1.Rows("SELECT entry, comment, actor, added_at FROM allowlist ORDER BY entry");
    audit = v1.Rows("SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC");
    feeds = v1.Rows(
        "SELECT feed, content_digest, serial, version, data_ts FROM feed_state ORDER BY feed");
    publishers = v1.Rows("SELECT key, hex(value) FROM publisher_state ORDER BY key");
    counter = v1.Rows("SELECT change_counter FROM meta");
    sighted = v1.Rows("SELECT DISTINCT value, kind FROM sightings ORDER BY value");
  }
  // The fixture has something of everything, so nothing below passes vacuously.
  ASSERT_GE(indicators.size(), 10u);
  ASSERT_GT(sightings.size(), indicators.size());
  ASSERT_GE(removals.size(), 1u);
  ASSERT_GE(allowlist.size(), 2u);
  ASSERT_GE(audit.size(), 3u);
  ASSERT_GE(feeds.size(), 1u);
  ASSERT_GE(publishers.size(), 1u);
  ASSERT_TRUE(std::any_of(sightings.begin(), sightings.end(), [](const auto& row) {
    return row[14] == "1";
  })) << "the fixture has no withdrawn (archived) sighting";

  Result<std::unique_ptr<Store>> opened = OpenStore("sqlite://" + path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;

  IndicatorQuery all;
  all.include_expired = true;
  all.limit = 0;
  Result<std::vector<IndicatorRecord>> listed = store.ListIndicators(all);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::vector<std::string>> got_indicators;
  for (const IndicatorRecord& record : *listed) got_indicators.push_back(IndicatorRow(record));
  EXPECT_EQ(got_indicators, indicators);

  std::vector<std::vector<std::string>> got_sightings;
  for (const auto& row : sighted) {
    Result<IndicatorKind> kind = ParseKindName(row[1]);
    ASSERT_TRUE(kind.ok()) << row[1];
    Result<std::vector<SightingRecord>> of = store.SightingsOf(Indicator{*kind, row[0]});
    ASSERT_TRUE(of.ok()) << of.status().ToString();
    for (const SightingRecord& s : *of) got_sightings.push_back(SightingRow(s));
  }
  EXPECT_EQ(got_sightings, sightings);

  Result<std::vector<RemovalRecord>> got_removals = store.ListRemovals();
  ASSERT_TRUE(got_removals.ok());
  std::vector<std::vector<std::string>> removal_rows;
  for (const RemovalRecord& r : *got_removals) {
    removal_rows.push_back({r.indicator.value, std::string(KindName(r.indicator.kind)), r.reason,
                            r.actor, Int(r.removed_at)});
  }
  EXPECT_EQ(removal_rows, removals);

  Result<std::vector<AllowlistRecord>> got_allowlist = store.ListAllowlist();
  ASSERT_TRUE(got_allowlist.ok());
  std::vector<std::vector<std::string>> allowlist_rows;
  for (const AllowlistRecord& a : *got_allowlist) {
    allowlist_rows.push_back({a.entry, a.comment, a.actor, Int(a.added_at)});
  }
  EXPECT_EQ(allowlist_rows, allowlist);

  Result<std::vector<AuditRecord>> got_audit = store.ListAudit(0);
  ASSERT_TRUE(got_audit.ok());
  std::vector<std::vector<std::string>> audit_rows;
  for (const AuditRecord& a : *got_audit) {
    audit_rows.push_back({Int(a.at), a.actor, a.action, a.target, a.detail});
  }
  EXPECT_EQ(audit_rows, audit);

  for (const auto& feed : feeds) {
    Result<std::optional<FeedState>> state = store.GetFeedState(feed[0]);
    ASSERT_TRUE(state.ok() && state->has_value()) << feed[0];
    const FeedState& s = **state;
    EXPECT_EQ((std::vector<std::string>{s.feed, s.content_digest, Int(s.serial), s.version,
                                        Int(s.data_ts)}),
              feed);
  }
  for (const auto& publisher : publishers) {
    Result<std::optional<std::string>> value = store.GetPublisherState(publisher[0]);
    ASSERT_TRUE(value.ok() && value->has_value()) << publisher[0];
    std::string hex;
    for (char ch : **value) {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      auto c = static_cast<unsigned char>(ch);
      hex.push_back(kDigits[c >> 4]);
      hex.push_back(kDigits[c & 15]);
    }
    EXPECT_EQ(hex, publisher[1]) << publisher[0];
  }

  Result<int64_t> got_counter = store.ChangeCounter();
  ASSERT_TRUE(got_counter.ok());
  EXPECT_EQ(Int(*got_counter), counter[0][0]);

  // Everything ever: every indicator row, and every removed value, each once, flagged.
  Result<StoreChanges> changes = store.ChangesSince(0);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  EXPECT_EQ(changes->counter, *got_counter);
  EXPECT_FALSE(changes->reset);
  EXPECT_TRUE(changes->allowlist_changed);
  std::set<std::string> removed_values;
  for (const auto& row : removals) removed_values.insert(row[0]);
  std::map<std::string, ChangedIndicator> by_value;
  for (const ChangedIndicator& change : changes->indicators) {
    EXPECT_TRUE(by_value.emplace(change.record.indicator.value, change).second)
        << change.record.indicator.value << " listed twice";
    EXPECT_EQ(change.removed, removed_values.count(change.record.indicator.value) == 1)
        << change.record.indicator.value;
  }
  for (const auto& row : indicators) {
    auto found = by_value.find(row[0]);
    ASSERT_NE(found, by_value.end()) << row[0] << " missing from ChangesSince(0)";
    EXPECT_EQ(IndicatorRow(found->second.record), row);
  }
  // Nothing changed since the migration.
  Result<StoreChanges> none = store.ChangesSince(*got_counter);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->indicators.empty());
  EXPECT_FALSE(none->allowlist_changed);
}

TEST(StoreMigration, MigratedStoreTakesNewWritesAndReopens) {
  StoreTempDir dir;
  const std::string path = dir.File("v1.db");
  LoadFixture(path);
  if (::testing::Test::HasFatalFailure()) return;
  std::string value;
  std::vector<std::string> findings;
  {
    RawDb v1(path);
    auto rows = v1.Rows(
        "SELECT value, finding_id FROM sightings WHERE withdrawn = 0 AND kind = 'ipv4' "
        "ORDER BY value, finding_id LIMIT 1");
    ASSERT_EQ(rows.size(), 1u);
    value = rows[0][0];
    findings.push_back(rows[0][1]);
  }
  {
    Result<std::unique_ptr<Store>> store = OpenStore(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<std::vector<SightingRecord>> before =
        (*store)->SightingsOf({IndicatorKind::kIpv4, value});
    ASSERT_TRUE(before.ok() && !before->empty());
    const int64_t counter = *(*store)->ChangeCounter();
    auto live = std::find_if(before->begin(), before->end(),
                             [&](const SightingRecord& s) { return s.finding_id == findings[0]; });
    ASSERT_NE(live, before->end());
    ASSERT_FALSE(live->withdrawn);
    // A re-delivery of a stored sighting changes nothing after the migration either.
    SightingRecord again = *live;
    Result<ApplyResult> redelivered = (*store)->Apply({again});
    ASSERT_TRUE(redelivered.ok()) << redelivered.status().ToString();
    EXPECT_EQ(redelivered->sightings_unchanged, 1);
    EXPECT_EQ(*(*store)->ChangeCounter(), counter);
    // A newer delivery, seen ten days later, updates it and its indicator: listed as a change.
    again.updated_at += 10 * 86'400;
    again.last_seen += 10 * 86'400;
    again.expires_at += 10 * 86'400;
    Result<ApplyResult> updated = (*store)->Apply({again});
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    EXPECT_EQ(updated->sightings_updated, 1);
    Result<StoreChanges> changes = (*store)->ChangesSince(counter);
    ASSERT_TRUE(changes.ok());
    ASSERT_EQ(changes->indicators.size(), 1u);
    EXPECT_EQ(changes->indicators[0].record.indicator.value, value);
    EXPECT_EQ(changes->indicators[0].record.last_seen, again.last_seen);
  }
  // Reopening a migrated file migrates nothing again.
  RawDb v2(path);
  EXPECT_EQ(v2.Rows("PRAGMA user_version"), (std::vector<std::vector<std::string>>{{"2"}}));
  Result<std::unique_ptr<Store>> reopened = OpenStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
}

}  // namespace
}  // namespace guardfeed
