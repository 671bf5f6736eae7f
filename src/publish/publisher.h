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
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "feeds/feed.h"

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
  // Where it publishes, without secrets ("file:///srv/feeds").
  virtual std::string Describe() const = 0;
};

// "file:///abs/dir", "file://rel/dir" or a plain directory path. The directory is created if
// missing.
Result<std::unique_ptr<Publisher>> NewDirectoryPublisher(std::string_view directory);

// Publishes to every target in order, trying all of them; fails (naming each failed target)
// when any failed. Used by the daemon, which runs one publisher after each render.
std::unique_ptr<Publisher> NewFanOutPublisher(std::vector<std::unique_ptr<Publisher>> targets);

}  // namespace guardfeed
