#include "feeds/builder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/hash.h"
#include "feeds/explain.h"
#include "store/store_wrapper.h"
#include "unit/store/engines.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kNow = 1795341600;  // 2026-11-22T10:00:00Z
constexpr UnixSeconds kDay = 86400;

FeedConfig Feed(std::string name, FeedFormat format,
                std::vector<IndicatorKind> kinds = {IndicatorKind::kIpv4, IndicatorKind::kIpv6,
                                                    IndicatorKind::kDomain}) {
  FeedConfig config;
  config.name = std::move(name);
  config.format = format;
  config.kinds = std::move(kinds);
  return config;
}

// Once per store engine (unit/store/engines.h): FeedBuilderTest.Name/sqlite and /postgresql.
class FeedBuilderTest : public testing::StoreEngineTest {
 protected:
  void SetUp() override {
    StoreEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  // One finding sighting `value` at `severity`, last seen `age` seconds ago, listed for 30 days.
  void Add(const std::string& value, double severity, UnixSeconds age = 60) {
    auto indicator = NormalizeIndicator(value);
    ASSERT_TRUE(indicator.ok()) << value;
    SightingRecord sighting;
    sighting.finding_id = "finding-" + std::to_string(++findings_);
    sighting.indicator = *indicator;
    sighting.finding_type = "Recon:EC2/PortProbeUnprotectedPort";
    sighting.severity = severity;
    sighting.account_id = "123456789012";
    sighting.region = "eu-west-1";
    sighting.action_type = "PORT_PROBE";
    sighting.direction = "INBOUND";
    sighting.field = "service.action.portProbeAction.portProbeDetails[0].remoteIpDetails";
    sighting.last_seen = clock_.Now() - age;
    sighting.first_seen = sighting.last_seen - 3600;
    sighting.updated_at = sighting.last_seen;
    sighting.expires_at = sighting.last_seen + 30 * kDay;
    auto applied = store_->Apply({sighting});
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  BuildResult Build(const std::vector<FeedConfig>& feeds, std::string_view only = "") {
    FeedBuilder builder(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
    auto built = builder.Build(only);
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    return built.ok() ? std::move(*built) : BuildResult{};
  }

  std::string Body(const BuildResult& result, std::string_view path) {
    SnapshotPtr file = result.set.Find(path);
    EXPECT_NE(file, nullptr) << path;
    return file ? file->body : "";
  }

  std::unique_ptr<Store> store_;
  ManualClock clock_{kNow};
  Policy policy_{PolicyOptions{}};
  int findings_ = 0;
};
INSTANTIATE_TEST_SUITE_P(, FeedBuilderTest, testing::AllStoreEngines(), testing::StoreEngineName);

TEST_P(FeedBuilderTest, CapKeepsHighestRankedAndReportsDropped) {
  Add("185.220.101.1", 5.0);
  Add("185.220.101.2", 8.5, 100);  // level 8, seen longest ago: first of the 8s to go
  Add("185.220.101.3", 9.0);
  Add("185.220.101.5", 8.9, 50);  // level 8, ties with .4 on last seen: value breaks it
  Add("185.220.101.4", 8.0, 50);
  FeedConfig config = Feed("capped", FeedFormat::kPlain);
  config.max_entries = 3;
  BuildResult result = Build({config});
  EXPECT_EQ(Body(result, "capped.txt"), "185.220.101.3\n185.220.101.4\n185.220.101.5\n");
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].entries, 3u);
  EXPECT_EQ(result.reports[0].dropped, 2u);
  EXPECT_EQ(result.set.Find("capped.txt")->dropped, 2u);
}

TEST_P(FeedBuilderTest, CapCountsAfterThreatLevelAndKindFilters) {
  Add("185.220.101.1", 9.0);
  Add("185.220.101.2", 4.0);
  Add("evil.example.net", 9.5);
  FeedConfig config = Feed("capped", FeedFormat::kPlain, {IndicatorKind::kIpv4});
  config.min_threat_level = 8;
  config.max_entries = 1;
  BuildResult result = Build({config});
  EXPECT_EQ(Body(result, "capped.txt"), "185.220.101.1\n");
  EXPECT_EQ(result.reports[0].dropped, 0u);
}

TEST_P(FeedBuilderTest, SuppressesAllowlistedAndNeverBlockIndicators) {
  PolicyOptions options;
  ASSERT_TRUE(options.allowlist.Add("185.220.101.0/24").ok());
  policy_ = Policy(options);
  ASSERT_TRUE(store_->AddAllowlist({"bad.example.org", "our CDN", "alice", kNow}).ok());
  Add("10.0.0.5", 8.0);           // private
  Add("192.0.2.1", 8.0);          // documentation
  Add("2001:db8::1", 8.0);        // documentation
  Add("185.220.101.7", 8.0);      // configured allowlist
  Add("bad.example.org", 8.0);    // stored allowlist
  Add("a.bad.example.org", 8.0);  // ... and its subdomains
  Add("45.95.147.10", 8.0);
  Add("2a05:d014::1", 8.0);
  Add("evil.example.net", 8.0);
  BuildResult result = Build({Feed("all", FeedFormat::kPlain)});
  EXPECT_EQ(Body(result, "all.txt"), "45.95.147.10\n2a05:d014::1\nevil.example.net\n");
}

TEST_P(FeedBuilderTest, RemovedAndExpiredIndicatorsLeaveTheFeed) {
  Add("45.95.147.10", 8.0);
  Add("45.95.147.11", 8.0);
  Add("45.95.147.12", 8.0, 31 * kDay);  // expired a day ago
  std::vector<FeedConfig> feeds = {Feed("all", FeedFormat::kPlain)};
  EXPECT_EQ(Body(Build(feeds), "all.txt"), "45.95.147.10\n45.95.147.11\n");
  ASSERT_TRUE(store_->Remove(*NormalizeIp("45.95.147.10"), "false positive", "bob", kNow).ok());
  BuildResult result = Build(feeds);
  EXPECT_EQ(Body(result, "all.txt"), "45.95.147.11\n");
  EXPECT_EQ(result.reports[0].version, "2");
  EXPECT_TRUE(result.reports[0].changed);
}

TEST_P(FeedBuilderTest, VersionBumpsOnlyWhenRenderedContentChanges) {
  Add("45.95.147.10", 8.0);
  std::vector<FeedConfig> feeds = {Feed("all", FeedFormat::kPlain),
                                   Feed("all_json", FeedFormat::kJson)};
  BuildResult first = Build(feeds);
  EXPECT_EQ(first.reports[0].version, "1");
  EXPECT_TRUE(first.reports[0].changed);

  clock_.Advance(600);
  BuildResult same = Build(feeds);
  EXPECT_EQ(same.reports[0].version, "1");
  EXPECT_FALSE(same.reports[0].changed);
  EXPECT_EQ(same.set.files[0]->etag, first.set.files[0]->etag);
  EXPECT_EQ(same.set.files[0]->data_ts, kNow);

  // A higher severity changes the JSON (threat level) but not the plain list (values only).
  Add("45.95.147.10", 9.0, 0);
  BuildResult level = Build(feeds);
  EXPECT_EQ(level.reports[0].version, "1");
  EXPECT_FALSE(level.reports[0].changed);
  EXPECT_EQ(level.reports[1].version, "2");
  EXPECT_TRUE(level.reports[1].changed);

  Add("45.95.147.11", 8.0);
  BuildResult added = Build(feeds);
  EXPECT_EQ(added.reports[0].version, "2");
  EXPECT_TRUE(added.reports[0].changed);
  EXPECT_EQ(added.set.files[0]->data_ts, kNow + 600);
}

TEST_P(FeedBuilderTest, SecIntelVersionCountsWithinTheUtcDay) {
  std::vector<FeedConfig> feeds = {
      Feed("gd_ip_feed", FeedFormat::kSecIntel, {IndicatorKind::kIpv4})};
  Add("45.95.147.10", 8.0);
  EXPECT_EQ(Build(feeds).reports[0].version, "20261122.1");
  Add("45.95.147.11", 8.0);
  EXPECT_EQ(Build(feeds).reports[0].version, "20261122.2");
  EXPECT_EQ(Build(feeds).reports[0].version, "20261122.2");

  clock_.Set(1795392005);  // 2026-11-23T00:00:05Z
  BuildResult unchanged = Build(feeds);
  EXPECT_EQ(unchanged.reports[0].version, "20261122.2");
  Add("45.95.147.12", 8.0);
  BuildResult next_day = Build(feeds);
  EXPECT_EQ(next_day.reports[0].version, "20261123.1");
  SnapshotPtr data = next_day.set.Find("gd_ip_feed");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->data_ts, 1795392005);
  EXPECT_NE(data->body.find(R"("version":"20261123.1")"), std::string::npos);
  EXPECT_NE(Body(next_day, "manifest.xml").find(R"(version="20261123.1")"), std::string::npos);
}

