// FeedBuilder: the read path store -> feeds. Loads active indicators, drops what policy suppresses
// (never-block ranges, configured and stored allowlists) and what was removed, then per feed:
// filters kinds and threat level, ranks and caps, sorts, versions (FeedState in the store, so
// restarts and replicas agree) and renders. Produces a FeedSet of immutable snapshots.
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

struct FeedReport {
  std::string feed;
  uint64_t entries = 0;
  uint64_t dropped = 0;
  std::string version;
  bool changed = false;  // content differs from the previous build's (a new version)
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
  // Renders every feed (or only `only` when not empty). Fails when the store fails.
  Result<BuildResult> Build(std::string_view only = "");

 private:
  const std::vector<FeedConfig> feeds_;
  const SecIntelOptions secintel_;
  const Policy* const policy_;
  Store* const store_;
  const Clock* const clock_;
};

}  // namespace guardfeed
