// Indicator: one blockable value (an IPv4 or IPv6 address, or a domain name) in canonical text
// form, plus the parsing and normalisation rules every layer shares.
//
// Canonical forms: IPv4 dotted quad; IPv6 RFC 5952 text (IPv4-mapped ::ffff:a.b.c.d is IPv4);
// domains lowercase ASCII, no trailing dot, internationalised labels as punycode ("xn--").
//
// Containment entries (docs/containment.md) are addresses of our own instances that GuardDuty
// names as the actor of an attack. They live in a keyspace of their own so they never mix with
// attacker indicators: kind ipv4 or ipv6, value "instance:" followed by the canonical address
// ("instance:10.0.0.5"). Only the ingest path (from Finding::own_hosts) and an operator's input
// (NormalizeIndicator) create them; guardduty/ never reports one as an indicator.
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
// An IP when the text parses as one, a containment entry for "instance:ADDRESS" (the prefix in
// any case), otherwise a domain. For operators' input (CLI, admin API); never for findings.
Result<Indicator> NormalizeIndicator(std::string_view text);

// The prefix of a containment entry's value.
inline constexpr std::string_view kContainmentPrefix = "instance:";
// True for a containment entry (an IP kind whose value starts with kContainmentPrefix).
bool IsContainment(const Indicator& indicator);
// The containment entry of one of our addresses: "10.0.0.5" -> {kIpv4, "instance:10.0.0.5"}.
// Fails as NormalizeIp does.
Result<Indicator> ContainmentIndicator(std::string_view address);
// The plain address a containment entry stands for ({kIpv4, "10.0.0.5"}); any other indicator
// is returned unchanged.
Indicator ContainmentAddress(const Indicator& indicator);

// Encodes one label's Unicode code points with RFC 3492 punycode (without the "xn--" prefix).
Result<std::string> PunycodeEncode(const std::u32string& code_points);

}  // namespace guardfeed
