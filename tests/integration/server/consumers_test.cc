// Consumer-aware feeds against the real daemon (docs/consumers.md): a FortiGate-like consumer
// recognised by its source address, a PAN-OS-like one by HTTP basic, a capped consumer served
// exactly the top-ranked entries, paging through a list (windows, If-Match, 304 per page), and
// consumer tracking in GET /v1/consumers and /metrics, and consumers that read other formats.
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "findings.h"
#include "support.h"

namespace guardfeed::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPaAuth =
    "Authorization: Basic cGEtZWRsOnBhLXNlY3JldA==";  // pa-edl:pa-secret

// fortigate_ip: the loopback FortiGate only (by address), capped at 5 entries.
// blocked_domains: a FortiGate elsewhere (10.0.0.0/8): loopback is not it.
// paloalto_edl: the PAN-OS consumer by basic auth (platform limit 50000: no cap here).
constexpr const char* kConsumers = R"(
[[consumers]]
name = "fgt-lab"
platform = "fortigate"
feeds = ["fortigate_ip"]
max_entries = 5
source_cidrs = ["127.0.0.0/8", "::1/128"]

[[consumers]]
name = "fgt-branch"
platform = "fortigate"
feeds = ["blocked_domains"]
source_cidrs = ["10.0.0.0/8"]

[[consumers]]
name = "pa-edl"
platform = "panos"
feeds = ["paloalto_edl"]
user = "pa-edl"
password = "pa-secret"
)";

DaemonOptions ConsumerOptions() {
  DaemonOptions options;
  options.server_toml = "consumer_stale_after = \"1s\"\n";
  options.extra_toml = kConsumers;
  return options;
}

class ConsumersTest : public ::testing::Test {
 protected:
  ConsumersTest() : daemon_(ConsumerOptions()) {}
  void SetUp() override { ASSERT_TRUE(daemon_.Start()) << daemon_.Stderr(); }
  void TearDown() override {
    if (daemon_.running()) {
      EXPECT_EQ(daemon_.Stop(SIGTERM), 0) << daemon_.Stderr();
    }
  }
  // Attackers 0..4 at severity 8 (threat level 8), 5..9 at severity 5: the top five are 0..4.
  void IngestTen() {
    std::string body;
    for (uint32_t i = 0; i < 10; ++i) body += IpEvent(i, i < 5 ? 8.0 : 5.0) + "\n";
    ASSERT_EQ(PostFindings(daemon_.url(), body, "application/x-ndjson").status, 200);
    ASSERT_TRUE(WaitFor([&] {
      return Get(daemon_.url() + "/feeds/paloalto_edl", {kPaAuth}).body.find(AttackerIp(9)) !=
             std::string::npos;
    }));
  }
  std::string Feed(const std::string& name, std::vector<std::string> headers = {}) {
    return Get(daemon_.url() + "/feeds/" + name, std::move(headers)).body;
  }
  Daemon daemon_;
};

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] != '#') lines.push_back(line);
    at = end + 1;
  }
  return lines;
}

TEST_F(ConsumersTest, FortiGateBySourceCidrAndAnotherCidrExcludesLoopback) {
  HttpResult admitted = Get(daemon_.url() + "/feeds/fortigate_ip");
  EXPECT_EQ(admitted.status, 200) << admitted.body;
  HttpResult refused = Get(daemon_.url() + "/feeds/blocked_domains");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Header("www-authenticate"), "");
  EXPECT_THAT(refused.body, HasSubstr("restricted to its consumers"));
  // Feeds no consumer names stay as they were.
  EXPECT_EQ(Get(daemon_.url() + "/feeds/checkpoint_ioc").status, 200);
  // The matched consumer is logged, never sent back.
  for (const auto& [name, value] : admitted.all_headers) {
    EXPECT_THAT(value, Not(HasSubstr("fgt-lab"))) << name;
  }
  EXPECT_TRUE(
      WaitFor([&] { return daemon_.Stderr().find("consumer=fgt-lab") != std::string::npos; }));
}

TEST_F(ConsumersTest, PanosByBasicCredentials) {
  HttpResult none = Get(daemon_.url() + "/feeds/paloalto_edl");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.Header("www-authenticate"), HasSubstr("Basic realm="));
  HttpResult wrong = Get(daemon_.url() + "/feeds/paloalto_edl",
                         {"Authorization: Basic cGEtZWRsOm5vcGU="});  // pa-edl:nope
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Get(daemon_.url() + "/feeds/paloalto_edl", {kPaAuth}).status, 200);
  // The PAN-OS credentials do not open the FortiGate's feed of another address range.
  EXPECT_EQ(Get(daemon_.url() + "/feeds/blocked_domains", {kPaAuth}).status, 403);
}

