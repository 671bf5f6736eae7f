// Time text: ISO-8601 timestamps as GuardDuty writes them, and human durations ("30d", "12h") as
// configuration uses them.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace guardfeed {

// Parses "2024-07-24T04:06:10.359Z", "2019-06-09T19:10:23Z" or with a "+hh:mm" offset. Fractions
// are dropped (whole seconds).
Result<UnixSeconds> ParseIso8601(std::string_view text);
// "2026-11-22T13:41:06Z". Times outside years 0001-9999 (e.g. a saturated AddSeconds) print as
// the nearest of "0001-01-01T00:00:00Z" and "9999-12-31T23:59:59Z".
std::string FormatIso8601(UnixSeconds seconds);
// "20261122" (UTC), used for SecIntel versions.
std::string FormatYyyymmdd(UnixSeconds seconds);

// Parses "90", "90s", "15m", "12h", "30d", "2w" into seconds. Rejects negatives, unknown units
// and anything beyond int64_t seconds ("duration ... is too large"). Callers still bound the
// result to what makes sense for their key (cli/toml_reader.h).
Result<int64_t> ParseDuration(std::string_view text);
// The shortest exact form: "30d", "12h", "90s".
std::string FormatDuration(int64_t seconds);

// t + d, saturating at the int64_t limits instead of overflowing (undefined behaviour). Use it for
// every "timestamp + duration" (last_seen + ttl, now + retention) so a huge TTL or a timestamp
// near the limits yields "never" rather than a time in the past.
UnixSeconds AddSeconds(UnixSeconds t, int64_t d);

}  // namespace guardfeed
