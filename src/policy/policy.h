// Policy: what becomes a block entry. Finding-level rules (severity threshold, finding-type
// include/exclude globs, samples, archived findings), indicator-level suppression (never-block
// special ranges, the configured allowlist), expiry (TTL by severity band and by type glob) and
// threat level (GuardDuty severity 1.0-10.0 -> SecIntel 1..10).
//
// Containment entries (core/indicator.h, docs/containment.md) follow rules of their own: one
// TTL, and only the containment allowlist suppresses them. The never-block ranges and the
// attacker allowlists (configured and stored) do not apply: our hosts have private addresses.
//
// policy/ depends on core/ and guardduty/ only.
// Thread safety: immutable after construction; share freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "guardduty/finding.h"
#include "policy/allowlist.h"

namespace guardfeed {

struct TtlRule {
  std::string type_glob;  // matched against Finding::type, '*' and '?' wildcards
  int64_t ttl_seconds = 0;
};

// [containment] (docs/containment.md). Off unless a feed has kinds = ["containment"].
struct ContainmentOptions {
  // Read our compromised instances' addresses and store them as containment entries. Set by the
  // configuration when some feed is a containment feed. Default false.
  bool enabled = false;
  // Seconds a containment entry stays listed after its finding was last seen ([containment]
  // ttl, 15m..30d). Default 24h: longer than GuardDuty's default 6-hour re-publication of an
  // ongoing finding, short enough that a cleaned host leaves quarantine within a day.
  int64_t ttl_seconds = 24 * 3600;
  // Our hosts never to quarantine (IPs and CIDRs; bastions, NAT instances) ([containment]
  // allowlist). Default: empty.
  Allowlist allowlist;
};

struct PolicyOptions {
  // Findings below this GuardDuty severity are skipped. Default 4.0 (Medium and up).
  double min_severity = 4.0;
  // Finding types to consider (globs). Empty: all types.
  std::vector<std::string> include_types;
  // Finding types to skip (globs), applied after include_types. Default: none.
  std::vector<std::string> exclude_types;
  // GuardDuty sample findings are skipped unless this is true. Default false.
  bool include_samples = false;
  // An archived finding withdraws the indicators it contributed. Default true.
  bool archived_withdraws = true;
  // Special range classes (core/special_ranges.h) that may be blocked anyway. Default: none.
  std::vector<std::string> allowed_range_classes;
  // Never block these (CIDRs and domain suffixes) regardless of findings. Default: empty.
  Allowlist allowlist;
  // TTL by severity band. Defaults: low 7d, medium 30d, high 90d, critical 180d.
  int64_t ttl_low = 7 * 86400;
  int64_t ttl_medium = 30 * 86400;
  int64_t ttl_high = 90 * 86400;
  int64_t ttl_critical = 180 * 86400;
  // TTL overrides by finding type; the first matching rule wins over the severity band.
  std::vector<TtlRule> ttl_by_type;
  // Containment of our own compromised instances. Default: off.
  ContainmentOptions containment;
};

enum class SkipReason {
  kNone,
  kBelowMinSeverity,
  kTypeNotIncluded,
  kTypeExcluded,
  kSample,
};
std::string_view SkipReasonName(SkipReason reason);  // "below_min_severity", ...

class Policy {
 public:
  explicit Policy(PolicyOptions options);

  const PolicyOptions& options() const { return options_; }

  // Whether the finding's indicators are considered at all.
  SkipReason Evaluate(const Finding& finding) const;
  // True when an archived finding's indicators should be withdrawn instead of added.
  bool Withdraws(const Finding& finding) const {
    return finding.archived && options_.archived_withdraws;
  }
  // Why the indicator must never be blocked ("private range 10.0.0.0/8", "allowlist
  // example.com"), or nullopt when it may be. `extra` is an additional allowlist (the store's,
  // managed at run time); it may be null. A containment entry is suppressed only by the
  // containment allowlist ("containment allowlist 10.0.9.0/24"); `extra` does not apply to it.
  std::optional<std::string> Suppression(const Indicator& indicator,
                                         const Allowlist* extra) const;
  // Seconds an indicator stays listed after it was last seen.
  int64_t Ttl(double severity, std::string_view finding_type) const;
  // Seconds a containment entry stays listed after it was last seen.
  int64_t ContainmentTtl() const { return options_.containment.ttl_seconds; }
  // Whether findings' own_hosts are read and stored (a containment feed is configured).
  bool ContainmentEnabled() const { return options_.containment.enabled; }
  // floor(severity) clamped to 1..10.
  static int ThreatLevel(double severity);

 private:
  PolicyOptions options_;
};

// Shell-style glob: '*' any run (including '/' and ':'), '?' one character. Case-sensitive.
bool GlobMatch(std::string_view glob, std::string_view text);

// Ranking for capped feeds: threat level desc, last seen desc, value asc. Deterministic.
struct RankKey {
  int threat_level;
  int64_t last_seen;
  std::string_view value;
};
bool RanksBefore(const RankKey& a, const RankKey& b);

}  // namespace guardfeed
