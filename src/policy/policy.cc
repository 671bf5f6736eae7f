#include "policy/policy.h"

#include <algorithm>
#include <cmath>

#include "core/special_ranges.h"

namespace guardfeed {

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNone: return "none";
    case SkipReason::kBelowMinSeverity: return "below_min_severity";
    case SkipReason::kTypeNotIncluded: return "type_not_included";
    case SkipReason::kTypeExcluded: return "type_excluded";
    case SkipReason::kSample: return "sample";
  }
  return "unknown";
}

Policy::Policy(PolicyOptions options) : options_(std::move(options)) {}

SkipReason Policy::Evaluate(const Finding& finding) const {
  if (finding.sample && !options_.include_samples) return SkipReason::kSample;
  if (finding.severity < options_.min_severity) return SkipReason::kBelowMinSeverity;
  auto matches = [&](const std::string& glob) { return GlobMatch(glob, finding.type); };
  if (!options_.include_types.empty() &&
      std::none_of(options_.include_types.begin(), options_.include_types.end(), matches)) {
    return SkipReason::kTypeNotIncluded;
  }
  if (std::any_of(options_.exclude_types.begin(), options_.exclude_types.end(), matches)) {
    return SkipReason::kTypeExcluded;
  }
  return SkipReason::kNone;
}

std::optional<std::string> Policy::Suppression(const Indicator& indicator,
                                               const Allowlist* extra) const {
  if (IsContainment(indicator)) {
    const Indicator address = ContainmentAddress(indicator);
    if (!ParseIpAddress(address.value).ok()) return "unparsable address";
    if (auto entry = options_.containment.allowlist.Match(address)) {
      return "containment allowlist " + *entry;
    }
    return std::nullopt;
  }
  if (auto entry = options_.allowlist.Match(indicator)) return "allowlist " + *entry;
  if (extra != nullptr) {
    if (auto entry = extra->Match(indicator)) return "allowlist " + *entry;
  }
  if (indicator.kind == IndicatorKind::kDomain) return std::nullopt;
  auto address = ParseIpAddress(indicator.value);
  if (!address.ok()) return "unparsable address";
  const SpecialRange* range = FindSpecialRange(*address);
  if (range == nullptr) return std::nullopt;
  const auto& allowed = options_.allowed_range_classes;
  if (std::find(allowed.begin(), allowed.end(), range->range_class) != allowed.end()) {
    return std::nullopt;
  }
  return std::string(range->range_class) + " range " + std::string(range->cidr);
}

int64_t Policy::Ttl(double severity, std::string_view finding_type) const {
  for (const TtlRule& rule : options_.ttl_by_type) {
    if (GlobMatch(rule.type_glob, finding_type)) return rule.ttl_seconds;
  }
  if (severity >= 9.0) return options_.ttl_critical;
  if (severity >= 7.0) return options_.ttl_high;
  if (severity >= 4.0) return options_.ttl_medium;
  return options_.ttl_low;
}

int Policy::ThreatLevel(double severity) {
  if (!(severity >= 1.0)) return 1;  // also catches NaN
  return static_cast<int>(std::min(10.0, std::floor(severity)));
}

// Iterative glob with single-star backtracking: linear in practice, no recursion on hostile input.
bool GlobMatch(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g, ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++, resume = t;
    } else if (star != std::string_view::npos) {
      g = star + 1, t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool RanksBefore(const RankKey& a, const RankKey& b) {
  if (a.threat_level != b.threat_level) return a.threat_level > b.threat_level;
  if (a.last_seen != b.last_seen) return a.last_seen > b.last_seen;
  return a.value < b.value;
}

}  // namespace guardfeed
