#include "cli/server_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace guardfeed {
namespace {

class ServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-server-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // [server] with `lines` (the first is line 2 of the file), then one feed.
  Result<ServerOptions> Read(const std::string& lines, Environment env = {}) {
    std::string path = dir_ + "/guardfeed.toml";
    std::ofstream(path) << "[server]\n" << lines << "\n[[feeds]]\nname = \"fortigate_ip\"\n";
    auto config = LoadConfig(path, {});
    if (!config.ok()) return config.status();
    return ReadServerOptions(*config, env, "");
  }

  static std::string Error(const Result<ServerOptions>& result) {
    EXPECT_FALSE(result.ok());
    return result.ok() ? std::string() : result.status().message();
  }

  std::string dir_;
};

TEST_F(ServerConfigTest, ReadsEveryKind) {
  auto options = Read(
      "listen = \"[::1]:9090\"\nbody_limit = \"2MiB\"\nheader_timeout = \"500ms\"\n"
      "idle_timeout = 5\nrender_debounce = \"1m\"\ncount_interval = \"1d\"\ngzip = false\n"
      "threads = 4\n[server.feed_auth.fortigate_ip]\nuser = \"fg\"\npassword = \"pw\"\n",
      {{"GUARDFEED_ADMIN_TOKEN", "admin"}});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->host, "::1");
  EXPECT_EQ(options->port, 9090);
  EXPECT_EQ(options->body_limit, 2u << 20);
  EXPECT_EQ(options->header_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(options->idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(options->render_debounce, std::chrono::minutes(1));
  EXPECT_EQ(options->count_interval, std::chrono::hours(24));
  EXPECT_FALSE(options->gzip);
  EXPECT_EQ(options->io_threads, 4);
  EXPECT_EQ(options->feed_auth.at("fortigate_ip").user, "fg");
  EXPECT_EQ(options->admin_token, "admin");
}

// Issue 19: [server] goes through the one TomlReader: wrong types name file:line:key.
TEST_F(ServerConfigTest, WrongTypesAreErrorsWithFileLineAndKey) {
  for (const auto& [line, key] : std::vector<std::pair<std::string, std::string>>{
           {"gzip = \"yes\"", "server.gzip"},
           {"threads = \"4\"", "server.threads"},
           {"admin_token = 42", "server.admin_token"},
           {"header_timeout = true", "server.header_timeout"},
           {"body_limit = 1.5", "server.body_limit"},
           {"listen = \"localhost\"", "server.listen"},
           {"listne = \"127.0.0.1:1\"", "server.listne"},
           {"feed_auth = \"x\"", "server.feed_auth"}}) {
    std::string message = Error(Read(line));
    EXPECT_NE(message.find(dir_ + "/guardfeed.toml:2: " + key + ": "), std::string::npos)
        << line << " -> " << message;
  }
  std::string message = Error(Read("[server.feed_auth.fortigate_ip]\nuser = 1\n"));
  EXPECT_NE(message.find("guardfeed.toml:3: server.feed_auth.fortigate_ip.user"), std::string::npos)
      << message;
  message = Error(Read("[server.feed_auth.nope]\ntoken = \"t\"\n"));
  EXPECT_NE(message.find("server.feed_auth.nope: no feed named \"nope\""), std::string::npos)
      << message;
}

// Issue 8: server sizes and durations have upper bounds, checked before any chrono conversion.
TEST_F(ServerConfigTest, HugeSizesAndTimeoutsAreRejectedWithTheAllowedRange) {
  for (const auto& [line, range] : std::vector<std::pair<std::string, std::string>>{
           {"body_limit = \"99999999GiB\"", "server.body_limit: expected a size from 1B to 1GiB"},
           {"body_limit = \"1025MiB\"", "server.body_limit: expected a size from 1B to 1GiB"},
           {"decompressed_limit = \"5GiB\"",
            "server.decompressed_limit: expected a size from 1B to 4GiB"},
           {"header_timeout = 9223372036854775807",
            "server.header_timeout: expected a duration from 1ms to 1h"},
           {"body_timeout = \"99999999999d\"",
            "server.body_timeout: expected a duration from 1ms to 1h"},
           {"idle_timeout = \"0s\"", "server.idle_timeout: expected a duration from 1ms to 1h"},
           {"write_timeout = \"3601s\"",
            "server.write_timeout: expected a duration from 1ms to 1h"},
           {"shutdown_grace = \"2h\"", "server.shutdown_grace: expected a duration from 0s to 1h"},
           {"render_debounce = \"61s\"",
            "server.render_debounce: expected a duration from 0s to 1m"},
           {"store_poll = \"9999999999999999999ms\"",
            "server.store_poll: expected a duration from 1ms to 1h"},
           {"count_interval = \"2d\"",
            "server.count_interval: expected a duration from 0s to 1d"}}) {
    // "server.key: expected ..." -> the location and the range, which may have a reason between.
    const std::string key = range.substr(0, range.find(": "));
    std::string message = Error(Read(line));
    EXPECT_NE(message.find("guardfeed.toml:2: " + key + ": "), std::string::npos)
        << line << " -> " << message;
    EXPECT_NE(message.find(range.substr(key.size() + 2)), std::string::npos)
        << line << " -> " << message;
  }
}

TEST_F(ServerConfigTest, EnvironmentAndListenOverride) {
  std::string path = dir_ + "/guardfeed.toml";
  std::ofstream(path) << "[[feeds]]\nname = \"fg\"\n";
  Config config = LoadConfig(path, {}).value();
  auto options = ReadServerOptions(config, {{"GUARDFEED_INGEST_TOKEN", "secret"}}, "0.0.0.0:0");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->host, "0.0.0.0");
  EXPECT_EQ(options->ingest_token, "secret");
  // Without the token the public bind is refused, as serve would.
  EXPECT_NE(Error(ReadServerOptions(config, {}, "0.0.0.0:0")).find("server.ingest_token"),
            std::string::npos);
  EXPECT_NE(Error(ReadServerOptions(config, {}, "nonsense")).find("--listen"), std::string::npos);
}

// Issue 14: a SIGHUP reload naming another store (a typo emptied every feed and published empty
// files) is refused with the reason; the same store reloads.
TEST(ServerReload, ReloadRefusesAStoreUrlChange) {
  EXPECT_TRUE(
      CheckReloadStore("sqlite:///var/lib/guardfeed/gf.db", "sqlite:///var/lib/guardfeed/gf.db")
          .ok());
  Status refused =
      CheckReloadStore("sqlite:///var/lib/guardfeed/gf.db", "sqlite:///var/lib/guardfed/gf.db");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.message(),
            "reload refused: store url changed from sqlite:///var/lib/guardfeed/gf.db to "
            "sqlite:///var/lib/guardfed/gf.db; restart the daemon to change stores");
  Status masked = CheckReloadStore("postgresql://gf:secret@db/gf", "postgresql://gf:secret@db2/gf");
  ASSERT_FALSE(masked.ok());
  EXPECT_EQ(masked.message().find("secret"), std::string::npos) << masked.message();
  EXPECT_NE(masked.message().find("postgresql://gf:***@db2/gf"), std::string::npos)
      << masked.message();
  Status query = CheckReloadStore("postgresql://gf@db/gf?password=s3cret&sslmode=require",
                                  "postgresql://gf@db2/gf?password=s3cret");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.message().find("s3cret"), std::string::npos) << query.message();
  EXPECT_NE(query.message().find("password=***&sslmode=require"), std::string::npos)
      << query.message();
}

}  // namespace
}  // namespace guardfeed
