#include "server/snapshot_holder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/gzip.h"
#include "server/http_util.h"

namespace guardfeed::server {

namespace {

// Bodies smaller than this gain nothing from gzip once headers are counted.
constexpr size_t kMinGzipBytes = 256;

bool IsSecIntelFile(const Snapshot& snapshot, const std::vector<FeedConfig>& feeds) {
  if (snapshot.feed.empty()) return true;  // manifest.xml and cc_schema
  for (const FeedConfig& feed : feeds) {
    if (feed.name == snapshot.feed) return feed.format == FeedFormat::kSecIntel;
  }
  return false;
}

// Everything but the bytes (body, entry list): what the served set keeps once the bytes are in
// a FileContent.
SnapshotPtr Metadata(const Snapshot& s) {
  auto meta = std::make_shared<Snapshot>();
  meta->feed = s.feed;
  meta->path = s.path;
  meta->content_type = s.content_type;
  meta->format = s.format;
  meta->etag = s.etag;
  meta->entries = s.entries;
  meta->dropped = s.dropped;
  meta->version = s.version;
  meta->data_ts = s.data_ts;
  return meta;
}

// The served copy of a snapshot without its entry list (FeedEntry per indicator, needed only by
// entry-pushing publishers), which would otherwise cost ~100 bytes per indicator per feed.
SnapshotPtr WithoutEntries(SnapshotPtr snapshot) {
  if (!snapshot->feed_entries) return snapshot;
  auto copy = std::make_shared<Snapshot>(*snapshot);
  copy->feed_entries.reset();
  return copy;
}

// Moves large bodies into a FileContent; small ones stay in the snapshot and gzip_storage.
void Store(ServedFile& file, SnapshotPtr snapshot, std::string gzip) {
  file.body_size = snapshot->body.size();
  file.gzip_size = gzip.size();
  if (gzip.empty()) {
    file.gzip_etag.clear();
  } else {
    // "\"hex\"" -> "\"hex-gzip\"": a distinct strong tag for the distinct representation.
    file.gzip_etag = snapshot->etag;
    if (file.gzip_etag.size() >= 2) file.gzip_etag.insert(file.gzip_etag.size() - 1, "-gzip");
  }
  if (snapshot->body.size() >= kFileContentMinBytes) {
    auto content = FileContent::Create(snapshot->body, gzip);
    if (content.ok()) {
      file.content = std::move(content).value();
      file.snapshot = Metadata(*snapshot);
      return;
    }
    spdlog::warn("memfd path={} error=\"{}\" (serving from memory)", snapshot->path,
                 content.status().ToString());
  }
  file.snapshot = WithoutEntries(std::move(snapshot));
  file.gzip_storage = std::move(gzip);
}

ServedFile Wrap(SnapshotPtr snapshot, const std::vector<FeedConfig>& feeds,
                const ServedSet* previous, bool gzip, bool defer_gzip, UnixSeconds generated_at) {
  if (previous != nullptr) {
    const ServedFile* old = previous->FindPath(snapshot->path);
    // A snapshot the shrink guard held back is the served one itself: its bytes may live only
    // in the old file's memfd, so it is reused whatever the gzip setting says.
    if (old != nullptr && old->snapshot == snapshot) return *old;
    bool same = old != nullptr && old->snapshot->etag == snapshot->etag &&
                old->snapshot->data_ts == snapshot->data_ts &&
                (gzip ? !old->gzip_etag.empty() || old->gzip_pending
                      : old->gzip_etag.empty() && !old->gzip_pending);
    if (same) return *old;
  }
  ServedFile file;
  file.lines = std::make_shared<const LineIndex>();
  file.modified = snapshot->data_ts > 0 ? snapshot->data_ts : generated_at;
  file.last_modified = FormatHttpDate(file.modified);
  file.secintel = IsSecIntelFile(*snapshot, feeds);
  std::string compressed;
  if (gzip && defer_gzip && snapshot->body.size() >= kDeferGzipMinBytes) {
    file.gzip_pending = true;
  } else if (gzip) {
    compressed = CompressBody(snapshot->path, snapshot->body);
  }
  Store(file, std::move(snapshot), std::move(compressed));
  return file;
}

}  // namespace

namespace {

bool IsEntryLine(std::string_view line) {
  return !line.empty() && line.front() != '#' && line != "\r";
}

// The line starting at `at` (without its '\n') and the offset of the next one.
std::pair<std::string_view, size_t> LineAt(std::string_view body, size_t at) {
  size_t newline = body.find('\n', at);
  if (newline == std::string_view::npos) return {body.substr(at), body.size()};
  return {body.substr(at, newline - at), newline + 1};
}

}  // namespace

void LineIndex::Build(std::string_view body) const {
  uint64_t line = 0;
  for (size_t at = 0; at < body.size();) {
    auto [text, next] = LineAt(body, at);
    if (IsEntryLine(text)) {
      if (line % kStride == 0) marks_.push_back(at);
      ++line;
      end_ = next;
    }
    at = next;
  }
  total_ = line;
}

size_t LineIndex::Locate(std::string_view body, uint64_t line) const {
  if (line >= total_) return end_;
  size_t at = marks_[line / kStride];
  for (uint64_t skip = line % kStride; skip > 0;) {
    auto [text, next] = LineAt(body, at);
    if (IsEntryLine(text)) --skip;
    at = next;
  }
  // Past comment lines between entries, to the entry itself.
  while (at < body.size() && !IsEntryLine(LineAt(body, at).first)) at = LineAt(body, at).second;
  return at;
}

LineIndex::Range LineIndex::Window(std::string_view body, uint64_t start, uint64_t count) const {
  std::call_once(built_, [this, body] { Build(body); });
  uint64_t first = std::min(start, total_);
  uint64_t last = count > total_ - first ? total_ : first + count;
  Range range;
  range.begin = Locate(body, first);
  range.end = Locate(body, last);
  range.entries = last - first;
  range.total = total_;
  return range;
}

std::string CompressBody(std::string_view path, std::string_view body) {
  if (body.size() < kMinGzipBytes) return "";
  Result<std::string> compressed = GzipCompress(body);
  if (!compressed.ok()) {
    spdlog::warn("gzip path={} error=\"{}\"", path, compressed.status().ToString());
    return "";
  }
  if (compressed->size() >= body.size()) return "";
  return std::move(compressed).value();
}

std::vector<std::string> GzipPending(const ServedSet& set) {
  std::vector<std::string> paths;
  for (const ServedFile& file : set.files) {
    if (file.gzip_pending) paths.push_back(file.snapshot->path);
  }
  return paths;
}

ServedFile WithGzip(const ServedFile& file, std::string gzip) {
  ServedFile gzipped = file;
  gzipped.gzip_pending = false;
  if (gzip.empty()) return gzipped;
  // Store takes the bytes from a snapshot body; a large file holds them only in its memfd.
  auto snapshot = std::make_shared<Snapshot>(*file.snapshot);
  if (file.content) snapshot->body = std::string(file.Body());
  gzipped.content.reset();
  Store(gzipped, std::move(snapshot), std::move(gzip));
  return gzipped;
}

std::shared_ptr<const ServedSet> ReplacePending(const ServedSet& set, std::string_view path,
                                                std::string_view etag, ServedFile file) {
  const ServedFile* old = set.FindPath(path);
  if (old == nullptr || !old->gzip_pending || old->snapshot->etag != etag) return nullptr;
  auto next = std::make_shared<ServedSet>(set);
  next->files[next->by_path.find(path)->second] = std::move(file);
  return next;
}

std::string_view ServedFile::Body() const {
  if (content) return content->bytes().substr(0, body_size);
  return snapshot->body;
}

std::string_view ServedFile::Gzip() const {
  if (content) return content->bytes().substr(body_size, gzip_size);
  return gzip_storage;
}

const ServedFile* ServedSet::FindPath(std::string_view path) const {
  auto it = by_path.find(path);
  return it == by_path.end() ? nullptr : &files[it->second];
}

const ServedFile* ServedSet::FindFeed(std::string_view name) const {
  auto it = by_feed.find(name);
  return it == by_feed.end() ? nullptr : &files[it->second];
}

std::shared_ptr<const ServedSet> MakeServedSet(BuildResult result,
                                               const std::vector<FeedConfig>& feeds,
                                               const ServedSet* previous, bool gzip,
                                               std::set<std::string> held_unserved,
                                               bool defer_gzip,
                                               std::set<std::string> held_served) {
  auto set = std::make_shared<ServedSet>();
  set->held_unserved.insert(held_unserved.begin(), held_unserved.end());
  set->held_served.insert(held_served.begin(), held_served.end());
  set->generated_at = result.set.generated_at;
  set->reports = std::move(result.reports);
  set->files.reserve(result.set.files.size());
  for (SnapshotPtr& snapshot : result.set.files) {
    ServedFile file =
        Wrap(std::move(snapshot), feeds, previous, gzip, defer_gzip, set->generated_at);
    size_t index = set->files.size();
    set->by_path.emplace(file.snapshot->path, index);
    if (!file.snapshot->feed.empty()) set->by_feed.emplace(file.snapshot->feed, index);
    set->files.push_back(std::move(file));
  }
  return set;
}

}  // namespace guardfeed::server
