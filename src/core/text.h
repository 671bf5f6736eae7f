// Small ASCII text helpers shared by every layer: the one home of trimming and case-insensitive
// comparison (parsers, HTTP headers, AWS files and configuration).
//
// ASCII only and independent of the C locale on purpose: the tokens compared here (header names,
// URL schemes, "Bearer", "true") are ASCII, and <cctype> answers differently under other locales.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace guardfeed {

// 'A'..'Z' to 'a'..'z'; every other byte unchanged.
constexpr char AsciiToLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
constexpr std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// True when `a` and `b` are equal ignoring ASCII case.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiToLower(a[i]) != AsciiToLower(b[i])) return false;
  }
  return true;
}

// True when `text` begins with `prefix`, ignoring ASCII case.
constexpr bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// `text` with 'A'..'Z' lowered.
inline std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiToLower(c);
  return out;
}

// `text` with each NUL byte replaced by U+FFFD (the replacement character): text a store keeps
// (PostgreSQL's above all) cannot hold NUL, and JSON can spell one ("\u0000").
inline void ReplaceNulBytes(std::string& text) {
  if (text.find('\0') == std::string::npos) return;
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  text = std::move(out);
}

// A byte count for messages, rounded down to its unit: "64 MiB", "512 KiB", "17 B" (whole GiB
// print as GiB). Configuration errors that must show the exact value use FormatSize (cli).
inline std::string SizeText(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0) {
    return std::to_string(bytes >> 30) + " GiB";
  }
  if (bytes >= (uint64_t{1} << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (uint64_t{1} << 10)) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

// A name, reason or comment typed by a person, fit for the audit log and key="value" log lines:
// surrounding space trimmed, control characters turned into spaces, '"' into '\'', and cut to at
// most `max_bytes` on a UTF-8 boundary.
inline std::string CleanActorText(std::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : TrimSpace(text)) {
    auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7f ? ' ' : c == '"' ? '\'' : c;
  }
  if (out.size() > max_bytes) {
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    out.resize(end);
  }
  return out;
}

}  // namespace guardfeed
