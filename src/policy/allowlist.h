// Allowlist: CIDRs and domain suffixes that must never be blocked. A domain entry matches the
// domain itself and every subdomain ("example.com" matches "a.example.com", not "badexample.com").
//
// Width rule: an entry so wide that it would hide a large part of the Internet from every feed
// (0.0.0.0/0, 2000::/3, "com") is refused unless the caller says it means it (`force`). The rule
// lives here, in CheckWidth, and every way in applies it: `guardfeed allow add`, the admin API's
// POST /v1/allowlist and the configuration's [policy] allowlist.
//
// Thread safety: immutable after construction is complete; Add is not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "core/status.h"

namespace guardfeed {

// The widest entries accepted without force. Configuration keys in brackets.
struct AllowlistWidthLimits {
  // IPv4 networks with a shorter prefix than this need force. Default 8 (a /7 or wider is
  // refused) ([policy] allowlist_min_ipv4_prefix, 0..32).
  int min_ipv4_prefix = 8;
  // IPv6 networks with a shorter prefix than this need force. Default 32 (an RIR allocation to a
  // large network) ([policy] allowlist_min_ipv6_prefix, 0..128).
  int min_ipv6_prefix = 32;
  // Single-label domains (a top-level domain such as "com") always need force.
};

class Allowlist {
 public:
  // Adds a CIDR, a bare IP or a domain suffix; fails on anything else. Does not apply the width
  // rule: callers taking new entries call CheckWidth first (stored entries were checked, or
  // forced, when they were added).
  Status Add(std::string_view entry);
  // The entry (in canonical text) that covers `indicator`, or nullopt.
  std::optional<std::string> Match(const Indicator& indicator) const;
  bool empty() const { return cidrs_.empty() && domains_.empty(); }
  size_t size() const { return cidrs_.size() + domains_.size(); }

  // The limits new entries are checked against where this allowlist is the configured one
  // (PolicyOptions::allowlist): the configuration sets them, and the CLI and the admin API read
  // them from the policy. Add and Match ignore them.
  const AllowlistWidthLimits& width_limits() const { return width_limits_; }
  void set_width_limits(const AllowlistWidthLimits& limits) { width_limits_ = limits; }

  // The canonical form an entry is stored under ("10.0.0.0/8", "example.com"). "*.example.com"
  // and ".example.com" mean "example.com"; a single label ("com") is a valid, if wide, entry.
  static Result<std::string> Canonicalize(std::string_view entry);

  // OK when `entry` is no wider than `limits` allow. Otherwise InvalidArgument saying what the
  // entry would hide and that it needs force, e.g. "0.0.0.0/0 would never block any IPv4
  // address: allowlist entries wider than /8 need force"; callers append how to force it. An
  // entry Canonicalize refuses fails with Canonicalize's message.
  static Status CheckWidth(std::string_view entry, const AllowlistWidthLimits& limits);

 private:
  std::vector<Cidr> cidrs_;
  std::vector<std::string> domains_;  // canonical, sorted
  AllowlistWidthLimits width_limits_;
};

}  // namespace guardfeed
