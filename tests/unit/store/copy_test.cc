// store/copy.h and the raw row access under it (ExportRows, ImportRows, IsEmpty, Clear) on the
// SQLite engine: a copy keeps every row, refuses to mix stores, and its verification catches a
// target that lost or changed a row.
#include "store/copy.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "store/store_wrapper.h"
#include "unit/store/copy_checks.h"
#include "common/postgres_server.h"
#include "unit/store/engines.h"
#include "unit/store/sightings.h"

namespace guardfeed {
namespace {

using ::guardfeed::testing::ExpectSameContents;
using ::guardfeed::testing::FillEveryTable;
using ::guardfeed::testing::kT0;
using ::guardfeed::testing::Sighting;

std::unique_ptr<Store> OpenMemory() {
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://:memory:");
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

int64_t Counter(Store& store) {
  Result<int64_t> counter = store.ChangeCounter();
  EXPECT_TRUE(counter.ok()) << counter.status().ToString();
  return counter.ok() ? *counter : -1;
}

bool Empty(Store& store) {
  Result<bool> empty = store.IsEmpty();
  EXPECT_TRUE(empty.ok()) << empty.status().ToString();
  return empty.ok() && *empty;
}

CopyOptions Chunked(size_t chunk_rows, bool overwrite = false) {
  CopyOptions options;
  options.chunk_rows = chunk_rows;
  options.overwrite = overwrite;
  return options;
}

// Every chunk ExportRows hands over, with the counter as it was at each sink call.
struct Export {
  int64_t counter = -1;
  std::vector<StoreRows> chunks;
  std::vector<int64_t> counter_at_chunk;
};

Export MustExport(Store& store, size_t chunk_rows) {
  Export out;
  Status status = store.ExportRows(chunk_rows, out.counter, [&out](const StoreRows& rows) {
    out.chunks.push_back(rows);
    out.counter_at_chunk.push_back(out.counter);
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

// Drops the last audit row of every chunk it imports: a target that loses a row.
class DroppingStore : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Status ImportRows(const StoreRows& rows, int64_t counter) override {
    StoreRows copy = rows;
    if (!copy.audit.empty()) copy.audit.pop_back();
    return target()->ImportRows(copy, counter);
  }
};

// Flips one byte of every publisher state it imports: a target that changes a row.
class CorruptingStore : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Status ImportRows(const StoreRows& rows, int64_t counter) override {
    StoreRows copy = rows;
    for (auto& [key, value] : copy.publisher_states) value.push_back('!');
    return target()->ImportRows(copy, counter);
  }
};

// How many test failures `body` reports (they are intercepted, not counted against the test).
size_t FailuresOf(const std::function<void()>& body) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    body();
  }
  return static_cast<size_t>(results.size());
}

// The checks themselves: equal fills compare equal, and one changed bit of one field does not.
// The tests of the raw row access and of copies run on every engine (engines.h): each
// OpenFresh() is a new, empty store of the test's engine.
class CopyEngineTest : public ::guardfeed::testing::StoreEngineTest {
 protected:
  std::unique_ptr<Store> OpenFresh() {
    stores_.push_back(std::make_unique<::guardfeed::testing::FreshStore>(GetParam()));
    return stores_.back()->Open();
  }

