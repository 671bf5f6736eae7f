// The store engines the Store tests run on: every test of engine behaviour through the Store
// interface runs once per engine, as a GoogleTest value-parameterised test:
//
//   class ChangesSince : public testing::StoreEngineTest {};
//   TEST_P(ChangesSince, Something) { auto store = Open(); ... }
//   INSTANTIATE_TEST_SUITE_P(, ChangesSince, testing::AllStoreEngines(), testing::StoreEngineName);
//
// gives ChangesSince.Something/sqlite and ChangesSince.Something/postgresql. The PostgreSQL variant
// runs against the binary's own throw-away server (tests/common/postgres_server.h), one new
// database per test; without PostgreSQL installed it skips (fails under CI).
//
// A test binary using this compiles tests/unit/store/engines.cc and
// tests/common/postgres_server.cc into itself (engines.cc registers the server's environment).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "store/store.h"
#include "unit/store/temp_dir.h"

namespace guardfeed::testing {

enum class StoreEngine { kSqlite, kPostgres };

inline auto AllStoreEngines() {
  return ::testing::Values(StoreEngine::kSqlite, StoreEngine::kPostgres);
}
// "sqlite" or "postgresql": the test name suffix (and URL scheme) of each engine.
std::string StoreEngineName(const ::testing::TestParamInfo<StoreEngine>& info);
// How GoogleTest prints the parameter (--gtest_list_tests, failures).
void PrintTo(StoreEngine engine, std::ostream* os);

// A fresh, empty store of one engine, created on construction: a new SQLite file in a temporary
// directory (removed on destruction) or a new PostgreSQL database (left on the server, which is
// thrown away at the end of the binary). For PostgreSQL, GF_REQUIRE_POSTGRES() must have passed.
class FreshStore {
 public:
  explicit FreshStore(StoreEngine engine);

  // sqlite:///tmp/.../store.db or postgresql://guardfeed@127.0.0.1:PORT/NAME; empty (with a test
  // failure) when it could not be created.
  const std::string& url() const { return url_; }
  // A new handle on the store (it is created by the first); nullptr with a test failure when
  // OpenStore fails.
  std::unique_ptr<Store> Open() const;

 private:
  std::unique_ptr<StoreTempDir> dir_;  // SQLite only
  std::string url_;
};

// Fixture of the tests over every engine: SetUp skips a PostgreSQL variant without a server and
// creates the test's fresh store; Open() returns a handle on it.
class StoreEngineTest : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override;

  std::unique_ptr<Store> Open() const { return store_->Open(); }
  const std::string& url() const { return store_->url(); }
  // Another fresh store of this test's engine, independent of the first.
  FreshStore NewStore() const { return FreshStore(GetParam()); }

 private:
  std::unique_ptr<FreshStore> store_;
};

}  // namespace guardfeed::testing
