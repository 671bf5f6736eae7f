// Runtime: what every command needs, opened once from the configuration: the store, the policy,
// the clock and the feed builder.
//
// Thread safety: the members follow their own rules (Store is thread-safe; FeedBuilder::Build is
// called from one thread at a time).
#pragma once

#include <memory>

#include "cli/commands.h"
#include "cli/config.h"
#include "feeds/builder.h"
#include "store/ingest.h"
#include "store/store.h"

namespace guardfeed {

struct Runtime {
  Config config;
  std::unique_ptr<Clock> manual_clock;  // set when --now was given
  const Clock* clock = nullptr;         // manual_clock or SystemClock()
  std::shared_ptr<Store> store;
  std::unique_ptr<Policy> policy;
  std::unique_ptr<FeedBuilder> builder;
};

// The configuration a command runs with: LoadConfig(--config, process environment), then --store.
Result<Config> LoadEffectiveConfig(const GlobalOptions& global);

// Opens the store, policy, clock and feed builder for `config` (from LoadEffectiveConfig), or
// uses `store` when given (a daemon's reload keeps its store: the URL cannot change, and a
// replica's store holds its publishing lease). On failure prints nothing; the Status says what
// and where.
Result<std::unique_ptr<Runtime>> OpenRuntime(const GlobalOptions& global, Config config,
                                             std::shared_ptr<Store> store = nullptr);

// LoadEffectiveConfig, then OpenRuntime.
Result<std::unique_ptr<Runtime>> OpenRuntime(const GlobalOptions& global);

}  // namespace guardfeed