TEST_F(ConsumersTest, CappedConsumerGetsExactlyTheTopRanked) {
  IngestTen();
  ASSERT_TRUE(WaitFor([&] { return Lines(Feed("fortigate_ip")).size() == 5; }))
      << Feed("fortigate_ip");
  std::vector<std::string> lines = Lines(Feed("fortigate_ip"));
  std::vector<std::string> expected;
  for (uint32_t i = 0; i < 5; ++i) expected.push_back(AttackerIp(i));
  std::sort(lines.begin(), lines.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);
  // Same format as the feed (CRLF), its own ETag; the whole feed still has all ten.
  HttpResult capped = Get(daemon_.url() + "/feeds/fortigate_ip");
  EXPECT_THAT(capped.body, HasSubstr("\r\n"));
  EXPECT_EQ(capped.Header("x-feed-entries"), "5");
  auto overview = ParseJson(Admin("GET", daemon_.url() + "/v1/feeds").body);
  std::string whole_etag;
  for (const auto& feed : overview.at("feeds").as_array()) {
    if (feed.at("name").as_string() != "fortigate_ip") continue;
    EXPECT_EQ(feed.at("entries").as_int64(), 10);
    whole_etag = feed.at("etag").as_string().c_str();
  }
  EXPECT_NE(capped.Header("etag"), whole_etag);
  // The variant is never reachable by a name of its own.
  EXPECT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip@5").status, 404);
  EXPECT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip@5.txt").status, 404);
  // Conditional GET works on the capped list.
  EXPECT_EQ(Get(daemon_.url() + "/feeds/fortigate_ip", {"If-None-Match: " + capped.Header("etag")})
                .status,
            304);
}

TEST_F(ConsumersTest, PagesConcatenateAndAreStableUnderTheListEtag) {
  IngestTen();
  std::string url = daemon_.url() + "/feeds/paloalto_edl";
  HttpResult whole = Get(url, {kPaAuth});
  ASSERT_EQ(whole.status, 200);
  std::string list_etag = whole.Header("etag");
  std::vector<std::string> joined;
  std::string first_page_etag;
  for (int start = 0;; start += 3) {
    HttpResult page = Get(url + "?s=" + std::to_string(start) + "&n=3", {kPaAuth});
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.Header("x-feed-etag"), list_etag);
    EXPECT_NE(page.Header("etag"), list_etag);
    if (start == 0) first_page_etag = page.Header("etag");
    if (page.Header("x-page-entries") == "0") {
      EXPECT_EQ(page.body, "");
      break;
    }
    for (const std::string& line : Lines(page.body)) joined.push_back(line);
    EXPECT_THAT(page.body, Not(HasSubstr("#")));  // the header line is not an entry
  }
  EXPECT_EQ(joined, Lines(whole.body));
  // 304 per page; If-Match with the list's ETag holds while the list is unchanged.
  EXPECT_EQ(Get(url + "?s=0&n=3", {kPaAuth, "If-None-Match: " + first_page_etag}).status, 304);
  EXPECT_EQ(Get(url + "?s=3&n=3", {kPaAuth, "If-Match: " + list_etag}).status, 200);
  // The list changes: a client still paging through the old one gets 412, never a mix.
  ASSERT_EQ(PostFindings(daemon_.url(), IpEvent(100)).status, 200);
  ASSERT_TRUE(WaitFor([&] { return Get(url, {kPaAuth}).Header("etag") != list_etag; }));
  HttpResult changed = Get(url + "?s=3&n=3", {kPaAuth, "If-Match: " + list_etag});
  EXPECT_EQ(changed.status, 412);
  EXPECT_NE(changed.Header("x-feed-etag"), list_etag);
  // Bad windows and formats that are not one entry per line are 400 with the reason.
  EXPECT_EQ(Get(url + "?s=0&n=0", {kPaAuth}).status, 400);
  EXPECT_EQ(Get(url + "?s=x&n=3", {kPaAuth}).status, 400);
  HttpResult json = Get(daemon_.url() + "/feeds/all_indicators?s=0&n=10");
  EXPECT_EQ(json.status, 400);
  EXPECT_THAT(json.body, HasSubstr("plain feeds only"));
}

