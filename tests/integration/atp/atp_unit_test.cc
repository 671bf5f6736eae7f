// Pure parts of the ATP Cloud publisher: the pushed-state record and diff and option
// validation. No server needed. (The rate limiter's tests are in
// tests/unit/publish/rate_limiter_test.cc; the multipart body is libcurl's, checked on the wire
// in tests/unit/publish/http_client_test.cc.)
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/indicator.h"
#include "publish/atp_cloud.h"
#include "publish/atp_state.h"
#include "store/store.h"

namespace guardfeed {
namespace {

FeedEntry Entry(const std::string& value, int threat_level) {
  FeedEntry entry;
  entry.indicator = NormalizeIndicator(value).value();
  entry.threat_level = threat_level;
  return entry;
}

TEST(AtpPushed, SerializesAndParsesBack) {
  AtpPushed pushed{true, {{"192.0.2.1", 10}, {"2001:db8::1", 8}, {"evil.example.com", 1}}};
  const std::string text = SerializeAtpPushed(pushed);
  EXPECT_EQ(text, "guardfeed-atp 1 created\n192.0.2.1,10\n2001:db8::1,8\nevil.example.com,1\n");
  Result<AtpPushed> parsed = ParseAtpPushed(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, pushed);
  EXPECT_EQ(*ParseAtpPushed("guardfeed-atp 1 absent\n"), AtpPushed{});
}

TEST(AtpPushed, RejectsDamagedRecords) {
  for (const char* bad : {"", "guardfeed-atp 2 created\n", "guardfeed-atp 1 created\nx,11\n",
                          "guardfeed-atp 1 created\nx,1", "guardfeed-atp 1 created\nb,1\na,1\n",
                          "guardfeed-atp 1 created\na,1\na,2\n", "guardfeed-atp 1 created\n,1\n",
                          "guardfeed-atp 1 created\na\n", "guardfeed-atp 1 created\na,1x\n"}) {
    EXPECT_FALSE(ParseAtpPushed(bad).ok()) << bad;
  }
}

TEST(AtpDesired, FiltersByContentTypeClampsAndDeduplicates) {
  const std::vector<FeedEntry> entries = {Entry("198.51.100.7", 12), Entry("evil.example.com", 0),
                                          Entry("2001:db8::5", 9), Entry("198.51.100.7", 4)};
  EXPECT_EQ(DesiredAtpServers(AtpContentType::kIp, entries),
            (std::vector<AtpServer>{{"198.51.100.7", 10}, {"2001:db8::5", 9}}));
  EXPECT_EQ(DesiredAtpServers(AtpContentType::kDomain, entries),
            (std::vector<AtpServer>{{"evil.example.com", 1}}));
  EXPECT_EQ(DesiredAtpServers(AtpContentType::kUrl, entries),
            (std::vector<AtpServer>{{"evil.example.com", 1}}));
}

TEST(AtpDiff, FindsAddsLevelChangesAndRemovals) {
  const std::vector<AtpServer> pushed = {{"a.example", 5}, {"b.example", 5}, {"c.example", 5}};
  const std::vector<AtpServer> desired = {{"a.example", 5}, {"b.example", 9}, {"d.example", 1}};
  AtpDiff diff = DiffAtpServers(pushed, desired);
  EXPECT_EQ(diff.upserts, (std::vector<AtpServer>{{"b.example", 9}, {"d.example", 1}}));
  EXPECT_EQ(diff.removals, std::vector<std::string>{"c.example"});
  EXPECT_TRUE(DiffAtpServers(pushed, pushed).empty());
  EXPECT_EQ(DiffAtpServers({}, desired).upserts, desired);
  EXPECT_EQ(DiffAtpServers(pushed, {}).removals.size(), 3u);
}

TEST(AtpDiff, ApplyingTheWholeDiffGivesTheDesiredServers) {
  const std::vector<AtpServer> pushed = {{"a.example", 5}, {"b.example", 5}, {"c.example", 5}};
  const std::vector<AtpServer> desired = {{"0.example", 2}, {"b.example", 9}, {"d.example", 1}};
  AtpDiff diff = DiffAtpServers(pushed, desired);
  EXPECT_EQ(ApplyAtpChanges(pushed, diff.upserts, diff.removals), desired);
  // Only the acknowledged first upsert: the rest stays as it was.
  EXPECT_EQ(ApplyAtpChanges(pushed, std::span(diff.upserts).first(1), {}),
            (std::vector<AtpServer>{
                {"0.example", 2}, {"a.example", 5}, {"b.example", 5}, {"c.example", 5}}));
}

TEST(AtpCsv, WritesOneServerPerLine) {
  const std::vector<AtpServer> servers = {{"192.0.2.1", 10}, {"evil.example.com", 8}};
  EXPECT_EQ(AtpUpsertCsv(servers), "192.0.2.1,10\nevil.example.com,8\n");
  const std::vector<std::string> removals = {"192.0.2.1", "2001:db8::1"};
  EXPECT_EQ(AtpRemovalCsv(removals), "192.0.2.1\n2001:db8::1\n");
}

class AtpOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Store>> store =
        OpenStore("sqlite://" + ::testing::TempDir() + "/atp_options_test.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  static AtpOptions Valid() {
    AtpOptions options;
    options.token = "secret-token";
    options.feeds = {{"guardduty_ip", "gd_ip_feed", AtpContentType::kIp}};
    return options;
  }
  Status Check(const AtpOptions& options) {
    return NewAtpCloudPublisher(options, store_.get()).status();
  }
  std::unique_ptr<Store> store_;
};

TEST_F(AtpOptionsTest, AcceptsValidOptions) {
  Result<std::unique_ptr<Publisher>> publisher = NewAtpCloudPublisher(Valid(), store_.get());
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  EXPECT_EQ((*publisher)->Describe().find("secret-token"), std::string::npos);
}

TEST_F(AtpOptionsTest, ValidatesFeedNames) {
  const std::vector<std::string> bad = {"short",      "gd_ip",        "bad-name_x",
                                        "has space_", "ünïcode_feed", std::string(65, 'a'),
                                        std::string()};
  for (const std::string& name : bad) {
    AtpOptions options = Valid();
    options.feeds[0].atp_name = name;
    Status status = Check(options);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << name;
    EXPECT_NE(status.message().find("8..64"), std::string::npos) << status.message();
  }
  const std::vector<std::string> good = {"gd_ip_ab", std::string(64, 'Z'), "Feed_2024_ip"};
  for (const std::string& name : good) {
    AtpOptions options = Valid();
    options.feeds[0].atp_name = name;
    EXPECT_TRUE(Check(options).ok()) << name;
  }
}

TEST_F(AtpOptionsTest, RejectsUnsafeOrIncompleteOptions) {
  AtpOptions options = Valid();
  options.base_url = "http://threat-api.sky.junipersecurity.net/v1/cloudfeeds";
  EXPECT_FALSE(Check(options).ok());
  options = Valid();
  options.token.clear();
  EXPECT_FALSE(Check(options).ok());
  options = Valid();
  options.token = "two words";
  Status status = Check(options);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("two words"), std::string::npos);
  options = Valid();
  options.feeds.push_back(options.feeds[0]);
  EXPECT_FALSE(Check(options).ok());
  options = Valid();
  options.feeds.clear();
  EXPECT_FALSE(Check(options).ok());
  options = Valid();
  options.requests_per_window = 0;
  EXPECT_FALSE(Check(options).ok());
  EXPECT_FALSE(NewAtpCloudPublisher(Valid(), nullptr).ok());
}

TEST(AtpContentType, ParsesNames) {
  EXPECT_EQ(*ParseAtpContentType("ip"), AtpContentType::kIp);
  EXPECT_EQ(*ParseAtpContentType("domain"), AtpContentType::kDomain);
  EXPECT_EQ(*ParseAtpContentType("url"), AtpContentType::kUrl);
  EXPECT_FALSE(ParseAtpContentType("ipv4").ok());
  EXPECT_EQ(AtpContentTypeName(AtpContentType::kUrl), "url");
}

}  // namespace
}  // namespace guardfeed
