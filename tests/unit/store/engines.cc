#include "unit/store/engines.h"

#include <utility>

#include "common/postgres_server.h"

namespace guardfeed::testing {
namespace {

// gtest_main runs these binaries, so the server's environment is registered by a static
// initializer; the server itself starts only when a PostgreSQL variant runs.
[[maybe_unused]] ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresServer);

}  // namespace

std::string StoreEngineName(const ::testing::TestParamInfo<StoreEngine>& info) {
  return info.param == StoreEngine::kSqlite ? "sqlite" : "postgresql";
}

void PrintTo(StoreEngine engine, std::ostream* os) {
  *os << (engine == StoreEngine::kSqlite ? "sqlite" : "postgresql");
}

FreshStore::FreshStore(StoreEngine engine) {
  if (engine == StoreEngine::kPostgres) {
    url_ = PostgresServer::NewDatabase();
    return;
  }
  dir_ = std::make_unique<StoreTempDir>();
  url_ = "sqlite://" + dir_->File("store.db");
}

std::unique_ptr<Store> FreshStore::Open() const {
  if (url_.empty()) return nullptr;
  Result<std::unique_ptr<Store>> store = OpenStore(url_);
  EXPECT_TRUE(store.ok()) << url_ << ": " << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

void StoreEngineTest::SetUp() {
  if (GetParam() == StoreEngine::kPostgres) GF_REQUIRE_POSTGRES();
  store_ = std::make_unique<FreshStore>(GetParam());
}

}  // namespace guardfeed::testing
