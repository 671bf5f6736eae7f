// Store: guardfeed's durable state behind one interface with two engines: SQLite (embedded
// default, WAL) and PostgreSQL (shared by replicas, later). Callers never see which one runs.
//
// Tables (docs/store.md): sightings keyed by (finding id, indicator) so a re-delivered finding
// changes nothing; indicators (first/last seen, max severity, expiry); removals (false positives,
// kept out until un-removed); allowlist; audit log of manual actions; per-feed version state.
// Every mutating call is one transaction and returns only after it committed.
//
// store/ depends on core/, guardduty/ and policy/.
// Thread safety: a Store may be called from several threads; implementations serialise writes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/indicator.h"
#include "core/status.h"

namespace guardfeed {

// One (finding, indicator) pair as ingested, after policy decided its expiry.
struct SightingRecord {
  std::string finding_id;
  Indicator indicator;
  std::string finding_type;
  double severity = 0;
  std::string account_id;
  std::string region;
  std::string action_type;
  std::string direction;
  std::string field;  // where in the finding the indicator was found
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
  UnixSeconds updated_at = 0;  // the finding's updatedAt: the newest delivery wins
  int64_t count = 1;
  bool withdrawn = false;  // the finding was archived and policy withdraws its indicators
  UnixSeconds expires_at = 0;
};

// Aggregate over an indicator's sightings that are not withdrawn.
struct IndicatorRecord {
  Indicator indicator;
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
  UnixSeconds expires_at = 0;  // max over live sightings; <= now means expired
  double max_severity = 0;
  int64_t finding_count = 0;  // distinct findings with a live sighting
};

struct RemovalRecord {
  Indicator indicator;
  std::string reason;
  std::string actor;
  UnixSeconds removed_at = 0;
};

struct AllowlistRecord {
  std::string entry;  // canonical (policy::Allowlist::Canonicalize)
  std::string comment;
  std::string actor;
  UnixSeconds added_at = 0;
};

struct AuditRecord {
  UnixSeconds at = 0;
  std::string actor;
  std::string action;  // "remove", "unremove", "allow_add", "allow_remove"
  std::string target;
  std::string detail;
};

// Per-feed version state, shared by every process on the store so versions agree.
struct FeedState {
  std::string feed;
  std::string content_digest;  // hash of the feed's entries (not of the rendered bytes)
  int64_t serial = 0;          // bumps by one on every content change
  std::string version;         // e.g. SecIntel "20261122.3"
  UnixSeconds data_ts = 0;     // when the content last changed
};

// Where an indicator stands (docs/store.md, "Indicator states"). Removed wins over the rest;
// withdrawn means every finding that named it was archived (no live sighting, expires_at 0);
// expired means its live sightings' TTL has passed (expires_at <= now); active is the rest.
enum class IndicatorState { kActive, kExpired, kWithdrawn, kRemoved };
// "active", "expired", "withdrawn", "removed".
std::string_view IndicatorStateName(IndicatorState state);
Result<IndicatorState> ParseIndicatorStateName(std::string_view name);
IndicatorState StateOf(const IndicatorRecord& record, bool removed, UnixSeconds now);

// What AdvanceFeedState decided.
struct FeedAdvance {
  FeedState state;       // the state to render and publish with
  bool changed = false;  // the content differed from the stored one: serial and version moved
};

// Computes a feed's next version text from its stored state (null for a feed never versioned),
// the next serial and the time. Called inside the store's write transaction: it must be quick,
// must not call the store, and must not throw.
using NextFeedVersion =
    std::function<std::string(const FeedState* previous, int64_t serial, UnixSeconds now)>;

struct ApplyResult {
  int64_t sightings_new = 0;
  int64_t sightings_updated = 0;
  int64_t sightings_unchanged = 0;   // re-deliveries: nothing changed
  int64_t indicators_new = 0;        // indicators seen for the first time
  int64_t indicators_updated = 0;    // existing indicators whose expiry/last seen/severity moved
  int64_t indicators_withdrawn = 0;  // indicators left with no live sighting by this batch
};

// One indicator whose row changed, as it is now (ChangesSince).
struct ChangedIndicator {
  IndicatorRecord record;  // withdrawn: finding_count 0, expires_at 0
  bool removed = false;    // a removal (false positive) holds it out of every feed
};

// What changed in the store after a change counter value: the input of incremental feeds.
struct StoreChanges {
  int64_t counter = 0;  // the ChangeCounter these changes bring the caller up to
  // Every indicator whose row was written (new, updated, withdrawn) or whose removal was added
  // or deleted after the asked counter, each once, in no particular order. Expiry as time passes
  // is not a change: callers compare expires_at with their clock. Rows deleted by Expire are not
  // listed either: they had expired for the whole retention already.
  std::vector<ChangedIndicator> indicators;
  // The stored allowlist changed: every indicator's suppression must be checked again.
  bool allowlist_changed = false;
  // The store cannot answer from that counter (it is ahead of the store's: a different or
  // restored store); the caller must reload everything (ActiveIndicators).
  bool reset = false;
};

struct IndicatorQuery {
  std::optional<IndicatorKind> kind;
  std::string value_prefix;  // "" matches all
  bool include_expired = false;
  // Only indicators in this state at `now` (StateOf); overrides include_expired. Default: any.
  std::optional<IndicatorState> state;
  UnixSeconds now = 0;
  int64_t limit = 100;
  std::string after;  // pagination: values strictly greater than this
};

// Indicator events in one time bucket [start, start + width) (the dashboard's activity chart).
struct ActivityBucket {
  UnixSeconds start = 0;
  int64_t added = 0;      // indicators first seen in the bucket
  int64_t expired = 0;    // live indicators whose expiry passed in the bucket (before now)
  int64_t withdrawn = 0;  // indicators whose finding was archived (withdrawn sighting updated)
  int64_t removed = 0;    // false-positive removals made in the bucket (still in force)
};

// A chunk of raw table rows, engine-independent: what `store copy` (store/copy.h) moves between
// engines. Rows are as stored: no merging, no audit entries, no derived recomputation.
struct StoreRows {
  std::vector<SightingRecord> sightings;
  std::vector<IndicatorRecord> indicators;
  std::vector<RemovalRecord> removals;
  std::vector<AllowlistRecord> allowlist;
  std::vector<AuditRecord> audit;  // oldest first
  std::vector<FeedState> feed_states;
  std::vector<std::pair<std::string, std::string>> publisher_states;  // key, value