 private:
  std::vector<std::unique_ptr<::guardfeed::testing::FreshStore>> stores_;
};
class StoreCopy : public CopyEngineTest {};
class ExportRows : public CopyEngineTest {};
class ImportRows : public CopyEngineTest {};
class Clear : public CopyEngineTest {};
class IsEmpty : public CopyEngineTest {};
INSTANTIATE_TEST_SUITE_P(, StoreCopy, ::guardfeed::testing::AllStoreEngines(),
                         ::guardfeed::testing::StoreEngineName);
INSTANTIATE_TEST_SUITE_P(, ExportRows, ::guardfeed::testing::AllStoreEngines(),
                         ::guardfeed::testing::StoreEngineName);
INSTANTIATE_TEST_SUITE_P(, ImportRows, ::guardfeed::testing::AllStoreEngines(),
                         ::guardfeed::testing::StoreEngineName);
INSTANTIATE_TEST_SUITE_P(, Clear, ::guardfeed::testing::AllStoreEngines(),
                         ::guardfeed::testing::StoreEngineName);
INSTANTIATE_TEST_SUITE_P(, IsEmpty, ::guardfeed::testing::AllStoreEngines(),
                         ::guardfeed::testing::StoreEngineName);

TEST(CopyChecks, SeeADifferenceInOneField) {
  auto a = OpenMemory();
  auto b = OpenMemory();
  FillEveryTable(*a);
  FillEveryTable(*b);
  EXPECT_EQ(FailuresOf([&] { ExpectSameContents(*a, *b); }), 0u);
  SightingRecord s = Sighting("f-7", "198.51.100.8");
  ASSERT_TRUE(a->Apply({s}).ok());
  s.severity = std::nextafter(s.severity, 10.0);
  ASSERT_TRUE(b->Apply({s}).ok());
  EXPECT_GT(FailuresOf([&] { ExpectSameContents(*a, *b); }), 0u);
  auto c = OpenMemory();
  FillEveryTable(*c);
  ASSERT_TRUE(c->PutPublisherState("atp:empty", std::string("\0", 1)).ok());
  EXPECT_GT(FailuresOf([&] { ExpectSameContents(*b, *c); }), 0u);
}

TEST_P(StoreCopy, CopyIntoTheSameEngineIsLossless) {
  auto from = OpenFresh();
  ASSERT_NE(from, nullptr);
  FillEveryTable(*from);
  // One row per chunk, chunks spanning tables, and everything in one chunk.
  for (size_t chunk_rows : {size_t{1}, size_t{3}, size_t{10000}}) {
    SCOPED_TRACE("chunk_rows " + std::to_string(chunk_rows));
    auto to = OpenFresh();
    ASSERT_NE(to, nullptr);
    int64_t last_progress = 0;
    CopyOptions options = Chunked(chunk_rows);
    options.progress = [&last_progress](int64_t rows) { last_progress = rows; };
    Result<CopyReport> report = CopyStore(*from, *to, options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    std::vector<std::pair<std::string, int64_t>> counts;
    for (const TableDigest& table : report->tables) counts.emplace_back(table.table, table.rows);
    EXPECT_EQ(counts, (std::vector<std::pair<std::string, int64_t>>{{"sightings", 7},
                                                                    {"indicators", 5},
                                                                    {"removals", 1},
                                                                    {"allowlist", 2},
                                                                    {"audit", 7},
                                                                    {"feed_state", 2},
                                                                    {"publisher_state", 2}}));
    EXPECT_EQ(last_progress, report->rows());
    EXPECT_EQ(report->counter, Counter(*from));
    EXPECT_EQ(Counter(*to), Counter(*from));
    ExpectSameContents(*from, *to);
  }
}

TEST_P(StoreCopy, ReportHashesAreThoseOfTheSource) {
  auto from = OpenFresh();
  auto to = OpenFresh();
  FillEveryTable(*from);
  Result<CopyReport> report = CopyStore(*from, *to, Chunked(4));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  Result<std::vector<TableDigest>> digests = DigestStore(*from, 100);
  ASSERT_TRUE(digests.ok());
  ASSERT_EQ(digests->size(), report->tables.size());
  for (size_t i = 0; i < digests->size(); ++i) {
    EXPECT_EQ((*digests)[i].sha256, report->tables[i].sha256) << (*digests)[i].table;
    EXPECT_EQ((*digests)[i].sha256.size(), 64u);
  }
}

// Rows imported carry the counter they were copied at: a reader of the target that follows
// counters from before the copy sees every row, one at the copy's counter sees none.
TEST_P(StoreCopy, TargetReadersSeeEveryRowAsChangedAtTheCopiedCounter) {
  auto from = OpenFresh();
  auto to = OpenFresh();
  FillEveryTable(*from);
  Result<CopyReport> report = CopyStore(*from, *to, Chunked(3));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  Result<StoreChanges> before = to->ChangesSince(report->counter - 1);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->indicators.size(), 5u);  // the removal's value has an indicator row
  EXPECT_TRUE(before->allowlist_changed);
  Result<StoreChanges> at = to->ChangesSince(report->counter);
  ASSERT_TRUE(at.ok());
  EXPECT_TRUE(at->indicators.empty());
  EXPECT_FALSE(at->allowlist_changed);
  EXPECT_FALSE(at->reset);
}

TEST_P(StoreCopy, RefusesATargetThatHoldsRows) {
  auto from = OpenFresh();
  auto to = OpenFresh();
  FillEveryTable(*from);
  ASSERT_TRUE(to->PutFeedState({"mine", "d", 1, "1", kT0}).ok());
  Result<CopyReport> report = CopyStore(*from, *to, Chunked(10));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("is not empty"), std::string::npos)
      << report.status().ToString();
  Result<std::vector<TableDigest>> digests = DigestStore(*to, 10);
  ASSERT_TRUE(digests.ok());
  for (const TableDigest& table : *digests) {
    EXPECT_EQ(table.rows, table.table == "feed_state" ? 1 : 0) << table.table;
  }
}

TEST_P(StoreCopy, OverwriteReplacesTheTargetAndKeepsItsCounterMoving) {
  auto from = OpenFresh();
  auto to = OpenFresh();
  FillEveryTable(*from);
  // Rows whose keys collide with the source's, and a counter ahead of the source's.
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(to->Apply({Sighting("f-1", "198.51.100.7", kT0 + i, 9.0)}).ok());
  }
  ASSERT_TRUE(to->PutFeedState({"fortigate", "other", 9, "9", kT0}).ok());
  ASSERT_TRUE(to->PutPublisherState("atp:empty", "not empty").ok());
  const int64_t target_before = Counter(*to);
  ASSERT_GT(target_before, Counter(*from));
  Result<CopyReport> report = CopyStore(*from, *to, Chunked(5, /*overwrite=*/true));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ExpectSameContents(*from, *to);
  EXPECT_GT(Counter(*to), target_before);  // Clear bumped it; the import did not lower it
}

