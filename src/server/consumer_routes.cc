// GET /v1/consumers (admin API): every client that fetched a feed, which consumer profile it
// matched, the version it holds against the current one, and whether it is stale
// (consumers.h, docs/consumers.md#tracking). Answered from memory; nothing touches the store.
#include <boost/json.hpp>

#include "core/time_util.h"
#include "server/auth.h"
#include "server/consumers.h"
#include "server/explain.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {


json::object ViewJson(const ConsumerView& view) {
  return {{"feed", view.feed},
          {"client", view.client},
          {"consumer", view.consumer},
          {"user", view.user},
          {"user_agent", view.user_agent},
          {"version", view.version},
          {"etag", view.etag},
          {"current_version", view.current_version},
          {"current_etag", view.current_etag},
          {"last_fetch", JsonTime(view.last_fetch)},
          {"last_status", view.last_status},
          {"fetches", view.fetches},
          {"staleness_seconds", view.staleness_seconds},
          {"since_fetch_seconds", view.since_fetch_seconds},
          {"stale", view.stale}};
}

// The configured profiles, with what each is served (no secrets).
json::array ProfilesJson(const ServerOptions& options) {
  json::array out;
  for (const ConsumerOptions& c : options.consumers) {
    json::array feeds, cidrs, formats;
    for (const std::string& feed : c.feeds) feeds.push_back(json::value(feed));
    for (FeedFormat format : c.formats) formats.push_back(json::value(FormatName(format)));
    for (const Cidr& cidr : c.source_cidrs) cidrs.push_back(json::value(cidr.ToString()));
    std::string auth = c.user.empty() ? (c.token.empty() ? "none" : "bearer")
                                      : (c.token.empty() ? "basic" : "basic+bearer");
    out.push_back(json::object{{"name", c.name},
                               {"platform", PlatformName(c.platform)},
                               {"feeds", c.feeds.empty() ? json::value("all") : json::value(feeds)},
                               {"formats", c.formats.empty() ? json::value("own")
                                                             : json::value(formats)},
                               {"max_entries", c.EffectiveMaxEntries()},
                               {"auth", auth},
                               {"source_cidrs", std::move(cidrs)}});
  }
  return out;
}

HttpResponse ListConsumers(ServerContext& ctx, const RequestContext& rc) {
  UnixSeconds now = rc.generation->pipeline->clock->Now();
  json::array clients;
  size_t stale = 0;
  for (const ConsumerView& view : ConsumerViews(ctx, now)) {
    stale += view.stale ? 1 : 0;
    clients.push_back(ViewJson(view));
  }
  const ServerOptions& options = rc.generation->options;
  auto stale_after =
      std::chrono::duration_cast<std::chrono::seconds>(options.consumer_stale_after).count();
  HttpResponse response = JsonResponse(200, json::object{{"generated_at", JsonTime(now)},
                                                         {"stale_after_seconds", stale_after},
                                                         {"stale", stale},
                                                         {"clients", std::move(clients)},
                                                         {"profiles", ProfilesJson(options)}});
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

void AddConsumerRoutes(Router& router, ServerContext& ctx) {
  Route route = MakeRoute("consumers", {http::verb::get}, "/v1/consumers", false,
                          [&ctx](RequestContext& rc) { return Ready(ListConsumers(ctx, rc)); });
  route.precheck = AdminPrecheck;
  router.Add(std::move(route));
}

}  // namespace guardfeed::server