  size_t size() const {
    return sightings.size() + indicators.size() + removals.size() + allowlist.size() +
           audit.size() + feed_states.size() + publisher_states.size();
  }
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // Upserts a batch of sightings in one transaction and refreshes the affected indicators. A
  // sighting whose (finding id, indicator) exists is replaced only by a delivery with an equal or
  // newer updated_at, and only if something changed; last_seen never moves backwards.
  Result<ApplyResult> Apply(const std::vector<SightingRecord>& sightings);
  // Applies several batches in one transaction, each as Apply would, in order, and returns one
  // result per batch: group commit (store/group_commit.h) answers many requests with one durable
  // commit. Fails as a whole: then nothing of any batch is committed.
  virtual Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) = 0;

  // Indicators with expires_at > now that are not removed, in no particular order.
  virtual Result<std::vector<IndicatorRecord>> ActiveIndicators(UnixSeconds now) = 0;
  virtual Result<std::vector<IndicatorRecord>> ListIndicators(const IndicatorQuery& query) = 0;
  virtual Result<std::optional<IndicatorRecord>> GetIndicator(const Indicator& indicator) = 0;
  // Every sighting of the indicator, newest first (explain).
  virtual Result<std::vector<SightingRecord>> SightingsOf(const Indicator& indicator) = 0;
  // The `limit` sightings with the newest updated_at (the dashboard's latest findings). Scans
  // every sighting: an admin-page query, cached by its callers.
  virtual Result<std::vector<SightingRecord>> RecentSightings(int64_t limit) = 0;

  // False positives: a removed indicator stays out of every feed until Unremove. Remove fails
  // with NotFound ("never seen") and stores nothing when no finding ever named the indicator
  // (no indicator row and no sighting).
  virtual Status Remove(const Indicator& indicator, std::string_view reason, std::string_view actor,
                        UnixSeconds now) = 0;
  virtual Status Unremove(const Indicator& indicator, std::string_view actor, UnixSeconds now) = 0;
  virtual Result<std::optional<RemovalRecord>> GetRemoval(const Indicator& indicator) = 0;
  virtual Result<std::vector<RemovalRecord>> ListRemovals() = 0;

  // Allowlist entries are stored canonical; adding an existing entry updates its comment.
  virtual Status AddAllowlist(const AllowlistRecord& record) = 0;
  // NotFound when the entry does not exist.
  virtual Status RemoveAllowlist(std::string_view entry, std::string_view actor,
                                 UnixSeconds now) = 0;
  virtual Result<std::vector<AllowlistRecord>> ListAllowlist() = 0;

  virtual Result<std::vector<AuditRecord>> ListAudit(int64_t limit) = 0;

