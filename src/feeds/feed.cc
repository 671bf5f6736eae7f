#include "feeds/feed.h"

#include <algorithm>

#include "core/hash.h"

namespace guardfeed {

std::string_view FormatName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kPlain:
      return "plain";
    case FeedFormat::kSecIntel:
      return "secintel";
    case FeedFormat::kCheckPoint:
      return "checkpoint";
    case FeedFormat::kJson:
      return "json";
  }
  return "unknown";
}

Result<FeedFormat> ParseFormatName(std::string_view name) {
  for (FeedFormat format :
       {FeedFormat::kPlain, FeedFormat::kSecIntel, FeedFormat::kCheckPoint, FeedFormat::kJson}) {
    if (FormatName(format) == name) return format;
  }
  return Status::InvalidArgument("unknown feed format '" + std::string(name) +
                                 "' (expected plain, secintel, checkpoint or json)");
}

std::string KindsText(const FeedConfig& feed) {
  if (feed.containment) return "containment";
  std::string out;
  for (IndicatorKind kind : feed.kinds) {
    if (!out.empty()) out += ",";
    out += KindName(kind);
  }
  return out;
}

bool FeedConfig::Carries(IndicatorKind kind) const {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

SnapshotPtr FeedSet::Find(std::string_view path) const {
  for (const SnapshotPtr& file : files) {
    if (file->path == path) return file;
  }
  return nullptr;
}

SnapshotPtr MakeSnapshot(Snapshot snapshot) {
  const std::string digest = Sha256Hex(snapshot.body);
  snapshot.etag.reserve(digest.size() + 2);
  snapshot.etag.append(1, '"').append(digest).append(1, '"');
  return std::make_shared<const Snapshot>(std::move(snapshot));
}

}  // namespace guardfeed
