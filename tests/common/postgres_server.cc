#include "common/postgres_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace guardfeed::testing {
namespace {

bool started = false;  // Start() ran, whatever its outcome
bool shared = false;   // the server is ctest's fixture (GUARDFEED_TEST_PG_DIR), not this process's
int databases = 0;     // NewDatabase() names so far

// The port in a pg-server.sh directory's postgresql.conf, or 0.
int PortOf(const std::string& directory) {
  std::ifstream conf(directory + "/data/postgresql.conf");
  std::string line;
  int found = 0;
  while (std::getline(conf, line)) {
    if (line.rfind("port = ", 0) == 0) found = std::atoi(line.c_str() + 7);
  }
  return found;
}

// A single-quoted shell word.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string PostgresServer::BinDir() {
  const char* bin = std::getenv("GUARDFEED_PG_BIN");
  return bin != nullptr && *bin != '\0' ? bin : "/usr/lib/postgresql/15/bin";
}

void PostgresServer::Start() {
  if (started) return;
  started = true;
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"}) {
    if (access((BinDir() + "/" + tool).c_str(), X_OK) != 0) {
      skip_reason = BinDir() + "/" + tool +
                    " not found: apt-get install postgresql (15) to run the PostgreSQL tests";
      return;
    }
  }
  // Under ctest, one server started by the `postgres` fixture serves every test process
  // (tests/CMakeLists.txt): starting one per test would cost seconds each.
  if (const char* fixture = std::getenv("GUARDFEED_TEST_PG_DIR"); fixture != nullptr && *fixture) {
    if (Shell(Script() + " status " + fixture + " >/dev/null 2>&1") == 0 && PortOf(fixture) > 0) {
      dir = fixture;
      port = PortOf(fixture);
      shared = true;
      return;
    }
  }
  char pattern[] = "/tmp/guardfeed-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    start_error = "mkdtemp failed for the PostgreSQL server's directory";
    return;
  }
  dir = pattern;
  auto began = std::chrono::steady_clock::now();
  int rc = 0;
  // The port is free when chosen but may be taken before the server binds it: try another.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port = FreeLoopbackPort();
    rc = Shell(Script() + " start " + dir + " " + std::to_string(port) + " --owner " +
               std::to_string(getpid()) + " >/dev/null");
    if (rc == 0) break;
  }
  auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - began)
                          .count();
  if (rc != 0) {
    start_error =
        "pg-server.sh start failed (exit " + std::to_string(rc) + "); logs in " + dir + "/log";
    return;
  }
  std::printf("[ INFO     ] PostgreSQL up on 127.0.0.1:%d in %lld ms (%s)\n", port,
              static_cast<long long>(milliseconds), dir.c_str());
}

int PostgresServer::Psql(const std::string& database, const std::string& sql) {
  return Shell(BinDir() + "/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " + std::to_string(port) +
               " -U guardfeed -d " + Quoted(database) + " -c " + Quoted(sql) + " >/dev/null");
}

std::string PostgresServer::NewDatabase(const std::string& owner) {
  Start();
  if (!skip_reason.empty() || !start_error.empty()) {
    ADD_FAILURE() << "no PostgreSQL server: " << skip_reason << start_error;
    return "";
  }
  // Unique within the server, which other test processes may share.
  std::string name = "gf_test_" + std::to_string(getpid()) + "_" + std::to_string(++databases);
  if (Psql("postgres", "CREATE DATABASE " + name + " OWNER " + owner) != 0) {
    ADD_FAILURE() << "CREATE DATABASE " << name << " OWNER " << owner << " failed; logs in " << dir
                  << "/log";
    return "";
  }
  return "postgresql://" + owner + "@127.0.0.1:" + std::to_string(port) + "/" + name;
}

void PostgresServer::SetUp() {}

void PostgresServer::TearDown() {
  if (dir.empty() || shared) return;  // the fixture's cleanup stops a shared server
  EXPECT_EQ(Shell(Script() + " stop " + dir + " >/dev/null"), 0);
  // Keep the logs when something went wrong, but not the 40 MB cluster: ctest runs every test in
  // a process of its own, each with its own server.
  std::error_code ec;
  if (start_error.empty() && !::testing::UnitTest::GetInstance()->Failed()) {
    std::filesystem::remove_all(dir, ec);
  } else {
    std::filesystem::remove_all(dir + "/data", ec);
    std::printf("[ INFO     ] PostgreSQL logs kept in %s/log\n", dir.c_str());
  }
}

}  // namespace guardfeed::testing
