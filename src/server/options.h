// ServerOptions: everything `guardfeed serve` reads from the [server] section of the configuration
// (docs/server.md lists every key), as plain values. The cli layer parses TOML into this struct;
// ValidateServerOptions enforces the safety rules (no public bind without an ingest token).
//
// Thread safety: plain values. The server keeps an immutable copy per configuration generation.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "core/status.h"
#include "feeds/feed.h"
#include "feeds/secintel.h"

namespace guardfeed {

// Credentials a firewall must present to fetch one feed: HTTP basic (user + password, what
// FortiGate and Palo Alto send) or a bearer token (what an SRX auth-token sends). Either or both.
struct FeedAuth {
  std::string user;
  std::string password;
  std::string token;

  bool basic() const { return !user.empty(); }
  bool bearer() const { return !token.empty(); }
};

// The firewall family a consumer profile describes; its documented list limit is the profile's
// default max_entries (PlatformMaxEntries; figures and sources in docs/consumers.md).
enum class ConsumerPlatform { kGeneric, kFortiGate, kPanOs, kSrx, kPfSense, kCheckPoint };
// "generic", "fortigate", "panos", "srx", "pfsense", "checkpoint".
std::string_view PlatformName(ConsumerPlatform platform);
std::optional<ConsumerPlatform> ParsePlatformName(std::string_view name);
// The entries one list of `platform` holds (0: no documented per-list limit): fortigate 131072,
// panos 50000, pfsense 200000, checkpoint 2000000, srx and generic 0.
size_t PlatformMaxEntries(ConsumerPlatform platform);

// One firewall (or group of firewalls) that fetches feeds: [[consumers]] in the configuration
// (docs/consumers.md). A request is matched to a consumer by its credentials when it presents
// them, else by its address; a consumer with both credentials and source_cidrs needs both.
struct ConsumerOptions {
  std::string name;  // unique, [A-Za-z0-9_-], 1..64 characters
  ConsumerPlatform platform = ConsumerPlatform::kGeneric;
  // Names of configured feeds it may fetch. Empty: every feed. A feed named here by any
  // consumer is restricted to the consumers that may fetch it (and its server.feed_auth).
  std::vector<std::string> feeds;
  // The most entries it is served per feed (the highest-ranked ones). nullopt: the platform's
  // limit; 0: no limit.
  std::optional<size_t> max_entries;
  // HTTP basic (user + password: what PAN-OS and FortiGate send) and/or bearer (token).
  std::string user;
  std::string password;
  std::string token;
  // The client address must lie in one of these (when not empty). Firewalls that cannot send
  // credentials (many FortiGate and PAN-OS setups) are recognised by address alone.
  std::vector<Cidr> source_cidrs;
  // The formats it reads, preferred first. Empty: every feed in its own format.
  std::vector<FeedFormat> formats;

  bool has_credentials() const { return !user.empty() || !token.empty(); }
  bool MayFetch(std::string_view feed) const;
  // The format it is served `feed` in: the feed's own when it reads that, else the first of its
  // formats that can be made per consumer (plain, json or checkpoint: SecIntel files are a
  // layout shared by every consumer). The feed's own when there is none (a configuration the
  // reader refuses: see ConsumerFormatError).
  FeedFormat FormatOf(const FeedConfig& feed) const;
  // max_entries, else the platform's limit; 0 = unlimited.
  size_t EffectiveMaxEntries() const;
};

// Why `consumer` cannot be served `feed` (it may fetch it, reads neither its format nor one
// that can be made per consumer), or "" when it can.
std::string ConsumerFormatError(const ConsumerOptions& consumer, const FeedConfig& feed);

// Upper bounds of the [server] durations and sizes (the cli reader reports them with file:line;
// ValidateServerOptions enforces them again), so no timer or limit arithmetic can overflow.
inline constexpr size_t kMaxBodyLimit = size_t{1} << 30;          // body_limit: 1 GiB
inline constexpr size_t kMaxDecompressedLimit = size_t{4} << 30;  // decompressed_limit: 4 GiB
inline constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(1);  // *_timeout,
                                                                                 // shutdown_grace
inline constexpr std::chrono::milliseconds kMaxRenderDebounce = std::chrono::minutes(1);
inline constexpr std::chrono::milliseconds kMaxStorePoll = std::chrono::hours(1);
inline constexpr std::chrono::milliseconds kMaxCountInterval = std::chrono::hours(24);
inline constexpr std::chrono::milliseconds kMaxGroupCommitWindow{100};
inline constexpr size_t kMaxGroupCommitSightings = 1'000'000;
// consumer_stale_after: 1 s to 30 days.
inline constexpr std::chrono::milliseconds kMaxConsumerStaleAfter = std::chrono::hours(24 * 30);
// Consumer profiles: at most this many (each may add capped variants of feeds).
inline constexpr size_t kMaxConsumers = 1000;

struct ServerOptions {
  // Address and port to listen on. Default 127.0.0.1:8080. Port 0 picks a free port.
  std::string host = "127.0.0.1";
  uint16_t port = 8080;

  // Token for POST /v1/findings, sent as "Authorization: Bearer TOKEN" or in the API-key header.
  // Empty: ingest is open, which is refused unless the server binds a loopback address.
  std::string ingest_token;
  // Header an EventBridge API destination (API_KEY authorization) sends the token in.
  // Default "X-API-Key".
  std::string ingest_api_key_header = "X-API-Key";
  // Token for the admin API (/v1/indicators, /v1/allowlist, /v1/feeds). Empty: the admin API is
  // open on a loopback bind and disabled (403) on any other address.
  std::string admin_token;

