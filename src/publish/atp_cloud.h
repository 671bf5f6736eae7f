// ATP Cloud publisher: keeps Juniper ATP Cloud custom C&C feeds in sync with guardfeed feeds
// through the Threat Intelligence Open API (docs/deploy-srx-atp-cloud.md; the endpoints are
// described in shared/formats/juniper-secintel.md, "ATP Cloud").
//
// For every configured feed it compares the entries of the feed's latest Snapshot with what it
// last pushed (kept in the store under "atp:<type>/<atp feed name>", so restarts and replicas see
// the same thing) and sends only the difference: POST creates a feed that does not exist yet,
// PATCH adds servers and updates threat levels, DELETE removes servers. Uploads are
// multipart/form-data with a `file` part of CSV lines `server,threat_level`. TLS is always
// verified; the application token is sent as "Authorization: Bearer" and never appears in errors
// or reports. Requests are paced client-side to the documented per-minute limit; 429 (with
// Retry-After), 5xx and network errors are retried with backoff. Only what ATP Cloud
// acknowledged (2xx) is recorded, so a publish that fails midway is completed by the next one.
//
// Threading: Publish is called from one thread at a time (it owns one HTTP connection); the
// store must outlive the publisher.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "publish/publisher.h"
#include "publish/rate_limiter.h"
#include "publish/shrink_guard.h"
#include "store/store.h"

namespace guardfeed {

// The feed content types of the C&C API (the {type} path segment).
enum class AtpContentType { kIp, kDomain, kUrl };
std::string_view AtpContentTypeName(AtpContentType type);  // "ip", "domain", "url"
Result<AtpContentType> ParseAtpContentType(std::string_view name);

// One ATP Cloud C&C feed fed from one guardfeed feed. `ip` feeds carry the feed's IPv4 and IPv6
// entries; `domain` and `url` feeds carry its domain entries (a url feed gets the bare host
// name, which is what C&C url feeds match on). Other entries are skipped.
struct AtpFeed {
  std::string feed;      // guardfeed feed name (FeedConfig::name)
  std::string atp_name;  // ATP Cloud feed name: 8..64 characters of [A-Za-z0-9_]
  AtpContentType type = AtpContentType::kIp;
};

struct AtpOptions {
  // API base, without a trailing slash. Must be https://.
  std::string base_url = "https://threat-api.sky.junipersecurity.net/v1/cloudfeeds";
  // Application token from the ATP Cloud portal (Administration > Application Tokens).
  // Required. Never logged, never part of an error message.
  std::string token;
  // CA bundle used to verify the server; "" uses the system store. Default "".
  std::string ca_file;
  // Whole-request and connect timeouts. Defaults 30 s and 5 s.
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // The feeds to keep in sync. At least one; (type, atp_name) pairs must be unique.
  std::vector<AtpFeed> feeds;
  // Client-side pacing: at most this many requests in any `rate_window`. Default 60 per minute,
  // the documented C&C feed limit (the DNS category API's 50 does not apply to /cc/ calls).
  int requests_per_window = 60;
  std::chrono::milliseconds rate_window{60000};
  // Tries per request (first try included) on 429, 5xx and network errors (aws/retry.h).
  // Default 5.
  int max_attempts = 5;
  // Backoff with jitter between tries: about base * 2^n, capped at retry_max_delay, which also
  // caps how long a 429's Retry-After is honoured. Defaults 1 s and 60 s (one rate window).
  std::chrono::milliseconds retry_base_delay{1000};
  std::chrono::milliseconds retry_max_delay{60000};
  // Servers per uploaded CSV file; larger changes are split into several requests (each one is
  // recorded once acknowledged). The API documents no limit; default 10000.
  size_t max_servers_per_request = 10000;
  // Full re-upload (`guardfeed publish --resync`): DELETE each whole feed, then POST its complete
  // content, ignoring what the store says was pushed. Default false (send differences only).
  bool resync = false;
  // Where pacing and retry waits read the time and sleep; borrowed, must outlive the publisher.
  // Null: the real clock. Tests pass a ManualPacingClock and never wait.
  PacingClock* pacing_clock = nullptr;
  // In front of every removal: a feed that would lose more than max_shrink_fraction of what was
  // pushed, or become empty, is not synced (no DELETE is sent) until forced.
  ShrinkGuardOptions shrink_guard;
};

// Validates `options` (token present, https base URL, feed names, limits) and returns the
// publisher, or InvalidArgument naming the bad field. `store` is borrowed and must outlive the
// publisher. Publish skips configured feeds that the FeedSet does not contain (a partial build);
// it fails with Internal when a feed's snapshot carries no entries list.
Result<std::unique_ptr<Publisher>> NewAtpCloudPublisher(AtpOptions options, Store* store);

}  // namespace guardfeed
