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
// "2026-11-22T13:41:06Z".
std::string FormatIso8601(UnixSeconds seconds);
// "20261122" (UTC), used for SecIntel versions.
std::string FormatYyyymmdd(UnixSeconds seconds);

// Parses "90", "90s", "15m", "12h", "30d", "2w" into seconds; rejects negatives and overflow.
Result<int64_t> ParseDuration(std::string_view text);
// The shortest exact form: "30d", "12h", "90s".
std::string FormatDuration(int64_t seconds);

}  // namespace guardfeed
