// GET /v1/feeds: what each feed currently serves, from the snapshots in memory (no store access).
#include <boost/json.hpp>

#include "core/time_util.h"
#include "server/explain.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace json = boost::json;

namespace {


json::array Fetches(const FetchLog& log, std::string_view key) {
  json::array out;
  for (const FetchRecord& record : log.Get(key)) {
    out.push_back(json::object{{"client", record.client},
                               {"at", JsonTime(record.at)},
                               {"status", record.status},
                               {"count", record.count}});
  }
  return out;
}

std::string_view AuthKind(const ServerOptions& options, const std::string& feed) {
  auto it = options.feed_auth.find(feed);
  if (it == options.feed_auth.end()) return "none";
  if (it->second.basic() && it->second.bearer()) return "basic+bearer";
  return it->second.basic() ? "basic" : "bearer";
}

json::object FileJson(const ServedFile& file, const std::string& url) {
  const Snapshot& snapshot = *file.snapshot;
  return {{"path", snapshot.path},
          {"url", url},
          {"content_type", snapshot.content_type},
          {"entries", snapshot.entries},
          {"dropped", snapshot.dropped},
          {"version", snapshot.version},
          {"etag", snapshot.etag},
          {"bytes", file.Body().size()},
          {"gzip_bytes", file.Gzip().size()},
          {"data_ts", JsonTime(snapshot.data_ts)}};
}

}  // namespace

HttpResponse FeedsOverview(ServerContext& ctx, const RequestContext& rc) {
  const Generation& generation = *rc.generation;
  std::string base = BaseUrl(generation.options, ctx.bound_port.load());
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  json::array feeds;
  for (const FeedConfig& feed : generation.feeds) {
    json::object item{{"name", feed.name},
                      {"format", FormatName(feed.format)},
                      {"auth", AuthKind(generation.options, feed.name)}};
    const ServedFile* file = set ? set->FindFeed(feed.name) : nullptr;
    if (file != nullptr) {
      for (const auto& field : FileJson(*file, base + "/feeds/" + feed.name)) {
        item[field.key()] = field.value();
      }
    }
    item["last_fetched"] = Fetches(ctx.fetches, feed.name);
    feeds.push_back(std::move(item));
  }
  json::array shared;
  if (set) {
    for (const ServedFile& file : set->files) {
      if (!file.snapshot->feed.empty()) continue;
      json::object item = FileJson(file, base + "/" + file.snapshot->path);
      item["last_fetched"] = Fetches(ctx.fetches, file.snapshot->path);
      shared.push_back(std::move(item));
    }
  }
  return JsonResponse(200, json::object{{"generated_at", JsonTime(set ? set->generated_at : 0)},
                                        {"feeds", std::move(feeds)},
                                        {"secintel_files", std::move(shared)}});
}

}  // namespace guardfeed::server
