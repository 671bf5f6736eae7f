// End to end through the real `guardfeed` binary, as a user runs it: ingest, render, explain,
// remove, allow, expire, exit codes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

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

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Every row of the store's feed_state table, one "feed digest serial version data_ts" string each.
std::vector<std::string> FeedStateRows(const fs::path& database) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {"cannot open " + database.string()};
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT feed || ' ' || content_digest || ' ' || serial || ' ' || version || "
                     "' ' || data_ts FROM feed_state ORDER BY feed",
                     -1, &stmt, nullptr);
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
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
    std::ofstream(dir_ / "guardfeed.toml")
        << "[store]\nurl = \"sqlite://" << (dir_ / "db").string()
        << "/gf.db\"\n[publish]\ndirectory = \"" << (dir_ / "public").string() << "\"\n"
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
  EXPECT_NE(Feed("domains.txt")
                .find("paste.malware-drop.xyz\nqhzbxwotn.biz\n"
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
  CommandRun ingest =
      Guardfeed("ingest --seen-at-receipt -", Examples() + "/eventbridge-c2-outbound.json");
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

// Regression (issue 11): `allow add 0.0.0.0/0` was accepted and silently emptied every IPv4 feed.
TEST_F(CliTest, AllowAddRefusesTooWideEntriesWithoutForce) {
  CommandRun any = Guardfeed("allow add 0.0.0.0/0");
  EXPECT_EQ(any.exit_code, 2);
  EXPECT_EQ(any.err,
            "guardfeed: error: 0.0.0.0/0 would never block any IPv4 address: allowlist entries "
            "wider than /8 need force (--force)\n");
  CommandRun v6 = Guardfeed("allow add 2000::/3");
  EXPECT_EQ(v6.exit_code, 2);
  EXPECT_NE(v6.err.find("wider than /32 need force"), std::string::npos) << v6.err;
  CommandRun tld = Guardfeed("allow add .com");
  EXPECT_EQ(tld.exit_code, 2);
  EXPECT_NE(tld.err.find("com would never block any domain under .com"), std::string::npos)
      << tld.err;
  EXPECT_EQ(Guardfeed("allow list").out.find("0.0.0.0/0"), std::string::npos);  // not stored

  ASSERT_EQ(Guardfeed("allow add 10.0.0.0/8").exit_code, 0);  // exactly the limit
  CommandRun forced = Guardfeed("allow add 0.0.0.0/0 --force --comment 'maintenance window'");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  ASSERT_EQ(Guardfeed("allow add com --force").exit_code, 0);
  std::string listed = Guardfeed("allow list").out;
  EXPECT_NE(listed.find("0.0.0.0/0"), std::string::npos) << listed;
  EXPECT_NE(listed.find("\ncom "), std::string::npos) << listed;
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + Examples()).exit_code, 0);
  ASSERT_EQ(Guardfeed("feeds render").exit_code, 0);
  EXPECT_EQ(Feed("capped.txt"), "");  // forced, and it does what it says
}

