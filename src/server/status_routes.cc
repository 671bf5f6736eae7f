// /metrics, /healthz, /readyz: answered from memory, never waiting on the store.
#include <boost/json.hpp>

#include "server/http_util.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

namespace {

HttpResponse MetricsText(ServerContext& ctx) {
  HttpResponse response = TextResponse(200, ctx.metrics->Serialize());
  response.headers.clear();
  response.AddHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

// Ready: the render loop reached the store on its last poll and feeds have been rendered. With
// ?scope=feeds, ready as soon as feeds can be served, store or not: a load balancer in front of
// replicas keeps sending firewalls to replicas that serve their last snapshot while the shared
// store is down (docs/replicas.md). The body says why in either case.
HttpResponse ReadyStatus(ServerContext& ctx, bool feeds_only) {
  bool store_ok = ctx.store_ok.load();
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  boost::json::object body{{"store", store_ok ? "ok" : "unreachable"},
                           {"feeds", set ? "rendered" : "not rendered"},
                           {"ingest", store_ok ? "ok" : "unavailable"},
                           {"publishing", ctx.publishing_leader.load() ? "leader" : "standby"}};
  std::shared_ptr<const std::string> error = ctx.store_error.load();
  if (!store_ok && error != nullptr) body["store_error"] = *error;
  bool ready = (store_ok || feeds_only) && set;
  body["ready"] = ready;
  return JsonResponse(ready ? 200 : 503, body);
}

}  // namespace

void AddStatusRoutes(Router& router, ServerContext& ctx) {
  const std::vector<http::verb> kGetHead = {http::verb::get, http::verb::head};
  router.Add(MakeRoute("metrics", kGetHead, "/metrics", false, [&ctx](RequestContext& rc) {
    HttpResponse response = MetricsText(ctx);
    response.omit_body = rc.head_only;
    return Ready(std::move(response));
  }));
  router.Add(MakeRoute("healthz", kGetHead, "/healthz", false, [](RequestContext& rc) {
    HttpResponse response = TextResponse(200, "ok\n");
    response.AddHeader("Cache-Control", "no-store");
    response.omit_body = rc.head_only;
    return Ready(std::move(response));
  }));
  router.Add(MakeRoute("readyz", kGetHead, "/readyz", false, [&ctx](RequestContext& rc) {
    auto params = ParseQuery(rc.query);
    bool feeds_only = params && params->contains("scope") && params->at("scope") == "feeds";
    HttpResponse response = ReadyStatus(ctx, feeds_only);
    response.omit_body = rc.head_only;
    return Ready(std::move(response));
  }));
}

}  // namespace guardfeed::server
