// The store as its callers use it: every engine through the Store interface (StoreTest, once per
// engine: a fresh SQLite file or PostgreSQL database per test), the SQLite engine's own file
// handling (SqliteStore) and OpenStore's URL handling.
#include "store/store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/process.h"
#include "gtest/gtest.h"
#include "unit/store/engines.h"
#include "unit/store/sightings.h"

namespace guardfeed {
namespace {

using ::guardfeed::testing::kDay;
using ::guardfeed::testing::kT0;
using ::guardfeed::testing::Sighting;

class StoreTest : public testing::StoreEngineTest {};
INSTANTIATE_TEST_SUITE_P(, StoreTest, testing::AllStoreEngines(), testing::StoreEngineName);

// A fresh directory under the system temporary directory, removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "guardfeed-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::unique_ptr<Store> Open(const std::string& path) {
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

Indicator Ip(const std::string& value) { return Indicator{IndicatorKind::kIpv4, value}; }

ApplyResult MustApply(Store& store, const std::vector<SightingRecord>& batch) {
  Result<ApplyResult> result = store.Apply(batch);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : ApplyResult();
}

std::vector<std::string> ActiveValues(Store& store, UnixSeconds now) {
  Result<std::vector<IndicatorRecord>> active = store.ActiveIndicators(now);
  EXPECT_TRUE(active.ok()) << active.status().ToString();
  std::vector<std::string> values;
  if (!active.ok()) return values;
  for (const IndicatorRecord& record : *active) values.push_back(record.indicator.value);
  std::sort(values.begin(), values.end());
  return values;
}

int64_t Counter(Store& store) {
  Result<int64_t> counter = store.ChangeCounter();
  EXPECT_TRUE(counter.ok()) << counter.status().ToString();
  return counter.ok() ? *counter : -1;
}

IndicatorRecord MustGet(Store& store, const std::string& ip) {
  Result<std::optional<IndicatorRecord>> record = store.GetIndicator(Ip(ip));
  EXPECT_TRUE(record.ok() && record->has_value()) << ip;
  return record.ok() && record->has_value() ? **record : IndicatorRecord();
}

TEST_P(StoreTest, RedeliveredBatchChangesNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<SightingRecord> batch = {Sighting("f1", "198.51.100.1"),
                                       Sighting("f1", "198.51.100.2"),
                                       Sighting("f2", "198.51.100.1")};
  ApplyResult first = MustApply(*store, batch);
  EXPECT_EQ(first.sightings_new, 3);
  EXPECT_EQ(first.indicators_new, 2);
  int64_t counter = Counter(*store);
  EXPECT_GT(counter, 0);

  for (int again = 0; again < 2; ++again) {
    ApplyResult repeat = MustApply(*store, batch);
    EXPECT_EQ(repeat.sightings_unchanged, 3);
    EXPECT_EQ(repeat.sightings_new + repeat.sightings_updated, 0);
    EXPECT_EQ(repeat.indicators_new + repeat.indicators_updated + repeat.indicators_withdrawn, 0);
    EXPECT_EQ(Counter(*store), counter);
  }
  EXPECT_EQ(store->SightingsOf(Ip("198.51.100.1"))->size(), 2u);
  EXPECT_EQ(store->SightingsOf(Ip("198.51.100.2"))->size(), 1u);
  EXPECT_EQ(MustGet(*store, "198.51.100.1").finding_count, 2);
}

TEST_P(StoreTest, FindingUpdateWithNewAddressAddsIt) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1", kT0)});
  SightingRecord again = Sighting("f1", "198.51.100.1", kT0 + 60);
  again.count = 2;
  ApplyResult update = MustApply(*store, {again, Sighting("f1", "203.0.113.7", kT0 + 60)});
  EXPECT_EQ(update.sightings_updated, 1);
  EXPECT_EQ(update.sightings_new, 1);
  EXPECT_EQ(update.indicators_new, 1);
  EXPECT_EQ(update.indicators_updated, 1);
  EXPECT_EQ(ActiveValues(*store, kT0), (std::vector<std::string>{"198.51.100.1", "203.0.113.7"}));
  EXPECT_EQ(MustGet(*store, "198.51.100.1").last_seen, kT0 + 60);
  EXPECT_EQ(store->SightingsOf(Ip("198.51.100.1"))->front().count, 2);
}

TEST_P(StoreTest, OlderDeliveryDoesNotOverwriteNewer) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord newer = Sighting("f1", "198.51.100.1", kT0 + 100);
  newer.severity = 8.0;
  MustApply(*store, {newer});
  SightingRecord older = Sighting("f1", "198.51.100.1", kT0);
  older.severity = 2.0;
  ApplyResult result = MustApply(*store, {older});
  EXPECT_EQ(result.sightings_unchanged, 1);
  EXPECT_EQ(store->SightingsOf(Ip("198.51.100.1"))->front().severity, 8.0);
  EXPECT_EQ(MustGet(*store, "198.51.100.1").max_severity, 8.0);
}

