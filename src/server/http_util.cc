#include "server/http_util.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <cstdio>
#include <ctime>

#include "core/text.h"

namespace guardfeed::server {

namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Whether a "token;q=..." list element has q > 0.
// `params` is ";name=value;..." after a coding; the weight is the parameter named q (any case).
bool QualityNonZero(std::string_view params) {
  while (!params.empty()) {
    params.remove_prefix(1);  // the ';'
    std::string_view param = params.substr(0, params.find(';'));
    params.remove_prefix(param.size());
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || !EqualsIgnoreCase(TrimSpace(param.substr(0, eq)), "q")) {
      continue;
    }
    for (char c : TrimSpace(param.substr(eq + 1))) {
      if (c >= '1' && c <= '9') return true;
      if (c != '0' && c != '.') break;
    }
    return false;
  }
  return true;
}

std::string_view OpaqueTag(std::string_view tag) {
  tag = TrimSpace(tag);
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string FormatHttpDate(UnixSeconds seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

std::optional<UnixSeconds> ParseHttpDate(std::string_view text) {
  std::string copy(TrimSpace(text));
  std::tm tm{};
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<UnixSeconds>(timegm(&tm));
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    size_t semicolon = element.find(';');
    std::string_view coding = TrimSpace(element.substr(0, semicolon));
    std::string_view params =
        semicolon == std::string_view::npos ? std::string_view() : element.substr(semicolon);
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip") || coding == "*") {
      if (QualityNonZero(params)) return true;
    }
  }
  return false;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (TrimSpace(if_none_match) == "*") return true;
  std::string_view wanted = OpaqueTag(etag);
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    if (OpaqueTag(if_none_match.substr(0, comma)) == wanted) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  if (text.empty()) return std::string();  // see ParseQuery
  auto escaped = boost::urls::make_pct_string_view(text);
  if (!escaped) return std::nullopt;
  return escaped->decode();  // default options: '+' stays '+'
}

std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  // Boost.URL 1.81's parse_query reads its argument up to a NUL (strlen), past the end of a
  // view into the request target: it gets a NUL-terminated copy, and never a null view.
  if (query.empty()) return std::map<std::string, std::string>();
  const std::string terminated(query);
  auto parsed = boost::urls::parse_query(terminated);
  if (!parsed) return std::nullopt;
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  std::map<std::string, std::string> params;
  for (const auto& param : *parsed) {
    if (param.key.empty() && !param.has_value) continue;  // "a=1&&b=2"
    params[param.key.decode(form)] = param.value.decode(form);
  }
  return params;
}

std::string MediaType(std::string_view content_type) {
  std::string_view type = TrimSpace(content_type.substr(0, content_type.find(';')));
  return ToLower(type);
}

}  // namespace guardfeed::server