  // Largest accepted request body (compressed size for gzip bodies). Default 16 MiB.
  size_t body_limit = 16u << 20;
  // The decompression budget: bytes gzip inflation may produce for one request body, however it
  // is labelled (Content-Encoding, application/gzip, gzip inside gzip). Crossing it answers 413.
  // Default 64 MiB.
  size_t decompressed_limit = 64u << 20;
  // Largest single JSON document in a request (a whole body, or one JSON Lines line): what
  // GuardDuty can send, generously (an EventBridge event is at most 256 KB). Default 16 MiB.
  size_t document_limit = 16u << 20;
  // Indicators kept per finding; more are counted as indicators_dropped. Default 1000.
  size_t max_indicators_per_finding = 1000;
  // Open connections; past it idle keep-alive or still-sending connections are closed to make
  // room, and when none is idle the new connection gets 503 and is closed. Default 512.
  size_t max_connections = 512;
  // Limits for everything that is not POST /v1/findings (admin JSON). Default 64 KiB.
  size_t small_body_limit = 64u << 10;

  // Timeouts are greater than zero and at most 1 h.
  // A request's headers must arrive within this time of its first byte. Default 10 s.
  std::chrono::milliseconds header_timeout{10'000};
  // A request's body must arrive within this time of its headers. Default 60 s.
  std::chrono::milliseconds body_timeout{60'000};
  // A keep-alive connection with no request in progress is closed after this. Default 60 s.
  std::chrono::milliseconds idle_timeout{60'000};
  // A response must be written within this time. Default 60 s.
  std::chrono::milliseconds write_timeout{60'000};
  // How long Stop waits for requests in flight. Default 10 s; 0 to 1 h.
  std::chrono::milliseconds shutdown_grace{10'000};

  // PEM files for HTTPS. Both empty: plain HTTP. Both set: HTTPS only.
  std::string tls_cert;
  std::string tls_key;

  // Per-feed credentials by feed name; feeds not listed are public.
  std::map<std::string, FeedAuth> feed_auth;
  // Credentials for the shared SecIntel files (manifest.xml, cc_schema). Default: public.
  std::optional<FeedAuth> secintel_auth;

  // Cache-Control sent with feeds. Default "no-cache" (store, but revalidate with the ETag).
  std::string cache_control = "no-cache";
  // Serve gzip to clients that accept it (compressed once per snapshot). Default true.
  bool gzip = true;

  // Threads that serve HTTP. Default 2.
  int io_threads = 2;
  // Threads that run store work (ingest, admin). Default 32; 1 to 64. Each owns its own Ingestor.
  // A single-finding POST holds one while it waits for its group's commit, so this bounds how
  // many such requests can share a commit (docs/server.md, "Group commit").
  int store_threads = 32;
  // Group commit of POST /v1/findings (store/group_commit.h): a group of concurrent ingest
  // requests stays open this long after its first request, then all of them are committed in one
  // durable transaction. Default 1 ms; 0 to 100 ms (0: commit at once whatever queued while the
  // previous commit ran).
  std::chrono::milliseconds group_commit_window{1};
  // A group closes as soon as it holds this many sightings. Default 5000; 1 to 1,000,000 (1: every
  // request commits on its own).
  size_t group_commit_max_sightings = 5000;
  // Feeds re-render this long after the first change of a burst. Default 10 ms (renders are
  // incremental; a render that takes longer coalesces every change made meanwhile); 0 to 1 min.
  std::chrono::milliseconds render_debounce{10};
  // How often the store is polled for changes made by other processes. Default 2 s; > 0, <= 1 h.
  std::chrono::milliseconds store_poll{2'000};
  // How often active indicators are counted for /metrics (a full scan). Default 60 s; <= 1 day.
  std::chrono::milliseconds count_interval{60'000};

  // More names clients may use in Host (e.g. a Kubernetes Service name, a second DNS name),
  // besides the listen address, loopback and public_url's host. Default: none.
  std::vector<std::string> allowed_hosts;

  // Consumer profiles ([[consumers]], docs/consumers.md). Default: none (every fetch is anonymous).
  std::vector<ConsumerOptions> consumers;
  // A consumer is stale when the feed version it holds was superseded longer ago than this, or
  // it has not fetched for longer than this (GET /v1/consumers, /metrics). Default 1 h; 1 s to
  // 30 d.
  std::chrono::milliseconds consumer_stale_after{3'600'000};
  // The [secintel] section (not a [server] key): consumer variants are rendered by one LiveFeeds
  // with the configured feeds, whose SecIntel manifest needs these. The cli reader copies them
  // from the configuration; they must equal the pipeline builder's.
  SecIntelOptions secintel;

  // Base URL printed for firewalls and EventBridge (e.g. "https://feeds.example.com").
  // Default: derived from host and port.
  std::string public_url;

  bool tls() const { return !tls_cert.empty(); }
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);
// True for the unspecified addresses 0.0.0.0 and :: (listen on every interface): not an address
// a client can use.
bool IsWildcardHost(std::string_view host);

// Checks the rules that depend on several keys. InvalidArgument names the key and says why.
Status ValidateServerOptions(const ServerOptions& options);
// The [[consumers]] rules ValidateServerOptions applies (each profile complete, names, users and
// tokens unique), for readers that report them where each profile is written.
Status CheckConsumerProfiles(const std::vector<ConsumerOptions>& consumers);

// "http://127.0.0.1:8080" from host, port and TLS (IPv6 hosts bracketed), or public_url.
std::string BaseUrl(const ServerOptions& options, uint16_t bound_port);

}  // namespace guardfeed