TEST_P(StoreTest, SeenTimesOnlyWidenAndExpiryOnlyGrows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1", kT0)});
  SightingRecord late = Sighting("f1", "198.51.100.1", kT0 + 10);
  late.last_seen = kT0 - 500;  // an export replayed with an older eventLastSeen
  late.first_seen = kT0 - 9000;
  late.expires_at = kT0 + kDay;
  late.severity = 7.0;
  EXPECT_EQ(MustApply(*store, {late}).sightings_updated, 1);

  SightingRecord stored = store->SightingsOf(Ip("198.51.100.1"))->front();
  EXPECT_EQ(stored.last_seen, kT0);
  EXPECT_EQ(stored.first_seen, kT0 - 9000);
  EXPECT_EQ(stored.expires_at, kT0 + 30 * kDay);
  EXPECT_EQ(stored.severity, 7.0);
  EXPECT_EQ(stored.updated_at, kT0 + 10);
  IndicatorRecord indicator = MustGet(*store, "198.51.100.1");
  EXPECT_EQ(indicator.last_seen, kT0);
  EXPECT_EQ(indicator.first_seen, kT0 - 9000);
  EXPECT_EQ(indicator.max_severity, 7.0);
}

TEST_P(StoreTest, ArchivedFindingWithdrawsAndUnarchiveRestores) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1"), Sighting("f1", "198.51.100.2"),
                     Sighting("f2", "198.51.100.2")});
  SightingRecord archived1 = Sighting("f1", "198.51.100.1", kT0 + 10);
  SightingRecord archived2 = Sighting("f1", "198.51.100.2", kT0 + 10);
  archived1.withdrawn = archived2.withdrawn = true;
  ApplyResult withdrawn = MustApply(*store, {archived1, archived2});
  EXPECT_EQ(withdrawn.indicators_withdrawn, 1);
  EXPECT_EQ(withdrawn.indicators_updated, 1);  // .2 keeps f2's sighting
  EXPECT_EQ(ActiveValues(*store, kT0), (std::vector<std::string>{"198.51.100.2"}));
  EXPECT_EQ(MustGet(*store, "198.51.100.1").finding_count, 0);  // explain still finds it
  EXPECT_EQ(MustGet(*store, "198.51.100.2").finding_count, 1);

  SightingRecord unarchived = Sighting("f1", "198.51.100.1", kT0 + 20);
  ApplyResult back = MustApply(*store, {unarchived});
  EXPECT_EQ(back.indicators_updated, 1);
  EXPECT_EQ(back.indicators_new, 0);
  EXPECT_EQ(ActiveValues(*store, kT0), (std::vector<std::string>{"198.51.100.1", "198.51.100.2"}));
}

TEST_P(StoreTest, AlreadyArchivedFindingCreatesNoIndicator) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord archived = Sighting("f1", "198.51.100.1");
  archived.withdrawn = true;
  ApplyResult result = MustApply(*store, {archived});
  EXPECT_EQ(result.sightings_new, 1);
  EXPECT_EQ(result.indicators_new + result.indicators_withdrawn, 0);
  EXPECT_FALSE(store->GetIndicator(Ip("198.51.100.1"))->has_value());
}

