// `guardfeed config check` driven through its real command-line entry (CLI11), in process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/commands.h"

namespace guardfeed {
namespace {

class ConfigCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-config-check-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `toml` after a store in the temp dir and one feed, runs `config check`, returns its
  // exit code; `err_` receives stderr.
  int Check(const std::string& toml) {
    const std::string path = dir_ + "/guardfeed.toml";
    std::ofstream(path) << "[store]\nurl = \"sqlite://" << dir_ << "/gf.db\"\n"
                        << "[[feeds]]\nname = \"fortigate_ip\"\n"
                        << toml;
    GlobalOptions global;
    global.config_path = path;
    int exit_code = -1;
    CLI::App app;
    AddConfigCommand(app, global, exit_code);
    ::testing::internal::CaptureStderr();
    app.parse("config check", false);
    err_ = ::testing::internal::GetCapturedStderr();
    return exit_code;
  }

  std::string dir_;
  std::string err_;
};

TEST_F(ConfigCheckTest, AcceptsAValidConfiguration) {
  EXPECT_EQ(Check("[server]\nlisten = \"127.0.0.1:9999\"\n"
                  "[server.feed_auth.fortigate_ip]\ntoken = \"t\"\n"
                  "[publish.s3]\nbucket = \"b\"\npath_style = true\n"),
            kExitOk)
      << err_;
}

// Issue 19: `config check` said "ok" for a configuration `serve` refuses to start with.
TEST_F(ConfigCheckTest, CatchesABadServerKey) {
  EXPECT_EQ(Check("[server]\nlisten = \"127.0.0.1:9999\"\nbody_limt = \"1MiB\"\n"), kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:7: server.body_limt: unknown key"), std::string::npos)
      << err_;
  EXPECT_EQ(Check("[server]\n\nheader_timeout = \"2h\"\n"), kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:7: server.header_timeout: expected a duration"),
            std::string::npos)
      << err_;
}

TEST_F(ConfigCheckTest, CatchesFeedAuthForAnUnknownFeed) {
  EXPECT_EQ(Check("[server.feed_auth.fortigate]\ntoken = \"t\"\n"), kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:5: server.feed_auth.fortigate: no feed named"),
            std::string::npos)
      << err_;
}

TEST_F(ConfigCheckTest, CatchesAWrongTypedS3Value) {
  EXPECT_EQ(Check("[publish.s3]\nbucket = \"b\"\nmax_attempts = \"5\"\n"), kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:7: publish.s3.max_attempts: expected an integer"),
            std::string::npos)
      << err_;
}

TEST_F(ConfigCheckTest, CatchesAWrongTypedAtpValue) {
  EXPECT_EQ(Check("[publish.atp]\ntoken = \"t\"\nmax_attempts = \"5\"\nfeeds = []\n"), kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:7: publish.atp.max_attempts"), std::string::npos) << err_;
}

// [[sources.*]] go through the same reader: a valid set passes, and a bad key, a value out of
// range or GuardDuty criteria the source would refuse name the file, line and key.
TEST_F(ConfigCheckTest, ChecksSources) {
  EXPECT_EQ(Check("[[sources.guardduty]]\nregions = [\"us-east-1\", \"eu-west-1\"]\n"
                  "criteria = '{\"severity\":{\"greaterThanOrEqual\":4}}'\n"
                  "[[sources.s3]]\nbucket = \"findings\"\nprefix = \"AWSLogs/\"\n"
                  "[[sources.sqs]]\nqueue_url = \"https://sqs.us-east-1.amazonaws.com/1/q\"\n"),
            kExitOk)
      << err_;
  EXPECT_EQ(Check("[[sources.guardduty]]\nregions = [\"us-east-1\"]\ncriteria = "
                  "'{\"updatedAt\":{\"greaterThanOrEqual\":4}}'\n"),
            kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:7: sources.guardduty.criteria"), std::string::npos) << err_;
  EXPECT_EQ(Check("[[sources.sqs]]\nqueue_url = \"https://sqs.us-east-1.amazonaws.com/1/q\"\n"
                  "max_messages = 11\n"),
            kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:7: sources.sqs.max_messages"), std::string::npos) << err_;
  // Found by the hostile trial: a queue host naming no region passed the check and failed serve.
  EXPECT_EQ(Check("[[sources.sqs]]\nqueue_url = \"https://bogus.invalid/123/q\"\n"), kExitUsage);
  EXPECT_NE(err_.find("guardfeed.toml:6: sources.sqs.queue_url"), std::string::npos) << err_;
  EXPECT_EQ(Check("[[sources.s3]]\nbucket = \"b\"\nbukket = \"c\"\n"), kExitUsage);
  EXPECT_NE(err_.find("sources.s3.bukket: unknown key"), std::string::npos) << err_;
}

}  // namespace
}  // namespace guardfeed