TEST_P(StoreCopy, VerificationCatchesADroppedRow) {
  auto from = OpenFresh();
  auto inner = OpenFresh();
  FillEveryTable(*from);
  DroppingStore to(inner.get());
  Result<CopyReport> report = CopyStore(*from, to, Chunked(10000));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("table audit: the source has 7 rows, the target 6"),
            std::string::npos)
      << report.status().ToString();
}

TEST_P(StoreCopy, VerificationCatchesAChangedRow) {
  auto from = OpenFresh();
  auto inner = OpenFresh();
  FillEveryTable(*from);
  CorruptingStore to(inner.get());
  Result<CopyReport> report = CopyStore(*from, to, Chunked(3));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("table publisher_state: contents differ"),
            std::string::npos)
      << report.status().ToString();
}

TEST_P(StoreCopy, EmptySourceCarriesItsCounter) {
  auto from = OpenFresh();
  auto to = OpenFresh();
  FillEveryTable(*from);
  ASSERT_TRUE(from->Clear().ok());
  Result<CopyReport> report = CopyStore(*from, *to, Chunked(10));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows(), 0);
  EXPECT_EQ(Counter(*to), Counter(*from));
  EXPECT_GT(Counter(*to), 0);
}

// Two handles on one store (a symlinked file, "localhost" and 127.0.0.1): --overwrite must not
// empty the source. Found by the hostile trial: it wiped the store and said "verified".
TEST_P(StoreCopy, OverwriteRefusesTheSourceUnderAnotherName) {
  ::guardfeed::testing::FreshStore shared(GetParam());
  auto from = shared.Open();
  auto to = shared.Open();
  ASSERT_TRUE(from && to);
  FillEveryTable(*from);
  Result<CopyReport> report = CopyStore(*from, *to, Chunked(3, /*overwrite=*/true));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("one store under two names"), std::string::npos)
      << report.status().ToString();
  EXPECT_FALSE(Empty(*from));
  IndicatorQuery all;
  all.include_expired = true;
  EXPECT_EQ(from->ListIndicators(all)->size(), 5u);
}

