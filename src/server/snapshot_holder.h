// SnapshotHolder: the FeedSet the server currently serves, with what serving needs precomputed
// once per snapshot (gzip body and its ETag, the Last-Modified date, lookup by path and feed).
//
// Thread safety: a ServedSet is immutable once built. SnapshotHolder::Current may be called from
// any thread without locks on the serving path (std::atomic<std::shared_ptr>); Swap is called
// by the render thread. A request keeps the set it loaded alive until its response is written.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/builder.h"
#include "feeds/feed.h"

namespace guardfeed::server {

struct ServedFile {
  SnapshotPtr snapshot;
  std::string gzip_body;      // empty when gzip is off or would not make the body smaller
  std::string gzip_etag;      // "\"<sha256 of the identity body>-gzip\""
  std::string last_modified;  // HTTP-date of `modified`
  UnixSeconds modified = 0;   // the content's last change (data_ts, else the render time)
  bool secintel = false;      // part of the SecIntel layout (manifest, cc_schema, data files)
};

struct ServedSet {
  std::vector<ServedFile> files;
  std::map<std::string, size_t, std::less<>> by_path;  // Snapshot::path -> index
  std::map<std::string, size_t, std::less<>> by_feed;  // feed name -> index of its data file
  std::vector<FeedReport> reports;
  UnixSeconds generated_at = 0;

  const ServedFile* FindPath(std::string_view path) const;
  const ServedFile* FindFeed(std::string_view name) const;
};

// Wraps a build's snapshots for serving. Gzip bodies of snapshots whose ETag is unchanged since
// `previous` (may be null) are reused instead of recompressed.
std::shared_ptr<const ServedSet> MakeServedSet(BuildResult result,
                                               const std::vector<FeedConfig>& feeds,
                                               const ServedSet* previous, bool gzip);

class SnapshotHolder {
 public:
  // Null until the first render succeeded.
  std::shared_ptr<const ServedSet> Current() const {
    return current_.load(std::memory_order_acquire);
  }
  void Swap(std::shared_ptr<const ServedSet> set) {
    current_.store(std::move(set), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const ServedSet>> current_;
};

}  // namespace guardfeed::server