const boost::json::object* Client(const boost::json::value& consumers, const std::string& feed) {
  for (const auto& item : consumers.at("clients").as_array()) {
    if (item.at("feed").as_string() == feed) return &item.as_object();
  }
  return nullptr;
}

TEST_F(ConsumersTest, StalenessAppearsAndClearsInConsumersAndMetrics) {
  IngestTen();
  ASSERT_EQ(Get(daemon_.url() + "/feeds/paloalto_edl", {kPaAuth, "User-Agent: PAN-OS/11.1"}).status,
            200);
  auto view = ParseJson(Admin("GET", daemon_.url() + "/v1/consumers").body);
  const boost::json::object* pa = Client(view, "paloalto_edl");
  ASSERT_NE(pa, nullptr) << boost::json::serialize(view);
  EXPECT_EQ(pa->at("consumer").as_string(), "pa-edl");
  EXPECT_EQ(pa->at("user").as_string(), "pa-edl");
  EXPECT_EQ(pa->at("user_agent").as_string(), "PAN-OS/11.1");
  EXPECT_EQ(pa->at("client").as_string(), "127.0.0.1");
  EXPECT_EQ(pa->at("version"), pa->at("current_version"));
  EXPECT_EQ(pa->at("staleness_seconds").as_int64(), 0);
  // A new version the firewall has not fetched: stale once consumer_stale_after (1 s) passes.
  ASSERT_EQ(PostFindings(daemon_.url(), IpEvent(200)).status, 200);
  ASSERT_TRUE(FeedEventuallyContains(daemon_, "checkpoint_ioc", AttackerIp(200)));
  ASSERT_TRUE(WaitFor([&] {
    auto now = ParseJson(Admin("GET", daemon_.url() + "/v1/consumers").body);
    const boost::json::object* c = Client(now, "paloalto_edl");
    return c != nullptr && c->at("stale").as_bool() && c->at("staleness_seconds").as_int64() >= 1 &&
           c->at("version") != c->at("current_version");
  }));
  std::string metrics = Get(daemon_.url() + "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("guardfeed_consumer_stale{feed=\"paloalto_edl\",client="
                                 "\"127.0.0.1\",consumer=\"pa-edl\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("guardfeed_consumer_staleness_seconds{feed=\"paloalto_edl\""));
  // It fetches the new version: no longer stale.
  ASSERT_EQ(Get(daemon_.url() + "/feeds/paloalto_edl", {kPaAuth}).status, 200);
  auto after = ParseJson(Admin("GET", daemon_.url() + "/v1/consumers").body);
  const boost::json::object* fresh = Client(after, "paloalto_edl");
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->at("staleness_seconds").as_int64(), 0);
  EXPECT_FALSE(fresh->at("stale").as_bool());
  EXPECT_THAT(Get(daemon_.url() + "/metrics").body,
              HasSubstr("guardfeed_consumer_stale{feed=\"paloalto_edl\",client=\"127.0.0.1\","
                        "consumer=\"pa-edl\"} 0"));
  // The admin API's rules: no token, no list.
  EXPECT_EQ(Get(daemon_.url() + "/v1/consumers").status, 401);
}

// Two consumers of every feed that read other formats than some feeds are in: a Check Point
// gateway (checkpoint only) and a pfSense (plain only, capped at 3 entries).
constexpr const char* kFormatConsumers = R"(
[[consumers]]
name = "cp-gw"
platform = "checkpoint"
token = "cp-token-0123456789"
formats = ["checkpoint"]

[[consumers]]
name = "pf"
platform = "pfsense"
user = "pf"
password = "pf-secret"
formats = ["plain"]
max_entries = 3

# Options of their own format only: a converted list takes the served format's defaults.
[[feeds]]
name = "json_with_plain_options"
format = "json"
kinds = ["ipv4"]
aggregate = true
header = true
line_ending = "crlf"

[[feeds]]
name = "plain_with_checkpoint_options"
format = "plain"
kinds = ["ipv4"]
confidence = "low"
product = "AV"
)";
constexpr const char* kCheckPointAuth = "Authorization: Bearer cp-token-0123456789";
constexpr const char* kPfAuth = "Authorization: Basic cGY6cGYtc2VjcmV0";  // pf:pf-secret

