#include "server/snapshot_holder.h"

#include <spdlog/spdlog.h>

#include "server/gzip.h"
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

void Compress(ServedFile& file, const ServedSet* previous) {
  const Snapshot& snapshot = *file.snapshot;
  if (snapshot.body.size() < kMinGzipBytes) return;
  if (previous != nullptr) {
    const ServedFile* old = previous->FindPath(snapshot.path);
    if (old != nullptr && old->snapshot->etag == snapshot.etag) {
      file.gzip_body = old->gzip_body;
      file.gzip_etag = old->gzip_etag;
      return;
    }
  }
  Result<std::string> compressed = GzipCompress(snapshot.body);
  if (!compressed.ok()) {
    spdlog::warn("gzip path={} error=\"{}\"", snapshot.path, compressed.status().ToString());
    return;
  }
  if (compressed->size() >= snapshot.body.size()) return;
  file.gzip_body = std::move(compressed).value();
  std::string etag = snapshot.etag;
  // "\"hex\"" -> "\"hex-gzip\"": a distinct strong tag for the distinct representation.
  if (etag.size() >= 2 && etag.back() == '"') etag.insert(etag.size() - 1, "-gzip");
  file.gzip_etag = std::move(etag);
}

// The served copy of a snapshot without its entry list (FeedEntry per indicator, needed only by
// entry-pushing publishers): at 1M indicators that list would cost ~100 bytes per indicator per
// feed for as long as the snapshot is served. Reuses the previous served copy when unchanged.
SnapshotPtr ForServing(SnapshotPtr snapshot, const ServedSet* previous) {
  if (!snapshot->feed_entries) return snapshot;
  if (previous != nullptr) {
    const ServedFile* old = previous->FindPath(snapshot->path);
    if (old != nullptr && old->snapshot->etag == snapshot->etag) return old->snapshot;
  }
  auto copy = std::make_shared<Snapshot>(*snapshot);
  copy->feed_entries.reset();
  return copy;
}

}  // namespace

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
                                               const ServedSet* previous, bool gzip) {
  auto set = std::make_shared<ServedSet>();
  set->generated_at = result.set.generated_at;
  set->reports = std::move(result.reports);
  set->files.reserve(result.set.files.size());
  for (SnapshotPtr& snapshot : result.set.files) {
    ServedFile file;
    file.snapshot = ForServing(std::move(snapshot), previous);
    file.modified = file.snapshot->data_ts > 0 ? file.snapshot->data_ts : set->generated_at;
    file.last_modified = FormatHttpDate(file.modified);
    file.secintel = IsSecIntelFile(*file.snapshot, feeds);
    if (gzip) Compress(file, previous);
    size_t index = set->files.size();
    set->by_path.emplace(file.snapshot->path, index);
    if (!file.snapshot->feed.empty()) set->by_feed.emplace(file.snapshot->feed, index);
    set->files.push_back(std::move(file));
  }
  return set;
}

}  // namespace guardfeed::server