TEST_P(StoreTest, ExpiryIsExclusiveOfNow) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord sighting = Sighting("f1", "198.51.100.1");
  sighting.expires_at = kT0 + 100;
  MustApply(*store, {sighting});
  EXPECT_EQ(ActiveValues(*store, kT0 + 99).size(), 1u);
  EXPECT_TRUE(ActiveValues(*store, kT0 + 100).empty());
  EXPECT_EQ(store->NextExpiry(kT0).value(), std::optional<UnixSeconds>(kT0 + 100));
  EXPECT_FALSE(store->NextExpiry(kT0 + 100)->has_value());

  IndicatorQuery query;
  query.now = kT0 + 100;
  EXPECT_TRUE(store->ListIndicators(query)->empty());
  query.include_expired = true;
  EXPECT_EQ(store->ListIndicators(query)->size(), 1u);
}

TEST_P(StoreTest, RemovedIndicatorStaysOutUntilUnremoved) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1")});
  int64_t before = Counter(*store);
  ASSERT_TRUE(store->Remove(Ip("198.51.100.1"), "our scanner", "alice", kT0).ok());
  EXPECT_GT(Counter(*store), before);
  MustApply(*store, {Sighting("f2", "198.51.100.1", kT0 + 60)});  // seen again: still out
  EXPECT_TRUE(ActiveValues(*store, kT0).empty());
  EXPECT_FALSE(store->NextExpiry(kT0)->has_value());

  Result<std::optional<RemovalRecord>> removal = store->GetRemoval(Ip("198.51.100.1"));
  ASSERT_TRUE(removal.ok() && removal->has_value());
  EXPECT_EQ((*removal)->reason, "our scanner");
  EXPECT_EQ((*removal)->actor, "alice");
  EXPECT_EQ((*removal)->removed_at, kT0);
  EXPECT_EQ(store->ListRemovals()->size(), 1u);

  ASSERT_TRUE(store->Unremove(Ip("198.51.100.1"), "bob", kT0 + 5).ok());
  EXPECT_EQ(ActiveValues(*store, kT0), (std::vector<std::string>{"198.51.100.1"}));
  EXPECT_FALSE(store->GetRemoval(Ip("198.51.100.1"))->has_value());
  EXPECT_EQ(store->Unremove(Ip("198.51.100.1"), "bob", kT0).code(), Status::Code::kNotFound);
}

TEST_P(StoreTest, AllowlistAddUpdatesListsAndRemoves) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AddAllowlist({"10.0.0.0/8", "office", "bob", kT0}).ok());
  ASSERT_TRUE(store->AddAllowlist({"10.0.0.0/8", "head office", "carol", kT0 + 5}).ok());
  ASSERT_TRUE(store->AddAllowlist({"example.com", "", "bob", kT0}).ok());
  Result<std::vector<AllowlistRecord>> list = store->ListAllowlist();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].entry, "10.0.0.0/8");
  EXPECT_EQ((*list)[0].comment, "head office");
  EXPECT_EQ((*list)[0].actor, "bob");  // the entry keeps who added it first, and when
  EXPECT_EQ((*list)[0].added_at, kT0);
  EXPECT_EQ((*list)[1].entry, "example.com");

  EXPECT_TRUE(store->RemoveAllowlist("10.0.0.0/8", "bob", kT0 + 9).ok());
  Status again = store->RemoveAllowlist("10.0.0.0/8", "bob", kT0 + 9);
  EXPECT_EQ(again.code(), Status::Code::kNotFound);
  EXPECT_NE(again.message().find("10.0.0.0/8"), std::string::npos) << again.message();
  EXPECT_EQ(store->ListAllowlist()->size(), 1u);
  EXPECT_EQ(store->AddAllowlist({"", "x", "bob", kT0}).code(), Status::Code::kInvalidArgument);
}