TEST(ConsumerFormats, EachConsumerGetsTheFormatItReads) {
  DaemonOptions options;
  options.extra_toml = kFormatConsumers;
  Daemon daemon(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::string body;
  for (uint32_t i = 0; i < 10; ++i) body += IpEvent(i, i < 3 ? 9.0 : 5.0) + "\n";
  ASSERT_EQ(PostFindings(daemon.url(), body, "application/x-ndjson").status, 200);
  ASSERT_TRUE(FeedEventuallyContains(daemon, "all_indicators", AttackerIp(9)));
  std::string url = daemon.url() + "/feeds/";

  // Anyone else gets each feed in its own format.
  HttpResult json = Get(url + "all_indicators");
  EXPECT_THAT(json.Header("content-type"), HasSubstr("application/json"));
  // The Check Point gateway gets the JSON feed and the SecIntel feed as its CSV, every entry.
  ASSERT_TRUE(WaitFor([&] {
    return Get(url + "all_indicators", {kCheckPointAuth}).body.find(AttackerIp(9)) !=
           std::string::npos;
  }));
  for (const char* feed : {"all_indicators", "gd_ip_feed", "fortigate_ip"}) {
    HttpResult csv = Get(url + feed, {kCheckPointAuth});
    EXPECT_EQ(csv.status, 200) << feed << ": " << csv.body;
    EXPECT_THAT(csv.Header("content-type"), HasSubstr("text/csv")) << feed;
    EXPECT_THAT(csv.body, HasSubstr("# UNIQ-NAME,VALUE,TYPE,CONFIDENCE,SEVERITY,PRODUCT,COMMENT\n"))
        << feed;
    for (uint32_t i = 0; i < 10; ++i) {
      std::string ip = AttackerIp(i);
      EXPECT_THAT(csv.body, HasSubstr("guardfeed_" + ip + "," + ip + ",IP,")) << feed;
    }
  }
  // Its own format stays its own.
  EXPECT_EQ(Get(url + "checkpoint_ioc", {kCheckPointAuth}).body, Get(url + "checkpoint_ioc").body);
  // Converted lists use the served format's defaults, not the feed's options for its own.
  std::string csv = Get(url + "plain_with_checkpoint_options", {kCheckPointAuth}).body;
  EXPECT_THAT(csv, HasSubstr("," + AttackerIp(0) + ",IP,high,critical,AB,")) << csv;
  EXPECT_THAT(Get(url + "plain_with_checkpoint_options").body, Not(HasSubstr(",")));
  std::string converted = Get(url + "json_with_plain_options", {kPfAuth}).body;
  EXPECT_THAT(converted, Not(HasSubstr("\r"))) << converted;
  EXPECT_THAT(converted, Not(HasSubstr("#"))) << converted;
  // Three single addresses, not aggregated.
  EXPECT_THAT(converted, Not(HasSubstr("/"))) << converted;

  // The pfSense gets plain lists of the three top-ranked, from JSON and SecIntel feeds alike, and
  // may page through them (plain), where the JSON document cannot be paged.
  std::vector<std::string> top = {AttackerIp(0), AttackerIp(1), AttackerIp(2)};
  std::sort(top.begin(), top.end());
  for (const char* feed : {"all_indicators", "gd_ip_feed", "checkpoint_ioc"}) {
    HttpResult plain = Get(url + feed, {kPfAuth});
    EXPECT_EQ(plain.status, 200) << feed << ": " << plain.body;
    EXPECT_THAT(plain.Header("content-type"), HasSubstr("text/plain")) << feed;
    std::vector<std::string> lines = Lines(plain.body);
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, top) << feed;
  }
  HttpResult page = Get(url + "all_indicators?s=1&n=2", {kPfAuth});
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(Lines(page.body).size(), 2u);
  EXPECT_EQ(Get(url + "all_indicators?s=1&n=2").status, 400);
  // The Check Point CSV is a document too.
  EXPECT_EQ(Get(url + "fortigate_ip?s=0&n=2", {kCheckPointAuth}).status, 400);
  // The variants have no name of their own, and are never published.
  EXPECT_EQ(Get(url + "all_indicators@checkpoint").status, 404);
  EXPECT_EQ(Get(url + "all_indicators@plain@3").status, 404);
  auto profiles = ParseJson(Admin("GET", daemon.url() + "/v1/consumers").body);
  EXPECT_EQ(boost::json::serialize(profiles.at("profiles").as_array()[0].at("formats")),
            "[\"checkpoint\"]");
  EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
}

std::string Ipv6Event(uint32_t i) {
  std::string id = "f6-" + std::to_string(i);
  return EventBridge(RawIpFinding(id, "2600:1f18:4000::" + std::to_string(i + 1), 8.0),
                     "e6-" + std::to_string(i));
}

