// Feeds: the configured block lists and the immutable snapshots rendered from them.
//
// A Snapshot is one published file: its bytes, content type and ETag never change after it is
// built, so it can be shared between threads and served while the next one is being rendered.
// Every renderer is byte-stable: the same entries give the same bytes (formats: docs/formats.md).
//
// feeds/ depends on core/, policy/ and store/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/indicator.h"

namespace guardfeed {

enum class FeedFormat { kPlain, kSecIntel, kCheckPoint, kJson };
std::string_view FormatName(FeedFormat format);  // "plain", "secintel", "checkpoint", "json"
Result<FeedFormat> ParseFormatName(std::string_view name);

struct FeedConfig {
  std::string name;  // [A-Za-z0-9_-]; SecIntel feeds: 8..64 of [A-Za-z0-9_]
  FeedFormat format = FeedFormat::kPlain;
  // Indicator kinds carried. Default: all three (SecIntel: ipv4 and domain only, one per feed).
  std::vector<IndicatorKind> kinds = {IndicatorKind::kIpv4, IndicatorKind::kIpv6,
                                      IndicatorKind::kDomain};
  int min_threat_level = 1;  // 1..10; default 1 (everything policy accepted)
  size_t max_entries = 0;    // 0 = unlimited; over the cap the lowest-ranked entries are dropped
  // plain: merge adjacent/overlapping addresses into CIDRs. Default false.
  bool aggregate = false;
  // plain: "\r\n" line endings (the Fortinet Lambda's bytes). Default false (LF).
  bool crlf = false;
  // plain: a leading "# ..." comment line (Palo Alto and pfSense accept it; FortiGate does not).
  bool header = false;
  // checkpoint: CONFIDENCE column value. Default "high".
  std::string confidence = "high";
  // checkpoint: PRODUCT column value: "AB" (Anti-Bot, the blade for traffic to and from bad
  // hosts, and what Check Point's own examples give IPs) or "AV" (Anti-Virus).
  std::string product = "AB";
  // A containment feed (kinds = ["containment"], docs/containment.md): it lists our own
  // compromised instances' addresses (containment entries, as plain IPs) and nothing else;
  // `kinds` is then {ipv4, ipv6}. Every other feed never lists a containment entry. Default false.
  bool containment = false;

  bool Carries(IndicatorKind kind) const;
};

// The feed's kinds as configured: "ipv4,ipv6,domain", or "containment".
std::string KindsText(const FeedConfig& feed);

// One active indicator as a feed sees it.
struct FeedEntry {
  Indicator indicator;
  IpAddress address;  // parsed form for IPs (sorting, aggregation); unused for domains
  int threat_level = 1;
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
  UnixSeconds expires_at = 0;
  int64_t finding_count = 0;
  // A containment entry: `indicator` holds the plain address (the store's value without
  // "instance:"); only containment feeds carry it.
  bool containment = false;
};

struct Snapshot {
  std::string feed;          // feed name ("" for shared SecIntel files)
  std::string path;          // file name relative to the publish root: "fortigate_ip.txt",
                             // "manifest.xml", "cc_schema", "gd_ip_feed"
  std::string content_type;  // e.g. "text/plain; charset=utf-8"
  FeedFormat format = FeedFormat::kPlain;  // the feed's format (shared SecIntel files: kSecIntel)
  std::string body;
  // Strong ETag, quotes included: "\"sha256-hex\"" of body; for a feed body of at least
  // kDerivedEtagMinBytes rendered by LiveFeeds, of its content digest and version instead
  // (the body is a pure function of those), so a 184 MB body is not hashed on every change.
  std::string etag;
  uint64_t entries = 0;     // lines/objects in the feed (after aggregation)
  uint64_t dropped = 0;     // entries dropped by max_entries
  std::string version;      // feed version ("20261122.3" for SecIntel, serial otherwise)
  UnixSeconds data_ts = 0;  // when the content last changed
  // The entries this file was rendered from (after filtering and the cap, before aggregation),
  // in feed order. Filled by FeedBuilder for every per-feed file; null for shared files
  // (manifest.xml, cc_schema). Publishers that push entries rather than bytes (ATP Cloud) read
  // the (value, threat_level) pairs from here. Immutable and shared, like the snapshot itself.
  std::shared_ptr<const std::vector<FeedEntry>> feed_entries;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// Every file of one render, in publish order: data files first, SecIntel manifest last, so a
// publisher writing them in order never exposes a manifest pointing at missing data.
struct FeedSet {
  std::vector<SnapshotPtr> files;
  UnixSeconds generated_at = 0;

  // The snapshot published at `path`, or null.
  SnapshotPtr Find(std::string_view path) const;
};

// Builds a Snapshot, filling etag from body.
SnapshotPtr MakeSnapshot(Snapshot snapshot);

// Feed bodies at least this large get an ETag derived from their content digest and version
// (Snapshot::etag); smaller ones, the hash of their bytes.
inline constexpr size_t kDerivedEtagMinBytes = 1024 * 1024;

}  // namespace guardfeed
