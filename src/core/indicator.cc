#include "core/indicator.h"

#include <arpa/inet.h>
#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <utility>

namespace guardfeed {
namespace {

constexpr size_t kMaxDomainLength = 253;
constexpr size_t kMaxLabelLength = 63;

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Decodes UTF-8; fails on malformed sequences so garbage never reaches punycode.
Result<std::u32string> DecodeUtf8(std::string_view text) {
  const Status kInvalid = Status::InvalidArgument("invalid UTF-8 in domain");
  std::u32string out;
  for (size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    char32_t cp = byte;
    if ((byte & 0xE0) == 0xC0) {
      extra = 1, cp = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      extra = 2, cp = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      extra = 3, cp = byte & 0x07;
    } else if (byte >= 0x80) {
      return kInvalid;
    }
    if (i + extra >= text.size()) return kInvalid;
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return kInvalid;
      cp = (cp << 6) | (next & 0x3F);
    }
    // Overlong forms and surrogates are not UTF-8: each would be a second spelling of a name.
    static constexpr char32_t kLeast[] = {0, 0x80, 0x800, 0x10000};
    if (cp > 0x10FFFF || cp < kLeast[extra] || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

// Code points a reader cannot see or that steer the text (controls, zero-width and joiner
// characters, bidirectional controls, variation selectors, byte-order mark, tags): IDNA
// (UTS #46) maps them to nothing or disallows them, so a name holding one is an attempt to
// look like another name, never a name to block.
bool IsHiddenCodePoint(char32_t cp) {
  static constexpr std::pair<char32_t, char32_t> kRanges[] = {
      {0x80, 0x9F},       {0xAD, 0xAD},       {0x34F, 0x34F},     {0x61C, 0x61C},
      {0x115F, 0x1160},   {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x200B, 0x200F},
      {0x2028, 0x202E},   {0x2060, 0x206F},   {0x3164, 0x3164},   {0xFE00, 0xFE0F},
      {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFF},   {0x1BCA0, 0x1BCA3},
      {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
  };
  return std::any_of(std::begin(kRanges), std::end(kRanges),
                     [cp](const auto& range) { return cp >= range.first && cp <= range.second; });
}

// Unicode's simple lowercase mapping (from glibc's C.UTF-8 tables, whatever the process locale),
// so "MÜNCHEN" and "münchen" are one name; ASCII only if that locale is missing.
char32_t ToLower(char32_t cp) {
  if (cp < 0x80) return (cp >= U'A' && cp <= U'Z') ? cp - U'A' + U'a' : cp;
  static const locale_t kUtf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  if (kUtf8 == locale_t{}) return cp;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), kUtf8));
}

Result<std::string> NormalizeLabel(std::string_view label) {
  if (label.empty()) return Status::InvalidArgument("empty label in domain");
  bool ascii = std::all_of(label.begin(), label.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string out;
  if (ascii) {
    out.reserve(label.size());
    for (char c : label) {
      char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (!IsLabelChar(lower)) {
        return Status::InvalidArgument(std::string("character '") + c + "' not allowed in domain");
      }
      out.push_back(lower);
    }
  } else {
    auto code_points = DecodeUtf8(label);
    if (!code_points.ok()) return code_points.status();
    for (char32_t& cp : *code_points) {
      cp = ToLower(cp);
      if (cp < 0x80 && !IsLabelChar(static_cast<char>(cp))) {
        return Status::InvalidArgument("character not allowed in domain");
      }
      if (IsHiddenCodePoint(cp)) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
        return Status::InvalidArgument(std::string("invisible or control character ") + hex +
                                       " in domain");
      }
    }
    // Letters that lowercase to ASCII (KELVIN SIGN to 'k', U+0130 to 'i') leave an ASCII name,
    // as IDNA maps them; it is written as such, not as a punycode label.
    if (std::all_of(code_points->begin(), code_points->end(), [](char32_t c) { return c < 0x80; })) {
      for (char32_t cp : *code_points) out.push_back(static_cast<char>(cp));
    } else {
      auto encoded = PunycodeEncode(*code_points);
      if (!encoded.ok()) return encoded.status();
      out = "xn--" + *encoded;
    }
  }
  if (out.size() > kMaxLabelLength) return Status::InvalidArgument("domain label over 63 bytes");
  if (out.front() == '-' || out.back() == '-') {
    return Status::InvalidArgument("domain label starts or ends with '-'");
  }
  return out;
}

}  // namespace

std::string_view KindName(IndicatorKind kind) {
  switch (kind) {
    case IndicatorKind::kIpv4: return "ipv4";
    case IndicatorKind::kIpv6: return "ipv6";
    case IndicatorKind::kDomain: return "domain";
  }
  return "unknown";
}

Result<IndicatorKind> ParseKindName(std::string_view name) {
  if (name == "ipv4") return IndicatorKind::kIpv4;
  if (name == "ipv6") return IndicatorKind::kIpv6;
  if (name == "domain") return IndicatorKind::kDomain;
  return Status::InvalidArgument("unknown indicator kind '" + std::string(name) +
                                 "' (expected ipv4, ipv6 or domain)");
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress address;
  address.bytes[0] = static_cast<uint8_t>(host_order >> 24);
  address.bytes[1] = static_cast<uint8_t>(host_order >> 16);
  address.bytes[2] = static_cast<uint8_t>(host_order >> 8);
  address.bytes[3] = static_cast<uint8_t>(host_order);
  return address;
}

uint32_t IpAddress::V4() const {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

Result<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty IP address");
  if (text.size() > 45) return Status::InvalidArgument("IP address too long");
  // inet_pton stops at a NUL byte; "1.2.3.4\0junk" must not pass as 1.2.3.4.
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("NUL byte in IP address");
  }
  std::string buffer(text);
  IpAddress address;
  if (inet_pton(AF_INET, buffer.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, buffer.c_str(), address.bytes.data()) != 1) {
    return Status::InvalidArgument("'" + buffer + "' is not an IPv4 or IPv6 address");
  }
  static constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin())) {
    return IpAddress::FromV4((uint32_t{address.bytes[12]} << 24) | (uint32_t{address.bytes[13]} << 16) |
                             (uint32_t{address.bytes[14]} << 8) | uint32_t{address.bytes[15]});
  }
  address.v6 = true;
  return address;
}

