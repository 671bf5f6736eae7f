// End to end through the real `guardfeed` binary, as a user runs it: ingest, render, explain,
// remove, allow, expire, exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/hash.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-cli-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    WriteConfig("");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A configuration with one feed per format plus `extra` TOML appended.
  void WriteConfig(const std::string& extra) {
    std::ofstream(dir_ / "guardfeed.toml") << "[store]\nurl = \"sqlite://" << (dir_ / "db").string()
                                           << "/gf.db\"\n[publish]\ndirectory = \""
                                           << (dir_ / "public").string() << "\"\n"
                                           << kFeeds << extra;
  }

  CommandRun Guardfeed(const std::string& args, const std::string& stdin_file = "") {
    std::string command = std::string(GUARDFEED_BINARY_DIR) + "/src/cli/guardfeed -c " +
                          (dir_ / "guardfeed.toml").string() + " " + args + " >" +
                          (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    if (!stdin_file.empty()) command += " <" + stdin_file;
    int status = std::system(command.c_str());
    CommandRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(dir_ / "out");
    run.err = ReadFile(dir_ / "err");
    return run;
  }

  std::string Feed(const std::string& file) { return ReadFile(dir_ / "public" / file); }

  static std::string Examples() { return std::string(GUARDFEED_SOURCE_DIR) + "/examples/findings"; }

  static constexpr const char* kFeeds = R"(
[[feeds]]
name = "fortigate"
kinds = ["ipv4", "ipv6"]
line_ending = "crlf"
[[feeds]]
name = "domains"
kinds = ["domain"]
header = true
[[feeds]]
name = "gd_ip_feed"
format = "secintel"
kinds = ["ipv4"]
[[feeds]]
name = "capped"
kinds = ["ipv4"]
max_entries = 2
)";

  fs::path dir_;
};

TEST_F(CliTest, IngestThenRenderProducesEveryFeed) {
  CommandRun ingest = Guardfeed("ingest --seen-at-receipt " + Examples());
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.out.find("findings read:        10"), std::string::npos) << ingest.out;
  CommandRun render = Guardfeed("feeds render");
  ASSERT_EQ(render.exit_code, 0) << render.err;
  EXPECT_EQ(Feed("fortigate.txt"),
            "45.155.205.233\r\n80.94.95.115\r\n91.92.251.103\r\n185.220.101.33\r\n"
            "185.220.101.47\r\n193.142.146.35\r\n2a0b:4142:d2c::25\r\n");
  EXPECT_NE(Feed("domains.txt").find("paste.malware-drop.xyz\nqhzbxwotn.biz\n"
                                     "x7kq2.exfil-tunnel.top\n"),
            std::string::npos);
  std::string secintel = Feed("gd_ip_feed");
  size_t end = secintel.find("#end\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(secintel.substr(end + 5), Md5Hex(secintel.substr(0, end + 5)) + "\n");
  EXPECT_NE(Feed("manifest.xml").find("<url>/gd_ip_feed</url>"), std::string::npos);
  EXPECT_EQ(Md5Hex(Feed("cc_schema")), "3d27776bcc7b1a2bac241d88887850dd");
}

TEST_F(CliTest, CappedFeedKeepsTheHighestRankedAndSaysSo) {
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + Examples()).exit_code, 0);
  CommandRun render = Guardfeed("feeds render capped");
  ASSERT_EQ(render.exit_code, 0) << render.err;
  EXPECT_NE(render.out.find("4 dropped by max_entries"), std::string::npos) << render.out;
  // Threat level 9 (attack sequence) and 8 (C&C) outrank the rest.
  EXPECT_EQ(Feed("capped.txt"), "185.220.101.33\n185.220.101.47\n");
}

TEST_F(CliTest, ReingestIsIdempotentAndLeavesFeedsUnchanged) {
  ASSERT_EQ(Guardfeed("--now 1795000000 ingest " + Examples()).exit_code, 0);
  ASSERT_EQ(Guardfeed("--now 1795000000 feeds render").exit_code, 0);
  std::string before = Feed("gd_ip_feed");
  CommandRun again = Guardfeed("--now 1795000000 ingest " + Examples());
  EXPECT_NE(again.out.find("0 new, 0 updated, 11 unchanged"), std::string::npos) << again.out;
  CommandRun render = Guardfeed("--now 1795000000 feeds render");
  EXPECT_EQ(render.out.find("wrote"), std::string::npos) << render.out;
  EXPECT_EQ(Feed("gd_ip_feed"), before);
}

TEST_F(CliTest, BadLinesAreReportedAndEverythingElseIsCommitted) {
  std::string good = ReadFile(Examples() + "/s3-export.jsonl");
  std::string first = good.substr(0, good.find('\n') + 1);
  std::string rest = good.substr(good.find('\n') + 1);
  std::ofstream(dir_ / "mixed.jsonl") << first << "{\"id\":\"broken\n" << rest;
  CommandRun ingest = Guardfeed("ingest --seen-at-receipt " + (dir_ / "mixed.jsonl").string());
  EXPECT_EQ(ingest.exit_code, 3);
  EXPECT_NE(ingest.err.find("mixed.jsonl:2: invalid JSON"), std::string::npos) << ingest.err;
  CommandRun list = Guardfeed("indicators list");
  EXPECT_NE(list.out.find("x7kq2.exfil-tunnel.top"), std::string::npos);  // line 1
  EXPECT_NE(list.out.find("91.92.251.103"), std::string::npos);           // after the bad line
}

