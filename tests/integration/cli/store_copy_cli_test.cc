// `guardfeed store copy` through the real binary, as an operator runs it: copy a store, see the
// same indicators and allowlist in the copy, and the exit codes of refusals and mistakes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

class StoreCopyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-store-copy-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    std::ofstream(dir_ / "guardfeed.toml")
        << "[store]\nurl = \"sqlite://" << Source()
        << "\"\n[[feeds]]\nname = \"all\"\nkinds = [\"ipv4\", \"ipv6\", \"domain\"]\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Source() const { return (dir_ / "source.db").string(); }
  std::string Target() const { return (dir_ / "target.db").string(); }

  // Runs guardfeed with the test's configuration (whose store is the source).
  CommandRun Guardfeed(const std::string& args) {
    std::string command = std::string(GUARDFEED_BINARY_DIR) + "/src/cli/guardfeed -c " +
                          (dir_ / "guardfeed.toml").string() + " " + args + " >" +
                          (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    int status = std::system(command.c_str());
    CommandRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(dir_ / "out");
    run.err = ReadFile(dir_ / "err");
    return run;
  }

  // The source with indicators from the examples, a removal and an allowlist entry.
  void FillSource() {
    std::string examples = std::string(GUARDFEED_SOURCE_DIR) + "/examples/findings";
    CommandRun ingest = Guardfeed("ingest --seen-at-receipt " + examples);
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    CommandRun remove = Guardfeed("indicators remove 45.155.205.233 --reason test");
    ASSERT_EQ(remove.exit_code, 0) << remove.err;
    CommandRun allow = Guardfeed("allow add 10.0.0.0/8 --comment office");
    ASSERT_EQ(allow.exit_code, 0) << allow.err;
  }

  std::string Copy(const std::string& extra = "") {
    return "store copy --from " + Source() + " --to sqlite://" + Target() + " " + extra;
  }

  fs::path dir_;
};

TEST_F(StoreCopyCliTest, CopiesAndVerifiesEveryTable) {
  FillSource();
  CommandRun copy = Guardfeed(Copy("--chunk-rows 7"));
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  for (const char* table : {"sightings", "indicators", "removals", "allowlist", "audit",
                            "feed_state", "publisher_state"}) {
    EXPECT_NE(copy.out.find(std::string("\n") + table + " "), std::string::npos) << table;
  }
  EXPECT_NE(copy.out.find("verified: "), std::string::npos) << copy.out;
  // The copy answers like the source.
  for (const std::string& read : {std::string("indicators list --all"), std::string("allow list"),
                                  std::string("indicators show 45.155.205.233")}) {
    CommandRun source = Guardfeed(read);
    CommandRun target = Guardfeed("--store sqlite://" + Target() + " " + read);
    ASSERT_EQ(source.exit_code, 0) << source.err;
    EXPECT_EQ(target.exit_code, 0) << target.err;
    EXPECT_EQ(target.out, source.out) << read;
  }
}

TEST_F(StoreCopyCliTest, RefusesATargetWithRowsUnlessOverwrite) {
  FillSource();
  ASSERT_EQ(Guardfeed(Copy()).exit_code, 0);
  CommandRun again = Guardfeed(Copy());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("is not empty; --overwrite replaces its contents"), std::string::npos)
      << again.err;
  CommandRun overwrite = Guardfeed(Copy("--overwrite"));
  EXPECT_EQ(overwrite.exit_code, 0) << overwrite.err;
  EXPECT_NE(overwrite.out.find("verified: "), std::string::npos) << overwrite.out;
}

TEST_F(StoreCopyCliTest, UsageErrorsExitWithTwo) {
  CommandRun missing = Guardfeed(Copy());  // the source was never created
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(Source()));
  FillSource();
  CommandRun same = Guardfeed("store copy --from " + Source() + " --to sqlite://" + Source());
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("same store"), std::string::npos) << same.err;
  EXPECT_EQ(Guardfeed(Copy("--chunk-rows 0")).exit_code, 2);
  EXPECT_EQ(Guardfeed("store copy --from " + Source()).exit_code, 2);  // no --to
  EXPECT_EQ(Guardfeed("store copy --from " + Source() + " --to mysql://x").exit_code, 2);
}

TEST_F(StoreCopyCliTest, HelpDescribesTheCommand) {
  CommandRun store = Guardfeed("store --help");
  EXPECT_EQ(store.exit_code, 0);
  EXPECT_NE(store.out.find("copy"), std::string::npos) << store.out;
  CommandRun copy = Guardfeed("store copy --help");
  EXPECT_EQ(copy.exit_code, 0);
  EXPECT_NE(copy.out.find("--overwrite"), std::string::npos) << copy.out;
  EXPECT_NE(copy.out.find("--chunk-rows"), std::string::npos) << copy.out;
}

}  // namespace
}  // namespace guardfeed
