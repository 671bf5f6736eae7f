// LiveFeeds: the feeds kept up to date incrementally, for the daemon's render loop. It holds the
// active, unsuppressed indicators in memory in feed order, applies the store's changes
// (Store::ChangesSince) and the passing of expiry times, keeps every feed's selection (kinds,
// min_threat_level, the max_entries cap by rank) in step at O(log n) per change, and re-renders
// only the feeds whose entries changed, and within a feed only the blocks of about a thousand
// entries that changed: the rest of the body is copied from the feed's previous body
// (docs/architecture.md, "Incremental feeds"). A full load (Reload) renders the same bytes,
// digests and versions as any sequence of incremental updates; FeedBuilder::Build is one.
//
// Content digest (FeedState::content_digest): SHA-256 over the feed's render options and the
// sum of a 128-bit fingerprint per entry of exactly the fields the format prints, so it moves
// when and only when the body does, and is kept up to date by adding and subtracting.
//
// Thread safety: none; one thread at a time (the render loop's, or a CLI command's).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "feeds/builder.h"
#include "feeds/feed.h"
#include "feeds/secintel.h"
#include "policy/policy.h"
#include "store/store.h"

namespace guardfeed {

class LiveFeeds {
 public:
  // `policy`, `store` and `clock` must outlive this. Feed names must be unique.
  LiveFeeds(std::vector<FeedConfig> feeds, SecIntelOptions secintel, const Policy* policy,
            Store* store, const Clock* clock);
  ~LiveFeeds();
  LiveFeeds(const LiveFeeds&) = delete;
  LiveFeeds& operator=(const LiveFeeds&) = delete;

  // Reads every active indicator and the allowlist again; the next Render renders every feed
  // (a feed whose content did not change keeps its version and snapshot). Fails when the store
  // fails or a stored allowlist entry no longer parses; then the next Update reloads again.
  Status Reload();
  // Brings the entries up to the store (Store::ChangesSince since the last Reload or Update;
  // a reset or allowlist change reloads) and drops entries that expired by the clock's now.
  // Reloads when nothing was loaded yet. On failure nothing is lost: the next call retries.
  Status Update();

  // Renders the feeds whose content changed since the last Render (every feed the first time),
  // versions them (Store::AdvanceFeedState with kAdvance) and returns every file: unchanged
  // feeds keep their previous SnapshotPtr and report changed = false. Reports carry the current
  // dropped count; a snapshot whose body does not print it keeps the count of its render.
  // SecIntel's cc_schema and manifest.xml follow the data files. Fails when the store fails
  // (the feeds not versioned yet are rendered by the next call).
  Result<BuildResult> Render(Versioning versioning = Versioning::kAdvance);

  // Marks for the next Render every feed whose content the store (Store::GetFeedState) holds
  // with another version than the one served: another process sharing the store versioned this
  // same content after this one did. The next Render adopts the stored version, so replicas
  // converge on one version per content. A different stored content is left alone (this process
  // is behind, or runs another configuration). Returns whether any feed was marked.
  Result<bool> SyncVersions();

  // Whether rendered snapshots carry their entries (Snapshot::feed_entries, a copy per render
  // of a changed feed, for publishers that push entries such as ATP Cloud). Default false.
  void KeepEntryLists(bool keep);

  // The soonest expires_at among the entries held, or nullopt.
  std::optional<UnixSeconds> NextExpiry();
  // Entries held (active, unsuppressed, not removed).
  size_t size() const;
  // The store's change counter the entries reflect.
  int64_t counter() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace guardfeed
