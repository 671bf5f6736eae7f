// The admin actions the JSON admin API and the dashboard share: each checks its input, writes
// through the store (which audits it with the actor), logs what it did and tells the render loop.
// Errors: InvalidArgument for bad input, NotFound for a value no finding named (or an allowlist
// entry that is not there), the store's own errors otherwise.
//
// Thread safety: run on the store pool (they call the store).
#pragma once

#include <string>
#include <string_view>

#include "core/indicator.h"
#include "core/status.h"
#include "server/server_context.h"
#include "store/store.h"

namespace guardfeed::server {

// An IP address or domain typed by an operator, canonical.
Result<Indicator> ParseIndicatorValue(std::string_view value);

// Removes a false positive from every feed, past the shrink guard (the operator asked for it).
Status RemoveIndicator(ServerContext& ctx, const Generation& generation, const Indicator& indicator,
                       std::string_view reason, std::string_view actor);
// Undoes RemoveIndicator.
Status RestoreIndicator(ServerContext& ctx, const Generation& generation,
                        const Indicator& indicator, std::string_view actor);

// Adds (or re-comments) an allowlist entry; a wider entry than the configured width limits
// needs `force` (FailedPrecondition without it), which also waives the shrink guard. Returns the
// stored record.
Result<AllowlistRecord> AddAllowlistEntry(ServerContext& ctx, const Generation& generation,
                                          std::string_view entry, std::string_view comment,
                                          bool force, std::string_view actor);
// Returns the canonical entry removed.
Result<std::string> RemoveAllowlistEntry(ServerContext& ctx, const Generation& generation,
                                         std::string_view entry, std::string_view actor);

}  // namespace guardfeed::server
