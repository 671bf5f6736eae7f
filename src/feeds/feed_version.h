// Internal to feeds/: a feed's next version from its content digest (docs/formats.md,
// "Versions"): AdvanceFeedState for renders that publish, the same computed without writing for
// read-only ones (Versioning::kPeek).
//
// Thread safety: pure functions over the store, which serialises its own writes.
#pragma once

#include <string>

#include "feeds/builder.h"
#include "feeds/feed.h"
#include "store/store.h"

namespace guardfeed::feeds_internal {

// The state to render `config` with when its content digest is `digest`; fails (with the feed's
// name as context) when the store fails.
Result<FeedAdvance> VersionFeed(const FeedConfig& config, const std::string& digest,
                                UnixSeconds now, Store* store, Versioning versioning);

}  // namespace guardfeed::feeds_internal
