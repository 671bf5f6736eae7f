// render_1m: the render budget end to end (DESIGN.md: 1,000,000 active indicators into any one
// format in under 0.5 s), on a real SQLite store.
//
//   render_1m [--reuse] [--live-only] [--store PATH] [--indicators N] [--mix mixed|ipv4]
//             [--runs R] [--batch B]
//
// 1. Creates a fresh store at PATH (default /tmp/guardfeed-bench/render_1m.db) and fills it with
//    N distinct active indicators (default 1,000,000) through Store::Apply in batches of B
//    sightings (default 10,000), each batch one durable transaction. Reports the load rate.
// 2. Per feed format, R times each (default 5), best and median:
//      store  Store::ActiveIndicators(now) alone: reading the rows out of SQLite;
//      build  FeedBuilder::Build for a builder holding only that feed: store read, suppression,
//             parse, sort, selection, content digest, versioning and rendering, i.e. what the
//             daemon pays per re-render;
//      render Renderer::Render alone over the same entries (what bench/render_bench measures on
//             synthetic entries).
//    and once a Build of all five feeds together (one store read and sort shared by all), and
//    the phases of the store read + prepare step (LoadEntries) apart.
// 3. The daemon's incremental feeds (LiveFeeds) with the example configuration's seven feeds
//    (config/guardfeed.example.toml): a full load and render (R times), the memory it holds
//    (resident set growth per active indicator), then 100 single-finding updates, each one
//    Store::Apply of one sighting and then LiveFeeds::Update + Render (what the render loop pays
//    before it swaps the new snapshots in): half new indicators, half a known indicator seen
//    again at a higher severity. Percentiles of the Update + Render time, and which feeds changed.
// --reuse skips step 1 and times the store already at PATH (e.g. one a previous run filled);
// --live-only skips step 2.
//
// mixed: 70% IPv4, 15% IPv6, 15% domains (SecIntel and Check Point then carry fewer than N);
// ipv4: all IPv4, so every format, SecIntel included, renders N entries.
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "feeds/builder.h"
#include "feeds/live_feeds.h"
#include "feeds/render_util.h"
#include "feeds/renderer.h"
#include "finding_corpus.h"
#include "policy/policy.h"
#include "store/store.h"

namespace guardfeed::bench {
namespace {

constexpr UnixSeconds kNow = 1795305600 + 3600;  // 2026-11-22T01:00:00Z

struct Args {
  std::string store = "/tmp/guardfeed-bench/render_1m.db";
  int64_t indicators = 1'000'000;
  bool ipv4_only = false;
  int runs = 5;
  size_t batch = 10'000;
  bool reuse = false;  // --reuse: time an existing store as it is, without repopulating it
  bool live_only = false;  // --live-only: step 3 only
};

bool ParseArgs(int argc, char** argv, Args& args) {
  auto number = [](std::string_view text, auto& value) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && value > 0;
  };
  int i = 1;
  for (; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--reuse") {
      args.reuse = true;
    } else if (std::string_view(argv[i]) == "--live-only") {
      args.live_only = true;
    } else {
      break;
    }
  }
  for (; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string_view value = argv[i + 1];
    bool ok = true;
    if (flag == "--store") {
      args.store = value;
    } else if (flag == "--indicators") {
      ok = number(value, args.indicators);
    } else if (flag == "--runs") {
      ok = number(value, args.runs);
    } else if (flag == "--batch") {
      ok = number(value, args.batch);
    } else if (flag == "--mix") {
      ok = value == "mixed" || value == "ipv4";
      args.ipv4_only = value == "ipv4";
    } else {
      ok = false;
    }
    if (!ok) return false;
  }
  return i == argc;
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Runs `body` `runs` times; returns the wall-clock seconds of each run, sorted.
std::vector<double> Time(int runs, const std::function<void()>& body) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    body();
    times.push_back(Seconds(std::chrono::steady_clock::now() - start));
  }
  std::sort(times.begin(), times.end());
  return times;
}