TEST_P(StoreTest, ManualActionsAreAuditedNewestFirst) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  MustApply(*store, {Sighting("f1", "198.51.100.1")});
  ASSERT_TRUE(store->Remove(Ip("198.51.100.1"), "false positive", "alice", kT0).ok());
  ASSERT_TRUE(store->Unremove(Ip("198.51.100.1"), "alice", kT0 + 1).ok());
  ASSERT_TRUE(store->AddAllowlist({"192.0.2.0/24", "lab", "bob", kT0 + 2}).ok());
  ASSERT_TRUE(store->RemoveAllowlist("192.0.2.0/24", "carol", kT0 + 3).ok());
  ASSERT_FALSE(store->RemoveAllowlist("192.0.2.0/24", "carol", kT0 + 4).ok());  // not audited

  Result<std::vector<AuditRecord>> audit = store->ListAudit(10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 4u);
  std::vector<std::string> actions;
  for (const AuditRecord& entry : *audit) actions.push_back(entry.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"allow_remove", "allow_add", "unremove", "remove"}));
  EXPECT_EQ((*audit)[0].actor, "carol");
  EXPECT_EQ((*audit)[0].at, kT0 + 3);
  EXPECT_EQ((*audit)[1].detail, "lab");
  EXPECT_EQ((*audit)[3].target, "198.51.100.1");
  EXPECT_EQ((*audit)[3].detail, "false positive");
  EXPECT_EQ(store->ListAudit(2)->size(), 2u);
}

TEST_P(StoreTest, ExpireDeletesOnlyWhatOutlivedRetention) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto expiring = [](const std::string& finding, const std::string& ip, UnixSeconds expires_at) {
    SightingRecord s = Sighting(finding, ip);
    s.expires_at = expires_at;
    return s;
  };
  MustApply(*store,
            {expiring("f1", "198.51.100.1", kT0 + 50),  // exactly at the cutoff
             expiring("f2", "198.51.100.2", kT0 + 51), expiring("f3", "198.51.100.3", kT0 + 10),
             expiring("f4", "198.51.100.3", kT0 + 1000)});
  int64_t before = Counter(*store);
  Result<int64_t> deleted = store->Expire(kT0 + 100, 50);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 1);
  EXPECT_GT(Counter(*store), before);
  EXPECT_FALSE(store->GetIndicator(Ip("198.51.100.1"))->has_value());
  EXPECT_TRUE(store->GetIndicator(Ip("198.51.100.2"))->has_value());
  EXPECT_EQ(MustGet(*store, "198.51.100.3").finding_count, 1);
  EXPECT_EQ(store->SightingsOf(Ip("198.51.100.3"))->size(), 1u);

  int64_t after = Counter(*store);
  EXPECT_EQ(store->Expire(kT0 + 100, 50).value(), 0);
  EXPECT_EQ(Counter(*store), after);
  EXPECT_EQ(store->Expire(kT0, -1).status().code(), Status::Code::kInvalidArgument);
}

TEST_P(StoreTest, FeedAndPublisherStateRoundTrip) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->GetFeedState("srx-ip")->has_value());
  FeedState state{"srx-ip", "ab12", 3, "20231114.3", kT0};
  ASSERT_TRUE(store->PutFeedState(state).ok());
  state.serial = 4;
  state.version = "20231114.4";
  ASSERT_TRUE(store->PutFeedState(state).ok());
  Result<std::optional<FeedState>> read = store->GetFeedState("srx-ip");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->serial, 4);
  EXPECT_EQ((*read)->version, "20231114.4");
  EXPECT_EQ((*read)->content_digest, "ab12");
  EXPECT_EQ((*read)->data_ts, kT0);

  EXPECT_FALSE(store->GetPublisherState("s3")->has_value());
  const std::string blob("\x00\xff{\"k\":1}\n", 10);
  ASSERT_TRUE(store->PutPublisherState("s3", blob).ok());
  ASSERT_TRUE(store->PutPublisherState("atp", "").ok());
  EXPECT_EQ(store->GetPublisherState("s3")->value(), blob);
  EXPECT_EQ(store->GetPublisherState("atp")->value(), "");
}

