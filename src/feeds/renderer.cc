// NewRenderer and the text helpers every renderer shares (render_util.h).
#include "feeds/renderer.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/time_util.h"
#include "feeds/render_util.h"

namespace guardfeed {

std::unique_ptr<Renderer> NewRenderer(FeedFormat format) {
  switch (format) {
    case FeedFormat::kPlain:
      return feeds_internal::NewPlainRenderer();
    case FeedFormat::kSecIntel:
      return feeds_internal::NewSecIntelRenderer();
    case FeedFormat::kCheckPoint:
      return feeds_internal::NewCheckPointRenderer();
    case FeedFormat::kJson:
      return feeds_internal::NewJsonRenderer();
  }
  return nullptr;
}

namespace feeds_internal {
namespace {

// Two ASCII digits of 0..99.
void AppendTwoDigits(char* out, unsigned value) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

void AppendIpv4(std::string& out, uint32_t address) {
  char buffer[16];  // "255.255.255.255" is 15
  size_t length = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    unsigned octet = (address >> shift) & 0xFF;
    if (octet >= 100) buffer[length++] = static_cast<char>('0' + octet / 100);
    if (octet >= 10) buffer[length++] = static_cast<char>('0' + octet / 10 % 10);
    buffer[length++] = static_cast<char>('0' + octet % 10);
    if (shift > 0) buffer[length++] = '.';
  }
  out.append(buffer, length);
}

void AppendNetwork(std::string& out, const IpAddress& base, int prefix_len) {
  if (base.v6) {
    out += FormatIpAddress(base);
  } else {
    AppendIpv4(out, base.V4());
  }
  if (prefix_len == base.BitWidth()) return;
  out.push_back('/');
  AppendInt(out, prefix_len);
}

char* WriteIso8601(char* out, UnixSeconds seconds) {
  using namespace std::chrono;
  constexpr int64_t kSecondsPerDay = 86400;
  int64_t day_number = seconds / kSecondsPerDay;
  int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --day_number;
  }
  year_month_day date{sys_days{days{day_number}}};
  int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {  // outside what four digits can say: take the general path
    std::string text = FormatIso8601(seconds);
    size_t length = std::min(text.size(), kMaxIso8601Length);
    std::memcpy(out, text.data(), length);
    return out + length;
  }
  std::memcpy(out, "0000-00-00T00:00:00Z", 20);
  AppendTwoDigits(out, static_cast<unsigned>(year / 100));
  AppendTwoDigits(out + 2, static_cast<unsigned>(year % 100));
  AppendTwoDigits(out + 5, static_cast<unsigned>(date.month()));
  AppendTwoDigits(out + 8, static_cast<unsigned>(date.day()));
  auto sod = static_cast<unsigned>(second_of_day);
  AppendTwoDigits(out + 11, sod / 3600);
  AppendTwoDigits(out + 14, sod / 60 % 60);
  AppendTwoDigits(out + 17, sod % 60);
  return out + 20;
}

void AppendIso8601(std::string& out, UnixSeconds seconds) {
  char text[kMaxIso8601Length];
  out.append(text, WriteIso8601(text, seconds));
}

char* WriteJsonString(char* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '"';
  size_t plain_from = 0;  // runs that need no escaping are copied in one go
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    std::memcpy(out, text.data() + plain_from, i - plain_from);
    out += i - plain_from;
    plain_from = i + 1;
    if (byte == '"' || byte == '\\') {
      *out++ = '\\';
      *out++ = static_cast<char>(byte);
    } else {
      std::memcpy(out, "\\u00", 4);
      out[4] = kHex[byte >> 4];
      out[5] = kHex[byte & 0xF];
      out += 6;
    }
  }
  std::memcpy(out, text.data() + plain_from, text.size() - plain_from);
  out += text.size() - plain_from;
  *out++ = '"';
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) {
  const size_t old_size = out.size();
  out.resize(old_size + JsonStringBound(text.size()));
  char* end = WriteJsonString(out.data() + old_size, text);
  out.resize(static_cast<size_t>(end - out.data()));
}

bool FeedOrderLess(const FeedEntry& a, const FeedEntry& b) {
  // Containment entries after all the others: one address may be both (two entries).
  if (a.containment != b.containment) return b.containment;
  if (a.indicator.kind != b.indicator.kind) return a.indicator.kind < b.indicator.kind;
  if (a.indicator.kind == IndicatorKind::kDomain) return a.indicator.value < b.indicator.value;
  return a.address < b.address;
}

IndicatorKind SecIntelKind(const FeedConfig& config) {
  return config.Carries(IndicatorKind::kIpv4) ? IndicatorKind::kIpv4 : IndicatorKind::kDomain;
}

std::string_view SecIntelTypes(const FeedConfig& config) {
  return SecIntelKind(config) == IndicatorKind::kIpv4 ? "ip_addr threat_level" : "dn threat_level";
}

bool FormatPublishes(const FeedConfig& config, IndicatorKind kind) {
  if (!config.Carries(kind)) return false;
  switch (config.format) {
    case FeedFormat::kSecIntel:
      return kind == SecIntelKind(config);
    case FeedFormat::kCheckPoint:
      return kind != IndicatorKind::kIpv6;
    case FeedFormat::kPlain:
    case FeedFormat::kJson:
      return true;
  }
  return false;
}

}  // namespace feeds_internal
}  // namespace guardfeed
