// Consumers: the firewalls that fetch feeds, as the configuration describes them ([[consumers]],
// ServerOptions::consumers) and as the fetch log has seen them (docs/consumers.md).
//
// - Access: which consumer a feed request comes from (its credentials, else its address) and
//   whether it may have the feed. A feed that any consumer names in `feeds` is restricted to
//   the consumers that may fetch it; server.feed_auth keeps admitting its own credentials.
// - Variants: a consumer whose entry limit is below a feed's gets the feed's top-ranked entries,
//   and one that does not read the feed's format gets it in one it reads, from a hidden feed
//   ("NAME@CAP", "NAME@FORMAT", "NAME@FORMAT@CAP") that the render loop keeps up to date in the
//   same LiveFeeds as the configured feeds. Variants are served, never published, and shared:
//   one per (feed, format, cap) among consumers.
// - Views: per (feed, client) which version the client holds, how long ago that version was
//   superseded, and whether it is stale (GET /v1/consumers, /metrics, the dashboard).
//
// Thread safety: pure functions over immutable options and snapshots; ConsumerViews and
// ConsumerMetricsText read the thread-safe FetchLog and SnapshotHolder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/feed.h"
#include "server/http_types.h"
#include "server/options.h"
#include "server/server_context.h"

namespace guardfeed::server {

// What a consumer is served of a feed: the format (ConsumerOptions::FormatOf) and the entry cap
// (0: none). Anything but the feed's own format and no cap is a variant.
struct ConsumerServing {
  FeedFormat format = FeedFormat::kPlain;
  size_t cap = 0;
};
// The cap is the consumer's effective max_entries when that is below the feed's own; SecIntel
// files are never capped per consumer (their manifest is shared).
ConsumerServing ServingFor(const ConsumerOptions& consumer, const FeedConfig& feed);
bool IsVariantOf(const ConsumerServing& serving, const FeedConfig& feed);

// The hidden feed that serves `feed` as `serving` says ('@' is never part of a configured feed's
// name): "NAME@CAP", "NAME@FORMAT" or "NAME@FORMAT@CAP".
std::string VariantName(const FeedConfig& feed, const ConsumerServing& serving);
bool IsConsumerVariant(std::string_view feed_name);
// "NAME" of a variant's name; `feed_name` itself when it is not a variant.
std::string_view VariantParent(std::string_view feed_name);

// Every variant the consumers need, once per (feed, format, cap), in feed order.
std::vector<FeedConfig> ConsumerVariants(const std::vector<ConsumerOptions>& consumers,
                                         const std::vector<FeedConfig>& feeds);

// The outcome of matching a feed request to a consumer.
struct FeedAccess {
  bool allowed = false;
  HttpResponse refusal;                       // when !allowed: 401 challenge or 403
  const ConsumerOptions* consumer = nullptr;  // the matched consumer that is served, or null
  std::string user;                           // HTTP basic user presented ("" for none)
};

// Decides a request for `feed` ("" for the shared SecIntel files, governed by
// server.secintel_auth) from `client` with headers `head`. `realm` names the 401 challenge.
FeedAccess DecideFeedAccess(const ServerOptions& options, std::string_view feed,
                            const RequestHead& head, std::string_view client,
                            std::string_view realm);

// One (feed, client) as the fetch log saw it, with what it holds against what is current.
struct ConsumerView {
  std::string feed;      // as requested: a configured feed or a shared SecIntel path
  std::string client;    // address
  std::string consumer;  // matched consumer, "" for none
  std::string user;      // basic-auth user presented
  std::string user_agent;
  std::string version;          // the version it holds
  std::string etag;             // the ETag of what it holds
  std::string current_version;  // what it would get now ("" when the feed is gone)
  std::string current_etag;
  UnixSeconds last_fetch = 0;
  unsigned last_status = 0;
  uint64_t fetches = 0;
  // 0 while it holds the current version, else seconds since its version was superseded.
  int64_t staleness_seconds = 0;
  int64_t since_fetch_seconds = 0;  // now - last_fetch
  // staleness or time since the last fetch exceeds server.consumer_stale_after.
  bool stale = false;
};

// Every (feed, client) of the fetch log at `now`: stale first, then the longest staleness,
// then by feed and client.
std::vector<ConsumerView> ConsumerViews(const ServerContext& ctx, UnixSeconds now);

// guardfeed_consumer_staleness_seconds and guardfeed_consumer_stale (Prometheus text format),
// computed from ConsumerViews at scrape time.
std::string ConsumerMetricsText(const ServerContext& ctx, UnixSeconds now);

}  // namespace guardfeed::server
