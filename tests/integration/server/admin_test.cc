// The admin API: auth, indicators (list, paginate, explain, remove), allowlist, feeds, audit.
#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;

class AdminTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    std::string body;
    for (uint32_t i = 1000; i < 1005; ++i) body += IpEvent(i, 5.0 + (i - 1000)) + "\n";
    ASSERT_EQ(PostFindings(daemon_.url(), body, "application/x-ndjson").status, 200);
    ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(1004)));
  }
  std::string V1(const std::string& path) { return daemon_.url() + "/v1" + path; }
};

TEST_F(AdminTest, NeedsTheAdminToken) {
  HttpResult missing = Get(V1("/indicators"));
  EXPECT_EQ(missing.status, 401);
  EXPECT_THAT(missing.Header("www-authenticate"), HasSubstr("Bearer"));
  EXPECT_EQ(Get(V1("/indicators"), {"Authorization: Bearer " + std::string(kIngestToken)}).status,
            403);
  EXPECT_EQ(Http({.method = "DELETE", .url = V1("/indicators/" + AttackerIp(1000))}).status, 401);
  EXPECT_EQ(Get(V1("/feeds")).status, 401);
}

TEST_F(AdminTest, ListsAndPaginatesIndicators) {
  HttpResult all = Admin("GET", V1("/indicators?kind=ipv4"));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(ParseJson(all.body).at("indicators").as_array().size(), 5u);
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    HttpResult result =
        Admin("GET", V1("/indicators?limit=2" + (after.empty() ? "" : "&after=" + after)));
    ASSERT_EQ(result.status, 200) << result.body;
    boost::json::value body = ParseJson(result.body);
    for (const auto& item : body.at("indicators").as_array()) {
      seen.push_back(std::string(item.at("value").as_string()));
    }
    if (body.at("next_after").is_null()) break;
    after = std::string(body.at("next_after").as_string());
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(Admin("GET", V1("/indicators?kind=bogus")).status, 400);
  EXPECT_EQ(Admin("GET", V1("/indicators?limit=0")).status, 400);
}

TEST_F(AdminTest, ExplainsAnIndicator) {
  HttpResult result = Admin("GET", V1("/indicators/" + AttackerIp(1004)));
  ASSERT_EQ(result.status, 200) << result.body;
  boost::json::value body = ParseJson(result.body);
  EXPECT_EQ(body.at("state").as_string(), "active");
  const auto& sighting = body.at("sightings").as_array().at(0);
  EXPECT_EQ(sighting.at("finding_id").as_string(), "f-1004");
  EXPECT_EQ(sighting.at("type").as_string(), "UnauthorizedAccess:EC2/SSHBruteForce");
  EXPECT_EQ(sighting.at("account_id").as_string(), "444455556666");
  EXPECT_EQ(sighting.at("region").as_string(), "us-east-2");
  EXPECT_DOUBLE_EQ(sighting.at("severity").to_number<double>(), 9.0);
  EXPECT_FALSE(body.at("indicator").at("expires_at").is_null());
  bool fortigate = false;
  for (const auto& feed : body.at("feeds").as_array()) {
    if (feed.at("feed").as_string() != "fortigate_ip") continue;
    fortigate = true;
    EXPECT_TRUE(feed.at("carried").as_bool());
    EXPECT_EQ(feed.at("rank").as_int64(), 1);  // highest severity ranks first
  }
  EXPECT_TRUE(fortigate);
  EXPECT_EQ(Admin("GET", V1("/indicators/45.200.200.200")).status, 404);
  EXPECT_EQ(Admin("GET", V1("/indicators/not%20an%20indicator")).status, 400);
  // A never-block address explains what suppresses it.
  HttpResult allow = Admin("GET", V1("/indicators/192.0.2.10"));
  ASSERT_EQ(allow.status, 200) << allow.body;
  EXPECT_FALSE(ParseJson(allow.body).at("suppressed_by").is_null());
}

TEST_F(AdminTest, RemovingAFalsePositiveTakesItOutAndIsAudited) {
  std::string ip = AttackerIp(1002);
  HttpResult removed =
      Admin("DELETE", V1("/indicators/" + ip + "?reason=our%20scanner&actor=alice"));
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", ip + "\r\n", false));
  boost::json::value explained = ParseJson(Admin("GET", V1("/indicators/" + ip)).body);
  EXPECT_EQ(explained.at("state").as_string(), "removed");
  EXPECT_EQ(explained.at("removal").at("reason").as_string(), "our scanner");
  HttpResult audit = Admin("GET", V1("/audit?limit=10"));
  ASSERT_EQ(audit.status, 200);
  EXPECT_THAT(audit.body, HasSubstr(ip));
  EXPECT_THAT(audit.body, HasSubstr("alice"));
}

TEST_F(AdminTest, AllowlistAddListRemove) {
  std::string ip = AttackerIp(1001);
  HttpResult added =
      Admin("POST", V1("/allowlist"), R"({"entry": ")" + ip + R"(/32", "comment": "partner VPN"})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", ip + "\r\n", false));
  HttpResult listed = Admin("GET", V1("/allowlist"));
  EXPECT_THAT(listed.body, HasSubstr("partner VPN"));
  boost::json::value explained = ParseJson(Admin("GET", V1("/indicators/" + ip)).body);
  EXPECT_EQ(explained.at("state").as_string(), "suppressed");
  EXPECT_THAT(std::string(explained.at("suppressed_by").as_string()), HasSubstr(ip));
  EXPECT_EQ(Admin("POST", V1("/allowlist"), R"({"entry": "not valid!"})").status, 400);
  EXPECT_EQ(Admin("POST", V1("/allowlist"), "{broken").status, 400);
  std::string canonical = std::string(ParseJson(added.body).at("entry").as_string());
  HttpResult deleted = Admin("DELETE", V1("/allowlist/" + canonical));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", ip + "\r\n"));
  EXPECT_EQ(Admin("DELETE", V1("/allowlist?entry=" + canonical)).status, 404);
}

TEST_F(AdminTest, FeedsOverviewShowsVersionsAndWhoFetched) {
  ASSERT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip").status, 200);
  HttpResult result = Admin("GET", V1("/feeds"));
  ASSERT_EQ(result.status, 200) << result.body;
  boost::json::value body = ParseJson(result.body);
  bool found = false;
  for (const auto& feed : body.at("feeds").as_array()) {
    if (feed.at("name").as_string() != "fortigate_ip") continue;
    found = true;
    EXPECT_EQ(feed.at("format").as_string(), "plain");
    EXPECT_EQ(feed.at("entries").as_int64(), 5);
    EXPECT_EQ(feed.at("dropped").as_int64(), 0);
    EXPECT_FALSE(feed.at("etag").as_string().empty());
    EXPECT_FALSE(feed.at("version").as_string().empty());
    const auto& fetched = feed.at("last_fetched").as_array();
    ASSERT_FALSE(fetched.empty());
    EXPECT_EQ(fetched.at(0).at("client").as_string(), "127.0.0.1");
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE(body.at("generated_at").is_null());
  EXPECT_EQ(body.at("secintel_files").as_array().size(), 2u);
}

}  // namespace
}  // namespace guardfeed::testing