TEST_P(StoreTest, StatePersistsAcrossReopen) {
  int64_t counter = 0;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    MustApply(*store, {Sighting("f1", "198.51.100.1"), Sighting("f1", "198.51.100.2")});
    ASSERT_TRUE(store->Remove(Ip("198.51.100.2"), "fp", "alice", kT0).ok());
    ASSERT_TRUE(store->AddAllowlist({"192.0.2.0/24", "lab", "bob", kT0}).ok());
    ASSERT_TRUE(store->PutFeedState({"pan", "d", 1, "1", kT0}).ok());
    counter = Counter(*store);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ActiveValues(*store, kT0), (std::vector<std::string>{"198.51.100.1"}));
  EXPECT_EQ(store->ListAllowlist()->size(), 1u);
  EXPECT_EQ(store->GetFeedState("pan")->value().serial, 1);
  EXPECT_EQ(Counter(*store), counter);
  EXPECT_EQ(MustApply(*store, {Sighting("f1", "198.51.100.1")}).sightings_unchanged, 1);
}

TEST_P(StoreTest, TwoHandlesOnOneStoreSeeEachOthersWrites) {
  auto writer = Open();
  auto reader = Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  int64_t before = Counter(*reader);
  MustApply(*writer, {Sighting("f1", "198.51.100.1")});
  EXPECT_GT(Counter(*reader), before);
  EXPECT_EQ(ActiveValues(*reader, kT0), (std::vector<std::string>{"198.51.100.1"}));

  before = Counter(*writer);
  ASSERT_TRUE(reader->Remove(Ip("198.51.100.1"), "fp", "cli", kT0).ok());
  EXPECT_GT(Counter(*writer), before);
  EXPECT_TRUE(ActiveValues(*writer, kT0).empty());
}

TEST(SqliteStore, WriterWaitsForAnotherConnectionsLock) {
  TempDir dir;
  auto store = Open(dir.File("store.db"));
  ASSERT_NE(store, nullptr);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("store.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  ApplyResult result = MustApply(*store, {Sighting("f1", "198.51.100.1")});  // within the timeout
  release.join();
  sqlite3_close(other);
  EXPECT_EQ(result.sightings_new, 1);
}

TEST_P(StoreTest, ConcurrentCallersAreSerialised) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int b = 0; b < 10; ++b) {
        std::vector<SightingRecord> batch;
        for (int i = 0; i < 50; ++i) {
          batch.push_back(Sighting(
              "f" + std::to_string(t),
              "10." + std::to_string(t) + "." + std::to_string(b) + "." + std::to_string(i)));
        }
        EXPECT_TRUE(store->Apply(batch).ok());
        EXPECT_TRUE(store->ActiveIndicators(kT0).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ActiveValues(*store, kT0).size(), 4u * 10u * 50u);
}

TEST(SqliteStore, GarbageFileIsRejectedNamingThePath) {
  TempDir dir;
  std::string path = dir.File("not-a-database.db");
  std::ofstream(path) << std::string(4096, 'x');
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("not a SQLite database"), std::string::npos);
}

