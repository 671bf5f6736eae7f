// fuzz_admin_body: any bytes as the JSON body of an admin API request, through the steps
// POST /v1/allowlist takes (server/admin_routes.cc): Boost.JSON parse to an object (a blank body
// is an empty object), a string "entry" through Allowlist::Canonicalize and Allowlist::CheckWidth,
// "force" as a boolean; every string anywhere in the body through NormalizeIndicator (what the
// indicator routes do with values); the answer written back with JsonText.
//
// Checked: canonical entries are fixed points and are matched by what they cover once added; the
// width rule judges an entry and its canonical form alike and follows its limits; normalised
// indicators are fixed points; JsonText output parses back to the value it was written from.
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/cidr.h"
#include "core/indicator.h"
#include "fuzz_check.h"
#include "policy/allowlist.h"
#include "server/explain.h"

namespace {

namespace json = boost::json;
using guardfeed::Allowlist;
using guardfeed::AllowlistWidthLimits;

// No limit at all, the defaults, and limits no network passes.
constexpr AllowlistWidthLimits kNoLimits{0, 0};
constexpr AllowlistWidthLimits kDefaultLimits{};
constexpr AllowlistWidthLimits kNothingPasses{33, 129};

void CheckCovered(const Allowlist& allowlist, const guardfeed::Result<guardfeed::Indicator>& inside,
                  const std::string& canonical) {
  if (!inside.ok()) return;
  auto match = allowlist.Match(*inside);
  GF_FUZZ_CHECK(match && *match == canonical, "an added entry does not match what it covers");
}

void CheckEntry(std::string_view entry) {
  auto canonical = Allowlist::Canonicalize(entry);
  if (!canonical.ok()) {
    GF_FUZZ_CHECK(!canonical.status().message().empty(), "refusal without a message");
    GF_FUZZ_CHECK(!Allowlist::CheckWidth(entry, kNoLimits).ok(),
                  "CheckWidth accepts what Canonicalize refuses");
    return;
  }
  GF_FUZZ_CHECK(!canonical->empty(), "empty canonical entry");
  auto again = Allowlist::Canonicalize(*canonical);
  GF_FUZZ_CHECK(again.ok() && *again == *canonical, "canonical entry is not a fixed point");

  auto cidr = guardfeed::ParseCidr(*canonical);
  const bool has_dot = canonical->find('.') != std::string::npos;
  for (const AllowlistWidthLimits& limits : {kNoLimits, kDefaultLimits, kNothingPasses}) {
    guardfeed::Status width = Allowlist::CheckWidth(*canonical, limits);
    GF_FUZZ_CHECK(width.ok() == Allowlist::CheckWidth(entry, limits).ok(),
                  "an entry and its canonical form are judged differently");
    if (!width.ok()) GF_FUZZ_CHECK(!width.message().empty(), "width refusal without a message");
  }
  GF_FUZZ_CHECK(Allowlist::CheckWidth(*canonical, kNoLimits).ok() == (cidr.ok() || has_dot),
                "without limits only a single-label domain needs force");
  GF_FUZZ_CHECK(Allowlist::CheckWidth(*canonical, kNothingPasses).ok() == (!cidr.ok() && has_dot),
                "a network passed limits longer than any prefix");

  Allowlist allowlist;
  GF_FUZZ_CHECK(allowlist.Add(entry).ok(), "Add refuses what Canonicalize accepts");
  if (cidr.ok()) {
    CheckCovered(allowlist, guardfeed::NormalizeIp(guardfeed::FormatIpAddress(cidr->base)),
                 *canonical);
  } else {
    CheckCovered(allowlist, guardfeed::NormalizeDomain(*canonical), *canonical);
    CheckCovered(allowlist, guardfeed::NormalizeDomain("sub." + *canonical), *canonical);
  }
}

void CheckIndicator(std::string_view text) {
  auto indicator = guardfeed::NormalizeIndicator(text);
  if (!indicator.ok()) return;
  auto again = guardfeed::NormalizeIndicator(indicator->value);
  GF_FUZZ_CHECK(again.ok() && *again == *indicator, "normalised indicator is not a fixed point");
}

void CheckStrings(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      CheckIndicator(value.get_string());
      return;
    case json::kind::array:
      for (const json::value& element : value.get_array()) CheckStrings(element);
      return;
    case json::kind::object:
      for (const json::key_value_pair& member : value.get_object()) {
        CheckIndicator(member.key());
        CheckStrings(member.value());
      }
      return;
    default:
      return;
  }
}

// `read` (JsonText output parsed again) against `written`: the same shape, strings and integers
// exactly; doubles to within rounding (Boost.JSON 1.81 does not parse every double exactly), and
// null where the double was not finite.
bool SameJson(const json::value& read, const json::value& written) {
  if (written.is_double()) {
    const double w = written.get_double();
    if (!std::isfinite(w)) return read.is_null();
    if (!read.is_double()) return false;
    const double r = read.get_double();
    return std::fabs(r - w) <= 1e-12 * std::fmax(std::fabs(r), std::fabs(w)) ||
           std::fabs(r - w) < 1e-300;
  }
  if (read.kind() != written.kind()) return false;
  switch (written.kind()) {
    case json::kind::array: {
      const json::array& a = read.get_array();
      const json::array& b = written.get_array();
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!SameJson(a[i], b[i])) return false;
      }
      return true;
    }
    case json::kind::object: {
      const json::object& a = read.get_object();
      const json::object& b = written.get_object();
      if (a.size() != b.size()) return false;
      for (const json::key_value_pair& member : b) {
        const json::value* other = a.if_contains(member.key());
        if (other == nullptr || !SameJson(*other, member.value())) return false;
      }
      return true;
    }
    default:
      return read == written;
  }
}

void CheckJsonText(const json::value& value) {
  const std::string text = guardfeed::server::JsonText(value);
  boost::system::error_code ec;
  json::value read = json::parse(text, ec);
  GF_FUZZ_CHECK(!ec, "JsonText wrote text that does not parse");
  GF_FUZZ_CHECK(SameJson(read, value), "JsonText output does not read back as its value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  json::object object;
  if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec) return 0;  // 400 "body is not valid JSON"
    CheckStrings(value);
    CheckJsonText(value);
    if (!value.is_object()) return 0;  // 400 "body must be a JSON object"
    object = std::move(value.as_object());
  }
  const json::value* entry = object.if_contains("entry");
  if (entry == nullptr || !entry->is_string() || entry->get_string().empty()) return 0;
  const json::value* force = object.if_contains("force");
  if (force != nullptr && !force->is_bool()) return 0;  // 400 "force: expected true or false"
  CheckEntry(entry->get_string());
  // The answer echoes the canonical entry and the comment.
  auto canonical = Allowlist::Canonicalize(entry->get_string());
  if (!canonical.ok()) return 0;
  const json::value* comment = object.if_contains("comment");
  json::object answer{
      {"entry", *canonical},
      {"comment", comment != nullptr && comment->is_string() ? json::value(comment->get_string())
                                                             : json::value("")}};
  CheckJsonText(answer);
  return 0;
}
