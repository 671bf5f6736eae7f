// PostgresServer: a throw-away PostgreSQL 15 on loopback for one test binary
// (scripts/pg-server.sh), the server the PostgreSQL store engine is tested against. Register it
// once per binary with ::testing::AddGlobalTestEnvironment(new PostgresServer). The server starts
// lazily, at the first GF_REQUIRE_POSTGRES() or NewDatabase(), so a process that runs only SQLite
// tests (ctest runs each test in its own process) pays nothing; it is stopped by PID after the
// last test, pass or fail, and by a watcher if the binary dies. Without the PostgreSQL binaries
// the tests that need it skip, except under CI where they fail.
//
// The superuser role `guardfeed` connects without a password; the role `gfpass` needs the
// password in PasswordFile() (scram-sha-256); the role `gftls` needs the same password and TLS
// (the server refuses it without). The server offers TLS to every role, with a certificate for
// `localhost` and 127.0.0.1 signed by the CA in CaFile() (for sslmode=verify-full).
//
// Thread safety: call from the test's main thread.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/ci_skip.h"
#include "common/process.h"

namespace guardfeed::testing {

class PostgresServer : public ::testing::Environment {
 public:
  static inline std::string skip_reason;  // set when PostgreSQL is not installed
  static inline std::string start_error;  // set when it failed to start
  static inline std::string dir;          // its data and logs; empty until started
  static inline int port = 0;

  // scripts/pg-server.sh, for tests that stop and start the server (stop-server, start-server).
  static std::string Script() {
    return std::string(GUARDFEED_SOURCE_DIR) + "/scripts/pg-server.sh";
  }
  // Where the PostgreSQL 15 programs are: $GUARDFEED_PG_BIN, else Debian's directory.
  static std::string BinDir();
  // The file holding the password of the role `gfpass`, exactly (no newline).
  static std::string PasswordFile() { return dir + "/password"; }
  // The PEM file of the throw-away CA that signed the server's certificate (sslrootcert).
  static std::string CaFile() { return dir + "/tls/ca.pem"; }

  // Starts the server unless it already ran (or could not). Sets skip_reason or start_error.
  static void Start();
  // Creates an empty database with a fresh name owned by `owner` ("guardfeed", "gfpass" or
  // "gftls") and returns its URL, postgresql://OWNER@127.0.0.1:PORT/NAME (never a password).
  // Starts the server if needed; on failure it adds a test failure and returns "".
  static std::string NewDatabase(const std::string& owner = "guardfeed");
  // Runs `sql` as the superuser in `database` with psql; its exit status (0: done).
  static int Psql(const std::string& database, const std::string& sql);

  void SetUp() override;
  void TearDown() override;
};

}  // namespace guardfeed::testing

// Skips (locally) or fails (CI) the calling test when the server is not there; starts it first.
#define GF_REQUIRE_POSTGRES()                                               \
  do {                                                                      \
    ::guardfeed::testing::PostgresServer::Start();                          \
    if (!::guardfeed::testing::PostgresServer::skip_reason.empty())         \
      GF_SKIP_UNLESS_CI(::guardfeed::testing::PostgresServer::skip_reason); \
    ASSERT_TRUE(::guardfeed::testing::PostgresServer::start_error.empty())  \
        << ::guardfeed::testing::PostgresServer::start_error;               \
  } while (0)
