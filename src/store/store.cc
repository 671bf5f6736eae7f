// OpenStore: picks the Store engine from the URL scheme. Engines hide behind their own factories
// (sqlite_store.h, postgres_store.h); this file only parses the URL. Also the engine-independent helpers of store.h.
#include "store/store.h"

#include <string>

#include "core/text.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace guardfeed {
namespace {

constexpr std::string_view kSchemeSeparator = "://";
constexpr std::string_view kExpected = "expected sqlite://PATH, a file path, or postgresql://...";

}  // namespace

std::string_view IndicatorStateName(IndicatorState state) {
  switch (state) {
    case IndicatorState::kActive:
      return "active";
    case IndicatorState::kExpired:
      return "expired";
    case IndicatorState::kWithdrawn:
      return "withdrawn";
    case IndicatorState::kRemoved:
      return "removed";
  }
  return "active";
}

Result<IndicatorState> ParseIndicatorStateName(std::string_view name) {
  for (IndicatorState state : {IndicatorState::kActive, IndicatorState::kExpired,
                               IndicatorState::kWithdrawn, IndicatorState::kRemoved}) {
    if (name == IndicatorStateName(state)) return state;
  }
  return Status::InvalidArgument("unknown indicator state '" + std::string(name) +
                                 "' (active, expired, withdrawn, removed)");
}

// The same rules as the state filter of ListIndicators (sqlite_store.cc, kList).
IndicatorState StateOf(const IndicatorRecord& record, bool removed, UnixSeconds now) {
  if (removed) return IndicatorState::kRemoved;
  if (record.finding_count == 0) return IndicatorState::kWithdrawn;
  if (record.expires_at <= now) return IndicatorState::kExpired;
  return IndicatorState::kActive;
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  if (url.empty())
    return Status::InvalidArgument("store URL is empty (" + std::string(kExpected) + ")");
  size_t separator = url.find(kSchemeSeparator);
  if (separator == std::string_view::npos) return OpenSqliteStore(std::string(url));

  // URL schemes are case-insensitive (RFC 3986 section 3.1).
  std::string scheme = ToLower(url.substr(0, separator));
  std::string_view rest = url.substr(separator + kSchemeSeparator.size());
  if (scheme == "sqlite") {
    if (rest.empty()) return Status::InvalidArgument("store URL \"sqlite://\" has no path");
    return OpenSqliteStore(std::string(rest));
  }
  // The URL itself is not echoed: a PostgreSQL URL may carry a password.
  if (scheme == "postgresql" || scheme == "postgres") {
    return OpenPostgresStore(std::string(url));
  }
  return Status::InvalidArgument("unknown store URL scheme \"" + scheme + "\" (" +
                                 std::string(kExpected) + ")");
}

Result<ApplyResult> Store::Apply(const std::vector<SightingRecord>& sightings) {
  const std::vector<SightingRecord>* batch = &sightings;
  Result<std::vector<ApplyResult>> results = ApplyBatches(std::span(&batch, 1));
  if (!results.ok()) return results.status();
  return results->front();
}

}  // namespace guardfeed
