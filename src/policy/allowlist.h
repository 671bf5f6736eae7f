// Allowlist: CIDRs and domain suffixes that must never be blocked. A domain entry matches the
// domain itself and every subdomain ("example.com" matches "a.example.com", not "badexample.com").
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

class Allowlist {
 public:
  // Adds a CIDR, a bare IP or a domain suffix; fails on anything else.
  Status Add(std::string_view entry);
  // The entry (in canonical text) that covers `indicator`, or nullopt.
  std::optional<std::string> Match(const Indicator& indicator) const;
  bool empty() const { return cidrs_.empty() && domains_.empty(); }
  size_t size() const { return cidrs_.size() + domains_.size(); }

  // The canonical form an entry is stored under ("10.0.0.0/8", "example.com").
  static Result<std::string> Canonicalize(std::string_view entry);

 private:
  std::vector<Cidr> cidrs_;
  std::vector<std::string> domains_;  // canonical, sorted
};

}  // namespace guardfeed
