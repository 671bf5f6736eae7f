// Publisher: pushes a FeedSet somewhere firewalls read it. One implementation per target
// (directory.cc here; S3 and ATP Cloud follow), picked by NewPublisher from a URL.
//
// Contract: files are written in FeedSet order (data before the SecIntel manifest); a file whose
// content did not change since this publisher last wrote it is not rewritten; a failed publish
// leaves what was published before intact.
//
// publish/ depends on core/, feeds/ (and store/ for remote publish state).
// Thread safety: Publish is called from one thread at a time.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "feeds/feed.h"
#include "publish/shrink_guard.h"
#include "store/store.h"

namespace guardfeed {

struct PublishReport {
  std::vector<std::string> written;    // paths (or keys) written
  std::vector<std::string> unchanged;  // skipped because identical
};

class Publisher {
 public:
  Publisher() = default;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  virtual ~Publisher() = default;

  virtual Result<PublishReport> Publish(const FeedSet& set) = 0;
  // Publish, knowing that the feeds in `held_back` were held back in front of this publisher
  // (their files are not in `set`): an index that lists feeds (the SecIntel manifest) must then
  // stay as published. Default: Publish(set).
  virtual Result<PublishReport> PublishHeld(const FeedSet& set,
                                            const std::set<std::string>& held_back) {
    (void)held_back;
    return Publish(set);
  }
  // Where it publishes, without secrets ("file:///srv/feeds").
  virtual std::string Describe() const = 0;
  // Publish, with the shrink guard waived for the feeds in `accepted` ("*": every feed): an
  // operator looked at the change (an admin removal, a forced allowlist entry, an explicit
  // accept) and wants it published. Default: Publish(set).
  virtual Result<PublishReport> PublishAccepting(const FeedSet& set,
                                                 const std::set<std::string>& accepted) {
    (void)accepted;
    return Publish(set);
  }
  // True when this target publishes `snapshot` at all (ATP Cloud carries only its configured
  // feeds): the shrink guard judges and records only those. Default: every snapshot.
  virtual bool Carries(const Snapshot& snapshot) const {
    (void)snapshot;
    return true;
  }
  // What this target holds now for `snapshot`'s feed, for the shrink guard when nothing was
  // recorded yet (a fresh store, a first publish). Default: unknown.
  virtual PreviousEntries Previous(const Snapshot& snapshot) {
    (void)snapshot;
    return PreviousEntries::Unknown();
  }
};

// Puts the shrink guard in front of `inner`: a feed that would shrink past
// `guard.max_shrink_fraction`, or become empty, is taken out of the set `inner` publishes (the
// target keeps what it has; a SecIntel manifest listing it is held back by the target), and
// Publish then fails with FailedPrecondition naming it, after publishing the rest. The last
// published entry count per feed is kept in `store` (may be null: memory only) under a key
// derived from inner->Describe(), so restarts, replicas and `guardfeed publish` agree; without
// a record, inner->Previous() says what the target holds. Every factory below returns its
// publisher wrapped this way.
std::unique_ptr<Publisher> NewShrinkGuardedPublisher(std::unique_ptr<Publisher> inner, Store* store,
                                                     ShrinkGuardOptions guard);

// "file:///abs/dir", "file://rel/dir" or a plain directory path. The directory is created if
// missing. Shrink-guarded with `guard`, its state in `store` (may be null).
Result<std::unique_ptr<Publisher>> NewDirectoryPublisher(std::string_view directory,
                                                         Store* store = nullptr,
                                                         ShrinkGuardOptions guard = {});



}  // namespace guardfeed
