// Internal to the dashboard (ui_routes.cc registers them): the pages, each a function of the
// request and the authenticated user. They run on the store pool.
#pragma once

#include "server/router.h"
#include "server/server_context.h"
#include "server/ui_auth.h"

namespace guardfeed::server::ui {

// Rows per page of every paginated list (server-side: the page is usable at a million entries).
inline constexpr int64_t kPageRows = 100;

HttpResponse OverviewPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user);
HttpResponse ExplainPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user);
HttpResponse IndicatorsPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user);
HttpResponse AllowlistPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user);
HttpResponse ConsumersPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user);
HttpResponse AuditPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user);

// A page saying what went wrong (status 4xx/5xx), with the frame.
HttpResponse ErrorPage(unsigned status, std::string_view message, const UiUser* user);
// A button form removing one allowlist entry.
std::string AllowlistRemoveForm(std::string_view entry, const UiUser& user);
// "2026-12-02 13:04:05 UTC" in a <time> element, or "never" for 0.
std::string TimeText(UnixSeconds at);

}  // namespace guardfeed::server::ui