double Median(const std::vector<double>& sorted) {
  size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "render_1m: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// N distinct indicators in the requested mix, deterministic.
std::vector<Indicator> MakeIndicators(const Args& args) {
  std::mt19937_64 random(20261122);
  std::unordered_set<std::string> seen;
  std::vector<Indicator> out;
  out.reserve(static_cast<size_t>(args.indicators));
  seen.reserve(static_cast<size_t>(args.indicators));
  while (static_cast<int64_t>(out.size()) < args.indicators) {
    uint64_t roll = args.ipv4_only ? 0 : random() % 100;
    Indicator indicator;
    if (roll < 70) {
      indicator = {IndicatorKind::kIpv4, FormatIpv4(RandomPublicIpv4(random))};
    } else if (roll < 85) {
      indicator = {IndicatorKind::kIpv6, RandomPublicIpv6(random)};
    } else {
      indicator = {IndicatorKind::kDomain, RandomDomain(random)};
    }
    if (seen.insert(indicator.value).second) out.push_back(std::move(indicator));
  }
  return out;
}

// One sighting per indicator, three indicators per finding, all active at kNow.
void Populate(Store& store, const Args& args) {
  static constexpr const char* kTypes[] = {
      "Recon:EC2/PortProbeUnprotectedPort", "UnauthorizedAccess:EC2/SSHBruteForce",
      "Backdoor:EC2/C&CActivity.B!DNS", "AttackSequence:S3/CompromisedData"};
  static constexpr double kSeverities[] = {5.0, 5.0, 8.0, 9.0};
  const std::vector<Indicator> indicators = MakeIndicators(args);
  std::mt19937_64 random(7);
  std::vector<SightingRecord> batch;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < indicators.size(); ++i) {
    SightingRecord& record = batch.emplace_back();
    const size_t type = (i / 3) % 4;
    record.finding_id = "bench" + std::to_string(i / 3);
    record.indicator = indicators[i];
    record.finding_type = kTypes[type];
    record.severity = kSeverities[type];
    record.account_id = "123456710000";
    record.region = "us-east-1";
    record.action_type = "NETWORK_CONNECTION";
    record.direction = "INBOUND";
    record.field = "networkConnectionAction.remoteIpDetails.ipAddressV4";
    record.last_seen = kNow - static_cast<int64_t>(random() % (7 * 86400));
    record.first_seen = record.last_seen - 3600;
    record.updated_at = record.last_seen;
    record.count = 1;
    record.expires_at = record.last_seen + 30 * 86400;
    if (batch.size() == args.batch || i + 1 == indicators.size()) {
      auto applied = store.Apply(batch);
      if (!applied.ok()) Die("Store::Apply", applied.status());
      batch.clear();
    }
  }
  double seconds = Seconds(std::chrono::steady_clock::now() - start);
  std::printf(
      "load: %zu indicators via Store::Apply in batches of %zu: %.2f s (%.0f sightings/s)\n",
      indicators.size(), args.batch, seconds, static_cast<double>(indicators.size()) / seconds);
}

// FeedBuilder's LoadEntries step by step, each phase timed once: the entries in feed order.
std::vector<FeedEntry> LoadEntries(Store& store, const Policy& policy) {
  auto start = std::chrono::steady_clock::now();
  auto records = store.ActiveIndicators(kNow);
  if (!records.ok()) Die("ActiveIndicators", records.status());
  auto read = std::chrono::steady_clock::now();
  std::vector<FeedEntry> entries;
  entries.reserve(records->size());
  for (IndicatorRecord& record : *records) {
    if (policy.Suppression(record.indicator, nullptr)) continue;
    FeedEntry entry;
    if (record.indicator.kind != IndicatorKind::kDomain) {
      entry.address = *ParseIpAddress(record.indicator.value);
    }
    entry.indicator = std::move(record.indicator);
    entry.threat_level = Policy::ThreatLevel(record.max_severity);
    entry.first_seen = record.first_seen;
    entry.last_seen = record.last_seen;
    entry.expires_at = record.expires_at;
    entry.finding_count = record.finding_count;
    entries.push_back(std::move(entry));
  }
  auto converted = std::chrono::steady_clock::now();
  std::sort(entries.begin(), entries.end(), feeds_internal::FeedOrderLess);
  auto sorted = std::chrono::steady_clock::now();
  std::printf(
      "LoadEntries phases: store read %.3f s, suppression + parse + copy %.3f s, sort %.3f s\n",
      Seconds(read - start), Seconds(converted - read), Seconds(sorted - converted));
  return entries;
}