std::string FormatIpAddress(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof(text));
  return text;
}

Result<Indicator> NormalizeIp(std::string_view text) {
  auto address = ParseIpAddress(text);
  if (!address.ok()) return address.status();
  return Indicator{address->v6 ? IndicatorKind::kIpv6 : IndicatorKind::kIpv4,
                   FormatIpAddress(*address)};
}

Result<Indicator> NormalizeDomain(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return Status::InvalidArgument("empty domain");
  if (text.size() > 4 * kMaxDomainLength) return Status::InvalidArgument("domain too long");
  std::string out;
  size_t labels = 0;
  while (true) {
    size_t dot = text.find('.');
    auto label = NormalizeLabel(text.substr(0, dot));
    if (!label.ok()) return label.status();
    if (!out.empty()) out.push_back('.');
    out += *label;
    ++labels;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  if (labels < 2) return Status::InvalidArgument("'" + out + "' is a single label, not a domain");
  if (out.size() > kMaxDomainLength) return Status::InvalidArgument("domain over 253 bytes");
  std::string_view tld(out);
  tld.remove_prefix(out.rfind('.') + 1);
  if (std::all_of(tld.begin(), tld.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("'" + out + "' has a numeric top-level label");
  }
  return Indicator{IndicatorKind::kDomain, std::move(out)};
}

Result<Indicator> NormalizeIndicator(std::string_view text) {
  if (auto ip = NormalizeIp(text); ip.ok()) return ip;
  const std::string_view prefix = kContainmentPrefix;
  if (text.size() >= prefix.size() &&
      std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
        return a == ((b >= 'A' && b <= 'Z') ? static_cast<char>(b - 'A' + 'a') : b);
      })) {
    auto entry = ContainmentIndicator(text.substr(prefix.size()));
    if (!entry.ok()) {
      return Status::InvalidArgument("containment entry '" + std::string(text) +
                                     "': " + entry.status().message());
    }
    return entry;
  }
  return NormalizeDomain(text);
}

bool IsContainment(const Indicator& indicator) {
  return indicator.kind != IndicatorKind::kDomain &&
         std::string_view(indicator.value).starts_with(kContainmentPrefix);
}

Result<Indicator> ContainmentIndicator(std::string_view address) {
  auto ip = NormalizeIp(address);
  if (!ip.ok()) return ip.status();
  ip->value.insert(0, kContainmentPrefix);
  return ip;
}

Indicator ContainmentAddress(const Indicator& indicator) {
  if (!IsContainment(indicator)) return indicator;
  return Indicator{indicator.kind, indicator.value.substr(kContainmentPrefix.size())};
}

// RFC 3492 section 6.3, with the bootstring parameters of section 5.
Result<std::string> PunycodeEncode(const std::u32string& input) {
  constexpr uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
  auto adapt = [&](uint32_t delta, uint32_t points, bool first) {
    delta = first ? delta / kDamp : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((kBase - kTMin) * kTMax) / 2) {
      delta /= kBase - kTMin;
      k += kBase;
    }
    return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
  };
  auto digit = [](uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); };
  std::string out;
  for (char32_t cp : input) {
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
  }
  uint32_t basic = static_cast<uint32_t>(out.size());
  uint32_t handled = basic;
  if (basic > 0) out.push_back('-');
  uint32_t n = 0x80, delta = 0, bias = 72;
  while (handled < input.size()) {
    uint32_t m = UINT32_MAX;
    for (char32_t cp : input) {
      if (cp >= n && cp < m) m = cp;
    }
    if ((m - n) > (UINT32_MAX - delta) / (handled + 1)) {
      return Status::InvalidArgument("punycode overflow");
    }
    delta += (m - n) * (handled + 1);
    n = m;
    for (char32_t cp : input) {
      if (cp < n && ++delta == 0) return Status::InvalidArgument("punycode overflow");
      if (cp != n) continue;
      uint32_t q = delta;
      for (uint32_t k = kBase;; k += kBase) {
        uint32_t t = k <= bias ? kTMin : k >= bias + kTMax ? kTMax : k - bias;
        if (q < t) break;
        out.push_back(digit(t + (q - t) % (kBase - t)));
        q = (q - t) / (kBase - t);
      }
      out.push_back(digit(q));
      bias = adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

}  // namespace guardfeed
