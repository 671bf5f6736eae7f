// Feed routes: serve the current snapshots. Nothing here touches the store. Each request is
// matched to a consumer (consumers.h: access, capped variants), may ask for one window of a plain
// list (?s=START&n=COUNT, docs/consumers.md#paging) and is recorded in the fetch log.
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <charconv>
#include <map>
#include <optional>

#include "core/text.h"
#include "feeds/secintel.h"
#include "server/auth.h"
#include "server/consumers.h"
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
HttpResponse EmptyFeed(FeedFormat format, const ServerOptions& options, bool head_only) {
  HttpResponse response;
  response.AddHeader("Content-Type", std::string(ContentTypeFor(format)));
  response.AddHeader("Cache-Control", options.cache_control);
  response.omit_body = head_only;
  return response;
}

// The largest page (GET /feeds/NAME?s=START&n=COUNT): a window costs the same whatever its size
// (LineIndex), so the bound only keeps a number sane.
constexpr uint64_t kMaxPageEntries = 1'000'000;

struct Lookup {
  std::shared_ptr<const ServedSet> set;
  const ServedFile* file = nullptr;
};

struct Page {
  uint64_t start = 0;
  uint64_t count = kMaxPageEntries;
};

// s and n of the query; nullopt when neither is there. Other parameters are ignored (firewalls
// append their own).
Result<std::optional<Page>> ParsePage(std::string_view query) {
  if (query.empty()) return std::optional<Page>();
  std::optional<std::map<std::string, std::string>> params = ParseQuery(query);
  if (!params) return Status::InvalidArgument("malformed query string");
  auto s = params->find("s");
  auto n = params->find("n");
  if (s == params->end() && n == params->end()) return std::optional<Page>();
  Page page;
  auto number = [](const std::string& text, uint64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  if (s != params->end() && !number(s->second, page.start)) {
    return Status::InvalidArgument("s: expected the 0-based number of the first entry, got \"" +
                                   s->second + "\"");
  }
  if (n != params->end() &&
      (!number(n->second, page.count) || page.count == 0 || page.count > kMaxPageEntries)) {
    return Status::InvalidArgument("n: expected a count of entries from 1 to " +
                                   std::to_string(kMaxPageEntries) + ", got \"" + n->second + "\"");
  }
  return std::optional<Page>(page);
}

// If-Match (RFC 9110 13.1.1, strong comparison) against the whole list: a client paging through
// one version learns with 412 that the list changed under it.
bool PreconditionFails(const ServedFile& file, const RequestHead& head) {
  auto it = head.find(http::field::if_match);
  if (it == head.end()) return false;
  std::string_view value = it->value();
  if (TrimSpace(value) == "*") return false;
  for (size_t at = 0; at <= value.size();) {
    size_t comma = value.find(',', at);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view tag = TrimSpace(value.substr(at, comma - at));
    if (!tag.starts_with("W/") &&
        (tag == file.snapshot->etag || (!file.gzip_etag.empty() && tag == file.gzip_etag))) {
      return false;
    }
    at = comma + 1;
  }
  return true;
}

HttpResponse PreconditionFailed(const ServedFile& file) {
  HttpResponse response = JsonError(412, "the list changed (If-Match): its ETag is now " +
                                             file.snapshot->etag + "; start paging again from s=0");
  response.AddHeader("X-Feed-ETag", file.snapshot->etag);
  if (!file.snapshot->version.empty()) {
    response.AddHeader("X-Feed-Version", file.snapshot->version);
  }
  return response;
}

// "\"hex\"" -> "\"hex-s100-n50\"": a page's own strong tag, derived from the list's.
std::string PageEtag(const std::string& etag, const Page& page) {
  std::string tag = etag.size() >= 2 ? etag.substr(0, etag.size() - 1) : etag;
  return tag + "-s" + std::to_string(page.start) + "-n" + std::to_string(page.count) + "\"";
}

// One window of a plain list: its entry lines, served from the same bytes (and memfd) as the
// whole list, identity only.
HttpResponse ServePage(const ServedFile& file, std::shared_ptr<const ServedSet> set,
                       const RequestHead& head, bool head_only, const ServerOptions& options,
                       const Page& page) {
  const Snapshot& snapshot = *file.snapshot;
  std::string etag = PageEtag(snapshot.etag, page);
  std::string_view body = file.Body();
  std::shared_ptr<const LineIndex> lines = file.lines;
  if (!lines) lines = std::make_shared<const LineIndex>();
  LineIndex::Range range = lines->Window(body, page.start, page.count);
  HttpResponse response;
  response.AddHeader("ETag", etag);
  response.AddHeader("X-Feed-ETag", snapshot.etag);
  response.AddHeader("Last-Modified", file.last_modified);
  response.AddHeader("Cache-Control", options.cache_control);
  auto inm = head.find(http::field::if_none_match);
  if (inm != head.end() && EtagMatches(inm->value(), etag)) {
    response.status = 304;
    response.omit_body = true;
    return response;
  }
  response.AddHeader("Content-Type", snapshot.content_type);
  if (!snapshot.version.empty()) response.AddHeader("X-Feed-Version", snapshot.version);
  response.AddHeader("X-Feed-Entries", std::to_string(range.total));
  response.AddHeader("X-Page-Start", std::to_string(page.start));
  response.AddHeader("X-Page-Entries", std::to_string(range.entries));
  response.shared_body = body.substr(range.begin, range.end - range.begin);
  if (file.content) {
    response.file_fd = file.content->fd();
    response.file_offset = file.body_offset() + range.begin;
  }
  response.shared = std::move(set);
  response.omit_body = head_only;
  return response;
}

HttpResponse NotRendered() {
  HttpResponse response = JsonError(503, "feeds are not rendered yet (is the store reachable?)");
  response.AddHeader("Retry-After", "2");
  return response;
}

// The feed as this client reads it is not rendered yet: the configuration was just loaded or
// reloaded (a new format or consumer list). Firewalls keep the list they have meanwhile.
HttpResponse BeingRendered(const std::string& feed) {
  HttpResponse response =
      JsonError(503, "feed " + feed + " is being rendered for this client after a reload; retry");
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

// The file `access`'s consumer gets instead of `file`: the feed's variant in the format it reads
// and capped at its limit (a capped variant only when that holds fewer entries than the feed).
// Null file: the variant is not rendered (yet); `refusal` says what to answer.
struct Chosen {
  const ServedFile* file = nullptr;
  std::optional<HttpResponse> refusal;
};
Chosen ChooseVariant(const ServedSet& set, const ServedFile& file, const FeedConfig* config,
                     const FeedAccess& access) {
  if (access.consumer == nullptr || config == nullptr) return {&file, std::nullopt};
  ConsumerServing serving = ServingFor(*access.consumer, *config);
  if (!IsVariantOf(serving, *config)) return {&file, std::nullopt};
  std::string variant = VariantName(*config, serving);
  const ServedFile* chosen = set.FindFeed(variant);
  if (chosen == nullptr) {
    return {nullptr, set.held_unserved.contains(variant) ? HeldBack(config->name)
                                                         : BeingRendered(config->name)};
  }
  // The feed itself when the cap does not bite (one ETag for everyone), judged only on lists of
  // one render: a list held back is older than the feed.
  bool same_format = serving.format == config->format;
  if (same_format && !set.held_served.contains(variant) &&
      chosen->snapshot->dropped <= file.snapshot->dropped) {
    return {&file, std::nullopt};
  }
  return {chosen, std::nullopt};
}

void RecordFetch(ServerContext& ctx, const RequestContext& rc, std::string_view feed,
                 const ServedFile& file, const FeedAccess& access, unsigned status) {
  if (status != 200 && status != 304) return;
  const Snapshot& snapshot = *file.snapshot;
  FetchEvent event;
  event.client = rc.client;
  event.consumer = access.consumer != nullptr ? std::string_view(access.consumer->name) : "";
  event.user = access.user;
  event.user_agent = (*rc.head)[http::field::user_agent];
  event.served = snapshot.feed.empty() ? std::string_view(snapshot.path) : snapshot.feed;
  event.version = snapshot.version;
  event.etag = snapshot.etag;
  event.at = rc.generation->pipeline->clock->Now();
  event.status = status;
  bool changed = ctx.fetches.Record(feed, event);
  // The consumer is logged, never told (no response header names it).
  auto level = changed ? spdlog::level::info : spdlog::level::debug;
  spdlog::log(level, "feed_fetch feed={} client={} consumer={} user=\"{}\" status={} version={}",
              feed, rc.client, event.consumer.empty() ? "-" : event.consumer,
              SanitizeHeaderText(access.user, FetchLog::kMaxUser), status, snapshot.version);
}

// Serves `lookup` (already authorised) with optional paging; records the fetch under `feed`
// (the path for shared files).
HttpResponse Serve(ServerContext& ctx, const RequestContext& rc, const Lookup& lookup,
                   std::string_view feed, const FeedAccess& access, std::optional<Page> page) {
  const ServerOptions& options = rc.generation->options;
  const ServedFile& file = *lookup.file;
  if (PreconditionFails(file, *rc.head)) return PreconditionFailed(file);
  HttpResponse response = page ? ServePage(file, lookup.set, *rc.head, rc.head_only, options, *page)
                               : ServeFile(file, lookup.set, *rc.head, rc.head_only, options);
  RecordFetch(ctx, rc, feed, file, access, response.status);
  return response;
}

// Paging needs one entry per line and nothing else: plain lists only (`served`: the format
// the client gets).
std::optional<HttpResponse> RefusePaging(FeedFormat served, std::string_view name) {
  if (served == FeedFormat::kPlain) return std::nullopt;
  return Refusal(400, "bad_request",
                 "paging (s, n) is supported for plain feeds only; " + std::string(name) + " is " +
                     std::string(FormatName(served)) + " (a document, not one entry per line)");
}

HttpResponse HandleFeed(ServerContext& ctx, const RequestContext& rc) {
  std::optional<std::string> name = PercentDecode(rc.tail);
  if (!name || name->empty()) return JsonError(404, "no such feed");
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  if (!set) return NotRendered();
  Lookup lookup{set, set->FindFeed(*name)};
  if (lookup.file == nullptr) lookup.file = set->FindPath(*name);
  // Consumer variants are served only in place of their feed, never by their own name.
  if (lookup.file != nullptr && IsConsumerVariant(lookup.file->snapshot->feed)) {
    lookup.file = nullptr;
  }
  const FeedConfig* config =
      rc.generation->FindFeed(lookup.file != nullptr ? lookup.file->snapshot->feed : *name);
  if (config == nullptr) return JsonError(404, "no feed named \"" + *name + "\"");
  const ServerOptions& options = rc.generation->options;
  FeedAccess access = DecideFeedAccess(options, config->name, *rc.head, rc.client, kRealm);
  if (!access.allowed) return std::move(access.refusal);
  Result<std::optional<Page>> page = ParsePage(rc.query);
  if (!page.ok()) return Refusal(400, "bad_request", page.status().message());
  FeedFormat served =
      access.consumer != nullptr ? access.consumer->FormatOf(*config) : config->format;
  if (*page) {
    if (auto refused = RefusePaging(served, config->name)) return *refused;
  }
  if (lookup.file == nullptr) {
    if (set->held_unserved.contains(config->name)) return HeldBack(config->name);
    return EmptyFeed(served, options, rc.head_only);
  }
  Chosen chosen = ChooseVariant(*set, *lookup.file, config, access);
  if (chosen.file == nullptr) return std::move(*chosen.refusal);
  // Served before a reload's render: never a format this client does not read.
  if (chosen.file->snapshot->format != served) return BeingRendered(config->name);
  lookup.file = chosen.file;
  return Serve(ctx, rc, lookup, config->name, access, *page);
}

// A SecIntel path with no file: a SecIntel feed held back with nothing served yet (503, to the
// clients that may fetch it), else 404. A data file is named after its feed; no other name
// (another format's feed, a consumer's list) is told apart from one that does not exist.
HttpResponse UnservedSecIntel(const RequestContext& rc, const ServedSet& set,
                              const std::string& path) {
  const FeedConfig* config = rc.generation->FindFeed(path);
  bool manifest = path == kManifestPath;
  if ((!manifest && (config == nullptr || config->format != FeedFormat::kSecIntel)) ||
      !set.held_unserved.contains(path)) {
    return JsonError(404, "no such resource");
  }
  // The manifest is a shared file: server.secintel_auth governs it ("" below).
  FeedAccess access = DecideFeedAccess(rc.generation->options, manifest ? "" : path, *rc.head,
                                       rc.client, kRealm);
  if (!access.allowed) return std::move(access.refusal);
  if (manifest) {
    HttpResponse response = JsonError(
        503, "manifest.xml is held back while a SecIntel feed is (see GET /v1/feeds; accept "
             "with POST /v1/feeds/NAME/accept)");
    response.AddHeader("Retry-After", "60");
    return response;
  }
  return HeldBack(path);
}

// /secintel/PATH and /PATH: only files of the SecIntel layout.
HttpResponse HandleSecIntel(ServerContext& ctx, const RequestContext& rc) {
  std::optional<std::string> path = PercentDecode(rc.tail);
  if (!path || path->empty()) return JsonError(404, "no such resource");
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  if (!set) return NotRendered();
  Lookup lookup{set, set->FindPath(*path)};
  if (lookup.file == nullptr) return UnservedSecIntel(rc, *set, *path);
  if (!lookup.file->secintel) return JsonError(404, "no such resource");
  const std::string& feed = lookup.file->snapshot->feed;
  FeedAccess access = DecideFeedAccess(rc.generation->options, feed, *rc.head, rc.client, kRealm);
  if (!access.allowed) return std::move(access.refusal);
  Result<std::optional<Page>> page = ParsePage(rc.query);
  if (!page.ok()) return Refusal(400, "bad_request", page.status().message());
  if (*page) return *RefusePaging(FeedFormat::kSecIntel, *path);
  return Serve(ctx, rc, lookup, feed.empty() ? lookup.file->snapshot->path : feed, access,
               std::nullopt);
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
