// The startup banner of `guardfeed serve`: the URLs a firewall and an EventBridge API destination
// must really use. Separate from cmd_serve.cc so it can be tested without starting a server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feeds/feed.h"
#include "server/options.h"

namespace guardfeed {

// The base URL firewalls are told to use: server.public_url when set; for a wildcard listen
// address (0.0.0.0, ::) a placeholder "http://THIS-HOST:PORT", since no client can reach the
// wildcard itself; otherwise the listen address.
std::string FirewallBaseUrl(const ServerOptions& options, uint16_t bound_port);

// The whole banner, newline-terminated lines. `store` describes the store ("sqlite:///...").
// It says where the server listens, lists every feed URL (and the SRX manifest when a SecIntel
// feed exists), the EventBridge endpoint and its authorization, and the admin API unless that is
// disabled (no admin_token on a non-loopback address: the server answers 403).
std::string ServeBanner(const ServerOptions& options, uint16_t bound_port,
                        const std::vector<FeedConfig>& feeds, const std::string& store);

}  // namespace guardfeed
