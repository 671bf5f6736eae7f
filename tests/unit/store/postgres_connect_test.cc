// How the PostgreSQL engine connects, as an operator configures it (docs/store.md, "The PostgreSQL
// engine"): TLS with sslmode=verify-full against the throw-away server's CA, passwords from a
// passfile= in the URL or from PGPASSFILE, and a password never shown: not in an error, not in
// Store::Describe(), not in what the guardfeed binary prints. The role `gftls` may log in only over
// TLS (scripts/pg-server.sh), so a store opened as gftls proves the connection is encrypted.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/postgres_server.h"
#include "common/process.h"
#include "gtest/gtest.h"
#include "store/store.h"
#include "unit/store/sightings.h"
#include "unit/store/temp_dir.h"

namespace guardfeed {
namespace {

using ::guardfeed::testing::kT0;
using ::guardfeed::testing::PostgresServer;
using ::guardfeed::testing::Sighting;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` readable by its owner only (libpq ignores a password file others may
// read).
void WritePrivateFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// "postgresql://gftls@127.0.0.1:PORT/NAME" -> "NAME".
std::string DatabaseName(const std::string& url) { return url.substr(url.rfind('/') + 1); }

// Sets an environment variable for one scope, restoring the previous value (or its absence).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// What a command printed (stdout and stderr together) and its exit status.
struct Output {
  int exit_code = -1;
  std::string text;
};

Output RunCommand(const std::string& command) {
  Output out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.text.append(buffer, n);
  int status = pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// A single-quoted shell word.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class PostgresConnect : public ::testing::Test {
 protected:
  void SetUp() override {
    GF_REQUIRE_POSTGRES();
    password_ = ReadFile(PostgresServer::PasswordFile());
    ASSERT_GE(password_.size(), 16u) << "no password in " << PostgresServer::PasswordFile();
    // The password of gfpass and gftls (the same), for every host, port and database.
    passfile_ = dir_.File("pgpass");
    WritePrivateFile(passfile_, "*:*:*:gfpass:" + password_ + "\n*:*:*:gftls:" + password_ + "\n");
  }

  // A new database owned by `role` and a URL reaching it on `host` with `query` (libpq parameters,
  // without "?"), but without any password.
  std::string NewUrl(const std::string& role, const std::string& host, const std::string& query) {
    std::string url = PostgresServer::NewDatabase(role);
    if (url.empty()) return "";
    return "postgresql://" + role + "@" + host + ":" + std::to_string(PostgresServer::port) + "/" +
           DatabaseName(url) + (query.empty() ? "" : "?" + query);
  }
  std::string VerifyFull(const std::string& ca) const {
    return "sslmode=verify-full&sslrootcert=" + ca + "&passfile=" + passfile_;
  }

  // An open store works end to end: a batch goes in and its indicator comes back.
  static void ExpectApplyAndReadBack(Store& store) {
    Result<ApplyResult> applied = store.Apply({Sighting("f1", "198.51.100.7")});
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    IndicatorQuery query;
    query.now = kT0;
    Result<std::vector<IndicatorRecord>> indicators = store.ListIndicators(query);
    ASSERT_TRUE(indicators.ok()) << indicators.status().ToString();
    ASSERT_EQ(indicators->size(), 1u);
    EXPECT_EQ((*indicators)[0].indicator.value, "198.51.100.7");
  }

  // The status of opening `url`, which must fail.
  static Status OpenFails(const std::string& url) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    EXPECT_FALSE(store.ok()) << url << " opened";
    return store.ok() ? Status::Ok() : store.status();
  }

  testing::StoreTempDir dir_;
  std::string password_;  // of gfpass and gftls
  std::string passfile_;  // a pgpass file with that password for both roles
};

TEST_F(PostgresConnect, VerifyFullToLocalhostWorks) {
  std::string url = NewUrl("gftls", "localhost", VerifyFull(PostgresServer::CaFile()));
  ASSERT_FALSE(url.empty());
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectApplyAndReadBack(**store);
  EXPECT_EQ((*store)->Describe(),
            "postgresql://gftls@localhost:" + std::to_string(PostgresServer::port) + "/" +
                DatabaseName(url.substr(0, url.find('?'))));
}

// The server's certificate names IP 127.0.0.1 too (scripts/pg-server.sh), so verify-full to the
// address works; the case of a certificate without it is therefore not tested here.
TEST_F(PostgresConnect, VerifyFullToTheAddressInTheCertificateWorks) {
  std::string url = NewUrl("gftls", "127.0.0.1", VerifyFull(PostgresServer::CaFile()));
  ASSERT_FALSE(url.empty());
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectApplyAndReadBack(**store);
}

TEST_F(PostgresConnect, VerifyFullWithAnotherCaFails) {
  // A CA of its own that never signed the server's certificate.
  std::string other_ca = dir_.File("other-ca.pem");
  ASSERT_EQ(testing::Shell("openssl req -x509 -new -nodes -newkey ec -pkeyopt "
                           "ec_paramgen_curve:prime256v1 -days 1 -subj '/CN=another CA' -keyout " +
                           dir_.File("other-ca.key") + " -out " + other_ca + " >/dev/null 2>&1"),
            0);
  // The password inline, to check the error does not repeat it.
  std::string url = NewUrl("gftls", "localhost", VerifyFull(other_ca));
  ASSERT_FALSE(url.empty());
  url.replace(url.find("gftls@"), 6, "gftls:" + password_ + "@");
  Status status = OpenFails(url);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("certificate verify failed"), std::string::npos)
      << status.ToString();
  EXPECT_EQ(status.ToString().find(password_), std::string::npos) << status.ToString();
}

// The certificate is for localhost and 127.0.0.1: reaching the same server under another name
// (hostaddr= connects to the address, host= is what is verified) fails.
TEST_F(PostgresConnect, VerifyFullChecksTheServerName) {
  std::string url =
      NewUrl("gftls", "db.invalid", "hostaddr=127.0.0.1&" + VerifyFull(PostgresServer::CaFile()));
  ASSERT_FALSE(url.empty());
  Status status = OpenFails(url);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("does not match host name \"db.invalid\""), std::string::npos)
      << status.ToString();
}

TEST_F(PostgresConnect, TlsOnlyRoleIsRefusedWithoutTls) {
  std::string url = NewUrl("gftls", "127.0.0.1", "sslmode=disable&passfile=" + passfile_);
  ASSERT_FALSE(url.empty());
  Status status = OpenFails(url);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("no encryption"), std::string::npos) << status.ToString();
  // The same URL with TLS required is let in: the refusal was about TLS, not the password.
  url.replace(url.find("sslmode=disable"), 15, "sslmode=require");
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
}

TEST_F(PostgresConnect, PasswordFromPassfileInTheUrl) {
  std::string base = NewUrl("gfpass", "127.0.0.1", "");
  ASSERT_FALSE(base.empty());
  // libpq's format: host:port:database:user:password.
  std::string passfile = dir_.File("exact-pgpass");
  WritePrivateFile(passfile, "127.0.0.1:" + std::to_string(PostgresServer::port) + ":" +
                                 DatabaseName(base) + ":gfpass:" + password_ + "\n");
  Result<std::unique_ptr<Store>> store = OpenStore(base + "?passfile=" + passfile);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectApplyAndReadBack(**store);
  EXPECT_EQ((*store)->Describe().find(password_), std::string::npos) << (*store)->Describe();

  // Without it (an empty password file, so no ~/.pgpass steps in) there is no password.
  std::string empty = dir_.File("empty-pgpass");
  WritePrivateFile(empty, "");
  Status status = OpenFails(base + "?passfile=" + empty);
  EXPECT_NE(status.message().find("no password supplied"), std::string::npos) << status.ToString();
}

TEST_F(PostgresConnect, PasswordFromPgpassfileEnvironmentVariable) {
  std::string url = NewUrl("gfpass", "127.0.0.1", "");
  ASSERT_FALSE(url.empty());
  {
    ScopedEnv env("PGPASSFILE", passfile_);
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExpectApplyAndReadBack(**store);
  }
  std::string empty = dir_.File("empty-pgpass");
  WritePrivateFile(empty, "");
  ScopedEnv env("PGPASSFILE", empty);
  Status status = OpenFails(url);
  EXPECT_NE(status.message().find("no password supplied"), std::string::npos) << status.ToString();
}

TEST_F(PostgresConnect, WrongPasswordFailsWithoutShowingIt) {
  std::string url = NewUrl("gfpass", "127.0.0.1", "");
  ASSERT_FALSE(url.empty());
  const std::string wrong = "Wr0ngPassw0rdNotTheRealOne";
  std::string inline_url = url;
  inline_url.replace(inline_url.find("gfpass@"), 7, "gfpass:" + wrong + "@");
  Status status = OpenFails(inline_url);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("password authentication failed"), std::string::npos)
      << status.ToString();
  EXPECT_EQ(status.ToString().find(wrong), std::string::npos) << status.ToString();

  // The same from a password file.
  std::string passfile = dir_.File("wrong-pgpass");
  WritePrivateFile(passfile, "*:*:*:gfpass:" + wrong + "\n");
  status = OpenFails(url + "?passfile=" + passfile);
  EXPECT_NE(status.message().find("password authentication failed"), std::string::npos)
      << status.ToString();
  EXPECT_EQ(status.ToString().find(wrong), std::string::npos) << status.ToString();
}

// A password written into the URL (which docs/store.md advises against) works, but is shown
// nowhere: not by Describe(), not in an error after a successful login (a database that does not
// exist), not over TLS.
TEST_F(PostgresConnect, InlinePasswordIsNeverShown) {
  std::string url = NewUrl("gfpass", "127.0.0.1", "");
  ASSERT_FALSE(url.empty());
  url.replace(url.find("gfpass@"), 7, "gfpass:" + password_ + "@");
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Describe(),
            "postgresql://gfpass@127.0.0.1:" + std::to_string(PostgresServer::port) + "/" +
                DatabaseName(url));

  std::string no_database = url.substr(0, url.rfind('/')) + "/gf_no_such_database";
  Status status = OpenFails(no_database);
  EXPECT_NE(status.message().find("gf_no_such_database\" does not exist"), std::string::npos)
      << status.ToString();
  EXPECT_EQ(status.ToString().find(password_), std::string::npos) << status.ToString();

  std::string tls = NewUrl("gftls", "localhost", VerifyFull(PostgresServer::CaFile()));
  ASSERT_FALSE(tls.empty());
  tls.replace(tls.find("gftls@"), 6, "gftls:" + password_ + "@");
  Result<std::unique_ptr<Store>> tls_store = OpenStore(tls);
  ASSERT_TRUE(tls_store.ok()) << tls_store.status().ToString();
  EXPECT_EQ((*tls_store)->Describe().find(password_), std::string::npos)
      << (*tls_store)->Describe();
}

// libpq's own messages about a URL it cannot parse quote the URL or the part it choked on; the
// engine must not pass the password in them on.
TEST_F(PostgresConnect, MalformedUrlErrorsDoNotQuoteThePassword) {
  const std::string secret = "S3cretInTheUrl";
  std::string port = std::to_string(PostgresServer::port);
  for (const std::string& url : {
           // libpq: end of string reached when looking for matching "]" ... in URI: "<the URL>"
           "postgresql://gfpass:" + secret + "@[::1/postgres",
           // libpq: invalid percent-encoded token: "<the password>"
           "postgresql://gfpass:" + secret + "%zz@127.0.0.1:" + port + "/postgres",
           // libpq: unexpected character ... in URI (expected ":" or "/"): "<the URL>"
           "postgresql://gfpass:" + secret + "@[::1]x/postgres",
           "postgresql://gfpass@127.0.0.1:" + port + "/postgres?password=" + secret + "%zz",
           "postgresql://gfpass:" + secret + "@127.0.0.1:" + port + "/postgres?sslmode=bogus",
       }) {
    SCOPED_TRACE(url);
    Status status = OpenFails(url);
    EXPECT_EQ(status.ToString().find(secret), std::string::npos) << status.ToString();
  }
}

// The binary, as an operator runs it: whatever it prints (any log level, success or failure), the
// password in the store URL is not in it.
TEST_F(PostgresConnect, CliNeverPrintsThePassword) {
  std::string url = NewUrl("gfpass", "127.0.0.1", "");
  ASSERT_FALSE(url.empty());
  std::string port = std::to_string(PostgresServer::port);
  const std::string wrong = "Wr0ngCliPassw0rd";
  std::string wrong_url = url;
  wrong_url.replace(wrong_url.find("gfpass@"), 7, "gfpass:" + wrong + "@");
  std::string right_url = url;
  right_url.replace(right_url.find("gfpass@"), 7, "gfpass:" + password_ + "@");
  std::string malformed = "postgresql://gfpass:" + password_ + "@[::1/postgres";

  struct Case {
    std::string url;
    std::string secret;
    bool succeeds;
  };
  for (const Case& c : std::vector<Case>{{wrong_url, wrong, false},
                                         {right_url, password_, true},
                                         {malformed, password_, false}}) {
    for (const char* level : {"info", "trace"}) {
      SCOPED_TRACE(c.url + " --log-level " + level);
      // Only the URL given here: no configuration file, store or password file from outside.
      Output out =
          RunCommand("env -u GUARDFEED_CONFIG -u GUARDFEED_STORE -u PGPASSFILE -u PGPASSWORD " +
                     std::string(GUARDFEED_EXE) + " --log-level " + level + " --store " +
                     Quoted(c.url) + " indicators list");
      EXPECT_EQ(out.exit_code == 0, c.succeeds) << out.exit_code << ": " << out.text;
      EXPECT_EQ(out.text.find(c.secret), std::string::npos) << out.text;
      if (!c.succeeds) {
        EXPECT_FALSE(out.text.empty()) << "no error printed";
      }
    }
  }
}

}  // namespace
}  // namespace guardfeed