TEST_F(CliTest, ReadsStdin) {
  CommandRun ingest = Guardfeed("ingest --seen-at-receipt -", Examples() + "/eventbridge-c2-outbound.json");
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(Guardfeed("indicators list").out.find("185.220.101.47"), std::string::npos);
}

TEST_F(CliTest, RemoveAndRestoreAFalsePositive) {
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + Examples()).exit_code, 0);
  CommandRun remove = Guardfeed("indicators remove 185.220.101.47 --reason 'our scanner'");
  ASSERT_EQ(remove.exit_code, 0) << remove.err;
  ASSERT_EQ(Guardfeed("feeds render").exit_code, 0);
  EXPECT_EQ(Feed("fortigate.txt").find("185.220.101.47"), std::string::npos);
  CommandRun show = Guardfeed("indicators show 185.220.101.47");
  EXPECT_NE(show.out.find("status: removed"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("our scanner"), std::string::npos);
  EXPECT_NE(show.out.find("Backdoor:EC2/C&CActivity.B"), std::string::npos);
  ASSERT_EQ(Guardfeed("indicators restore 185.220.101.47").exit_code, 0);
  ASSERT_EQ(Guardfeed("feeds render").exit_code, 0);
  EXPECT_NE(Feed("fortigate.txt").find("185.220.101.47"), std::string::npos);
}

TEST_F(CliTest, ExplainSaysWhichFeedsCarryAnIndicator) {
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + Examples()).exit_code, 0);
  CommandRun show = Guardfeed("indicators show 2a0b:4142:d2c::25");
  EXPECT_NE(show.out.find("feed fortigate: carried, rank 4"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("feed gd_ip_feed: not carried: feed does not publish ipv6"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("feed capped: not carried: feed does not publish ipv6"),
            std::string::npos);
  CommandRun top = Guardfeed("indicators show 185.220.101.47");
  EXPECT_NE(top.out.find("feed capped: carried, rank 2"), std::string::npos) << top.out;
  CommandRun low = Guardfeed("indicators show 91.92.251.103");
  EXPECT_NE(low.out.find("feed capped: not carried: dropped by max_entries 2"), std::string::npos)
      << low.out;
}

TEST_F(CliTest, AllowlistSuppressesAndExplains) {
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + Examples()).exit_code, 0);
  ASSERT_EQ(Guardfeed("allow add 185.220.101.0/24 --comment 'tor relays we run'").exit_code, 0);
  ASSERT_EQ(Guardfeed("feeds render").exit_code, 0);
  EXPECT_EQ(Feed("fortigate.txt").find("185.220.101."), std::string::npos);
  CommandRun show = Guardfeed("indicators show 185.220.101.33");
  EXPECT_NE(show.out.find("never blocked: allowlist 185.220.101.0/24"), std::string::npos)
      << show.out;
  EXPECT_NE(Guardfeed("allow list").out.find("tor relays we run"), std::string::npos);
  ASSERT_EQ(Guardfeed("allow remove 185.220.101.0/24").exit_code, 0);
  EXPECT_EQ(Guardfeed("allow remove 185.220.101.0/24").exit_code, 2);  // not found
  EXPECT_EQ(Guardfeed("allow add 10.0.0.1/8").exit_code, 2);           // host bits set
}

TEST_F(CliTest, ExpiredIndicatorsLeaveFeedsEmptyButPresent) {
  const std::string seen = "--now 1795000000 ";  // 2026-11-18, after the examples' events
  ASSERT_EQ(Guardfeed(seen + "ingest " + Examples()).exit_code, 0);
  const std::string later = "--now 1900000000 ";  // 2030: everything expired
  ASSERT_EQ(Guardfeed(later + "feeds render").exit_code, 0);
  EXPECT_EQ(Feed("fortigate.txt"), "");
  EXPECT_EQ(Feed("domains.txt").rfind("# ", 0), 0u);  // header only
  CommandRun expire = Guardfeed(later + "expire");
  ASSERT_EQ(expire.exit_code, 0) << expire.err;
  EXPECT_NE(expire.out.find("deleted 10 indicators"), std::string::npos) << expire.out;
}

TEST_F(CliTest, ExitCodesScriptsCanRelyOn) {
  WriteConfig("[policy]\nmin_severity = \"high\"\n");
  CommandRun bad_config = Guardfeed("config check");
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.err.find("policy.min_severity"), std::string::npos) << bad_config.err;
  WriteConfig("");
  EXPECT_EQ(Guardfeed("config check").exit_code, 0);
  EXPECT_EQ(Guardfeed("no-such-command").exit_code, 2);
  EXPECT_EQ(Guardfeed("indicators show not_an_indicator").exit_code, 2);
  EXPECT_EQ(Guardfeed("ingest /nonexistent/file.json").exit_code, 3);
  fs::remove_all(dir_ / "db");
  fs::create_directories(dir_ / "db" / "gf.db");  // a directory where the database should be
  EXPECT_EQ(Guardfeed("indicators list").exit_code, 1);
}

TEST_F(CliTest, HelpOnEveryCommand) {
  for (const char* command :
       {"", "ingest", "feeds", "feeds list", "feeds render", "feeds cat", "indicators",
        "indicators list", "indicators show", "indicators remove", "indicators restore", "allow",
        "allow add", "allow list", "allow remove", "expire", "config", "config check",
        "publish"}) {
    CommandRun help = Guardfeed(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace guardfeed
