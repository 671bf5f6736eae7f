// Building the dashboard's HTML: escaping, the page frame (navigation, search, log-out form),
// the security headers every page carries, and the server-rendered SVG activity chart. Pages are
// plain HTML forms and links: no script runs, so the Content-Security-Policy forbids all of it.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/http_types.h"
#include "server/ui_auth.h"
#include "store/store.h"

namespace guardfeed::server {

// Text for an HTML text node or a double-quoted attribute value.
std::string HtmlEscape(std::string_view text);
// A query-string component: percent-encodes everything but unreserved characters.
std::string UrlComponent(std::string_view text);

// The policy every dashboard response carries: nothing but our own stylesheet, no script, no
// framing, forms only to ourselves.
inline constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

// A whole page: `body` inside the frame. `user` null: the anonymous frame (no navigation).
// `nav` names the active navigation entry ("overview", "indicators", ...).
HttpResponse UiPage(unsigned status, std::string_view title, std::string_view nav,
                    const UiUser* user, std::string_view body);
// 303 See Other to `location` (after a form's POST), with the security headers.
HttpResponse UiRedirect(std::string_view location);
// The hidden input carrying the user's CSRF token.
std::string CsrfInput(const UiUser& user);

// Hourly added / expired / withdrawn / removed counts as a grouped bar chart.
std::string ActivityChartSvg(const std::vector<ActivityBucket>& buckets);

// The dashboard's stylesheet (served at /ui/style.css).
std::string_view UiStylesheet();

}  // namespace guardfeed::server