TEST_P(FeedBuilderTest, ManifestComesLastAndListsNonEmptySecIntelFeeds) {
  Add("45.95.147.10", 8.0);
  Add("2a05:d014::1", 8.0);
  std::vector<FeedConfig> feeds = {
      Feed("gd_ip_feed", FeedFormat::kSecIntel, {IndicatorKind::kIpv4}),
      Feed("all", FeedFormat::kPlain),
      Feed("gd_dns_feed", FeedFormat::kSecIntel, {IndicatorKind::kDomain})};
  BuildResult result = Build(feeds);
  std::vector<std::string> paths;
  for (const SnapshotPtr& file : result.set.files) paths.push_back(file->path);
  EXPECT_EQ(paths, (std::vector<std::string>{"gd_ip_feed", "all.txt", "gd_dns_feed", "cc_schema",
                                             "manifest.xml"}));
  std::string manifest = Body(result, "manifest.xml");
  EXPECT_NE(manifest.find(R"(<feed name="gd_ip_feed" data_ts="1795341600" objects="1" )"
                          R"(version="20261122.1" options="" types="ip_addr threat_level")"),
            std::string::npos);
  EXPECT_EQ(manifest.find("gd_dns_feed"), std::string::npos);  // no domains yet
  EXPECT_EQ(result.set.Find("manifest.xml")->content_type, "application/xml");
  EXPECT_EQ(Body(result, "cc_schema"), SecIntelCcSchema());
  EXPECT_EQ(result.set.generated_at, kNow);

  // The empty domain feed already had version .1; its first entry makes .2.
  Add("evil.example.net", 8.0);
  manifest = Body(Build(feeds), "manifest.xml");
  EXPECT_NE(manifest.find(R"(<feed name="gd_dns_feed" data_ts="1795341600" objects="1" )"
                          R"(version="20261122.2" options="" types="dn threat_level")"),
            std::string::npos);
}

