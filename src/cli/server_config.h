// Reading [server] into ServerOptions (server/options.h, docs/server.md), shared by
// `guardfeed serve` and `guardfeed config check`, and the rule for what a SIGHUP reload may change.
// Only built with the server (GUARDFEED_HAVE_SERVER).
#pragma once

#include <string>
#include <string_view>

#include "cli/config.h"
#include "server/options.h"

namespace guardfeed {

// [server] of `config` -> ServerOptions, then GUARDFEED_INGEST_TOKEN / GUARDFEED_ADMIN_TOKEN from
// `env`, then `listen_override` (serve --listen; "" for none), then ValidateServerOptions.
// InvalidArgument names file:line:key for a bad value, an unknown key, a duration or size out of
// its bounds (options.h), or a feed_auth for a feed `config` does not have. Also reads the
// top-level [[consumers]] tables (docs/consumers.md) and copies [secintel] (ServerOptions::secintel).
Result<ServerOptions> ReadServerOptions(const Config& config, const Environment& env,
                                        std::string_view listen_override);

// Whether a running daemon on store `running_url` may reload a configuration naming `next_url`.
// FailedPrecondition("reload refused: store url changed from X to Y; restart the daemon to change
// stores") when they differ: a typo there would start an empty store and publish empty feeds.
// Passwords in the URLs are masked.
Status CheckReloadStore(const std::string& running_url, const std::string& next_url);

}  // namespace guardfeed
