// The admin API: auth, indicators (list, paginate, explain, remove), allowlist, feeds, audit.
#include <map>

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
  EXPECT_EQ(Admin("GET", V1("/indicators/not%20an%20indicator")).status, 400);
}

// Regression (issue 20): the API and `indicators show` answered a never-seen value differently
// (a never-block address got 200 and an empty explanation), and DELETE stored a removal for it.
TEST_F(AdminTest, NeverSeenValuesAnswer404AndStoreNothing) {
  HttpResult unknown = Admin("GET", V1("/indicators/45.200.200.200"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "{\"error\":\"45.200.200.200: never seen\"}\n");
  // An allowlisted address (the test configuration's [policy] allowlist) is still never seen,
  // and says what would suppress it.
  HttpResult allowlisted = Admin("GET", V1("/indicators/192.0.2.10"));
  EXPECT_EQ(allowlisted.status, 404);
  EXPECT_EQ(allowlisted.body,
            "{\"error\":\"192.0.2.10: never seen\",\"suppressed_by\":\"allowlist 192.0.2.10\"}\n");
  HttpResult removed = Admin("DELETE", V1("/indicators/45.200.200.200?reason=typo"));
  EXPECT_EQ(removed.status, 404);
  EXPECT_EQ(ParseJson(removed.body).at("error").as_string(),
            "45.200.200.200: never seen; nothing removed");
  EXPECT_THAT(Admin("GET", V1("/audit")).body, ::testing::Not(HasSubstr("45.200.200.200")));
  EXPECT_EQ(Admin("GET", V1("/indicators/45.200.200.200")).status, 404);
  EXPECT_EQ(Admin("GET", V1("/indicators?state=removed")).body.find("45.200.200.200"),
            std::string::npos);
}

// Regression (issue 20): severities came out as 9.2E0 (Boost.JSON's double format).
TEST_F(AdminTest, SeveritiesPrintAsDecimals) {
  ASSERT_EQ(PostFindings(daemon_.url(), IpEvent(1010, 7.3)).status, 200);
  const std::string ip = AttackerIp(1010);
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", ip));
  HttpResult explained = Admin("GET", V1("/indicators/" + ip));
  ASSERT_EQ(explained.status, 200) << explained.body;
  EXPECT_THAT(explained.body, HasSubstr("\"type\":\"UnauthorizedAccess:EC2/SSHBruteForce\","
                                        "\"severity\":7.3,"));
  EXPECT_THAT(explained.body, HasSubstr("\"expired\":false,\"max_severity\":7.3,"
                                        "\"threat_level\":7,\"finding_count\":1}"));
  EXPECT_THAT(explained.body, ::testing::Not(HasSubstr("E0")));
  HttpResult whole = Admin("GET", V1("/indicators/" + AttackerIp(1004)));
  EXPECT_THAT(whole.body, HasSubstr("\"severity\":9.0,"));
  HttpResult listed = Admin("GET", V1("/indicators?prefix=" + ip));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_THAT(listed.body, HasSubstr("\"max_severity\":7.3,"));
}

// Issue 20: the list says each indicator's state and filters by it, like `indicators list`.
TEST_F(AdminTest, ListsIndicatorsByState) {
  ASSERT_EQ(Admin("DELETE", V1("/indicators/" + AttackerIp(1000))).status, 200);
  auto values = [&](const std::string& query) {
    HttpResult result = Admin("GET", V1("/indicators" + query));
    EXPECT_EQ(result.status, 200) << result.body;
    std::map<std::string, std::string> states;
    boost::json::value body = ParseJson(result.body);
    if (!body.is_object()) return states;
    for (const auto& item : body.at("indicators").as_array()) {
      states[std::string(item.at("value").as_string())] = item.at("state").as_string();
    }
    return states;
  };
  std::map<std::string, std::string> active = values("");
  EXPECT_EQ(active.size(), 4u);
  EXPECT_EQ(active.count(AttackerIp(1000)), 0u);
  EXPECT_EQ(active[AttackerIp(1001)], "active");
  std::map<std::string, std::string> removed = values("?state=removed");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[AttackerIp(1000)], "removed");
  EXPECT_EQ(values("?state=all").size(), 5u);
  EXPECT_EQ(values("?include_expired=true").size(), 5u);
  EXPECT_EQ(Admin("GET", V1("/indicators?state=gone")).status, 400);
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

// Regression (issue 11): POST /v1/allowlist accepted 0.0.0.0/0, which empties every IPv4 feed.
TEST_F(AdminTest, AllowlistRefusesTooWideEntriesWithoutForce) {
  HttpResult any = Admin("POST", V1("/allowlist"), R"({"entry": "0.0.0.0/0"})");
  EXPECT_EQ(any.status, 400);
  EXPECT_EQ(ParseJson(any.body).at("error").as_string(),
            "0.0.0.0/0 would never block any IPv4 address: allowlist entries wider than /8 need "
            "force (\"force\": true)");
  EXPECT_EQ(Admin("POST", V1("/allowlist"), R"({"entry": "2000::/3"})").status, 400);
  EXPECT_EQ(Admin("POST", V1("/allowlist"), R"({"entry": "com", "force": false})").status, 400);
  EXPECT_EQ(Admin("POST", V1("/allowlist"), R"({"entry": "0.0.0.0/0", "force": "yes"})").status,
            400);
  EXPECT_THAT(Admin("GET", V1("/allowlist")).body, ::testing::Not(HasSubstr("0.0.0.0/0")));
  EXPECT_TRUE(FeedEventuallyContains(daemon_, "fortigate_ip", AttackerIp(1004)));

  HttpResult forced = Admin("POST", V1("/allowlist"), R"({"entry": "0.0.0.0/0", "force": true})");
  ASSERT_EQ(forced.status, 200) << forced.body;
  // Forced, it does what it says (whether the feeds show it at once is the shrink guard's call).
  boost::json::value explained =
      ParseJson(Admin("GET", V1("/indicators/" + AttackerIp(1004))).body);
  EXPECT_EQ(explained.at("state").as_string(), "suppressed");
  EXPECT_EQ(explained.at("suppressed_by").as_string(), "allowlist 0.0.0.0/0");
  EXPECT_EQ(Admin("POST", V1("/allowlist"), R"({"entry": "45.0.0.0/8"})").status, 200);
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