TEST_P(FeedBuilderTest, FormatsPublishOnlyTheKindsTheyCanCarry) {
  Add("45.95.147.10", 8.0);
  Add("2a05:d014::1", 8.0);
  Add("evil.example.net", 8.0);
  BuildResult result =
      Build({Feed("gd_all_feed", FeedFormat::kSecIntel), Feed("cp", FeedFormat::kCheckPoint),
             Feed("v6", FeedFormat::kPlain, {IndicatorKind::kIpv6})});
  EXPECT_EQ(result.reports[0].entries, 1u);  // SecIntel: IPv4 only when it carries IPv4
  EXPECT_EQ(result.reports[1].entries, 2u);  // Check Point: IPv4 and domains
  EXPECT_EQ(Body(result, "v6.txt"), "2a05:d014::1\n");
}

TEST_P(FeedBuilderTest, SnapshotsCarryTheEntriesTheyWereRenderedFrom) {
  Add("45.95.147.11", 7.0);
  Add("evil.example.net", 9.0);
  Add("45.95.147.10", 8.0);
  FeedConfig capped = Feed("gd_top_feed", FeedFormat::kSecIntel, {IndicatorKind::kIpv4});
  capped.max_entries = 1;
  BuildResult result = Build({Feed("all", FeedFormat::kPlain), capped});
  const auto& all = result.set.Find("all.txt")->feed_entries;
  ASSERT_NE(all, nullptr);
  std::vector<std::string> values;
  for (const FeedEntry& entry : *all) values.push_back(entry.indicator.value);
  EXPECT_EQ(values, (std::vector<std::string>{"45.95.147.10", "45.95.147.11", "evil.example.net"}));
  EXPECT_EQ((*all)[2].threat_level, 9);
  const auto& top = result.set.Find("gd_top_feed")->feed_entries;
  ASSERT_NE(top, nullptr);
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].indicator.value, "45.95.147.10");
  EXPECT_EQ((*top)[0].address, *ParseIpAddress("45.95.147.10"));
  EXPECT_EQ(result.set.Find("manifest.xml")->feed_entries, nullptr);
}