struct Case {
  const char* label;
  FeedConfig config;
};

std::vector<Case> Cases() {
  auto make = [](const char* name, FeedFormat format) {
    FeedConfig config;
    config.name = name;
    config.format = format;
    return config;
  };
  std::vector<Case> cases;
  cases.push_back({"plain", make("bench_plain", FeedFormat::kPlain)});
  FeedConfig aggregated = make("bench_plain_cidr", FeedFormat::kPlain);
  aggregated.aggregate = true;
  cases.push_back({"plain+aggregate", aggregated});
  FeedConfig secintel_ip = make("bench_secintel_ip", FeedFormat::kSecIntel);
  secintel_ip.kinds = {IndicatorKind::kIpv4};
  cases.push_back({"secintel ipv4", secintel_ip});
  cases.push_back({"checkpoint", make("bench_checkpoint", FeedFormat::kCheckPoint)});
  cases.push_back({"json", make("bench_json", FeedFormat::kJson)});
  return cases;
}

void RunCase(const Case& c, Store& store, const Policy& policy, const Clock& clock,
             const std::vector<FeedEntry>& all, const Args& args) {
  std::vector<FeedEntry> selected;
  for (const FeedEntry& entry : all) {
    if (feeds_internal::FormatPublishes(c.config, entry.indicator.kind)) selected.push_back(entry);
  }
  FeedBuilder builder({c.config}, SecIntelOptions{}, &policy, &store, &clock);
  size_t body_bytes = 0;
  uint64_t entries = 0;
  std::string version;
  auto build = Time(args.runs, [&] {
    auto result = builder.Build();
    if (!result.ok()) Die("Build", result.status());
    body_bytes = result->set.files.front()->body.size();
    version = result->set.files.front()->version;
    entries = result->reports.front().entries;
  });
  auto renderer = NewRenderer(c.config.format);
  auto render = Time(args.runs, [&] {
    RenderedFeed feed = renderer->Render(c.config, selected, RenderInfo{version, 0});
    if (feed.body.size() != body_bytes) {
      std::fprintf(stderr, "render_1m: %s: Render and Build sizes differ\n", c.label);
    }
  });
  std::printf("%-16s %9zu %9llu %8.1f %8.3f %8.3f %8.3f %8.3f\n", c.label, selected.size(),
              static_cast<unsigned long long>(entries), static_cast<double>(body_bytes) / 1e6,
              build.front(), Median(build), render.front(), Median(render));
}

// Resident set size now, in bytes (/proc/self/statm).
double ResidentBytes() {
  long pages_total = 0, pages_resident = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(statm);
  }
  return static_cast<double>(pages_resident) * 4096.0;
}

// The seven feeds of config/guardfeed.example.toml.
std::vector<FeedConfig> ExampleFeeds() {
  auto make = [](const char* name, FeedFormat format, std::vector<IndicatorKind> kinds,
                 size_t max_entries) {
    FeedConfig config;
    config.name = name;
    config.format = format;
    config.kinds = std::move(kinds);
    config.max_entries = max_entries;
    return config;
  };
  const IndicatorKind v4 = IndicatorKind::kIpv4, v6 = IndicatorKind::kIpv6,
                      domain = IndicatorKind::kDomain;
  std::vector<FeedConfig> feeds;
  feeds.push_back(make("fortigate_ip", FeedFormat::kPlain, {v4, v6}, 131072));
  feeds.back().crlf = true;
  feeds.push_back(make("paloalto_edl", FeedFormat::kPlain, {v4, v6}, 50000));
  feeds.back().aggregate = feeds.back().header = true;
  feeds.push_back(make("blocked_domains", FeedFormat::kPlain, {domain}, 0));
  feeds.push_back(make("gd_ip_feed", FeedFormat::kSecIntel, {v4}, 10000));
  feeds.push_back(make("gd_dns_feed", FeedFormat::kSecIntel, {domain}, 10000));
  feeds.push_back(make("checkpoint_ioc", FeedFormat::kCheckPoint, {v4, v6, domain}, 0));
  feeds.push_back(make("all_indicators", FeedFormat::kJson, {v4, v6, domain}, 0));
  return feeds;
}

