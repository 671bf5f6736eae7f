// fuzz_indicator: arbitrary text through the value parsers every layer shares (indicators,
// CIDRs, ISO-8601 timestamps, durations). Whatever one of them accepts must come back unchanged
// from its own canonical text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/cidr.h"
#include "core/indicator.h"
#include "core/time_util.h"
#include "fuzz_check.h"

namespace {

using guardfeed::Indicator;
using guardfeed::Result;

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what FormatIso8601 writes with four digits.
constexpr guardfeed::UnixSeconds kYear0 = -62'167'219'200;
constexpr guardfeed::UnixSeconds kYear9999End = 253'402'300'799;

void CheckCanonical(const Result<Indicator>& parsed) {
  if (!parsed.ok()) return;
  GF_FUZZ_CHECK(!parsed->value.empty(), "empty indicator accepted");
  auto again = guardfeed::NormalizeIndicator(parsed->value);
  GF_FUZZ_CHECK(again.ok(), "a normalised indicator does not parse again");
  GF_FUZZ_CHECK(*again == *parsed, "normalisation is not idempotent");
}

void CheckCidr(std::string_view text) {
  auto cidr = guardfeed::ParseCidr(text);
  if (!cidr.ok()) return;
  GF_FUZZ_CHECK(cidr->prefix_len >= 0 && cidr->prefix_len <= cidr->base.BitWidth(),
                "prefix length out of range");
  GF_FUZZ_CHECK(cidr->Contains(cidr->base), "a network does not contain its own base");
  auto again = guardfeed::ParseCidr(cidr->ToString());
  GF_FUZZ_CHECK(again.ok() && *again == *cidr, "CIDR text does not round-trip");
}

void CheckTime(std::string_view text) {
  auto seconds = guardfeed::ParseIso8601(text);
  if (!seconds.ok() || *seconds < kYear0 || *seconds > kYear9999End) return;
  auto again = guardfeed::ParseIso8601(guardfeed::FormatIso8601(*seconds));
  GF_FUZZ_CHECK(again.ok() && *again == *seconds, "timestamp does not round-trip");
}

void CheckDuration(std::string_view text) {
  auto seconds = guardfeed::ParseDuration(text);
  if (!seconds.ok()) return;
  GF_FUZZ_CHECK(*seconds >= 0, "negative duration accepted");
  auto again = guardfeed::ParseDuration(guardfeed::FormatDuration(*seconds));
  GF_FUZZ_CHECK(again.ok() && *again == *seconds, "duration does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckCanonical(guardfeed::NormalizeIndicator(text));
  CheckCanonical(guardfeed::NormalizeIp(text));
  CheckCanonical(guardfeed::NormalizeDomain(text));
  (void)guardfeed::ParseKindName(text);
  CheckCidr(text);
  CheckTime(text);
  CheckDuration(text);
  return 0;
}