TEST_P(FeedBuilderTest, EmptyFeedsRenderServableBodies) {
  FeedConfig header = Feed("with_header", FeedFormat::kPlain);
  header.header = true;
  BuildResult result = Build(
      {Feed("empty", FeedFormat::kPlain), header, Feed("empty_json", FeedFormat::kJson),
       Feed("empty_cp", FeedFormat::kCheckPoint), Feed("gd_empty_feed", FeedFormat::kSecIntel)});
  ASSERT_EQ(result.set.files.size(), 7u);
  EXPECT_EQ(Body(result, "empty.txt"), "");
  EXPECT_EQ(result.set.Find("empty.txt")->etag, "\"" + Sha256Hex("") + "\"");
  EXPECT_EQ(Body(result, "with_header.txt"), "# guardfeed with_header version 1: 0 entries\n");
  EXPECT_TRUE(boost::json::parse(Body(result, "empty_json.json")).is_object());
  EXPECT_EQ(Body(result, "empty_cp.csv"),
            "# UNIQ-NAME,VALUE,TYPE,CONFIDENCE,SEVERITY,PRODUCT,COMMENT\n");
  EXPECT_NE(Body(result, "gd_empty_feed").find("#add\n#end\n"), std::string::npos);
  for (const FeedReport& report : result.reports) EXPECT_EQ(report.entries, 0u);
}

