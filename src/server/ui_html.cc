#include "server/ui_html.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/time_util.h"

namespace guardfeed::server {

namespace {

struct NavEntry {
  std::string_view key;
  std::string_view label;
  std::string_view href;
};
constexpr NavEntry kNav[] = {{"overview", "Overview", "/"},
                             {"indicators", "Indicators", "/ui/indicators"},
                             {"allowlist", "Allowlist", "/ui/allowlist"},
                             {"consumers", "Consumers", "/ui/consumers"},
                             {"audit", "Audit log", "/ui/audit"}};

void AddSecurityHeaders(HttpResponse& response) {
  response.AddHeader("Content-Security-Policy", std::string(kUiContentSecurityPolicy));
  response.AddHeader("X-Frame-Options", "DENY");
  response.AddHeader("X-Content-Type-Options", "nosniff");
  response.AddHeader("Referrer-Policy", "same-origin");
  response.AddHeader("Cache-Control", "no-store");
}

std::string Header(std::string_view nav, const UiUser* user) {
  std::string out = "<header><a class=\"brand\" href=\"/\">guardfeed</a>";
  if (user == nullptr) return out + "</header>";
  out += "<nav>";
  for (const NavEntry& entry : kNav) {
    out += "<a href=\"" + std::string(entry.href) + "\"";
    if (entry.key == nav) out += " aria-current=\"page\"";
    out += ">" + std::string(entry.label) + "</a>";
  }
  out += "</nav><form class=\"search\" action=\"/ui/explain\" method=\"get\" role=\"search\">"
         "<input name=\"q\" placeholder=\"IP, CIDR or domain\" aria-label=\"IP, CIDR or domain\" "
         "required><button>Explain</button></form>";
  out += "<form class=\"logout\" action=\"/ui/logout\" method=\"post\">" + CsrfInput(*user) +
         "<button title=\"" + HtmlEscape(user->actor) + "\">Log out</button></form></header>";
  return out;
}

// "13:00" labels for the chart's time axis (UTC).
std::string HourLabel(UnixSeconds start) {
  std::string iso = FormatIso8601(start);  // 2026-12-02T13:00:00Z
  return iso.size() >= 16 ? iso.substr(11, 5) : iso;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n': out += c; break;
      default:
        // Control characters have no place in a page: shown as U+FFFD.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string UrlComponent(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpResponse UiPage(unsigned status, std::string_view title, std::string_view nav,
                    const UiUser* user, std::string_view body) {
  HttpResponse response;
  response.status = status;
  response.body.reserve(body.size() + 2048);
  response.body = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>" + HtmlEscape(title) + " · guardfeed</title>"
                  "<link rel=\"stylesheet\" href=\"/ui/style.css\"></head><body>";
  response.body += Header(nav, user);
  response.body += "<main><h1>" + HtmlEscape(title) + "</h1>";
  response.body += body;
  response.body += "</main></body></html>\n";
  response.AddHeader("Content-Type", "text/html; charset=utf-8");
  AddSecurityHeaders(response);
  return response;
}

HttpResponse UiRedirect(std::string_view location) {
  HttpResponse response;
  response.status = 303;
  response.AddHeader("Location", std::string(location));
  AddSecurityHeaders(response);
  return response;
}

std::string CsrfInput(const UiUser& user) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + HtmlEscape(user.csrf) + "\">";
}

std::string ActivityChartSvg(const std::vector<ActivityBucket>& buckets) {
  constexpr int kLeft = 48, kTop = 12, kHeight = 160, kBucketWidth = 18, kBar = 4;
  const int width = kLeft + static_cast<int>(buckets.size()) * kBucketWidth + 8;
  int64_t top = 1;
  for (const ActivityBucket& b : buckets) {
    top = std::max({top, b.added, b.expired, b.withdrawn, b.removed});
  }
  std::string svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " + std::to_string(width) +
                    " " + std::to_string(kTop + kHeight + 30) +
                    "\" aria-label=\"Indicators added, expired, withdrawn and removed per hour\">";
  svg += "<text class=\"axis\" x=\"" + std::to_string(kLeft - 6) + "\" y=\"" +
         std::to_string(kTop + 4) + "\" text-anchor=\"end\">" + std::to_string(top) + "</text>";
  svg += "<text class=\"axis\" x=\"" + std::to_string(kLeft - 6) + "\" y=\"" +
         std::to_string(kTop + kHeight) + "\" text-anchor=\"end\">0</text>";
  svg += "<line class=\"grid\" x1=\"" + std::to_string(kLeft) + "\" y1=\"" +
         std::to_string(kTop + kHeight) + "\" x2=\"" + std::to_string(width) + "\" y2=\"" +
         std::to_string(kTop + kHeight) + "\"/>";
  static constexpr std::string_view kSeries[] = {"added", "expired", "withdrawn", "removed"};
  for (size_t i = 0; i < buckets.size(); ++i) {
    const ActivityBucket& b = buckets[i];
    const int64_t values[] = {b.added, b.expired, b.withdrawn, b.removed};
    const int x0 = kLeft + static_cast<int>(i) * kBucketWidth + 1;
    for (int s = 0; s < 4; ++s) {
      if (values[s] == 0) continue;
      int h = std::max<int>(1, static_cast<int>(values[s] * kHeight / top));
      svg += "<rect class=\"c-" + std::string(kSeries[s]) + "\" x=\"" +
             std::to_string(x0 + s * kBar) + "\" y=\"" + std::to_string(kTop + kHeight - h) +
             "\" width=\"" + std::to_string(kBar) + "\" height=\"" + std::to_string(h) +
             "\"><title>" + HourLabel(b.start) + " UTC: " + std::to_string(values[s]) + " " +
             std::string(kSeries[s]) + "</title></rect>";
    }
    if (i % 6 == 0) {
      svg += "<text class=\"axis\" x=\"" + std::to_string(x0) + "\" y=\"" +
             std::to_string(kTop + kHeight + 16) + "\">" + HourLabel(b.start) + "</text>";
    }
  }
  svg += "</svg><p class=\"legend\">";
  for (std::string_view series : kSeries) {
    svg += "<span class=\"key c-" + std::string(series) + "\"></span>" + std::string(series) + " ";
  }
  return svg + "(per hour, UTC)</p>";
}

std::string_view UiStylesheet() {
  static constexpr std::string_view kCss = R"css(
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; --accent: #1f5fbf;
  --bad: #b3261e; --ok: #1e7b34; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: var(--fg);
  background: var(--bg); }
header { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; padding: .6rem 1.2rem;
  background: #14213d; color: #fff; }
header a { color: #dfe7f5; text-decoration: none; }
header a[aria-current] { color: #fff; border-bottom: 2px solid #7fb2ff; }
.brand { font-weight: 700; font-size: 1.1rem; color: #fff; }
nav { display: flex; gap: 1rem; }
form.search { margin-left: auto; display: flex; gap: .3rem; }
form.search input { width: 18rem; }
main { padding: 1rem 1.2rem 3rem; max-width: 1200px; }
h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 6px;
  padding: .8rem 1rem; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: 12px;
  border: 1px solid currentColor; }
.state-active, .ok { color: var(--ok); }
.state-removed, .state-suppressed, .bad { color: var(--bad); }
.state-expired, .state-withdrawn, .warn { color: var(--warn); }
.notice { padding: .6rem .8rem; border-radius: 6px; background: #e8f1ff; margin-bottom: 1rem; }
.error { padding: .6rem .8rem; border-radius: 6px; background: #fde8e7; color: var(--bad);
  margin-bottom: 1rem; }
form.inline { display: inline-flex; gap: .3rem; align-items: center; margin: .2rem 1.2rem .2rem 0; }
input, button, select { font: inherit; padding: .25rem .45rem; }
button { cursor: pointer; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
.stats { display: flex; gap: 1rem; flex-wrap: wrap; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem;
  min-width: 9rem; }
.stat b { display: block; font-size: 1.4rem; }
svg.chart { width: 100%; height: auto; max-height: 240px; background: #fff; }
svg.chart .axis { font-size: 10px; fill: var(--muted); }
svg.chart .grid { stroke: var(--line); }
.c-added { fill: #1f5fbf; background: #1f5fbf; }
.c-expired { fill: #9a6700; background: #9a6700; }
.c-withdrawn { fill: #6b4fa3; background: #6b4fa3; }
.c-removed { fill: #b3261e; background: #b3261e; }
.legend .key { display: inline-block; width: .8rem; height: .8rem; margin: 0 .25rem 0 .6rem;
  vertical-align: middle; }
.pager { margin: .8rem 0; display: flex; gap: 1rem; }
.login { max-width: 26rem; }
.login label { display: block; margin: .6rem 0 .2rem; }
.login input { width: 100%; }
)css";
  return kCss;
}

}  // namespace guardfeed::server
