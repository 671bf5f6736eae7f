// Feed routes: serve the current snapshots. Nothing here touches the store.
#include <boost/beast/http/field.hpp>

#include "server/auth.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kRealm = "guardfeed feeds";

bool NotModified(const ServedFile& file, const RequestHead& head) {
  auto inm = head.find(http::field::if_none_match);
  if (inm != head.end()) {
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    return EtagMatches(inm->value(), file.snapshot->etag) ||
           (!file.gzip_etag.empty() && EtagMatches(inm->value(), file.gzip_etag));
  }
  auto ims = head.find(http::field::if_modified_since);
  if (ims == head.end()) return false;
  std::optional<UnixSeconds> since = ParseHttpDate(ims->value());
  return since && file.modified <= *since;
}

std::string_view ContentTypeFor(FeedFormat format) {
  switch (format) {
    case FeedFormat::kJson:
      return "application/json";
    case FeedFormat::kCheckPoint:
      return "text/csv; charset=utf-8";
    default:
      return "text/plain; charset=utf-8";
  }
}

// A configured feed that has no snapshot (nothing rendered for it): still 200, empty.
HttpResponse EmptyFeed(const FeedConfig& feed, const ServerOptions& options, bool head_only) {
  HttpResponse response;
  response.AddHeader("Content-Type", std::string(ContentTypeFor(feed.format)));
  response.AddHeader("Cache-Control", options.cache_control);
  response.omit_body = head_only;
  return response;
}

const FeedAuth* AuthFor(const ServerOptions& options, std::string_view feed) {
  if (feed.empty()) return options.secintel_auth ? &*options.secintel_auth : nullptr;
  auto it = options.feed_auth.find(std::string(feed));
  return it == options.feed_auth.end() ? nullptr : &it->second;
}

struct Lookup {
  std::shared_ptr<const ServedSet> set;
  const ServedFile* file = nullptr;
};

// Authorises and serves `lookup`; records the fetch under `feed` (the path for shared files).
HttpResponse Serve(ServerContext& ctx, const RequestContext& rc, const Lookup& lookup,
                   std::string_view feed) {
  const ServerOptions& options = rc.generation->options;
  if (const FeedAuth* auth = AuthFor(options, feed)) {
    if (CheckFeedAuth(*rc.head, *auth) != AuthResult::kOk) return FeedAuthChallenge(*auth, kRealm);
  }
  HttpResponse response = ServeFile(*lookup.file, lookup.set, *rc.head, rc.head_only, options);
  ctx.fetches.Record(feed.empty() ? std::string_view(lookup.file->snapshot->path) : feed, rc.client,
                     rc.generation->pipeline->clock->Now(), response.status);
  return response;
}

HttpResponse NotRendered() {
  HttpResponse response = JsonError(503, "feeds are not rendered yet (is the store reachable?)");
  response.AddHeader("Retry-After", "2");
  return response;
}

// A feed the shrink guard holds with nothing of it served yet: firewalls keep the list they have.
HttpResponse HeldBack(const std::string& feed) {
  HttpResponse response = JsonError(
      503, "feed " + feed + " is held back by the shrink guard (accept with POST /v1/feeds/" +
               feed + "/accept)");
  response.AddHeader("Retry-After", "60");
  return response;
}

HttpResponse HandleFeed(ServerContext& ctx, const RequestContext& rc) {
  std::optional<std::string> name = PercentDecode(rc.tail);
  if (!name || name->empty()) return JsonError(404, "no such feed");
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  if (!set) return NotRendered();
  Lookup lookup{set, set->FindFeed(*name)};
  if (lookup.file == nullptr) lookup.file = set->FindPath(*name);
  if (lookup.file == nullptr) {
    const FeedConfig* config = rc.generation->FindFeed(*name);
    if (config == nullptr) return JsonError(404, "no feed named \"" + *name + "\"");
    if (set->held_unserved.contains(config->name)) return HeldBack(config->name);
    const ServerOptions& options = rc.generation->options;
    if (const FeedAuth* auth = AuthFor(options, config->name)) {
      if (CheckFeedAuth(*rc.head, *auth) != AuthResult::kOk) {
        return FeedAuthChallenge(*auth, kRealm);
      }
    }
    return EmptyFeed(*config, options, rc.head_only);
  }
  return Serve(ctx, rc, lookup, lookup.file->snapshot->feed);
}

// /secintel/PATH and /PATH: only files of the SecIntel layout.
HttpResponse HandleSecIntel(ServerContext& ctx, const RequestContext& rc) {
  std::optional<std::string> path = PercentDecode(rc.tail);
  if (!path || path->empty()) return JsonError(404, "no such resource");
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  if (!set) return NotRendered();
  Lookup lookup{set, set->FindPath(*path)};
  // A SecIntel data file is named after its feed.
  if (lookup.file == nullptr && set->held_unserved.contains(*path)) return HeldBack(*path);
  if (lookup.file == nullptr || !lookup.file->secintel) {
    return JsonError(404, "no such resource");
  }
  return Serve(ctx, rc, lookup, lookup.file->snapshot->feed);
}

}  // namespace

HttpResponse ServeFile(const ServedFile& file, std::shared_ptr<const ServedSet> set,
                       const RequestHead& head, bool head_only, const ServerOptions& options) {
  const Snapshot& snapshot = *file.snapshot;
  bool gzip = !file.Gzip().empty() && AcceptsGzip(head[http::field::accept_encoding]);
  HttpResponse response;
  response.AddHeader("ETag", gzip ? file.gzip_etag : snapshot.etag);
  response.AddHeader("Last-Modified", file.last_modified);
  response.AddHeader("Cache-Control", options.cache_control);
  if (!file.Gzip().empty()) response.AddHeader("Vary", "Accept-Encoding");
  if (NotModified(file, head)) {
    response.status = 304;
    response.omit_body = true;
    return response;
  }
  response.AddHeader("Content-Type", snapshot.content_type);
  if (gzip) response.AddHeader("Content-Encoding", "gzip");
  if (!snapshot.version.empty()) response.AddHeader("X-Feed-Version", snapshot.version);
  response.AddHeader("X-Feed-Entries", std::to_string(snapshot.entries));
  response.shared_body = gzip ? file.Gzip() : file.Body();
  if (file.content) {
    response.file_fd = file.content->fd();
    response.file_offset = gzip ? file.gzip_offset() : file.body_offset();
  }
  response.shared = std::move(set);
  response.omit_body = head_only;
  return response;
}

void AddFeedRoutes(Router& router, ServerContext& ctx) {
  const std::vector<http::verb> kGetHead = {http::verb::get, http::verb::head};
  auto feed = [&ctx](RequestContext& rc) { return Ready(HandleFeed(ctx, rc)); };
  auto secintel = [&ctx](RequestContext& rc) { return Ready(HandleSecIntel(ctx, rc)); };
  router.Add(MakeRoute("feed", kGetHead, "/feeds/", true, feed));
  router.Add(MakeRoute("secintel", kGetHead, "/secintel/", true, secintel));
  // The manifest's URLs are absolute ("/cc_schema", "/gd_ip_feed"): serve them at the root too.
  router.Add(MakeRoute("secintel", kGetHead, "/", true, secintel));
}

}  // namespace guardfeed::server
