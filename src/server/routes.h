// The route groups the server registers, one .cc each: feeds (feed_routes.cc), ingest
// (ingest_route.cc), admin API (admin_routes.cc), status (status_routes.cc). Each handler
// captures `ctx`, which must outlive the router.
//
// Thread safety: registration happens once before serving starts.
#pragma once

#include <memory>

#include "server/http_types.h"
#include "server/router.h"
#include "server/server_context.h"
#include "server/snapshot_holder.h"

namespace guardfeed::server {

// GET/HEAD /feeds/NAME, /secintel/PATH and the SecIntel files at the root ("/manifest.xml",
// "/cc_schema", "/FEEDNAME": the manifest's own URLs are absolute paths).
void AddFeedRoutes(Router& router, ServerContext& ctx);
// POST /v1/findings.
void AddIngestRoute(Router& router, ServerContext& ctx);
// The admin API's precheck: the admin token, or none needed on a loopback listen without one
// (403 on any other address).
std::optional<HttpResponse> AdminPrecheck(const RequestContext& rc);
// /v1/indicators, /v1/allowlist, /v1/feeds, /v1/audit.
void AddAdminRoutes(Router& router, ServerContext& ctx);
// The dashboard: "/" and /ui/* (ui_routes.cc, ui_pages.cc).
void AddUiRoutes(Router& router, ServerContext& ctx);
// /metrics, /healthz, /readyz.
void AddStatusRoutes(Router& router, ServerContext& ctx);
// GET /v1/consumers (consumer_routes.cc): who fetched which feed version, and who is stale.
void AddConsumerRoutes(Router& router, ServerContext& ctx);

// GET /v1/feeds (feeds_overview.cc): every feed's current snapshot and who fetched it.
HttpResponse FeedsOverview(ServerContext& ctx, const RequestContext& rc);

// An already computed response as a handler result.
inline boost::asio::awaitable<HttpResponse> Ready(HttpResponse response) { co_return response; }

// The response for one served file: conditional GET (If-None-Match, then If-Modified-Since),
// gzip when accepted, HEAD. `set` owns `file` and is kept alive by the response.
HttpResponse ServeFile(const ServedFile& file, std::shared_ptr<const ServedSet> set,
                       const RequestHead& head, bool head_only, const ServerOptions& options);

}  // namespace guardfeed::server