TEST(SqliteStore, OtherProgramsDatabaseIsRejected) {
  TempDir dir;
  std::string path = dir.File("other.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Result<std::unique_ptr<Store>> store = OpenStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("another program"), std::string::npos);
}

TEST(SqliteStore, NewerSchemaIsRejectedClearly) {
  TempDir dir;
  std::string path = dir.File("store.db");
  ASSERT_NE(Open(path), nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Result<std::unique_ptr<Store>> store = OpenStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("version 99"), std::string::npos);
  EXPECT_NE(store.status().message().find("newer guardfeed"), std::string::npos);
}

TEST_P(StoreTest, ListIndicatorsFiltersAndPaginates) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord domain = Sighting("f9", "");
  domain.indicator = Indicator{IndicatorKind::kDomain, "evil.example"};
  std::vector<SightingRecord> batch = {domain};
  for (const char* ip : {"198.51.100.1", "198.51.100.10", "198.51.100.2", "203.0.113.1"}) {
    batch.push_back(Sighting("f1", ip));
  }
  MustApply(*store, batch);

  IndicatorQuery query;
  query.now = kT0;
  query.value_prefix = "198.51.100.1";
  EXPECT_EQ(store->ListIndicators(query)->size(), 2u);
  query.value_prefix.clear();
  query.kind = IndicatorKind::kDomain;
  ASSERT_EQ(store->ListIndicators(query)->size(), 1u);
  EXPECT_EQ(store->ListIndicators(query)->front().indicator, domain.indicator);

  query.kind.reset();
  query.limit = 2;
  std::vector<std::string> pages;
  for (int page = 0; page < 5; ++page) {
    Result<std::vector<IndicatorRecord>> rows = store->ListIndicators(query);
    ASSERT_TRUE(rows.ok());
    if (rows->empty()) break;
    for (const IndicatorRecord& row : *rows) pages.push_back(row.indicator.value);
    query.after = rows->back().indicator.value;
  }
  EXPECT_EQ(pages, (std::vector<std::string>{"198.51.100.1", "198.51.100.10", "198.51.100.2",
                                             "203.0.113.1", "evil.example"}));
}

// Regression: `indicators list` could not tell a withdrawn indicator (every finding archived)
// from an expired one, and listed removed indicators as active.
TEST_P(StoreTest, ListIndicatorsFiltersByState) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  SightingRecord expired = Sighting("f2", "198.51.100.2");
  expired.expires_at = kT0 - 1;
  SightingRecord archived = Sighting("f3", "198.51.100.3", kT0 + 10);
  archived.withdrawn = true;
  MustApply(*store, {Sighting("f1", "198.51.100.1"), expired, Sighting("f3", "198.51.100.3"),
                     Sighting("f4", "198.51.100.4")});
  MustApply(*store, {archived});
  ASSERT_TRUE(store->Remove(Ip("198.51.100.4"), "fp", "alice", kT0).ok());

  auto listed = [&](std::optional<IndicatorState> state) {
    IndicatorQuery query;
    query.now = kT0;
    query.state = state;
    query.include_expired = !state.has_value();
    std::vector<std::string> values;
    Result<std::vector<IndicatorRecord>> rows = store->ListIndicators(query);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const IndicatorRecord& row : *rows) values.push_back(row.indicator.value);
    }
    return values;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(listed(IndicatorState::kActive), V{"198.51.100.1"});
  EXPECT_EQ(listed(IndicatorState::kExpired), V{"198.51.100.2"});
  EXPECT_EQ(listed(IndicatorState::kWithdrawn), V{"198.51.100.3"});
  EXPECT_EQ(listed(IndicatorState::kRemoved), V{"198.51.100.4"});
  EXPECT_EQ(listed(std::nullopt).size(), 4u);

  // StateOf says the same as the filter.
  IndicatorRecord withdrawn = MustGet(*store, "198.51.100.3");
  EXPECT_EQ(StateOf(withdrawn, false, kT0), IndicatorState::kWithdrawn);
  EXPECT_EQ(StateOf(withdrawn, true, kT0), IndicatorState::kRemoved);
  EXPECT_EQ(StateOf(MustGet(*store, "198.51.100.2"), false, kT0), IndicatorState::kExpired);
  EXPECT_EQ(StateOf(MustGet(*store, "198.51.100.1"), false, kT0), IndicatorState::kActive);
  EXPECT_EQ(ParseIndicatorStateName("withdrawn").value(), IndicatorState::kWithdrawn);
  EXPECT_FALSE(ParseIndicatorStateName("gone").ok());
}