TEST_P(StoreCopy, RefusesToCopyAStoreIntoItself) {
  auto store = OpenFresh();
  FillEveryTable(*store);
  Result<CopyReport> report = CopyStore(*store, *store, Chunked(10, /*overwrite=*/true));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(Empty(*store));
}

TEST_P(ExportRows, ChunksAreFullAndEachTableIsInKeyOrder) {
  auto store = OpenFresh();
  FillEveryTable(*store);
  Export out = MustExport(*store, 4);
  ASSERT_EQ(out.chunks.size(), 7u);  // 26 rows
  for (size_t i = 0; i < out.chunks.size(); ++i) {
    EXPECT_EQ(out.chunks[i].size(), i + 1 < out.chunks.size() ? 4u : 2u) << i;
    EXPECT_EQ(out.counter_at_chunk[i], Counter(*store)) << "counter set before the first chunk";
  }
  std::vector<std::pair<std::string, std::string>> keys;
  std::vector<AuditRecord> audit;
  for (const StoreRows& chunk : out.chunks) {
    for (const SightingRecord& s : chunk.sightings)
      keys.emplace_back(s.indicator.value, s.finding_id);
    audit.insert(audit.end(), chunk.audit.begin(), chunk.audit.end());
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(keys.size(), 7u);
  Result<std::vector<AuditRecord>> newest_first = store->ListAudit(0);
  ASSERT_TRUE(newest_first.ok());
  ASSERT_EQ(audit.size(), newest_first->size());
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_EQ(audit[i].at, (*newest_first)[audit.size() - 1 - i].at) << "oldest first";
  }
}

TEST_P(ExportRows, EmptyStoreSendsOneEmptyChunk) {
  auto store = OpenFresh();
  Export out = MustExport(*store, 10);
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(out.chunks[0].size(), 0u);
  EXPECT_EQ(out.counter, 0);
}

TEST_P(ExportRows, SinkErrorEndsTheExportAndItsTransaction) {
  auto store = OpenFresh();
  FillEveryTable(*store);
  int64_t counter = 0;
  int calls = 0;
  Status status = store->ExportRows(2, counter, [&calls](const StoreRows&) {
    return ++calls == 2 ? Status::IoError("target full") : Status::Ok();
  });
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_NE(status.message().find("target full"), std::string::npos);
  EXPECT_EQ(calls, 2);
  // The read transaction is gone: the store still writes.
  EXPECT_TRUE(store->Apply({Sighting("f-9", "198.51.100.200")}).ok());
}

TEST_P(ImportRows, IsAllOrNothing) {
  auto from = OpenFresh();
  auto to = OpenFresh();
  FillEveryTable(*from);
  Export out = MustExport(*from, 10000);
  ASSERT_EQ(out.chunks.size(), 1u);
  StoreRows rows = out.chunks[0];
  rows.indicators.push_back(rows.indicators.front());  // a duplicate key fails the insert
  Status status = to->ImportRows(rows, out.counter);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(Empty(*to));
  EXPECT_EQ(Counter(*to), 0);
}

TEST_P(ImportRows, RaisesTheCounterButNeverLowersIt) {
  auto store = OpenFresh();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->Apply({Sighting("f-1", "198.51.100.7", kT0 + i)}).ok());
  }
  ASSERT_EQ(Counter(*store), 5);
  StoreRows rows;
  rows.indicators.push_back({{IndicatorKind::kIpv4, "192.0.2.1"}, kT0, kT0, kT0 + 99, 5.0, 1});
  ASSERT_TRUE(store->ImportRows(rows, 2).ok());
  EXPECT_EQ(Counter(*store), 5);
  Result<StoreChanges> changes = store->ChangesSince(4);
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->indicators.size(), 2u);  // the imported row carries the counter, 5
  rows.indicators[0].indicator.value = "192.0.2.2";
  ASSERT_TRUE(store->ImportRows(rows, 9).ok());
  EXPECT_EQ(Counter(*store), 9);
}

