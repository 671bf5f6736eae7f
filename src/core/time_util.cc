#include "core/time_util.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

namespace guardfeed {
namespace {

bool ReadInt(std::string_view text, size_t pos, size_t len, int& out) {
  if (pos + len > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

Status BadTimestamp(std::string_view text) {
  return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) +
                                 "' is not an ISO-8601 timestamp");
}

Status DurationTooLarge(std::string_view text) {
  return Status::InvalidArgument("duration '" + std::string(text.substr(0, 64)) +
                                 "' is too large (more than 2^63-1 seconds)");
}

}  // namespace

Result<UnixSeconds> ParseIso8601(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (!ReadInt(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !ReadInt(text, 5, 2, month) || text[7] != '-' || !ReadInt(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !ReadInt(text, 11, 2, hour) || text[13] != ':' ||
      !ReadInt(text, 14, 2, minute) || text[16] != ':' || !ReadInt(text, 17, 2, second)) {
    return BadTimestamp(text);
  }
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return BadTimestamp(text);
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  int offset_seconds = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!ReadInt(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadInt(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return BadTimestamp(text);
    }
    offset_seconds = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  }
  if (pos != text.size()) return BadTimestamp(text);
  auto days = sys_days(date).time_since_epoch().count();
  return int64_t{days} * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
}

std::string FormatIso8601(UnixSeconds seconds) {
  using namespace std::chrono;
  // Years 0001-9999 only: a saturated "never" (AddSeconds) must not reach the calendar
  // arithmetic, whose year is an int.
  constexpr UnixSeconds kFirst = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr UnixSeconds kLast = 253402300799;   // 9999-12-31T23:59:59Z
  sys_seconds tp{std::chrono::seconds(std::clamp(seconds, kFirst, kLast))};
  auto day_point = floor<days>(tp);
  year_month_day date{day_point};
  hh_mm_ss time{tp - day_point};
  char out[32];
  std::snprintf(out, sizeof(out), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return out;
}

std::string FormatYyyymmdd(UnixSeconds seconds) {
  std::string iso = FormatIso8601(seconds);  // "YYYY-MM-DDT..."
  std::string out;
  out.reserve(8);
  out.append(iso, 0, 4).append(iso, 5, 2).append(iso, 8, 2);
  return out;
}

Result<int64_t> ParseDuration(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return DurationTooLarge(text);
  if (ec != std::errc() || value < 0 || end == text.data()) {
    return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) +
                                   "' is not a duration (expected e.g. 3600, 90s, 15m, 12h, 30d)");
  }
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = unit.empty() || unit == "s" ? 1
                  : unit == "m"               ? 60
                  : unit == "h"               ? 3600
                  : unit == "d"               ? 86400
                  : unit == "w"               ? 7 * 86400
                                              : 0;
  if (scale == 0) {
    return Status::InvalidArgument("unknown duration unit '" + std::string(unit.substr(0, 16)) +
                                   "' in '" + std::string(text.substr(0, 64)) +
                                   "' (use s, m, h, d or w)");
  }
  if (value > std::numeric_limits<int64_t>::max() / scale) return DurationTooLarge(text);
  return value * scale;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds != 0 && seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds != 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds != 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

UnixSeconds AddSeconds(UnixSeconds t, int64_t d) {
  UnixSeconds sum = 0;
  if (!__builtin_add_overflow(t, d, &sum)) return sum;
  return d > 0 ? std::numeric_limits<UnixSeconds>::max() : std::numeric_limits<UnixSeconds>::min();
}

}  // namespace guardfeed