// Regression: removing a value no finding ever named stored a removal (and an audit entry)
// for it, so a typo looked like a successful removal.
TEST_P(StoreTest, RemovingANeverSeenIndicatorStoresNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  int64_t before = Counter(*store);
  Status status = store->Remove(Ip("198.51.100.9"), "typo", "alice", kT0);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("never seen"), std::string::npos) << status.message();
  EXPECT_TRUE(store->ListRemovals()->empty());
  EXPECT_TRUE(store->ListAudit(0)->empty());
  EXPECT_EQ(Counter(*store), before);

  // A finding archived before it was first delivered leaves sightings but no indicator row:
  // the value was seen, so it may be removed.
  SightingRecord archived = Sighting("f1", "198.51.100.8");
  archived.withdrawn = true;
  MustApply(*store, {archived});
  EXPECT_TRUE(store->Remove(Ip("198.51.100.8"), "fp", "alice", kT0).ok());
}

FeedAdvance MustAdvance(Store& store, const std::string& digest, UnixSeconds now) {
  auto by_serial = [](const FeedState*, int64_t serial, UnixSeconds) {
    return std::to_string(serial);
  };
  Result<FeedAdvance> advanced = store.AdvanceFeedState("pan", digest, now, by_serial);
  EXPECT_TRUE(advanced.ok()) << advanced.status().ToString();
  return advanced.ok() ? *advanced : FeedAdvance{};
}

TEST_P(StoreTest, AdvanceFeedStateBumpsOnlyOnANewDigest) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  FeedAdvance first = MustAdvance(*store, "d1", kT0);
  EXPECT_TRUE(first.changed);
  EXPECT_EQ(first.state.serial, 1);
  EXPECT_EQ(first.state.version, "1");
  EXPECT_EQ(first.state.data_ts, kT0);
  FeedAdvance same = MustAdvance(*store, "d1", kT0 + 60);
  EXPECT_FALSE(same.changed);
  EXPECT_EQ(same.state.version, "1");
  EXPECT_EQ(same.state.data_ts, kT0);
  FeedAdvance next = MustAdvance(*store, "d2", kT0 + 120);
  EXPECT_TRUE(next.changed);
  EXPECT_EQ(next.state.version, "2");
  EXPECT_EQ(store->GetFeedState("pan")->value().content_digest, "d2");

  // The version function sees the stored state it replaces.
  Result<FeedAdvance> dated = store->AdvanceFeedState(
      "pan", "d3", kT0, [](const FeedState* previous, int64_t serial, UnixSeconds) {
        return (previous != nullptr ? previous->version : "none") + "+" + std::to_string(serial);
      });
  ASSERT_TRUE(dated.ok());
  EXPECT_EQ(dated->state.version, "2+3");
}

// Regression: the version was read, computed and written in separate steps, so the daemon and
// a CLI command rendering different contents on one store could give both the same version.
TEST_P(StoreTest, TwoHandlesAdvancingDifferentDigestsNeverShareAVersion) {
  auto daemon = Open();
  auto cli = Open();
  ASSERT_NE(daemon, nullptr);
  ASSERT_NE(cli, nullptr);
  std::mutex mu;
  std::map<std::string, std::set<std::string>> digests_by_version;
  auto render = [&](Store* store, const std::string& digest) {
    for (int i = 0; i < 100; ++i) {
      FeedAdvance advanced = MustAdvance(*store, digest, kT0);
      std::lock_guard lock(mu);
      digests_by_version[advanced.state.version].insert(digest);
    }
  };
  std::thread a(render, daemon.get(), "content-a");
  std::thread b(render, cli.get(), "content-b");
  a.join();
  b.join();
  for (const auto& [version, digests] : digests_by_version) {
    EXPECT_EQ(digests.size(), 1u) << "version " << version << " names two contents";
  }
}

TEST_P(StoreTest, ApplyRejectsSightingWithoutKey) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Apply({Sighting("", "198.51.100.1")}).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Apply({}).value().sightings_new, 0);
}

