// FeedBuilder::Build is one full load and render of LiveFeeds, so the CLI's renders and the
// daemon's incremental ones give the same bytes, digests and versions by construction.
#include "feeds/builder.h"

#include "feeds/live_feeds.h"

namespace guardfeed {

FeedBuilder::FeedBuilder(std::vector<FeedConfig> feeds, SecIntelOptions secintel,
                         const Policy* policy, Store* store, const Clock* clock)
    : feeds_(std::move(feeds)),
      secintel_(secintel),
      policy_(policy),
      store_(store),
      clock_(clock) {}

FeedBuilder::~FeedBuilder() = default;

std::unique_ptr<LiveFeeds> FeedBuilder::NewLiveFeeds() const {
  return std::make_unique<LiveFeeds>(feeds_, secintel_, policy_, store_, clock_);
}

// The SecIntel manifest lists every SecIntel feed, so it (with cc_schema) is produced only by a
// full build; a build of one feed returns just that feed's file.
Result<BuildResult> FeedBuilder::Build(std::string_view only, Versioning versioning) {
  std::vector<FeedConfig> chosen;
  for (const FeedConfig& config : feeds_) {
    if (only.empty() || config.name == only) chosen.push_back(config);
  }
  if (!only.empty() && chosen.empty()) {
    return Status::NotFound("no feed named '" + std::string(only) + "'");
  }
  LiveFeeds live(std::move(chosen), secintel_, policy_, store_, clock_);
  live.KeepEntryLists(true);
  GF_RETURN_IF_ERROR(live.Reload());
  auto result = live.Render(versioning);
  if (!result.ok()) return result.status();
  if (!only.empty()) {
    std::erase_if(result->set.files, [](const SnapshotPtr& file) { return file->feed.empty(); });
  }
  return result;
}

}  // namespace guardfeed