TEST_P(FeedBuilderTest, BuildsOnlyTheNamedFeed) {
  Add("45.95.147.10", 8.0);
  std::vector<FeedConfig> feeds = {Feed("all", FeedFormat::kPlain),
                                   Feed("gd_ip_feed", FeedFormat::kSecIntel)};
  BuildResult result = Build(feeds, "all");
  ASSERT_EQ(result.set.files.size(), 1u);
  EXPECT_EQ(result.set.files[0]->path, "all.txt");
  FeedBuilder builder(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  auto missing = builder.Build("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST_P(FeedBuilderTest, ReplicasOnOneStoreAgreeOnVersionsAndEtags) {
  Add("45.95.147.10", 8.0);
  Add("evil.example.net", 8.0);
  std::vector<FeedConfig> feeds = {Feed("gd_ip_feed", FeedFormat::kSecIntel),
                                   Feed("all", FeedFormat::kPlain)};
  BuildResult first = Build(feeds);
  auto other_store = Open();
  ASSERT_NE(other_store, nullptr);
  FeedBuilder replica(feeds, SecIntelOptions{}, &policy_, other_store.get(), &clock_);
  auto second = replica.Build();
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(first.set.files.size(), second->set.files.size());
  for (size_t i = 0; i < first.set.files.size(); ++i) {
    EXPECT_EQ(first.set.files[i]->etag, second->set.files[i]->etag) << first.set.files[i]->path;
    EXPECT_EQ(first.set.files[i]->version, second->set.files[i]->version);
  }
  EXPECT_FALSE(second->reports[0].changed);
}

// Widens the window between reading a feed's state and acting on it, as a busy machine would.
class SlowFeedStateReads final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Result<std::optional<FeedState>> GetFeedState(std::string_view feed) override {
    auto state = StoreWrapper::GetFeedState(feed);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return state;
  }
};

// Regression: the version was read, computed and written in separate steps, so the daemon and a
// CLI command rendering different contents on one store could give two contents one version.
TEST_P(FeedBuilderTest, ConcurrentBuildersWithDifferentContentsNeverShareAVersion) {
  Add("45.95.147.10", 8.0);
  Add("45.95.147.11", 8.0);
  const std::vector<FeedConfig> feeds = {Feed("all", FeedFormat::kPlain)};
  // Two processes' handles on one store whose policies disagree, so their contents differ.
  auto daemon_store = Open();
  auto cli_store = Open();
  ASSERT_TRUE(daemon_store && cli_store);
  SlowFeedStateReads daemon_view(daemon_store.get());
  SlowFeedStateReads cli_view(cli_store.get());
  PolicyOptions cli_options;
  ASSERT_TRUE(cli_options.allowlist.Add("45.95.147.11").ok());
  Policy cli_policy(cli_options);
  FeedBuilder daemon(feeds, SecIntelOptions{}, &policy_, &daemon_view, &clock_);
  FeedBuilder cli(feeds, SecIntelOptions{}, &cli_policy, &cli_view, &clock_);

  std::mutex mu;
  std::map<std::string, std::set<std::string>> bodies_by_version;
  auto render = [&](FeedBuilder* builder) {
    for (int i = 0; i < 40; ++i) {
      auto built = builder->Build();
      ASSERT_TRUE(built.ok()) << built.status().ToString();
      std::lock_guard lock(mu);
      bodies_by_version[built->reports[0].version].insert(built->set.files[0]->body);
    }
  };
  std::thread a(render, &daemon);
  std::thread b(render, &cli);
  a.join();
  b.join();
  EXPECT_GT(bodies_by_version.size(), 1u);
  for (const auto& [version, bodies] : bodies_by_version) {
    EXPECT_EQ(bodies.size(), 1u) << "version " << version << " was given to two contents";
  }
}

// Regression: `feeds list` and `feeds cat` built with the publishing builder and so stored a
// new version whenever the content had changed since the last render.
TEST_P(FeedBuilderTest, PeekComputesTheNextVersionWithoutStoringIt) {
  const std::vector<FeedConfig> feeds = {
      Feed("gd_ip_feed", FeedFormat::kSecIntel, {IndicatorKind::kIpv4}),
      Feed("all", FeedFormat::kPlain)};
  Add("45.95.147.10", 8.0);
  Build(feeds);
  Result<std::optional<FeedState>> before = store_->GetFeedState("gd_ip_feed");
  ASSERT_TRUE(before.ok() && before->has_value());
  Add("45.95.147.11", 8.0);

  FeedBuilder builder(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  for (int i = 0; i < 2; ++i) {
    auto peeked = builder.Build("", Versioning::kPeek);
    ASSERT_TRUE(peeked.ok()) << peeked.status().ToString();
    EXPECT_EQ(peeked->reports[0].version, "20261122.2");
    EXPECT_TRUE(peeked->reports[0].changed);
    EXPECT_EQ(peeked->reports[1].version, "2");
  }
  Result<std::optional<FeedState>> after = store_->GetFeedState("gd_ip_feed");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->serial, (*before)->serial);
  EXPECT_EQ((*after)->version, (*before)->version);
  EXPECT_EQ((*after)->content_digest, (*before)->content_digest);
  EXPECT_EQ(store_->GetFeedState("all")->value().version, "1");

  // The publishing render then gives the version the peek announced.
  BuildResult published = Build(feeds);
  EXPECT_EQ(published.reports[0].version, "20261122.2");
  EXPECT_EQ(published.reports[1].version, "2");
  // A feed never rendered peeks as version 1 and stays unrecorded.
  FeedBuilder fresh({Feed("fresh", FeedFormat::kPlain)}, SecIntelOptions{}, &policy_, store_.get(),
                    &clock_);
  auto peeked = fresh.Build("", Versioning::kPeek);
  ASSERT_TRUE(peeked.ok());
  EXPECT_EQ(peeked->reports[0].version, "1");
  EXPECT_FALSE(store_->GetFeedState("fresh")->has_value());
}

// Explain and the builder must say the same about every kind of suppression.
TEST_P(FeedBuilderTest, ExplainAndBuilderAgreeOnTrickyAllowlistEntries) {
  PolicyOptions options;
  ASSERT_TRUE(options.allowlist.Add("185.220.101.0/24").ok());  // configured CIDR
  options.allowed_range_classes = {"cgnat"};                    // a range class let through
  policy_ = Policy(options);
  ASSERT_TRUE(store_->AddAllowlist({"45.95.0.0/16", "partner", "alice", kNow}).ok());
  ASSERT_TRUE(store_->AddAllowlist({"*.cdn.example.net", "our CDN", "alice", kNow}).ok());
  ASSERT_TRUE(store_->AddAllowlist({"2a05:d014::/32", "cloud", "alice", kNow}).ok());
  const std::vector<std::string> values = {
      "185.220.101.7",      // configured allowlist
      "185.220.102.7",      // just outside it
      "45.95.147.10",       // stored CIDR
      "45.96.0.1",          // just outside it
      "cdn.example.net",    // stored domain suffix itself
      "a.cdn.example.net",  // ... a subdomain
      "xcdn.example.net",   // not at a label boundary
      "2a05:d014::1",       // stored IPv6 CIDR
      "100.64.1.2",         // cgnat: allowed range class
      "10.0.0.5",           // private: never blocked
      "192.0.2.1",          // documentation: never blocked
  };
  for (const std::string& value : values) Add(value, 8.0);
  const std::vector<FeedConfig> feeds = {Feed("all", FeedFormat::kPlain)};
  std::string body = Body(Build(feeds), "all.txt");
  for (const std::string& value : values) {
    auto explained = ExplainIndicator(*NormalizeIndicator(value), feeds, policy_, *store_, kNow);
    ASSERT_TRUE(explained.ok()) << value << ": " << explained.status().ToString();
    bool listed =
        body.find(value + "\n") == 0 || body.find("\n" + value + "\n") != std::string::npos;
    EXPECT_EQ(explained->feeds.at(0).carried, listed) << value << " in\n" << body;
    EXPECT_EQ(explained->suppression.has_value(), !listed) << value;
  }
  EXPECT_EQ(body, "45.96.0.1\n100.64.1.2\n185.220.102.7\nxcdn.example.net\n");
}

// Regression: explain skipped a stored allowlist entry that no longer parses and called the
// indicator carried, while every render failed on that entry.
TEST_P(FeedBuilderTest, ExplainFailsLikeTheBuilderOnAnUnreadableStoredEntry) {
  Add("45.95.147.10", 8.0);
  ASSERT_TRUE(store_->AddAllowlist({"45.95.147.0/33", "typo", "alice", kNow}).ok());
  const std::vector<FeedConfig> feeds = {Feed("all", FeedFormat::kPlain)};
  FeedBuilder builder(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  auto built = builder.Build();
  ASSERT_FALSE(built.ok());
  auto explained =
      ExplainIndicator(*NormalizeIndicator("45.95.147.10"), feeds, policy_, *store_, kNow);
  ASSERT_FALSE(explained.ok());
  EXPECT_EQ(explained.status().message(), built.status().message());
  EXPECT_NE(explained.status().message().find("45.95.147.0/33"), std::string::npos);
}

}  // namespace
}  // namespace guardfeed