TEST_P(StoreTest, ActiveIndicatorsReturnsAHundredThousand) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kTotal = 100'000;
  constexpr int kBatch = 5'000;
  for (int start = 0; start < kTotal; start += kBatch) {
    std::vector<SightingRecord> batch;
    batch.reserve(kBatch);
    for (int i = start; i < start + kBatch; ++i) {
      batch.push_back(
          Sighting("finding-" + std::to_string(i % 97), "10." + std::to_string(i >> 16) + "." +
                                                            std::to_string((i >> 8) & 0xff) + "." +
                                                            std::to_string(i & 0xff)));
    }
    ASSERT_EQ(MustApply(*store, batch).indicators_new, kBatch);
  }
  std::vector<std::string> values = ActiveValues(*store, kT0);
  EXPECT_EQ(values.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(std::unique(values.begin(), values.end()), values.end());
}

// Restores the working directory at the end of a test that changes it.
class ScopedChdir {
 public:
  explicit ScopedChdir(const std::string& to) : saved_(std::filesystem::current_path()) {
    std::filesystem::current_path(to);
  }
  ~ScopedChdir() { std::filesystem::current_path(saved_); }
  ScopedChdir(const ScopedChdir&) = delete;
  ScopedChdir& operator=(const ScopedChdir&) = delete;

 private:
  std::filesystem::path saved_;
};

TEST(OpenStore, AcceptsSqliteUrlsAndBarePaths) {
  TempDir dir;
  std::string path = dir.File("a/b/store.db");  // absolute, so "sqlite://" + path has 3 slashes
  Result<std::unique_ptr<Store>> by_url = OpenStore("sqlite://" + path);
  ASSERT_TRUE(by_url.ok()) << by_url.status().ToString();
  EXPECT_EQ((*by_url)->Describe(), "sqlite://" + path);
  EXPECT_TRUE(std::filesystem::exists(path));
  MustApply(**by_url, {Sighting("f1", "198.51.100.1")});

  Result<std::unique_ptr<Store>> by_path = OpenStore(path);
  ASSERT_TRUE(by_path.ok()) << by_path.status().ToString();
  EXPECT_EQ(ActiveValues(**by_path, kT0).size(), 1u);
  EXPECT_TRUE(OpenStore("SQLite://" + path).ok());  // schemes are case-insensitive
}

TEST(OpenStore, RelativePathIsUnderTheWorkingDirectory) {
  TempDir dir;
  ScopedChdir chdir(dir.path());
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://state/guardfeed.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.File("state/guardfeed.db")));
  EXPECT_EQ((*store)->Describe(), "sqlite://" + dir.File("state/guardfeed.db"));
}

// A server that cannot be reached is Unavailable (retry later), and the error names the server
// without the password the URL carries.
TEST(OpenStore, UnreachablePostgresqlIsUnavailableWithoutEchoingThePassword) {
  int port = ::guardfeed::testing::FreeLoopbackPort();
  Result<std::unique_ptr<Store>> store =
      OpenStore("postgresql://feed:s3cret@127.0.0.1:" + std::to_string(port) + "/gf");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kUnavailable) << store.status().ToString();
  EXPECT_NE(store.status().message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(store.status().message().find("s3cret"), std::string::npos);  // no secrets echoed
}

TEST(OpenStore, UnknownSchemeAndEmptyUrlAreRejected) {
  Result<std::unique_ptr<Store>> ftp = OpenStore("ftp://host/file.db");
  ASSERT_FALSE(ftp.ok());
  EXPECT_EQ(ftp.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(ftp.status().message().find("\"ftp\""), std::string::npos) << ftp.status().ToString();
  EXPECT_FALSE(OpenStore("").ok());
  EXPECT_FALSE(OpenStore("sqlite://").ok());
}

TEST(OpenStore, UnusableDirectoryFailsNamingIt) {
  TempDir dir;
  std::ofstream(dir.File("file")) << "a file where a directory should be";
  Result<std::unique_ptr<Store>> store = OpenStore(dir.File("file/store.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(dir.File("file")), std::string::npos)
      << store.status().ToString();
}

TEST(OpenStore, InMemoryStoreWorks) {
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://:memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  MustApply(**store, {Sighting("f1", "198.51.100.1")});
  EXPECT_EQ(ActiveValues(**store, kT0).size(), 1u);
}

}  // namespace
}  // namespace guardfeed
