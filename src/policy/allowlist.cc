#include "policy/allowlist.h"

#include <algorithm>

namespace guardfeed {

Result<std::string> Allowlist::Canonicalize(std::string_view entry) {
  if (auto cidr = ParseCidr(entry); cidr.ok()) {
    // A single address is written bare; networks keep their prefix.
    return cidr->prefix_len == cidr->base.BitWidth() ? FormatIpAddress(cidr->base)
                                                      : cidr->ToString();
  } else if (entry.find('/') != std::string_view::npos) {
    return cidr.status();
  }
  std::string_view domain = entry;
  if (domain.starts_with("*.")) domain.remove_prefix(2);  // "*.example.com" means the suffix too
  auto normalized = NormalizeDomain(domain);
  if (!normalized.ok()) {
    return Status::InvalidArgument("allowlist entry '" + std::string(entry) +
                                   "' is neither an IP, a CIDR nor a domain: " +
                                   normalized.status().message());
  }
  return normalized->value;
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
      return cidr.prefix_len == cidr.base.BitWidth() ? FormatIpAddress(cidr.base)
                                                      : cidr.ToString();
    }
  }
  return std::nullopt;
}

}  // namespace guardfeed
