#include "policy/allowlist.h"

#include <algorithm>

namespace guardfeed {
namespace {

// NormalizeDomain refuses single labels (no firewall blocks "com" as a name), but an allowlist
// suffix may be one: such a label is normalised as the only child of a placeholder label, so
// that it follows exactly the rules of every other label.
constexpr std::string_view kPlaceholder = "x.";

Result<std::string> CanonicalDomain(std::string_view entry) {
  std::string_view domain = entry;
  if (domain.starts_with("*.")) {
    domain.remove_prefix(2);  // "*.example.com" means the suffix too
  } else if (domain.starts_with('.')) {
    domain.remove_prefix(1);  // so does ".example.com"
  }
  std::string_view bare = domain.ends_with('.') ? domain.substr(0, domain.size() - 1) : domain;
  const bool single_label = !bare.empty() && bare.find('.') == std::string_view::npos;
  auto normalized = single_label ? NormalizeDomain(std::string(kPlaceholder) + std::string(bare))
                                 : NormalizeDomain(domain);
  if (!normalized.ok()) {
    std::string reason = normalized.status().message();
    if (size_t at = reason.find("'" + std::string(kPlaceholder));
        single_label && at != reason.npos) {
      reason.erase(at + 1, kPlaceholder.size());
    }
    return Status::InvalidArgument("allowlist entry '" + std::string(entry) +
                                   "' is neither an IP, a CIDR nor a domain: " + reason);
  }
  std::string value = std::move(normalized->value);
  if (single_label) value.erase(0, kPlaceholder.size());
  return value;
}

// "any IPv4 address" for /0, else "any of its 2^N IPv4 addresses".
std::string WhatItHides(const Cidr& cidr) {
  const std::string family = cidr.base.v6 ? "IPv6" : "IPv4";
  int host_bits = cidr.base.BitWidth() - cidr.prefix_len;
  if (cidr.prefix_len == 0) return "any " + family + " address";
  return "any of its 2^" + std::to_string(host_bits) + " " + family + " addresses";
}

}  // namespace

Result<std::string> Allowlist::Canonicalize(std::string_view entry) {
  if (auto cidr = ParseCidr(entry); cidr.ok()) {
    // A single address is written bare; networks keep their prefix.
    return cidr->prefix_len == cidr->base.BitWidth() ? FormatIpAddress(cidr->base)
                                                     : cidr->ToString();
  } else if (entry.find('/') != std::string_view::npos) {
    return cidr.status();
  }
  return CanonicalDomain(entry);
}

Status Allowlist::CheckWidth(std::string_view entry, const AllowlistWidthLimits& limits) {
  auto canonical = Canonicalize(entry);
  if (!canonical.ok()) return canonical.status();
  if (auto cidr = ParseCidr(*canonical); cidr.ok()) {
    const int min_prefix = cidr->base.v6 ? limits.min_ipv6_prefix : limits.min_ipv4_prefix;
    if (cidr->prefix_len >= min_prefix) return Status::Ok();
    return Status::InvalidArgument(*canonical + " would never block " + WhatItHides(*cidr) +
                                   ": allowlist entries wider than /" + std::to_string(min_prefix) +
                                   " need force");
  }
  if (canonical->find('.') != std::string::npos) return Status::Ok();
  return Status::InvalidArgument(*canonical + " would never block any domain under ." + *canonical +
                                 ": allowlist entries that are a top-level domain need force");
}

Status Allowlist::Add(std::string_view entry) {
  auto canonical = Canonicalize(entry);
  if (!canonical.ok()) return canonical.status();
  if (auto cidr = ParseCidr(*canonical); cidr.ok()) {
    if (std::find(cidrs_.begin(), cidrs_.end(), *cidr) == cidrs_.end()) cidrs_.push_back(*cidr);
    return Status::Ok();
  }
  auto it = std::lower_bound(domains_.begin(), domains_.end(), *canonical);
  if (it == domains_.end() || *it != *canonical) domains_.insert(it, std::move(*canonical));
  return Status::Ok();
}

std::optional<std::string> Allowlist::Match(const Indicator& indicator) const {
  if (indicator.kind == IndicatorKind::kDomain) {
    // Check every suffix of the domain at label boundaries against the sorted list.
    std::string_view rest = indicator.value;
    while (true) {
      if (std::binary_search(domains_.begin(), domains_.end(), rest)) return std::string(rest);
      size_t dot = rest.find('.');
      if (dot == std::string_view::npos) return std::nullopt;
      rest.remove_prefix(dot + 1);
    }
  }
  auto address = ParseIpAddress(indicator.value);
  if (!address.ok()) return std::nullopt;
  for (const Cidr& cidr : cidrs_) {
    if (cidr.Contains(*address)) {
      return cidr.prefix_len == cidr.base.BitWidth() ? FormatIpAddress(cidr.base) : cidr.ToString();
    }
  }
  return std::nullopt;
}

}  // namespace guardfeed