double Percentile(const std::vector<double>& sorted, double p) {
  size_t at = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(at, sorted.size() - 1)];
}

void OneFindingAtATime(Store& store, LiveFeeds& live, const char* label);

void RunLive(Store& store, const Policy& policy, ManualClock& clock, size_t active,
             const Args& args) {
  const std::vector<FeedConfig> feeds = ExampleFeeds();
  std::printf("\nLiveFeeds, the example configuration's 7 feeds:\n");
  auto full = Time(args.runs, [&] {
    LiveFeeds live(feeds, SecIntelOptions{}, &policy, &store, &clock);
    if (Status s = live.Reload(); !s.ok()) Die("Reload", s);
    if (auto r = live.Render(); !r.ok()) Die("Render", r.status());
  });
  std::printf("full load + render of all 7 feeds: best %.3f s, median %.3f s\n", full.front(),
              Median(full));
  const double before = ResidentBytes();
  LiveFeeds live(feeds, SecIntelOptions{}, &policy, &store, &clock);
  auto load = Time(1, [&] {
    if (Status s = live.Reload(); !s.ok()) Die("Reload", s);
  });
  const double loaded = ResidentBytes();
  auto render = Time(1, [&] {
    if (auto r = live.Render(); !r.ok()) Die("Render", r.status());
  });
  const double rendered = ResidentBytes();
  std::printf("load %.3f s, render %.3f s; resident growth: %.0f bytes per active indicator "
              "after the load, %.0f with the 7 rendered bodies held\n",
              load.front(), render.front(), (loaded - before) / static_cast<double>(active),
              (rendered - before) / static_cast<double>(active));

  OneFindingAtATime(store, live, "all 7 feeds");
  // Without the two feeds that carry (nearly) every indicator: what the capped and per-kind
  // feeds cost on their own.
  std::vector<FeedConfig> small;
  for (const FeedConfig& feed : feeds) {
    if (feed.name != "all_indicators" && feed.name != "checkpoint_ioc") small.push_back(feed);
  }
  LiveFeeds small_live(small, SecIntelOptions{}, &policy, &store, &clock);
  if (auto r = small_live.Render(); !r.ok()) Die("Render", r.status());
  OneFindingAtATime(store, small_live, "5 feeds without all_indicators and checkpoint_ioc");
}

// 100 single findings, each Store::Apply then LiveFeeds::Update + Render of `live`; prints the
// percentiles under `label`.
void OneFindingAtATime(Store& store, LiveFeeds& live, const char* label) {
  // Seeded by the time, so a run on a reused store (--reuse) still brings new findings.
  const auto run_id = std::chrono::system_clock::now().time_since_epoch().count();
  std::mt19937_64 random(static_cast<uint64_t>(run_id));
  std::vector<double> apply_times, update_times, render_times;
  std::vector<std::string> changed_feeds;
  auto known = store.ActiveIndicators(kNow);
  if (!known.ok()) Die("ActiveIndicators", known.status());
  for (int i = 0; i < 100; ++i) {
    SightingRecord record;
    record.finding_id = "live" + std::to_string(run_id) + "-" + std::to_string(i);
    if (i % 2 == 0) {
      record.indicator = {IndicatorKind::kIpv4, FormatIpv4(RandomPublicIpv4(random))};
    } else {
      record.indicator = (*known)[random() % known->size()].indicator;
    }
    record.finding_type = "UnauthorizedAccess:EC2/SSHBruteForce";
    record.severity = 9.5;  // level 9: ranks into the capped feeds too
    record.account_id = "123456710000";
    record.region = "us-east-1";
    record.action_type = "NETWORK_CONNECTION";
    record.direction = "INBOUND";
    record.last_seen = kNow;
    record.first_seen = kNow;
    record.updated_at = kNow;
    record.expires_at = kNow + 90 * 86400;
    auto applied_at = std::chrono::steady_clock::now();
    if (auto applied = store.Apply({record}); !applied.ok()) Die("Apply", applied.status());
    auto started = std::chrono::steady_clock::now();
    if (Status s = live.Update(); !s.ok()) Die("Update", s);
    auto updated = std::chrono::steady_clock::now();
    auto result = live.Render();
    if (!result.ok()) Die("Render", result.status());
    auto done = std::chrono::steady_clock::now();
    apply_times.push_back(Seconds(started - applied_at));
    update_times.push_back(Seconds(done - started));
    render_times.push_back(Seconds(done - updated));
    if (i < 2) {
      std::string changed;
      for (const FeedReport& report : result->reports) {
        if (report.changed) changed += (changed.empty() ? "" : ",") + report.feed;
      }
      changed_feeds.push_back(changed);
    }
  }
  std::sort(update_times.begin(), update_times.end());
  std::sort(apply_times.begin(), apply_times.end());
  std::sort(render_times.begin(), render_times.end());
  std::printf("%s, one finding (100 times): Update + Render p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
              "Store::Apply p50 %.1f ms\n",
              label, Percentile(update_times, 0.5) * 1e3, Percentile(update_times, 0.99) * 1e3,
              update_times.back() * 1e3, Percentile(apply_times, 0.5) * 1e3);
  std::printf("  of which Render: p50 %.1f ms, p99 %.1f ms\n", Percentile(render_times, 0.5) * 1e3,
              Percentile(render_times, 0.99) * 1e3);
  std::printf("changed by a new indicator: %s\nchanged by a known one seen again: %s\n",
              changed_feeds[0].c_str(), changed_feeds[1].c_str());
}

