// FeedBuilder: the read path store -> feeds, in one go (the CLI's feeds and publish commands).
// Loads active indicators, drops what is suppressed (feeds/suppressions.h: never-block ranges,
// configured and stored allowlists) and what was removed, then per feed: filters kinds and threat
// level, ranks and caps, sorts, versions (FeedState in the store, so restarts and replicas agree)
// and renders. Produces a FeedSet of immutable snapshots. It is a full load of LiveFeeds
// (feeds/live_feeds.h), which the daemon keeps up to date incrementally instead.
//
// Versions: a render that publishes (Versioning::kAdvance) gives a changed content the next
// version through Store::AdvanceFeedState, one transaction, so two processes on one store never
// give two contents one version. Read-only commands (feeds list, feeds cat) use kPeek: they see
// the version a publishing render would give now, and write nothing.
//
// Thread safety: Build may be called from one thread at a time.
#pragma once

#include <memory>
#include <vector>

#include "core/clock.h"
#include "feeds/feed.h"
#include "feeds/secintel.h"
#include "policy/policy.h"
#include "store/store.h"

namespace guardfeed {

class LiveFeeds;

struct FeedReport {
  std::string feed;
  uint64_t entries = 0;
  uint64_t dropped = 0;
  std::string version;
  bool changed = false;  // content differs from the stored version's (a new version; with
                         // Versioning::kPeek, the version a publishing render would give)
};

enum class Versioning {
  kAdvance,  // store the next version when a feed's content changed (render, publish, serve)
  kPeek,     // compute it from the stored state without writing (list, cat)
};

struct BuildResult {
  FeedSet set;
  std::vector<FeedReport> reports;
};

class FeedBuilder {
 public:
  // `policy`, `store` and `clock` must outlive the builder. Feed names must be unique
  // (configuration validation guarantees it).
  FeedBuilder(std::vector<FeedConfig> feeds, SecIntelOptions secintel, const Policy* policy,
              Store* store, const Clock* clock);
  ~FeedBuilder();

  const std::vector<FeedConfig>& feeds() const { return feeds_; }
  // Renders every feed (or only `only` when not empty). Fails when the store fails or when a
  // stored allowlist entry no longer parses; NotFound when `only` names no feed.
  Result<BuildResult> Build(std::string_view only = "",
                            Versioning versioning = Versioning::kAdvance);
  // Incremental feeds of the same configuration, on the same store, policy and clock.
  std::unique_ptr<LiveFeeds> NewLiveFeeds() const;

 private:
  const std::vector<FeedConfig> feeds_;
  const SecIntelOptions secintel_;
  const Policy* const policy_;
  Store* const store_;
  const Clock* const clock_;
};

}  // namespace guardfeed