  // Deletes sightings that expired before `now - retention` and indicators left without
  // sightings. Returns the number of indicators deleted.
  virtual Result<int64_t> Expire(UnixSeconds now, int64_t retention_seconds) = 0;

  // Per-feed version state. Renders that publish use AdvanceFeedState; GetFeedState is for
  // read-only callers (what would the version be?) and PutFeedState for tests and repairs.
  virtual Result<std::optional<FeedState>> GetFeedState(std::string_view feed) = 0;
  virtual Status PutFeedState(const FeedState& state) = 0;
  // Versions a rendering of `feed` whose content digest is `digest`, atomically: when the stored
  // digest equals it, returns the stored state (changed = false) and writes nothing; otherwise,
  // in one write transaction that re-reads the stored state, stores serial + 1, `digest`,
  // data_ts = now and version = next_version(previous, serial + 1, now), and returns it. Two
  // processes rendering different contents therefore never get the same version.
  virtual Result<FeedAdvance> AdvanceFeedState(std::string_view feed, std::string_view digest,
                                               UnixSeconds now,
                                               const NextFeedVersion& next_version) = 0;

  // A number that grows whenever indicators, removals or the allowlist change (including through
  // another process on the same store); lets the daemon re-render only when needed.
  virtual Result<int64_t> ChangeCounter() = 0;
  // Everything that changed after `counter` (0: everything ever), read in one snapshot so that
  // `counter` of the answer covers exactly the changes listed. Cost: proportional to the
  // changes, not to the store (an index on the change counter).
  virtual Result<StoreChanges> ChangesSince(int64_t counter) = 0;
  // Soonest expires_at > now among indicators, or nullopt (schedules the next re-render).
  virtual Result<std::optional<UnixSeconds>> NextExpiry(UnixSeconds now) = 0;
  // `count` consecutive buckets of `width` seconds starting at `from`, oldest first, every one
  // present (zeros included). Reads every sighting in the window (withdrawals have no index):
  // an admin-page query, cached by its callers, not a hot path.
  virtual Result<std::vector<ActivityBucket>> Activity(UnixSeconds from, int64_t width,
                                                       int count, UnixSeconds now) = 0;

  // Opaque per-publisher state (what was last pushed to S3 or ATP Cloud), keyed by the
  // publisher's own key. Lets a restarted or replicated publisher compute correct diffs.
  virtual Result<std::optional<std::string>> GetPublisherState(std::string_view key) = 0;
  virtual Status PutPublisherState(std::string_view key, std::string_view value) = 0;

  // Raw access for `store copy` (store/copy.h). ExportRows reads every table in one snapshot and
  // hands its rows to `sink` in chunks of at most `chunk_rows` rows (at least one chunk, empty
  // for an empty store), each table in primary-key order, bytewise (audit oldest first); `counter`
  // receives the snapshot's change counter before the first call. The sink must not call this
  // store. ImportRows appends rows as they are, in one transaction (an existing key fails it
  // all), raises the change counter to max(current, `counter`) and marks the imported indicators
  // and removals changed at that value (nothing may read the target during a copy). IsEmpty:
  // no row in any copied table. Clear deletes every row (the schema stays; the counter moves on).
  virtual Status ExportRows(size_t chunk_rows, int64_t& counter,
                            const std::function<Status(const StoreRows&)>& sink) = 0;
  virtual Status ImportRows(const StoreRows& rows, int64_t counter) = 0;
  virtual Result<bool> IsEmpty() = 0;
  virtual Status Clear() = 0;

  // Engines shared by several processes (PostgreSQL replicas) tell each other about commits:
  // WatchChanges calls `on_change` from a thread of the store's soon after any process commits
  // a change (and after reconnecting, since notifications may have been missed) until the Store
  // is destroyed. Returns false when the engine cannot; callers then poll ChangeCounter.
  virtual bool WatchChanges(std::function<void()> on_change) {
    (void)on_change;
    return false;
  }
  // Whether this process is the one, among those sharing the store, that publishes to external
  // targets (S3, ATP Cloud) now. PostgreSQL: a session advisory lock, taken by whichever replica
  // asks first and released when its connection ends; SQLite: always (one box).
  virtual bool LeadsPublishing() { return true; }

  // "sqlite:///path/to/db" or "postgresql://..."; for diagnostics, without secrets.
  virtual std::string Describe() const = 0;
};

// Opens (creating and migrating as needed) the store named by `url`: "sqlite://PATH" or a plain
// file path for SQLite. Fails with a clear message on unknown schemes or unusable paths.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

}  // namespace guardfeed
