// Indicator: one blockable value (an IPv4 or IPv6 address, or a domain name) in canonical text
// form, plus the parsing and normalisation rules every layer shares.
//
// Canonical forms: IPv4 dotted quad; IPv6 RFC 5952 text (IPv4-mapped ::ffff:a.b.c.d is IPv4);
// domains lowercase ASCII, no trailing dot, internationalised labels as punycode ("xn--").
//
// Thread safety: plain values and pure functions.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace guardfeed {

enum class IndicatorKind : uint8_t { kIpv4 = 0, kIpv6 = 1, kDomain = 2 };

// "ipv4", "ipv6", "domain".
std::string_view KindName(IndicatorKind kind);
Result<IndicatorKind> ParseKindName(std::string_view name);

// An IP address in network byte order. IPv4 uses bytes[0..3] and leaves the rest zero.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  static IpAddress FromV4(uint32_t host_order);
  uint32_t V4() const;  // host order; only meaningful when !v6
  int BitWidth() const { return v6 ? 128 : 32; }
  auto operator<=>(const IpAddress&) const = default;
};

// Accepts dotted-quad IPv4 (no leading zeros) and any RFC 4291 IPv6 text. IPv4-mapped IPv6 becomes
// IPv4. Fails with a reason on anything else.
Result<IpAddress> ParseIpAddress(std::string_view text);
std::string FormatIpAddress(const IpAddress& address);

struct Indicator {
  IndicatorKind kind = IndicatorKind::kIpv4;
  std::string value;  // canonical text

  bool operator==(const Indicator&) const = default;
};

Result<Indicator> NormalizeIp(std::string_view text);
// Lowercases, strips one trailing dot, converts non-ASCII labels to punycode, and rejects names
// that no firewall could block (single labels, empty labels, bad characters, over 253 bytes).
Result<Indicator> NormalizeDomain(std::string_view text);
// An IP when the text parses as one, otherwise a domain.
Result<Indicator> NormalizeIndicator(std::string_view text);

// Encodes one label's Unicode code points with RFC 3492 punycode (without the "xn--" prefix).
Result<std::string> PunycodeEncode(const std::u32string& code_points);

}  // namespace guardfeed