// Regression (issue 16): `feeds list` and `feeds cat` stored a new version whenever the content
// had changed since the last render, so read-only commands moved versions.
TEST_F(CliTest, FeedsListAndCatNeverChangeAVersion) {
  const std::string day1 = "--now 1795000000 ";
  ASSERT_EQ(Guardfeed(day1 + "ingest " + Examples() + "/eventbridge-c2-outbound.json").exit_code,
            0);
  ASSERT_EQ(Guardfeed(day1 + "feeds render").exit_code, 0);
  const fs::path database = dir_ / "db" / "gf.db";
  std::vector<std::string> before = FeedStateRows(database);
  ASSERT_EQ(before.size(), 4u);
  ASSERT_EQ(Guardfeed(day1 + "ingest " + Examples()).exit_code, 0);  // the content changes

  CommandRun list = Guardfeed(day1 + "feeds list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("20261118.2"), std::string::npos) << list.out;  // what a render gives
  CommandRun cat = Guardfeed(day1 + "feeds cat gd_ip_feed");
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  ASSERT_EQ(Guardfeed(day1 + "feeds cat manifest.xml").exit_code, 0);
  ASSERT_EQ(Guardfeed(day1 + "indicators show 185.220.101.47").exit_code, 0);
  EXPECT_EQ(FeedStateRows(database), before);

  CommandRun render = Guardfeed(day1 + "feeds render");
  ASSERT_EQ(render.exit_code, 0) << render.err;
  EXPECT_NE(render.out.find("version 20261118.2"), std::string::npos) << render.out;
  EXPECT_EQ(Feed("gd_ip_feed"), cat.out);  // cat printed what the render published
}

// Regression (issue 20): `indicators list` showed a withdrawn indicator (its finding archived) as
// expiring 1970-01-01 and listed removed indicators among the active ones.
TEST_F(CliTest, IndicatorsListShowsEachStateAndFiltersByIt) {
  const std::string now = "--now 1795000000 ";
  ASSERT_EQ(Guardfeed(now + "ingest " + Examples()).exit_code, 0);
  // One finding of its own, then the same finding archived.
  std::string live = ReplaceAll(ReadFile(Examples() + "/eventbridge-c2-outbound.json"),
                                "185.220.101.47", "45.95.147.201");
  live = ReplaceAll(live, "b4c6e8a0d2f4a6c8e0b2d4f6a8c0e2d4", "f0000000000000000000000000000001");
  std::ofstream(dir_ / "live.json") << live;
  std::ofstream(dir_ / "archived.json")
      << ReplaceAll(live, "\"archived\": false", "\"archived\": true");
  ASSERT_EQ(Guardfeed(now + "ingest " + (dir_ / "live.json").string()).exit_code, 0);
  ASSERT_EQ(Guardfeed(now + "ingest " + (dir_ / "archived.json").string()).exit_code, 0);
  ASSERT_EQ(Guardfeed(now + "indicators remove 91.92.251.103").exit_code, 0);

  CommandRun active = Guardfeed(now + "indicators list");
  ASSERT_EQ(active.exit_code, 0) << active.err;
  EXPECT_NE(active.out.find("STATE"), std::string::npos);
  EXPECT_NE(active.out.find("185.220.101.47"), std::string::npos);
  EXPECT_EQ(active.out.find("91.92.251.103"), std::string::npos) << active.out;  // removed
  EXPECT_EQ(active.out.find("45.95.147.201"), std::string::npos) << active.out;  // withdrawn
  EXPECT_EQ(active.out.find("1970"), std::string::npos) << active.out;

  CommandRun withdrawn = Guardfeed(now + "indicators list --state withdrawn");
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.err;
  EXPECT_NE(withdrawn.out.find("45.95.147.201"), std::string::npos) << withdrawn.out;
  EXPECT_NE(withdrawn.out.find("withdrawn (archived finding)"), std::string::npos);
  EXPECT_EQ(withdrawn.out.find("1970"), std::string::npos) << withdrawn.out;
  EXPECT_EQ(withdrawn.out.find("185.220.101.47"), std::string::npos);

  CommandRun removed = Guardfeed(now + "indicators list --state removed");
  EXPECT_NE(removed.out.find("91.92.251.103"), std::string::npos) << removed.out;
  EXPECT_EQ(removed.out.find("185.220.101.47"), std::string::npos) << removed.out;
  CommandRun all = Guardfeed(now + "indicators list --state all");
  for (const char* value : {"185.220.101.47", "91.92.251.103", "45.95.147.201"}) {
    EXPECT_NE(all.out.find(value), std::string::npos) << value << "\n" << all.out;
  }
  EXPECT_EQ(Guardfeed(now + "indicators list --all").out, all.out);
  CommandRun later = Guardfeed("--now 1900000000 indicators list --state expired");
  EXPECT_NE(later.out.find("185.220.101.47"), std::string::npos) << later.out;
  EXPECT_NE(later.out.find(" expired\n"), std::string::npos) << later.out;
  EXPECT_EQ(Guardfeed("indicators list --state gone").exit_code, 2);

  CommandRun show = Guardfeed(now + "indicators show 45.95.147.201");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("status: withdrawn (archived finding)"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("1970"), std::string::npos) << show.out;
}

// Regression (issue 20): `indicators show` of a value no finding named printed an empty
// explanation with exit code 0, and `indicators remove` of it stored a removal.
TEST_F(CliTest, NeverSeenValuesSaySoAndStoreNothing) {
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + Examples()).exit_code, 0);
  CommandRun show = Guardfeed("indicators show 45.200.200.200");
  EXPECT_EQ(show.exit_code, 2);
  EXPECT_EQ(show.out, "45.200.200.200: never seen\n");
  CommandRun documentation = Guardfeed("indicators show 192.0.2.10");
  EXPECT_EQ(documentation.exit_code, 2);
  EXPECT_EQ(documentation.out,
            "192.0.2.10: never seen\n  never blocked: documentation range 192.0.2.0/24\n");
  CommandRun remove = Guardfeed("indicators remove 45.200.200.200 --reason typo");
  EXPECT_EQ(remove.exit_code, 2);
  EXPECT_EQ(remove.err, "guardfeed: error: 45.200.200.200: never seen; nothing removed\n");
  EXPECT_EQ(Guardfeed("indicators list --state removed").out.find("45.200.200.200"),
            std::string::npos);
  EXPECT_EQ(Guardfeed("indicators show 45.200.200.200").exit_code, 2);  // still never seen
}

// Regression (issue 21): ingesting old findings (a backfill) produced empty feeds with no word.
TEST_F(CliTest, IngestWarnsWhenIndicatorsWereAlreadyExpiredOnArrival) {
  CommandRun late = Guardfeed("--now 1900000000 ingest " + Examples());  // 2030
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_NE(late.err.find("guardfeed: warning: 11 of 11 indicators were already expired on "
                          "arrival (findings last seen 2026-11-20T09:45:31Z or earlier); use "
                          "--seen-at-receipt to list them as seen now, or the global --now UNIX"),
            std::string::npos)
      << late.err;
  CommandRun json = Guardfeed("--now 1900000000 ingest --json " + Examples());
  EXPECT_NE(json.out.find("\"expired_on_arrival\":11"), std::string::npos) << json.out;
  CommandRun fresh = Guardfeed("--now 1900000000 ingest --seen-at-receipt " + Examples());
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_EQ(fresh.err.find("warning"), std::string::npos) << fresh.err;
  CommandRun current = Guardfeed("--now 1795000000 ingest " + Examples());
  EXPECT_EQ(current.err.find("warning"), std::string::npos) << current.err;
}

TEST_F(CliTest, HelpOnEveryCommand) {
  for (const char* command :
       {"", "ingest", "feeds", "feeds list", "feeds render", "feeds cat", "indicators",
        "indicators list", "indicators show", "indicators remove", "indicators restore", "allow",
        "allow add", "allow list", "allow remove", "expire", "config", "config check", "publish"}) {
    CommandRun help = Guardfeed(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace guardfeed
