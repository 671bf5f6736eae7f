// LiveFeeds against a real store of every engine: after every step of a long random sequence of
// store changes, the incremental feeds equal a fresh full build byte for byte, and both equal an
// independent reference (select, cap and sort the store's active indicators the simple way,
// then Renderer::Render), for every format and option.
#include "feeds/live_feeds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "core/hash.h"
#include "feeds/render_util.h"
#include "feeds/renderer.h"
#include "feeds/suppressions.h"
#include "store/store_wrapper.h"
#include "unit/store/engines.h"

namespace guardfeed {
namespace {

constexpr UnixSeconds kStart = 1795341600;  // 2026-11-22T10:00:00Z

FeedConfig Config(std::string name, FeedFormat format, std::vector<IndicatorKind> kinds) {
  FeedConfig config;
  config.name = std::move(name);
  config.format = format;
  config.kinds = std::move(kinds);
  return config;
}

// Every format and option, each uncapped and capped, at several minimum threat levels.
std::vector<FeedConfig> AllKindsOfFeeds() {
  const std::vector<IndicatorKind> all = {IndicatorKind::kIpv4, IndicatorKind::kIpv6,
                                          IndicatorKind::kDomain};
  const std::vector<IndicatorKind> ips = {IndicatorKind::kIpv4, IndicatorKind::kIpv6};
  std::vector<FeedConfig> shapes;
  shapes.push_back(Config("plain", FeedFormat::kPlain, all));
  FeedConfig crlf = Config("plain_crlf_header", FeedFormat::kPlain, ips);
  crlf.crlf = crlf.header = true;
  shapes.push_back(crlf);
  FeedConfig aggregated = Config("plain_aggregated", FeedFormat::kPlain, all);
  aggregated.aggregate = aggregated.header = true;
  shapes.push_back(aggregated);
  shapes.push_back(Config("secintel_ip", FeedFormat::kSecIntel, {IndicatorKind::kIpv4}));
  shapes.push_back(Config("secintel_dns", FeedFormat::kSecIntel, {IndicatorKind::kDomain}));
  FeedConfig checkpoint = Config("checkpoint", FeedFormat::kCheckPoint, all);
  checkpoint.confidence = "medium,\"odd\"";
  shapes.push_back(checkpoint);
  shapes.push_back(Config("json", FeedFormat::kJson, all));
  // Containment feeds (docs/containment.md): our instances only, never the attackers.
  FeedConfig quarantine = Config("quarantine", FeedFormat::kPlain, ips);
  quarantine.containment = quarantine.aggregate = quarantine.header = true;
  shapes.push_back(quarantine);
  FeedConfig quarantine_json = Config("quarantine_json", FeedFormat::kJson, ips);
  quarantine_json.containment = true;
  shapes.push_back(quarantine_json);
  std::vector<FeedConfig> feeds;
  for (const FeedConfig& shape : shapes) {
    for (size_t cap : {size_t{0}, size_t{7}}) {
      for (int min_level : {1, 5, 8}) {
        FeedConfig feed = shape;
        feed.name += "_cap" + std::to_string(cap) + "_min" + std::to_string(min_level);
        feed.max_entries = cap;
        feed.min_threat_level = min_level;
        feeds.push_back(std::move(feed));
      }
    }
  }
  return feeds;
}

// The reference: what a feed must hold, computed the plain way from the store.
std::vector<FeedEntry> ReferenceEntries(const std::vector<IndicatorRecord>& records,
                                        const Suppressions& suppressions, const FeedConfig& config,
                                        uint64_t* dropped) {
  std::vector<FeedEntry> entries;
  for (const IndicatorRecord& record : records) {
    if (suppressions.Why(record.indicator)) continue;
    // Containment feeds list containment entries, as plain addresses; the others never do.
    if (IsContainment(record.indicator) != config.containment) continue;
    FeedEntry entry;
    entry.containment = config.containment;
    entry.indicator = record.indicator;
    if (entry.containment) {
      entry.indicator.value.erase(0, std::string_view("instance:").size());
    }
    if (record.indicator.kind != IndicatorKind::kDomain) {
      entry.address = *ParseIpAddress(entry.indicator.value);
    }
    entry.threat_level = Policy::ThreatLevel(record.max_severity);
    entry.first_seen = record.first_seen;
    entry.last_seen = record.last_seen;
    entry.expires_at = record.expires_at;
    entry.finding_count = record.finding_count;
    if (entry.threat_level < config.min_threat_level) continue;
    if (!feeds_internal::FormatPublishes(config, entry.indicator.kind)) continue;
    entries.push_back(std::move(entry));
  }
  *dropped = 0;
  if (config.max_entries > 0 && entries.size() > config.max_entries) {
    std::sort(entries.begin(), entries.end(), [](const FeedEntry& a, const FeedEntry& b) {
      return RanksBefore({a.threat_level, a.last_seen, a.indicator.value},
                         {b.threat_level, b.last_seen, b.indicator.value});
    });
    *dropped = entries.size() - config.max_entries;
    entries.resize(config.max_entries);
  }
  std::sort(entries.begin(), entries.end(), feeds_internal::FeedOrderLess);
  return entries;
}

// Once per store engine (unit/store/engines.h): LiveFeedsTest.Name/sqlite and /postgresql.
class LiveFeedsTest : public testing::StoreEngineTest {
 protected:
  void SetUp() override {
    StoreEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  void See(const std::string& finding, const std::string& value, double severity, UnixSeconds ttl,
           bool withdrawn = false) {
    auto indicator = NormalizeIndicator(value);
    ASSERT_TRUE(indicator.ok()) << value;
    SightingRecord sighting;
    sighting.finding_id = finding;
    sighting.indicator = *indicator;
    sighting.finding_type = "Recon:EC2/PortProbeUnprotectedPort";
    sighting.severity = severity;
    sighting.account_id = "123456789012";
    sighting.region = "eu-west-1";
    sighting.last_seen = clock_.Now();
    sighting.first_seen = sighting.last_seen - 60;
    sighting.updated_at = clock_.Now() + ++deliveries_;  // every delivery is newer
    sighting.expires_at = sighting.last_seen + ttl;
    sighting.withdrawn = withdrawn;
    auto applied = store_->Apply({sighting});
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  // Brings `live` up to date, renders, and checks every file against a fresh full build and
  // every data file against the reference.
  void ExpectMatchesFullBuild(LiveFeeds& live, const std::vector<FeedConfig>& feeds,
                              const std::string& step) {
    Status updated = live.Update();
    ASSERT_TRUE(updated.ok()) << step << ": " << updated.ToString();
    auto incremental = live.Render();
    ASSERT_TRUE(incremental.ok()) << step << ": " << incremental.status().ToString();
    FeedBuilder builder(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
    auto full = builder.Build("", Versioning::kPeek);
    ASSERT_TRUE(full.ok()) << step << ": " << full.status().ToString();
    ASSERT_EQ(incremental->set.files.size(), full->set.files.size()) << step;
    for (size_t i = 0; i < full->set.files.size(); ++i) {
      const Snapshot& want = *full->set.files[i];
      const Snapshot& got = *incremental->set.files[i];
      ASSERT_EQ(got.path, want.path) << step;
      ASSERT_EQ(got.body, want.body) << step << ": " << want.path;
      ASSERT_EQ(got.etag, want.etag) << step << ": " << want.path;
      ASSERT_EQ(got.entries, want.entries) << step << ": " << want.path;
    }
    for (size_t f = 0; f < feeds.size(); ++f) {
      ASSERT_EQ(incremental->reports[f].dropped, full->reports[f].dropped) << step;
      ASSERT_EQ(incremental->reports[f].entries, full->reports[f].entries) << step;
      ASSERT_EQ(incremental->reports[f].version, full->reports[f].version) << step;
    }
    auto records = store_->ActiveIndicators(clock_.Now());
    ASSERT_TRUE(records.ok());
    auto suppressions = Suppressions::Load(policy_, *store_);
    ASSERT_TRUE(suppressions.ok());
    for (size_t f = 0; f < feeds.size(); ++f) {
      const FeedConfig& config = feeds[f];
      uint64_t dropped = 0;
      std::vector<FeedEntry> entries = ReferenceEntries(*records, *suppressions, config, &dropped);
      const Snapshot& got = *incremental->set.files[f];
      RenderedFeed reference =
          NewRenderer(config.format)->Render(config, entries, RenderInfo{got.version, dropped});
      ASSERT_EQ(got.body, reference.body) << step << ": " << config.name;
      ASSERT_EQ(incremental->reports[f].dropped, dropped) << step << ": " << config.name;
      most_entries_ = std::max<uint64_t>(most_entries_, entries.size());
      if (config.containment) {
        most_containment_ = std::max<uint64_t>(most_containment_, entries.size());
      }
      most_dropped_ = std::max(most_dropped_, dropped);
    }
  }

  std::unique_ptr<Store> store_;
  ManualClock clock_{kStart};
  // The tests' addresses are documentation ranges, which policy never blocks by default.
  static PolicyOptions Options() {
    PolicyOptions options;
    options.allowed_range_classes = {"documentation"};
    options.containment.enabled = true;
    EXPECT_TRUE(options.containment.allowlist.Add("10.9.0.0/16").ok());
    return options;
  }
  Policy policy_{Options()};
  int64_t deliveries_ = 0;
  uint64_t most_entries_ = 0;  // what the checks saw, so a vacuous run fails
  uint64_t most_dropped_ = 0;
  uint64_t most_containment_ = 0;  // entries of the fullest containment feed
};
INSTANTIATE_TEST_SUITE_P(, LiveFeedsTest, testing::AllStoreEngines(), testing::StoreEngineName);

// Addresses close together (so aggregation merges some), a never-block address, IPv6 and
// domains, one of them long enough to live outside the string's inline buffer.
std::vector<std::string> Universe() {
  std::vector<std::string> values;
  for (int i = 0; i < 24; ++i) values.push_back("198.51.100." + std::to_string(i));
  for (int i = 0; i < 8; ++i) values.push_back("203.0.113." + std::to_string(100 + 3 * i));
  values.push_back("10.1.2.3");
  for (int i = 0; i < 8; ++i) values.push_back("2001:db8::" + std::to_string(i + 1));
  for (int i = 0; i < 12; ++i) values.push_back("host" + std::to_string(i) + ".evil.example");
  values.push_back("a-rather-long-command-and-control-name.bad.example");
  // Our own instances (containment entries): private ones too, some the same addresses as
  // attackers above (two entries each), one under the containment allowlist.
  for (const char* ours :
       {"instance:198.51.100.3", "instance:198.51.100.4", "instance:198.51.100.9",
        "instance:198.51.100.30", "instance:10.1.2.3", "instance:10.1.2.4", "instance:10.9.9.9",
        "instance:2001:db8::2", "instance:2001:db8::4", "instance:fd00::1"}) {
    values.push_back(ours);
  }
  return values;
}

TEST_P(LiveFeedsTest, RandomStoreChangesGiveTheFullBuildsBytes) {
  const std::vector<FeedConfig> feeds = AllKindsOfFeeds();
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  const std::vector<std::string> values = Universe();
  const std::vector<std::string> allow = {"198.51.100.8/30", "evil.example", "2001:db8::4/126"};
  std::mt19937 random(20261201);
  auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
  // PostgreSQL runs the first 200 steps of the same sequence: a step commits one transaction per
  // feed it changed, and all 400 steps took about four times SQLite's time (8 s against 2 s).
  const int steps = GetParam() == testing::StoreEngine::kPostgres ? 200 : 400;
  ExpectMatchesFullBuild(live, feeds, "empty");
  for (int step = 0; step < steps; ++step) {
    const std::string& value = values[pick(values.size())];
    const size_t op = pick(100);
    std::string what;
    if (op < 55) {  // a sighting: new, re-seen, or a severity change
      std::string finding = "finding-" + std::to_string(pick(40));
      double severity = 1.0 + static_cast<double>(pick(91)) / 10.0;
      See(finding, value, severity, static_cast<UnixSeconds>(5 + pick(400)));
      what = "see " + finding + " " + value;
    } else if (op < 63) {  // an archived finding withdraws what it named
      std::string finding = "finding-" + std::to_string(pick(40));
      See(finding, value, 5.0, 60, true);
      what = "withdraw " + finding + " " + value;
    } else if (op < 71) {
      (void)store_->Remove(*NormalizeIndicator(value), "false positive", "test", clock_.Now());
      what = "remove " + value;
    } else if (op < 79) {
      (void)store_->Unremove(*NormalizeIndicator(value), "test", clock_.Now());
      what = "unremove " + value;
    } else if (op < 84) {
      const std::string& entry = allow[pick(allow.size())];
      if (pick(2) == 0) {
        (void)store_->AddAllowlist(AllowlistRecord{entry, "test", "test", clock_.Now()});
        what = "allow " + entry;
      } else {
        (void)store_->RemoveAllowlist(entry, "test", clock_.Now());
        what = "disallow " + entry;
      }
    } else {
      clock_.Advance(static_cast<UnixSeconds>(pick(30)));
      what = "time +";
    }
    ExpectMatchesFullBuild(live, feeds, "step " + std::to_string(step) + " (" + what + ")");
    if (HasFatalFailure()) return;
  }
  // The universe's containment values take a share of the picks: the fullest feed holds about
  // 29 entries at its peak (30 before they were added).
  EXPECT_GE(most_entries_, 25u);
  EXPECT_GE(most_dropped_, 10u);
  EXPECT_GE(most_containment_, 5u);
}

// Thousands of entries, so blocks split, empty (a contiguous range expiring together) and are
// copied from the last body; batches of changes between renders.
TEST_P(LiveFeedsTest, ManyEntriesAcrossBlocksGiveTheFullBuildsBytes) {
  std::vector<FeedConfig> feeds = {
      Config("json", FeedFormat::kJson,
             {IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}),
      Config("gd_ip_feed", FeedFormat::kSecIntel, {IndicatorKind::kIpv4}),
      Config("checkpoint", FeedFormat::kCheckPoint, {IndicatorKind::kIpv4, IndicatorKind::kDomain}),
      Config("plain", FeedFormat::kPlain, {IndicatorKind::kIpv4, IndicatorKind::kIpv6})};
  feeds[1].max_entries = 1500;
  feeds[2].min_threat_level = 6;
  feeds[3].header = true;
  feeds[3].max_entries = 2500;
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  std::mt19937 random(8);
  auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
  auto address = [](size_t i) {
    return "198.51." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256);
  };
  std::vector<SightingRecord> batch;
  auto add = [&](const std::string& value, double severity, UnixSeconds ttl) {
    SightingRecord sighting;
    sighting.finding_id = "bulk-" + std::to_string(pick(5000));
    sighting.indicator = *NormalizeIndicator(value);
    sighting.finding_type = "Recon:EC2/PortProbeUnprotectedPort";
    sighting.severity = severity;
    sighting.last_seen = clock_.Now() - static_cast<UnixSeconds>(pick(100));
    sighting.first_seen = sighting.last_seen;
    sighting.updated_at = clock_.Now() + ++deliveries_;
    sighting.expires_at = clock_.Now() + ttl;
    batch.push_back(std::move(sighting));
  };
  auto flush = [&] {
    auto applied = store_->Apply(batch);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    batch.clear();
  };
  // 1,200 addresses (198.51.100.0-198.51.104.175) expire together at +50.
  for (size_t i = 0; i < 1200; ++i) add(address(i), 7.5, 50);
  for (size_t i = 1200; i < 6500; ++i) {
    add(address(i), 1.0 + static_cast<double>(pick(90)) / 10, 1000);
  }
  for (size_t i = 0; i < 300; ++i) add("d" + std::to_string(i) + ".bad.example", 8.0, 1000);
  flush();
  ExpectMatchesFullBuild(live, feeds, "load");
  for (int step = 0; step < 30 && !HasFatalFailure(); ++step) {
    const size_t changes = 1 + pick(step % 5 == 0 ? 1500 : 20);
    for (size_t c = 0; c < changes; ++c) {
      add(address(pick(7000)), 1.0 + static_cast<double>(pick(90)) / 10,
          static_cast<UnixSeconds>(60 + pick(2000)));
    }
    flush();
    if (step == 10) clock_.Advance(60);  // the 1,200 (those not seen again) expire
    ExpectMatchesFullBuild(live, feeds, "step " + std::to_string(step));
  }
  // The JSON body is over a megabyte: its ETag comes from its digest and version, not its bytes.
  auto rendered = live.Render();
  ASSERT_TRUE(rendered.ok());
  const Snapshot& json = *rendered->set.files[0];
  ASSERT_GE(json.body.size(), kDerivedEtagMinBytes);
  EXPECT_NE(json.etag, "\"" + Sha256Hex(json.body) + "\"");
}

// Nothing the store says about indicators of other kinds re-renders or re-versions a feed.
TEST_P(LiveFeedsTest, RendersOnlyTheFeedsAChangeTouches) {
  const std::vector<FeedConfig> feeds = {
      Config("ips", FeedFormat::kPlain, {IndicatorKind::kIpv4}),
      Config("domains", FeedFormat::kPlain, {IndicatorKind::kDomain})};
  See("f1", "198.51.100.1", 8, 3600);
  See("f2", "evil.example.com", 8, 3600);
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  ASSERT_TRUE(live.Update().ok());
  auto first = live.Render();
  ASSERT_TRUE(first.ok());
  See("f3", "198.51.100.2", 8, 3600);
  ASSERT_TRUE(live.Update().ok());
  auto second = live.Render();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->set.files[0], first->set.files[0]);
  EXPECT_TRUE(second->reports[0].changed);
  EXPECT_EQ(second->set.files[0]->body, "198.51.100.1\n198.51.100.2\n");
  EXPECT_EQ(second->set.files[1], first->set.files[1]);  // the same snapshot, not a copy
  EXPECT_FALSE(second->reports[1].changed);
  EXPECT_EQ(second->set.files[1]->version, "1");
}

// Replicas on one store converge on one version per content (SyncVersions adopts the version
// another process gave the same content) and, while their configurations differ (a rolling
// reload), do not outbid each other with new versions of their own contents.
TEST_P(LiveFeedsTest, ReplicasAdoptEachOthersVersionAndDifferentConfigurationsDoNotOutbid) {
  const std::vector<FeedConfig> feeds = {Config("ips", FeedFormat::kPlain, {IndicatorKind::kIpv4})};
  See("f1", "198.51.100.1", 8, 3600);
  See("f2", "198.51.100.2", 7, 3600);
  LiveFeeds a(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  LiveFeeds b(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  ASSERT_TRUE(a.Update().ok() && b.Update().ok());
  ASSERT_TRUE(a.Render().ok());
  // b renders the same content from a state stored under another version (a wrote it, then an
  // old render of some replica moved it): it adopts whatever the store holds for that content.
  FeedState moved = *store_->GetFeedState("ips").value();
  moved.version = "7";
  moved.serial = 7;
  ASSERT_TRUE(store_->PutFeedState(moved).ok());
  ASSERT_TRUE(b.Render().ok());
  Result<bool> synced = a.SyncVersions();
  ASSERT_TRUE(synced.ok() && *synced);
  auto a_again = a.Render();
  ASSERT_TRUE(a_again.ok());
  EXPECT_EQ(a_again->set.files[0]->version, "7");
  // c runs another configuration of the same feed (capped to one entry): its content differs.
  FeedConfig capped = feeds[0];
  capped.max_entries = 1;
  LiveFeeds c({capped}, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  ASSERT_TRUE(c.Update().ok() && c.Render().ok());
  const std::string after_c = store_->GetFeedState("ips").value()->version;
  for (int round = 0; round < 5; ++round) {
    for (LiveFeeds* live : {&a, &c}) {
      Result<bool> moved_again = live->SyncVersions();
      ASSERT_TRUE(moved_again.ok());
      EXPECT_FALSE(*moved_again);  // neither re-versions its own, different content
      ASSERT_TRUE(live->Render().ok());
    }
  }
  EXPECT_EQ(store_->GetFeedState("ips").value()->version, after_c);
}

// A plain feed does not print threat levels, but publishers that push entries read them.
TEST_P(LiveFeedsTest, EntryListsFollowThreatLevelsThatTheBodyDoesNotPrint) {
  const std::vector<FeedConfig> feeds = {Config("ips", FeedFormat::kPlain, {IndicatorKind::kIpv4})};
  See("f1", "198.51.100.1", 5, 3600);
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  live.KeepEntryLists(true);
  ASSERT_TRUE(live.Update().ok());
  auto first = live.Render();
  ASSERT_TRUE(first.ok());
  ASSERT_NE(first->set.files[0]->feed_entries, nullptr);
  EXPECT_EQ(first->set.files[0]->feed_entries->at(0).threat_level, 5);
  See("f2", "198.51.100.1", 9, 3600);
  ASSERT_TRUE(live.Update().ok());
  auto second = live.Render();
  ASSERT_TRUE(second.ok());
  const Snapshot& now = *second->set.files[0];
  EXPECT_EQ(now.body, first->set.files[0]->body);
  EXPECT_EQ(now.version, "1");
  EXPECT_FALSE(second->reports[0].changed);
  ASSERT_NE(now.feed_entries, nullptr);
  EXPECT_EQ(now.feed_entries->at(0).threat_level, 9);
}

TEST_P(LiveFeedsTest, ExpiryAsTimePassesLeavesTheFeedAndMovesTheNextExpiry) {
  const std::vector<FeedConfig> feeds = {Config("all", FeedFormat::kPlain, {IndicatorKind::kIpv4})};
  See("f1", "198.51.100.1", 8, 100);
  See("f2", "198.51.100.2", 8, 200);
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  ASSERT_TRUE(live.Update().ok());
  EXPECT_EQ(live.NextExpiry(), kStart + 100);
  clock_.Advance(100);
  ASSERT_TRUE(live.Update().ok());
  auto rendered = live.Render();
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(rendered->set.files[0]->body, "198.51.100.2\n");
  EXPECT_EQ(live.NextExpiry(), kStart + 200);
  clock_.Advance(100);
  ASSERT_TRUE(live.Update().ok());
  EXPECT_EQ(live.NextExpiry(), std::nullopt);
  EXPECT_EQ(live.size(), 0u);
}

// A store that answers every ChangesSince with "reset" (a restored or different store).
class ResettingStore : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Result<StoreChanges> ChangesSince(int64_t /*counter*/) override {
    ++calls;
    StoreChanges changes;
    changes.reset = true;
    return changes;
  }
  int calls = 0;
};

TEST_P(LiveFeedsTest, AResetStoreIsReadAgainInFull) {
  ResettingStore resetting(store_.get());
  const std::vector<FeedConfig> feeds = {Config("all", FeedFormat::kPlain, {IndicatorKind::kIpv4})};
  LiveFeeds live(feeds, SecIntelOptions{}, &policy_, &resetting, &clock_);
  ASSERT_TRUE(live.Update().ok());
  See("f1", "198.51.100.9", 8, 100);
  ASSERT_TRUE(live.Update().ok());
  EXPECT_EQ(resetting.calls, 1);
  auto rendered = live.Render();
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(rendered->set.files[0]->body, "198.51.100.9\n");
}

// With a cap, a new better-ranked entry pushes the worst one out, and its removal lets it back.
TEST_P(LiveFeedsTest, CapKeepsTheBestRankedAsEntriesComeAndGo) {
  FeedConfig capped = Config("top2", FeedFormat::kPlain, {IndicatorKind::kIpv4});
  capped.max_entries = 2;
  capped.header = true;
  See("f1", "198.51.100.1", 9, 1000);
  See("f2", "198.51.100.2", 5, 1000);
  See("f3", "198.51.100.3", 7, 1000);
  LiveFeeds live({capped}, SecIntelOptions{}, &policy_, store_.get(), &clock_);
  ASSERT_TRUE(live.Update().ok());
  auto first = live.Render();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->set.files[0]->body,
            "# guardfeed top2 version 1: 2 entries, 1 dropped\n198.51.100.1\n198.51.100.3\n");
  See("f4", "198.51.100.4", 10, 1000);
  ASSERT_TRUE(live.Update().ok());
  auto second = live.Render();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->set.files[0]->body,
            "# guardfeed top2 version 2: 2 entries, 2 dropped\n198.51.100.1\n198.51.100.4\n");
  ASSERT_TRUE(store_->Remove(*NormalizeIndicator("198.51.100.4"), "fp", "test", kStart).ok());
  ASSERT_TRUE(live.Update().ok());
  auto third = live.Render();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->set.files[0]->body,
            "# guardfeed top2 version 3: 2 entries, 1 dropped\n198.51.100.1\n198.51.100.3\n");
}

}  // namespace
}  // namespace guardfeed