TEST_P(Clear, EmptiesEveryTableAndMovesTheCounterOn) {
  auto store = OpenFresh();
  FillEveryTable(*store);
  EXPECT_FALSE(Empty(*store));
  const int64_t before = Counter(*store);
  ASSERT_TRUE(store->Clear().ok());
  EXPECT_TRUE(Empty(*store));
  EXPECT_EQ(Counter(*store), before + 1);
  Result<StoreChanges> changes = store->ChangesSince(0);
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->indicators.empty());  // no unremoval marks left either
  // Labels were deleted with their rows: a new sighting must not reuse a stale label id.
  SightingRecord again = Sighting("f-1", "198.51.100.7");
  again.region = "ap-south-1";
  ASSERT_TRUE(store->Apply({again}).ok());
  Result<std::vector<SightingRecord>> sightings = store->SightingsOf(again.indicator);
  ASSERT_TRUE(sightings.ok());
  ASSERT_EQ(sightings->size(), 1u);
  EXPECT_EQ((*sightings)[0].region, "ap-south-1");
  EXPECT_EQ((*sightings)[0].finding_type, again.finding_type);
}

TEST_P(IsEmpty, AnyRowInAnyCopiedTableCounts) {
  auto feed = OpenFresh();
  ASSERT_TRUE(Empty(*feed));
  ASSERT_TRUE(feed->PutFeedState({"f", "d", 1, "1", kT0}).ok());
  EXPECT_FALSE(Empty(*feed));
  auto publisher = OpenFresh();
  ASSERT_TRUE(publisher->PutPublisherState("k", std::string("\0", 1)).ok());
  EXPECT_FALSE(Empty(*publisher));
  auto withdrawn_only = OpenFresh();
  SightingRecord s = Sighting("f-1", "192.0.2.1");
  s.withdrawn = true;
  ASSERT_TRUE(withdrawn_only->Apply({s}).ok());
  EXPECT_FALSE(Empty(*withdrawn_only));
}

// The round trip: SQLite -> PostgreSQL -> SQLite loses nothing, and each copy is verified
// by the same per-table hashes on both engines.
TEST(StoreCopyAcrossEngines, SqliteToPostgresqlAndBackIsLossless) {
  GF_REQUIRE_POSTGRES();
  ::guardfeed::testing::FreshStore sqlite_a(::guardfeed::testing::StoreEngine::kSqlite);
  ::guardfeed::testing::FreshStore postgres(::guardfeed::testing::StoreEngine::kPostgres);
  ::guardfeed::testing::FreshStore sqlite_b(::guardfeed::testing::StoreEngine::kSqlite);
  auto a = sqlite_a.Open();
  auto pg = postgres.Open();
  auto b = sqlite_b.Open();
  ASSERT_TRUE(a && pg && b);
  FillEveryTable(*a);
  Result<CopyReport> there = CopyStore(*a, *pg, Chunked(3));
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  ExpectSameContents(*a, *pg);
  Result<CopyReport> back = CopyStore(*pg, *b, Chunked(4));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameContents(*a, *b);
  ASSERT_EQ(there->tables.size(), back->tables.size());
  for (size_t i = 0; i < there->tables.size(); ++i) {
    EXPECT_EQ(there->tables[i].table, back->tables[i].table);
    EXPECT_EQ(there->tables[i].rows, back->tables[i].rows);
    EXPECT_EQ(there->tables[i].sha256, back->tables[i].sha256) << there->tables[i].table;
  }
}

}  // namespace
}  // namespace guardfeed