int Run(const Args& args) {
  std::filesystem::path path(args.store);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (!args.reuse) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(args.store + suffix, ec);
    }
  }
  auto opened = OpenStore("sqlite://" + args.store);
  if (!opened.ok()) Die("OpenStore", opened.status());
  Store& store = **opened;
  if (!args.reuse) Populate(store, args);

  Policy policy{PolicyOptions{}};
  ManualClock clock(kNow);
  size_t active = 0;
  if (args.live_only) {
    {
      auto records = store.ActiveIndicators(kNow);
      if (!records.ok()) Die("ActiveIndicators", records.status());
      active = records->size();
    }
    RunLive(store, policy, clock, active, args);
    return 0;
  }
  auto store_read = Time(args.runs, [&] {
    auto records = store.ActiveIndicators(kNow);
    if (!records.ok()) Die("ActiveIndicators", records.status());
    active = records->size();
  });
  std::vector<FeedEntry> all;
  auto prepare = Time(1, [&] { all = LoadEntries(store, policy); });
  std::printf(
      "store read: %zu active indicators, ActiveIndicators best %.3f s, median %.3f s "
      "(%d runs)\n",
      active, store_read.front(), Median(store_read), args.runs);
  std::printf("store read + suppression + parse + sort (LoadEntries equivalent): %.3f s\n",
              prepare.front());
  std::printf("\n%-16s %9s %9s %8s %8s %8s %8s %8s\n", "format", "selected", "written", "MB",
              "build", "build", "render", "render");
  std::printf("%-16s %9s %9s %8s %8s %8s %8s %8s\n", "", "entries", "entries", "body", "best s",
              "median s", "best s", "median s");
  std::vector<FeedConfig> configs;
  for (const Case& c : Cases()) {
    RunCase(c, store, policy, clock, all, args);
    configs.push_back(c.config);
  }
  // The daemon builds every feed at once: one store read and sort shared by all of them.
  FeedBuilder every(configs, SecIntelOptions{}, &policy, &store, &clock);
  auto all_feeds = Time(args.runs, [&] {
    if (auto result = every.Build(); !result.ok()) Die("Build", result.status());
  });
  std::printf("%-16s %9s %9s %8s %8.3f %8.3f\n", "all 5 feeds", "", "", "", all_feeds.front(),
              Median(all_feeds));
  all.clear();
  all.shrink_to_fit();
  RunLive(store, policy, clock, active, args);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("\npeak RSS: %.0f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace
}  // namespace guardfeed::bench

int main(int argc, char** argv) {
  guardfeed::bench::Args args;
  if (!guardfeed::bench::ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: render_1m [--reuse] [--live-only] [--store PATH] [--indicators N] "
                 "[--mix mixed|ipv4] [--runs R] [--batch B]\n");
    return 2;
  }
  return guardfeed::bench::Run(args);
}
