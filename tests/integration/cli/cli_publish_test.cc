// `guardfeed publish` as a user runs it: the example findings pushed to every configured target.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "contract_server.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;

class CliPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/guardfeed-publish-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  int Guardfeed(const std::string& args, const std::string& env = "") {
    std::string command = env + " " + std::string(GUARDFEED_BINARY_DIR) + "/src/cli/guardfeed -c " +
                          (dir_ / "guardfeed.toml").string() + " " + args + " >>" +
                          (dir_ / "log").string() + " 2>&1";
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string Log() {
    std::ifstream in(dir_ / "log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

TEST_F(CliPublishTest, PushesSecIntelFeedsToAtpCloudAndOnlyDifferencesAfterwards) {
  auto server = testing::ContractServer::Start("cli-token-0123456789");
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::ofstream(dir_ / "guardfeed.toml")
      << "[store]\nurl = \"sqlite://" << (dir_ / "gf.db").string() << "\"\n"
      << "[publish]\ndirectory = \"" << (dir_ / "public").string() << "\"\n"
      << "[publish.atp]\nbase_url = \"" << (*server)->base_url() << "\"\n"
      << "ca_file = \"" << (*server)->ca_file() << "\"\n"
      << "feeds = [{ feed = \"gd_ip_feed\", type = \"ip\" },"
      << " { feed = \"gd_dns_feed\", atp_name = \"guardduty_domains\", type = \"domain\" }]\n"
      << "[[feeds]]\nname = \"gd_ip_feed\"\nformat = \"secintel\"\nkinds = [\"ipv4\"]\n"
      << "[[feeds]]\nname = \"gd_dns_feed\"\nformat = \"secintel\"\nkinds = [\"domain\"]\n";
  std::string examples = std::string(GUARDFEED_SOURCE_DIR) + "/examples/findings";
  ASSERT_EQ(Guardfeed("ingest --seen-at-receipt " + examples), 0) << Log();
  // The token arrives the way the Juniper Lambda passes it.
  const std::string env = "SKY_APPLICATION_TOKEN=cli-token-0123456789";
  ASSERT_EQ(Guardfeed("publish", env), 0) << Log();

  auto state = (*server)->State();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const auto& feeds = state->at("feeds").as_object();
  ASSERT_TRUE(feeds.contains("ip/gd_ip_feed")) << boost::json::serialize(*state);
  EXPECT_EQ(feeds.at("ip/gd_ip_feed").as_object().size(), 6u);
  EXPECT_EQ(feeds.at("ip/gd_ip_feed").as_object().at("185.220.101.33").as_int64(), 9);
  EXPECT_EQ(feeds.at("domain/guardduty_domains").as_object().size(), 3u);
  EXPECT_TRUE(fs::exists(dir_ / "public" / "manifest.xml"));
  size_t requests = state->at("requests").as_array().size();

  // Nothing changed: nothing is sent. A removal is sent as a DELETE of that one server.
  ASSERT_EQ(Guardfeed("publish", env), 0) << Log();
  EXPECT_EQ((*server)->State()->at("requests").as_array().size(), requests);
  ASSERT_EQ(Guardfeed("indicators remove 185.220.101.33"), 0) << Log();
  ASSERT_EQ(Guardfeed("publish", env), 0) << Log();
  auto after = (*server)->State();
  EXPECT_FALSE(after->at("feeds").at("ip/gd_ip_feed").as_object().contains("185.220.101.33"));
  EXPECT_EQ(after->at("feeds").at("ip/gd_ip_feed").as_object().size(), 5u);

  // A wrong token fails with exit code 1 and a message that never shows the token.
  ASSERT_EQ(Guardfeed("publish --resync", "SKY_APPLICATION_TOKEN=wrong-token-000000000"), 1);
  EXPECT_EQ(Log().find("wrong-token-000000000"), std::string::npos);
}

}  // namespace
}  // namespace guardfeed
