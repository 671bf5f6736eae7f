// SnapshotHolder: the FeedSet the server currently serves, with what serving needs precomputed
// once per snapshot (gzip body and its ETag, the Last-Modified date, lookup by path and feed, and
// for large files the bytes in a FileContent so plain HTTP can use sendfile).
//
// Thread safety: a ServedSet is immutable once built. SnapshotHolder::Current may be called from
// any thread without locks on the serving path (std::atomic<std::shared_ptr>); Swap is called
// by the render thread. A request keeps the set it loaded alive until its response is written.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/builder.h"
#include "feeds/feed.h"
#include "server/file_content.h"

namespace guardfeed::server {

// Files at least this large are kept in a FileContent (and served with sendfile).
inline constexpr size_t kFileContentMinBytes = 64 * 1024;

// Where the entry lines of a plain body start (lines that are neither empty nor "#" comments),
// for paging (GET /feeds/NAME?s=START&n=COUNT). Built on first use, once per snapshot, keeping
// every kStride-th line's offset: a window is then found by skipping fewer than kStride lines
// at each end, whatever the list's size.
//
// Thread safety: Window may be called from any thread; the first call builds the index
// (std::call_once) and later ones only read it.
class LineIndex {
 public:
  static constexpr size_t kStride = 64;

  struct Range {
    size_t begin = 0;  // byte offsets in the body
    size_t end = 0;
    uint64_t entries = 0;  // entry lines in [begin, end)
    uint64_t total = 0;    // entry lines in the body
  };
  // Entry lines [start, start + count) of `body`, clamped to the lines there are. `body` must be
  // the same bytes on every call.
  Range Window(std::string_view body, uint64_t start, uint64_t count) const;

 private:
  void Build(std::string_view body) const;
  size_t Locate(std::string_view body, uint64_t line) const;

  mutable std::once_flag built_;
  mutable std::vector<size_t> marks_;  // offset of entry line i * kStride
  mutable uint64_t total_ = 0;
  mutable size_t end_ = 0;  // just past the last entry line
};

struct ServedFile {
  // The snapshot's metadata. When `content` is set its body (and entry list) are dropped: the
  // bytes live in `content` only.
  SnapshotPtr snapshot;
  std::shared_ptr<const FileContent> content;  // identity bytes, then gzip bytes; may be null
  size_t body_size = 0;
  size_t gzip_size = 0;
  std::string gzip_storage;   // the gzip bytes when there is no `content`
  std::string gzip_etag;      // "\"<sha256 of the identity body>-gzip\"" ("" without gzip)
  std::string last_modified;  // HTTP-date of `modified`
  UnixSeconds modified = 0;   // the content's last change (data_ts, else the render time)
  bool secintel = false;      // part of the SecIntel layout (manifest, cc_schema, data files)
  // Gzip is on but its bytes are still being computed off the render thread (WithGzip installs
  // them); meanwhile the identity bytes are served.
  bool gzip_pending = false;
  // Entry line offsets of the identity body, shared by the copies of this file; null for files
  // built by hand (paging then indexes the body on the spot).
  std::shared_ptr<const LineIndex> lines;

  std::string_view Body() const;
  // Empty when gzip is off or would not make the body smaller.
  std::string_view Gzip() const;
  // Offsets of the two representations within content->fd().
  size_t body_offset() const { return 0; }
  size_t gzip_offset() const { return body_size; }
};

struct ServedSet {
  std::vector<ServedFile> files;
  std::map<std::string, size_t, std::less<>> by_path;  // Snapshot::path -> index
  std::map<std::string, size_t, std::less<>> by_feed;  // feed name -> index of its data file
  std::vector<FeedReport> reports;
  UnixSeconds generated_at = 0;
  // Feeds the shrink guard holds back with nothing of theirs served yet (the first render after
  // a start, when a publish target still holds more): answered 503 so firewalls keep their list.
  std::set<std::string, std::less<>> held_unserved;
  // Feeds and consumer lists the shrink guard holds on what was served before (not this render).
  std::set<std::string, std::less<>> held_served;

  const ServedFile* FindPath(std::string_view path) const;
  const ServedFile* FindFeed(std::string_view name) const;
};

// Bodies at least this large are compressed off the render thread when MakeServedSet is asked
// to defer (gzip of a 184 MB feed takes seconds; the new identity bytes must not wait for it).
inline constexpr size_t kDeferGzipMinBytes = 256 * 1024;

// Wraps a build's snapshots for serving. Files whose ETag is unchanged since `previous` (may be
// null) are reused as they are (no recompression, no copy). With `defer_gzip`, new bodies of at
// least kDeferGzipMinBytes are served without gzip and marked gzip_pending: the caller
// compresses them (GzipPending, Compress) and installs the result (WithGzip).
std::shared_ptr<const ServedSet> MakeServedSet(BuildResult result,
                                               const std::vector<FeedConfig>& feeds,
                                               const ServedSet* previous, bool gzip,
                                               std::set<std::string> held_unserved = {},
                                               bool defer_gzip = false,
                                               std::set<std::string> held_served = {});

// Paths of `set`'s files marked gzip_pending.
std::vector<std::string> GzipPending(const ServedSet& set);
// The gzip representation of `body`, or "" when it is not worth sending.
std::string CompressBody(std::string_view path, std::string_view body);
// `file` (gzip_pending) with `gzip` installed ("": not worth it, identity only). Slow for a
// large file: its bytes are copied into a new FileContent with the gzip behind them.
ServedFile WithGzip(const ServedFile& file, std::string gzip);
// `set` with `file` in place of its file at `path`, if that one is still gzip_pending with the
// ETag `etag`; null otherwise (the file changed meanwhile: nothing to install).
std::shared_ptr<const ServedSet> ReplacePending(const ServedSet& set, std::string_view path,
                                                std::string_view etag, ServedFile file);

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
