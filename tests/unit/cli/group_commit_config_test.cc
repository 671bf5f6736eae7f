// [server] group_commit_window and group_commit_max_sightings (docs/server.md, "Group commit"):
// read through the one TomlReader with their defaults and bounds, and checked again for a
// hand-built ServerOptions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/server_config.h"

namespace guardfeed {
namespace {

class GroupCommitConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-group-commit-config-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // [server] with `lines` (the first is line 2 of the file), then one feed.
  Result<ServerOptions> Read(const std::string& lines) {
    std::string path = dir_ + "/guardfeed.toml";
    std::ofstream(path) << "[server]\n" << lines << "\n[[feeds]]\nname = \"fortigate_ip\"\n";
    auto config = LoadConfig(path, {});
    if (!config.ok()) return config.status();
    return ReadServerOptions(*config, {}, "");
  }

  std::string dir_;
};

TEST_F(GroupCommitConfigTest, DefaultsLetThirtyTwoRequestsShareAMillisecondGroup) {
  auto options = Read("");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->group_commit_window, std::chrono::milliseconds(1));
  EXPECT_EQ(options->group_commit_max_sightings, 5000u);
  EXPECT_EQ(options->store_threads, 32);
}

TEST_F(GroupCommitConfigTest, ReadsTheKeys) {
  auto options = Read("group_commit_window = \"20ms\"\ngroup_commit_max_sightings = 64\n");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->group_commit_window, std::chrono::milliseconds(20));
  EXPECT_EQ(options->group_commit_max_sightings, 64u);
  auto immediate = Read("group_commit_window = \"0ms\"\ngroup_commit_max_sightings = 1\n");
  ASSERT_TRUE(immediate.ok()) << immediate.status().ToString();
  EXPECT_EQ(immediate->group_commit_window, std::chrono::milliseconds(0));
}

TEST_F(GroupCommitConfigTest, OutOfBoundsValuesNameFileLineKeyAndRange) {
  for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
           // A bare integer is seconds, as for every [server] duration.
           {"group_commit_window = 1",
            "guardfeed.toml:2: server.group_commit_window: expected a duration from 0s to 100ms"},
           {"group_commit_window = \"101ms\"",
            "guardfeed.toml:2: server.group_commit_window: expected a duration from 0s to 100ms"},
           {"group_commit_window = \"soon\"", "guardfeed.toml:2: server.group_commit_window: "},
           {"group_commit_max_sightings = 0",
            "guardfeed.toml:2: server.group_commit_max_sightings"},
           {"group_commit_max_sightings = 1000001",
            "guardfeed.toml:2: server.group_commit_max_sightings"},
           {"store_threads = 65", "guardfeed.toml:2: server.store_threads"}}) {
    auto options = Read(line);
    ASSERT_FALSE(options.ok()) << line;
    EXPECT_NE(options.status().message().find(expected), std::string::npos)
        << line << " -> " << options.status().message();
  }
}

TEST(GroupCommitOptions, ValidateRejectsAHandBuiltOutOfBoundsGroup) {
  ServerOptions options;
  options.group_commit_window = std::chrono::milliseconds(101);
  EXPECT_NE(ValidateServerOptions(options).message().find("server.group_commit_window"),
            std::string::npos);
  options.group_commit_window = std::chrono::milliseconds(1);
  options.group_commit_max_sightings = 0;
  EXPECT_NE(ValidateServerOptions(options).message().find("server.group_commit_max_sightings"),
            std::string::npos);
  options.group_commit_max_sightings = 1;
  EXPECT_TRUE(ValidateServerOptions(options).ok());
}

}  // namespace
}  // namespace guardfeed