TEST(ConsumerFormats, AConsumersListIsHeldOnItsOwnShrink) {
  DaemonOptions options;
  options.extra_toml = kFormatConsumers;
  Daemon daemon(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  // fortigate_ip (IPv4 and IPv6) holds 4 + 6 attackers; the Check Point list only the 4 IPv4.
  std::string body;
  for (uint32_t i = 0; i < 4; ++i) body += IpEvent(i) + "\n";
  for (uint32_t i = 0; i < 6; ++i) body += Ipv6Event(i) + "\n";
  ASSERT_EQ(PostFindings(daemon.url(), body, "application/x-ndjson").status, 200);
  std::string url = daemon.url() + "/feeds/fortigate_ip";
  ASSERT_TRUE(WaitFor([&] {
    return Get(url, {kCheckPointAuth}).body.find(AttackerIp(3)) != std::string::npos;
  }));
  // Allowlisting the IPv4 attackers takes the feed from 10 to 6 entries (within the guard's
  // 50%) and the Check Point list from 4 to 0: that list is held, the feed is not.
  ASSERT_EQ(Admin("POST", daemon.url() + "/v1/allowlist", R"({"entry": "45.0.0.0/8"})").status,
            200);
  ASSERT_TRUE(WaitFor([&] { return Get(url).body.find(AttackerIp(0)) == std::string::npos; }));
  ASSERT_TRUE(WaitFor([&] {
    return daemon.Stderr().find("consumer_list=fortigate_ip@checkpoint") != std::string::npos;
  })) << daemon.Stderr();
  HttpResult held = Get(url, {kCheckPointAuth});
  EXPECT_EQ(held.status, 200);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_THAT(held.body, HasSubstr(AttackerIp(i)));
  EXPECT_THAT(Get(daemon.url() + "/metrics").body,
              HasSubstr(R"(guardfeed_feed_held_back{feed="fortigate_ip"} 1)"));
  // Accepted under the feed's name: the list follows.
  EXPECT_EQ(Admin("POST", daemon.url() + "/v1/feeds/fortigate_ip/accept").status, 202);
  EXPECT_TRUE(WaitFor([&] {
    return Get(url, {kCheckPointAuth}).body.find(AttackerIp(0)) == std::string::npos;
  }));
  EXPECT_TRUE(WaitFor([&] {
    return Get(daemon.url() + "/metrics")
               .body.find(R"(guardfeed_feed_held_back{feed="fortigate_ip"} 0)") !=
           std::string::npos;
  }));
  EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
}

// A capped list held on its own shrink is served as it was, never the whole feed over the cap:
// with aggregation, the top 4 of a feed can become one CIDR line (4 lines to 1: held) while the
// feed itself grows.
TEST(ConsumerFormats, AHeldCappedListIsNeverTheWholeFeed) {
  DaemonOptions options;
  options.extra_toml = R"(
[[consumers]]
name = "pf"
user = "pf"
password = "pf-secret"
max_entries = 4

[[feeds]]
name = "agg"
format = "plain"
kinds = ["ipv4"]
aggregate = true
)";
  Daemon daemon(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  auto post = [&](const std::string& ip, double severity) {
    std::string id = "agg-" + ip;
    return PostFindings(daemon.url(), EventBridge(RawIpFinding(id, ip, severity), "e-" + id))
        .status;
  };
  for (const char* ip : {"45.2.0.1", "45.2.0.3", "45.2.0.5", "45.2.0.7"}) {
    ASSERT_EQ(post(ip, 5.0), 200);
  }
  std::string url = daemon.url() + "/feeds/agg";
  ASSERT_TRUE(WaitFor([&] { return Lines(Get(url, {kPfAuth}).body).size() == 4; }));
  for (const char* ip : {"45.3.0.0", "45.3.0.1", "45.3.0.2", "45.3.0.3"}) {
    ASSERT_EQ(post(ip, 9.0), 200);
  }
  ASSERT_TRUE(WaitFor([&] { return Lines(Get(url).body).size() == 5; })) << Get(url).body;
  ASSERT_TRUE(WaitFor([&] {
    return daemon.Stderr().find("consumer_list=agg@4") != std::string::npos;
  })) << daemon.Stderr();
  std::vector<std::string> held = Lines(Get(url, {kPfAuth}).body);
  EXPECT_EQ(held, (std::vector<std::string>{"45.2.0.1", "45.2.0.3", "45.2.0.5", "45.2.0.7"}));
  EXPECT_EQ(Admin("POST", daemon.url() + "/v1/feeds/agg/accept").status, 202);
  EXPECT_TRUE(WaitFor([&] {
    return Lines(Get(url, {kPfAuth}).body) == std::vector<std::string>{"45.3.0.0/30"};
  })) << Get(url, {kPfAuth}).body;
  EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
}

std::string SwitchingConfig(const char* format) {
  return std::string(R"(
[[consumers]]
name = "pf"
user = "pf"
password = "pf-secret"
formats = ["plain"]
max_entries = 0

[[feeds]]
name = "switching"
kinds = ["ipv4"]
format = ")") + format + "\"\n";
}

// A reload makes the feed's own format the one the consumer reads: until the reload's render,
// the consumer must get its plain list or a 503, never the JSON document still served.
TEST(ConsumerFormats, AReloadNeverServesAFormatTheConsumerDoesNotRead) {
  DaemonOptions options;
  options.extra_toml = SwitchingConfig("json");
  Daemon daemon(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  for (uint32_t batch = 0; batch < 3000; batch += 500) {
    std::string body;
    for (uint32_t i = batch; i < batch + 500; ++i) body += IpEvent(i) + "\n";
    ASSERT_EQ(PostFindings(daemon.url(), body, "application/x-ndjson").status, 200);
  }
  std::string url = daemon.url() + "/feeds/switching";
  ASSERT_TRUE(WaitFor([&] {
    return Get(url, {kPfAuth}).body.find(AttackerIp(2999)) != std::string::npos;
  }));
  std::atomic<bool> stop{false};
  std::vector<std::pair<int, std::string>> seen;
  std::thread fetcher([&] {
    while (!stop.load()) {
      HttpResult r = Get(url, {kPfAuth});
      seen.emplace_back(r.status, r.Header("content-type"));
    }
  });
  options.extra_toml = SwitchingConfig("plain");
  daemon.WriteConfig(options);
  daemon.Signal(SIGHUP);
  EXPECT_TRUE(WaitFor([&] {
    return Get(url).Header("content-type").starts_with("text/plain");
  })) << daemon.Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  fetcher.join();
  ASSERT_FALSE(seen.empty());
  for (const auto& [status, type] : seen) {
    EXPECT_TRUE(status == 200 || status == 503) << status;
    if (status == 200) {
      EXPECT_TRUE(type.starts_with("text/plain")) << type;
    }
  }
  EXPECT_EQ(daemon.Stop(SIGTERM), 0) << daemon.Stderr();
}

TEST(ConsumerConfig, FormatsItCannotBeServedAreAConfigurationError) {
  DaemonOptions options;
  for (const char* formats : {"[\"secintel\"]", "[\"xml\"]", "[]"}) {
    options.extra_toml = std::string("[[consumers]]\nname = \"x\"\ntoken = \"t\"\nformats = ") +
                         formats + "\n";
    Daemon bad(options);
    EXPECT_FALSE(bad.Start()) << formats;
    EXPECT_THAT(bad.Stderr(), HasSubstr("consumers.x.formats")) << formats;
  }
  // Only SecIntel is fine for a consumer of SecIntel feeds alone.
  options.extra_toml =
      "[[consumers]]\nname = \"x\"\ntoken = \"t\"\nformats = [\"secintel\"]\n"
      "feeds = [\"gd_ip_feed\", \"gd_dns_feed\"]\n";
  Daemon srx(options);
  EXPECT_TRUE(srx.Start()) << srx.Stderr();
}

TEST(ConsumerConfig, UnknownFeedOrPlatformIsAConfigurationError) {
  DaemonOptions options;
  options.extra_toml =
      "[[consumers]]\nname = \"x\"\nfeeds = [\"nope\"]\nsource_cidrs = "
      "[\"10.0.0.0/8\"]\n";
  Daemon bad_feed(options);
  EXPECT_FALSE(bad_feed.Start());
  EXPECT_THAT(bad_feed.Stderr(), HasSubstr("consumers.x.feeds"));
  options.extra_toml = "[[consumers]]\nname = \"x\"\nplatform = \"cisco\"\ntoken = \"t\"\n";
  Daemon bad_platform(options);
  EXPECT_FALSE(bad_platform.Start());
  EXPECT_THAT(bad_platform.Stderr(), HasSubstr("consumers.x.platform"));
}

}  // namespace
}  // namespace guardfeed::testing
