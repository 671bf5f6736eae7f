#include "unit/store/copy_checks.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "store/copy.h"

namespace guardfeed::testing {
namespace {

// ---- Filling ----

void MustOk(const Status& status) { ASSERT_TRUE(status.ok()) << status.ToString(); }

void MustApply(Store& store, const std::vector<SightingRecord>& batch) {
  Result<ApplyResult> result = store.Apply(batch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

SightingRecord Of(IndicatorKind kind, const std::string& finding, const std::string& value,
                  UnixSeconds updated_at = kT0, double severity = 5.0) {
  SightingRecord s = Sighting(finding, value, updated_at, severity);
  s.indicator.kind = kind;
  return s;
}

// Live sightings: two findings on one address with different labels, IPv6, a domain with
// unusual text, an inexact severity, a count above one, and an address that has expired by
// kCopyNow.
std::vector<SightingRecord> LiveSightings() {
  SightingRecord second = Sighting("f-2", "198.51.100.7", kT0 + kDay, 7.3);
  second.account_id = "210987654321";
  second.action_type = "NETWORK_CONNECTION";
  second.count = 4;
  SightingRecord domain = Of(IndicatorKind::kDomain, "f-3", "evil.example", kT0, 8.0);
  domain.finding_type = "Trojan:EC2/DNSDataExfiltration \xc3\xa9";
  domain.region = "eu-west-1\x01\x7fx";  // control bytes (NUL never reaches a store: ingest.cc)
  domain.field = "service.action.dnsRequestAction.domain";
  SightingRecord expired = Sighting("f-4", "203.0.113.9", kT0 - 5 * kDay);
  expired.expires_at = kT0;
  return {Sighting("f-1", "198.51.100.7"),
          Of(IndicatorKind::kIpv6, "f-1", "2001:db8::5"),
          second,
          domain,
          expired,
          Sighting("f-5", "192.0.2.10")};
}

// Withdrawals (archived findings): 192.0.2.10 loses its only finding; 192.0.2.99 was withdrawn
// from its first delivery and has sightings but no indicator row.
std::vector<SightingRecord> Withdrawals() {
  SightingRecord archived = Sighting("f-5", "192.0.2.10", kT0 + 2 * kDay);
  archived.withdrawn = true;
  archived.expires_at = 0;
  SightingRecord only = Sighting("f-6", "192.0.2.99", kT0 + 2 * kDay);
  only.withdrawn = true;
  only.expires_at = 0;
  return {archived, only};
}

void FillManualTables(Store& store) {
  const Indicator v6{IndicatorKind::kIpv6, "2001:db8::5"};
  const Indicator expired{IndicatorKind::kIpv4, "203.0.113.9"};
  MustOk(store.Remove(v6, "scanner we run \x01!", "cli:alice", kCopyNow - 60));
  MustOk(store.Remove(expired, "test", "cli:bob", kCopyNow - 50));
  MustOk(store.Unremove(expired, "cli:bob", kCopyNow - 40));  // leaves an unremoval mark
  MustOk(store.AddAllowlist({"10.0.0.0/8", "office", "cli:alice", kCopyNow - 30}));
  MustOk(store.AddAllowlist({"example.org", "partner \xe2\x9c\x93", "api:ops", kCopyNow - 20}));
  MustOk(store.AddAllowlist({"172.16.0.0/12", "", "cli:alice", kCopyNow - 10}));
  MustOk(store.RemoveAllowlist("172.16.0.0/12", "cli:alice", kCopyNow - 5));
  MustOk(store.PutFeedState({"fortigate", "digest-1", 3, "3", kT0}));
  Result<FeedAdvance> advanced = store.AdvanceFeedState(
      "gd_ip_feed", "digest-2", kCopyNow, [](const FeedState*, int64_t serial, UnixSeconds) {
        return "20231124." + std::to_string(serial);
      });
  ASSERT_TRUE(advanced.ok()) << advanced.status().ToString();
  MustOk(store.PutPublisherState("s3:feeds/fortigate.txt", std::string("\0\xff\x01state\0", 9)));
  MustOk(store.PutPublisherState("atp:empty", ""));
}

// ---- Comparing ----

// Exact text of a double (hexadecimal), so that a copy that rounds is caught.
std::string Real(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%a", value);
  return text;
}

std::string Text(const Indicator& i) { return std::string(KindName(i.kind)) + ":" + i.value; }
std::string Text(const IndicatorRecord& r) {
  return Text(r.indicator) + "|" + std::to_string(r.first_seen) + "|" +
         std::to_string(r.last_seen) + "|" + std::to_string(r.expires_at) + "|" +
         Real(r.max_severity) + "|" + std::to_string(r.finding_count);
}
std::string Text(const SightingRecord& r) {
  return r.finding_id + "|" + Text(r.indicator) + "|" + r.finding_type + "|" + Real(r.severity) +
         "|" + r.account_id + "|" + r.region + "|" + r.action_type + "|" + r.direction + "|" +
         r.field + "|" + std::to_string(r.first_seen) + "|" + std::to_string(r.last_seen) + "|" +
         std::to_string(r.updated_at) + "|" + std::to_string(r.count) + "|" +
         (r.withdrawn ? "withdrawn" : "live") + "|" + std::to_string(r.expires_at);
}
std::string Text(const RemovalRecord& r) {
  return Text(r.indicator) + "|" + r.reason + "|" + r.actor + "|" + std::to_string(r.removed_at);
}
std::string Text(const AllowlistRecord& r) {
  return r.entry + "|" + r.comment + "|" + r.actor + "|" + std::to_string(r.added_at);
}
std::string Text(const AuditRecord& r) {
  return std::to_string(r.at) + "|" + r.actor + "|" + r.action + "|" + r.target + "|" + r.detail;
}
std::string Text(const FeedState& r) {
  return r.feed + "|" + r.content_digest + "|" + std::to_string(r.serial) + "|" + r.version + "|" +
         std::to_string(r.data_ts);
}
std::string Text(const ChangedIndicator& c) {
  return Text(c.record) + (c.removed ? "|removed" : "|kept");
}
std::string Text(const TableDigest& d) {
  return d.table + "|" + std::to_string(d.rows) + "|" + d.sha256;
}
template <typename T>
std::string Text(const std::optional<T>& value) {
  return value.has_value() ? Text(*value) : "(none)";
}
std::string Text(const std::optional<std::string>& value) {
  return value.has_value() ? "=" + *value : "(none)";
}

template <typename T>
std::vector<std::string> Texts(const std::vector<T>& rows) {
  std::vector<std::string> out;
  for (const T& row : rows) out.push_back(Text(row));
  return out;
}

// The rows of a read as text, or one line naming the error.
template <typename T>
std::vector<std::string> Read(Result<std::vector<T>> rows) {
  if (!rows.ok()) return {"error: " + rows.status().ToString()};
  return Texts(*rows);
}
template <typename T>
std::string ReadOne(Result<T> row) {
  return row.ok() ? Text(*row) : "error: " + row.status().ToString();
}

// The indicators (of sightings, indicator rows and removals), feed names and publisher keys of a
// store, from its export.
struct Keys {
  std::set<std::string> feeds;
  std::set<std::string> publisher_keys;
  std::map<std::string, Indicator> indicators;  // by value
};

void CollectKeys(Store& store, Keys& keys) {
  int64_t counter = 0;
  Status status = store.ExportRows(1000, counter, [&keys](const StoreRows& rows) {
    for (const SightingRecord& s : rows.sightings)
      keys.indicators.emplace(s.indicator.value, s.indicator);
    for (const IndicatorRecord& r : rows.indicators)
      keys.indicators.emplace(r.indicator.value, r.indicator);
    for (const RemovalRecord& r : rows.removals)
      keys.indicators.emplace(r.indicator.value, r.indicator);
    for (const FeedState& f : rows.feed_states) keys.feeds.insert(f.feed);
    for (const auto& [key, value] : rows.publisher_states) keys.publisher_keys.insert(key);
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << store.Describe() << ": " << status.ToString();
}

IndicatorQuery AllIndicators(UnixSeconds now) {
  IndicatorQuery query;
  query.include_expired = true;
  query.now = now;
  query.limit = 0;  // no limit
  return query;
}

// ChangesSince(0) as a sorted list (the order is unspecified), with the allowlist flag.
std::vector<std::string> ChangesText(Store& store) {
  Result<StoreChanges> changes = store.ChangesSince(0);
  if (!changes.ok()) return {"error: " + changes.status().ToString()};
  std::vector<std::string> out = Texts(changes->indicators);
  std::sort(out.begin(), out.end());
  out.push_back(changes->allowlist_changed ? "allowlist changed" : "allowlist unchanged");
  out.push_back(changes->reset ? "reset" : "no reset");
  return out;
}

void ExpectSameIndicators(Store& a, Store& b, UnixSeconds now) {
  EXPECT_EQ(Read(a.ListIndicators(AllIndicators(now))), Read(b.ListIndicators(AllIndicators(now))));
  for (IndicatorState state : {IndicatorState::kActive, IndicatorState::kExpired,
                               IndicatorState::kWithdrawn, IndicatorState::kRemoved}) {
    IndicatorQuery query = AllIndicators(now);
    query.state = state;
    EXPECT_EQ(Read(a.ListIndicators(query)), Read(b.ListIndicators(query)))
        << IndicatorStateName(state);
  }
}

void ExpectSamePerKey(Store& a, Store& b, const Keys& keys) {
  for (const auto& [value, indicator] : keys.indicators) {
    EXPECT_EQ(Read(a.SightingsOf(indicator)), Read(b.SightingsOf(indicator))) << indicator.value;
    EXPECT_EQ(ReadOne(a.GetIndicator(indicator)), ReadOne(b.GetIndicator(indicator)));
    EXPECT_EQ(ReadOne(a.GetRemoval(indicator)), ReadOne(b.GetRemoval(indicator)));
  }
  for (const std::string& feed : keys.feeds) {
    EXPECT_EQ(ReadOne(a.GetFeedState(feed)), ReadOne(b.GetFeedState(feed))) << feed;
  }
  for (const std::string& key : keys.publisher_keys) {
    EXPECT_EQ(ReadOne(a.GetPublisherState(key)), ReadOne(b.GetPublisherState(key))) << key;
  }
}

}  // namespace

void FillEveryTable(Store& store) {
  MustApply(store, LiveSightings());
  MustApply(store, Withdrawals());
  FillManualTables(store);
}

void ExpectSameContents(Store& a, Store& b, UnixSeconds now) {
  SCOPED_TRACE(a.Describe() + " vs " + b.Describe());
  ExpectSameIndicators(a, b, now);
  Keys keys;
  CollectKeys(a, keys);
  CollectKeys(b, keys);
  ExpectSamePerKey(a, b, keys);
  EXPECT_EQ(Read(a.ListRemovals()), Read(b.ListRemovals()));
  EXPECT_EQ(Read(a.ListAllowlist()), Read(b.ListAllowlist()));
  EXPECT_EQ(Read(a.ListAudit(0)), Read(b.ListAudit(0)));
  EXPECT_EQ(ChangesText(a), ChangesText(b));
  EXPECT_EQ(Read(DigestStore(a, 1000)), Read(DigestStore(b, 1000)));
}

}  // namespace guardfeed::testing
