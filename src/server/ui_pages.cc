// The dashboard's pages (docs/dashboard.md). Everything shown is escaped with HtmlEscape; every
// link that carries a value encodes it with UrlComponent.
#include <algorithm>
#include <map>
#include <set>

#include "core/cidr.h"
#include "core/text.h"
#include "core/time_util.h"
#include "feeds/explain.h"
#include "server/admin_actions.h"
#include "server/consumers.h"
#include "server/http_util.h"
#include "server/ui_html.h"
#include "server/ui_pages.h"

namespace guardfeed::server::ui {

namespace {

constexpr size_t kLatestFindings = 20;
constexpr size_t kIndicatorsPerFinding = 8;
// A CIDR search reads the store in pages of this many and lists at most kCidrMatches.
constexpr int64_t kCidrScanPage = 10000;
constexpr size_t kCidrMatches = 500;

std::string Esc(std::string_view text) { return HtmlEscape(text); }

std::string Num(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string ExplainLink(std::string_view value) {
  return "<a class=\"mono\" href=\"/ui/explain?q=" + UrlComponent(value) + "\">" + Esc(value) +
         "</a>";
}

std::string Severity(double severity) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", severity);
  return text;
}

std::string Query(const RequestContext& rc, const std::string& key) {
  auto params = ParseQuery(rc.query);
  if (!params) return "";
  auto it = params->find(key);
  return it == params->end() ? "" : it->second;
}

// The notice after an action (?done=CODE[&entry=...]): fixed texts only, so a link cannot make
// the dashboard say what it wants.
std::string DoneNotice(const RequestContext& rc) {
  const std::string done = Query(rc, "done");
  std::string text;
  if (done == "removed") text = "Removed from every feed.";
  if (done == "restored") text = "Restored: the feeds carry it again while it is active.";
  if (done == "allow_added") text = "Added to the allowlist: ";
  if (done == "allow_removed") text = "Removed from the allowlist: ";
  if (text.empty()) return "";
  std::string out = "<p class=\"notice\">" + Esc(text);
  if (done.starts_with("allow_")) out += "<span class=\"mono\">" + Esc(Query(rc, "entry")) + "</span>";
  return out + "</p>";
}

std::string StoreError(const Status& status) {
  return "<p class=\"error\">store: " + Esc(status.ToString()) + "</p>";
}

// ---- Overview ----

std::string Stat(std::string_view label, const ActiveCounts& counts, int64_t value) {
  return "<div class=\"stat\"><span class=\"muted\">" + std::string(label) + "</span><b>" +
         (counts.counted_at > 0 ? Num(value) : "…") + "</b></div>";
}

std::string ActiveStats(const ServerContext& ctx, const Generation& generation) {
  ActiveCounts counts = ctx.status_board.Active();
  std::string out = "<div class=\"stats\">";
  for (IndicatorKind kind : {IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}) {
    out += Stat("active " + std::string(KindName(kind)), counts,
                counts.by_kind[static_cast<size_t>(kind)]);
  }
  const auto& feeds = generation.feeds;
  if (std::any_of(feeds.begin(), feeds.end(), [](const FeedConfig& f) { return f.containment; })) {
    out += Stat("our hosts in containment", counts, counts.containment);
  }
  out += "</div><p class=\"muted\">" +
         (counts.counted_at > 0 ? "Counted at " + TimeText(counts.counted_at) +
                                      " (every server.count_interval)."
                                : std::string("Not counted yet.")) +
         "</p>";
  return out;
}

std::string FeedsTable(const ServerContext& ctx, const Generation& generation) {
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  std::string out =
      "<table><thead><tr><th>Feed</th><th>Format</th><th>Kinds</th><th class=\"num\">Entries"
      "</th><th class=\"num\">Over the cap</th><th>Version</th><th>Content changed</th>"
      "<th>Served</th></tr></thead><tbody>";
  const std::map<std::string, std::string> held_back = ctx.status_board.HeldBack();
  for (const FeedConfig& feed : generation.feeds) {
    const ServedFile* file = set ? set->FindFeed(feed.name) : nullptr;
    out += "<tr><td><a class=\"mono\" href=\"/feeds/" + UrlComponent(feed.name) + "\">" +
           Esc(feed.name) + "</a></td><td>" + std::string(FormatName(feed.format)) + "</td><td>" +
           KindsText(feed) + "</td>";
    // The shrink guard serves the last good list (or nothing yet) while it holds a feed back.
    auto held = held_back.find(feed.name);
    std::string served =
        held != held_back.end()
            ? "<span class=\"bad\">held back: " + Esc(held->second) + " (accept with POST " +
                  "/v1/feeds/" + Esc(feed.name) + "/accept)</span>"
        : file != nullptr ? std::string("<span class=\"ok\">yes</span>")
                          : std::string("<span class=\"muted\">not rendered</span>");
    if (file == nullptr) {
      out += "<td class=\"num\">0</td><td class=\"num\">0</td><td></td><td></td><td>" + served +
             "</td></tr>";
      continue;
    }
    const Snapshot& s = *file->snapshot;
    out += "<td class=\"num\">" + Num(static_cast<int64_t>(s.entries)) + "</td><td class=\"num\">" +
           Num(static_cast<int64_t>(s.dropped)) + "</td><td class=\"mono\">" + Esc(s.version) +
           "</td><td>" + TimeText(s.data_ts) + "</td><td>" + served + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string TargetsTable(const ServerContext& ctx) {
  std::vector<TargetStatus> targets = ctx.status_board.Targets();
  if (targets.empty()) {
    return std::string("<p class=\"muted\">") +
           (ctx.publishing_leader.load() ? "No publish target has run yet (or none is configured)."
                                         : "This replica is not the publishing leader.") +
           "</p>";
  }
  std::string out =
      "<table><thead><tr><th>Target</th><th>Last success</th><th>Last error</th>"
      "<th class=\"num\">Failures in a row</th></tr></thead><tbody>";
  for (const TargetStatus& t : targets) {
    out += "<tr><td class=\"mono\">" + Esc(t.target) + "</td><td>" + TimeText(t.last_success) +
           "</td><td>" +
           (t.last_error_at > 0 ? TimeText(t.last_error_at) + ": <span class=\"bad\">" +
                                      Esc(t.last_error) + "</span>"
                                : std::string("<span class=\"muted\">none</span>")) +
           "</td><td class=\"num " + (t.consecutive_failures > 0 ? "bad" : "ok") + "\">" +
           Num(t.consecutive_failures) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string SourcesTable(const ServerContext& ctx) {
  std::shared_ptr<const SourceReports> reports = ctx.source_reports.load();
  if (reports == nullptr || !*reports) {
    return "<p class=\"muted\">No pulling source is configured (findings arrive by POST "
           "/v1/findings).</p>";
  }
  std::string out =
      "<table><thead><tr><th>Source</th><th>Cursor</th><th>Last success</th><th>Last error</th>"
      "<th class=\"num\">Findings</th></tr></thead><tbody>";
  for (const SourceReport& r : (*reports)()) {
    out += "<tr><td class=\"mono\">" + Esc(r.name) + (r.standby ? " <span class=\"muted\">"
                                                                  "(standby)</span>"
                                                                : "") +
           "</td><td class=\"mono\">" + Esc(r.cursor) + "</td><td>" + TimeText(r.last_success) +
           "</td><td>" +
           (r.last_error.empty() ? std::string("<span class=\"muted\">none</span>")
                                 : TimeText(r.last_error_at) + ": <span class=\"bad\">" +
                                       Esc(r.last_error) + "</span>") +
           "</td><td class=\"num\">" + Num(r.findings_total) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string LatestFindings(const std::vector<SightingRecord>& recent) {
  struct Finding {
    const SightingRecord* first = nullptr;
    std::vector<std::string> values;
    size_t more = 0;
  };
  std::vector<Finding> findings;
  std::map<std::string_view, size_t> index;
  for (const SightingRecord& s : recent) {
    auto [it, added] = index.try_emplace(s.finding_id, findings.size());
    if (added) {
      if (findings.size() == kLatestFindings) break;
      findings.push_back(Finding{&s, {}, 0});
    }
    Finding& f = findings[it->second];
    if (f.values.size() < kIndicatorsPerFinding) {
      f.values.push_back(s.indicator.value);
    } else {
      ++f.more;
    }
  }
  if (findings.empty()) return "<p class=\"muted\">No finding stored yet.</p>";
  std::string out =
      "<table><thead><tr><th>Updated</th><th>Type</th><th class=\"num\">Severity</th>"
      "<th>Account / region</th><th>Indicators</th><th>Finding</th></tr></thead><tbody>";
  for (const Finding& f : findings) {
    const SightingRecord& s = *f.first;
    std::string values;
    for (const std::string& value : f.values) values += ExplainLink(value) + " ";
    if (f.more > 0) values += "<span class=\"muted\">+" + Num(static_cast<int64_t>(f.more)) + " more</span>";
    out += "<tr><td>" + TimeText(s.updated_at) + "</td><td>" + Esc(s.finding_type) +
           (s.withdrawn ? " <span class=\"badge warn\">archived</span>" : "") +
           "</td><td class=\"num\">" + Severity(s.severity) + "</td><td>" + Esc(s.account_id) +
           " " + Esc(s.region) + "</td><td>" + values + "</td><td class=\"mono muted\">" +
           Esc(s.finding_id) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

// ---- Explain ----

std::string StateBadge(std::string_view state) {
  std::string css(state);
  std::replace(css.begin(), css.end(), ' ', '-');
  return "<span class=\"badge state-" + css + "\">" + Esc(state) + "</span>";
}

std::string ActionForms(const Explanation& e, const UiUser& user) {
  const std::string value = Esc(e.indicator.value);
  std::string out = "<section class=\"card\"><h2>Actions</h2>";
  if (e.removal) {
    out += "<form class=\"inline\" method=\"post\" action=\"/ui/restore\">" + CsrfInput(user) +
           "<input type=\"hidden\" name=\"value\" value=\"" + value +
           "\"><button>Restore to the feeds</button></form>";
  } else if (!e.never_seen()) {
    out += "<form class=\"inline\" method=\"post\" action=\"/ui/remove\">" + CsrfInput(user) +
           "<input type=\"hidden\" name=\"value\" value=\"" + value +
           "\"><input name=\"reason\" placeholder=\"reason\" aria-label=\"reason\" required "
           "maxlength=\"500\"><button>" +
           (e.containment ? "Release from quarantine" : "Remove as false positive") +
           "</button></form>";
  }
  if (e.containment) {
    // The stored allowlist protects attacker feeds; hosts never to quarantine are configured.
    return out + "<p class=\"muted\">Hosts never to quarantine: [containment] allowlist in the "
                 "configuration.</p></section>";
  }
  out += "<form class=\"inline\" method=\"post\" action=\"/ui/allow/add\">" + CsrfInput(user) +
         "<input name=\"entry\" value=\"" + value +
         "\" aria-label=\"allowlist entry\"><input name=\"comment\" placeholder=\"comment\" "
         "aria-label=\"comment\" maxlength=\"500\"><button>Add to the allowlist</button></form>";
  if (e.suppression && e.suppression->find("never-block") == std::string::npos) {
    out += AllowlistRemoveForm(*e.suppression, user);
  }
  return out + "</section>";
}

std::string SightingsTable(const Explanation& e) {
  if (e.sightings.empty()) return "<p class=\"muted\">No stored sighting.</p>";
  std::string out =
      "<table><thead><tr><th>Finding</th><th>Type</th><th class=\"num\">Severity</th>"
      "<th>Account / region</th><th>Field</th><th>Last seen</th><th>Expires</th></tr></thead>"
      "<tbody>";
  for (const SightingRecord& s : e.sightings) {
    out += "<tr><td class=\"mono\">" + Esc(s.finding_id) + "</td><td>" + Esc(s.finding_type) +
           (s.withdrawn ? " <span class=\"badge warn\">archived</span>" : "") +
           "</td><td class=\"num\">" + Severity(s.severity) + "</td><td>" + Esc(s.account_id) +
           " " + Esc(s.region) + "</td><td class=\"mono\">" + Esc(s.field) + "</td><td>" +
           TimeText(s.last_seen) + "</td><td>" +
           (s.withdrawn ? std::string("withdrawn") : TimeText(s.expires_at)) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string PlacementsTable(const Explanation& e) {
  std::string out =
      "<table><thead><tr><th>Feed</th><th>Carried</th><th class=\"num\">Rank</th><th>Why not"
      "</th></tr></thead><tbody>";
  for (const FeedPlacement& p : e.feeds) {
    out += "<tr><td class=\"mono\">" + Esc(p.feed) + "</td><td class=\"" +
           (p.carried ? "ok\">yes" : "bad\">no") + "</td><td class=\"num\">" +
           (p.rank > 0 ? Num(static_cast<int64_t>(p.rank)) : "") + "</td><td>" + Esc(p.reason) +
           "</td></tr>";
  }
  return out + "</tbody></table>";
}

// Why our own instance's address is in the containment feeds: one row per finding.
std::string ContainmentSection(const Explanation& e) {
  std::string out = "<section class=\"card\"><h2>Containment</h2><p>" +
                    Esc(ContainmentSummary(e)) + "</p><p class=\"muted\">Listed as <span " +
                    "class=\"mono\">" + Esc(e.address) +
                    "</span> by containment feeds only (docs/containment.md); remove it here to "
                    "release the host.</p><table><thead><tr><th>Finding</th><th>Type</th>"
                    "<th class=\"num\">Severity</th><th>Instance</th><th>Why</th></tr></thead>"
                    "<tbody>";
  for (const ContainmentReason& r : e.reasons) {
    out += "<tr><td class=\"mono\">" + Esc(r.finding_id) + "</td><td>" + Esc(r.finding_type) +
           (r.withdrawn ? " <span class=\"badge warn\">archived</span>" : "") +
           "</td><td class=\"num\">" + Severity(r.severity) + "</td><td class=\"mono\">" +
           Esc(r.instance_id) + "</td><td>" + Esc(r.family) + "</td></tr>";
  }
  return out + "</tbody></table></section>";
}

std::string ExplainBody(const Explanation& e, const UiUser& user, UnixSeconds now) {
  std::string state(ExplainedState(e, now));
  std::string out = "<section class=\"card\"><p><span class=\"mono\">" + Esc(e.indicator.value) +
                    "</span> (" + std::string(KindName(e.indicator.kind)) + ") is " +
                    StateBadge(state) + "</p><table><tbody>";
  if (e.record) {
    const IndicatorRecord& r = *e.record;
    out += "<tr><th>First seen</th><td>" + TimeText(r.first_seen) + "</td></tr>";
    out += "<tr><th>Last seen</th><td>" + TimeText(r.last_seen) + "</td></tr>";
    out += "<tr><th>Expires</th><td>" +
           (r.expires_at > 0 ? TimeText(r.expires_at) : std::string("never (withdrawn)")) +
           "</td></tr>";
    out += "<tr><th>Highest severity</th><td>" + Severity(r.max_severity) + " (threat level " +
           std::to_string(e.threat_level) + ")</td></tr>";
    out += "<tr><th>Live findings</th><td>" + Num(r.finding_count) + "</td></tr>";
  }
  if (e.suppression) {
    out += "<tr><th>Suppressed by</th><td class=\"bad mono\">" + Esc(*e.suppression) +
           "</td></tr>";
  }
  if (e.removal) {
    out += "<tr><th>Removed</th><td class=\"bad\">" + TimeText(e.removal->removed_at) + " by " +
           Esc(e.removal->actor) + ": " + Esc(e.removal->reason) + "</td></tr>";
  }
  out += "</tbody></table>";
  if (e.containment_entry) {
    out += "<p class=\"notice\">This address is also one of our instances in quarantine: " +
           ExplainLink(*e.containment_entry) + "</p>";
  }
  out += "</section>";
  if (e.containment) out += ContainmentSection(e);
  out += ActionForms(e, user);
  if (!e.never_seen()) {
    out += "<h2>Feeds</h2>" + PlacementsTable(e);
    out += "<h2>Findings</h2>" + SightingsTable(e);
  }
  return out;
}

// The stored indicators inside `cidr`, scanning the kind's rows in value order.
Result<std::vector<IndicatorRecord>> IndicatorsIn(Store& store, const Cidr& cidr, UnixSeconds now,
                                                 bool& truncated) {
  IndicatorQuery query;
  query.kind = cidr.base.v6 ? IndicatorKind::kIpv6 : IndicatorKind::kIpv4;
  query.include_expired = true;
  query.now = now;
  query.limit = kCidrScanPage;
  if (!cidr.base.v6 && cidr.prefix_len >= 8) {
    // Dotted quads of one /8, /16 or /24 share a text prefix: read only those rows.
    std::string text = FormatIpAddress(cidr.base);
    int octets = cidr.prefix_len / 8;
    size_t end = 0;
    for (int i = 0; i < octets; ++i) end = text.find('.', end) + 1;
    query.value_prefix = octets == 4 ? text : text.substr(0, end);
  }
  std::vector<IndicatorRecord> matches;
  truncated = false;
  while (true) {
    Result<std::vector<IndicatorRecord>> page = store.ListIndicators(query);
    if (!page.ok()) return page.status();
    for (const IndicatorRecord& record : *page) {
      Result<IpAddress> address = ParseIpAddress(record.indicator.value);
      if (!address.ok() || !cidr.Contains(*address)) continue;
      if (matches.size() == kCidrMatches) {
        truncated = true;
        return matches;
      }
      matches.push_back(record);
    }
    if (static_cast<int64_t>(page->size()) < query.limit) return matches;
    query.after = page->back().indicator.value;
  }
}

std::string IndicatorRows(const std::vector<IndicatorRecord>& records,
                          const std::set<std::string>& removed, UnixSeconds now) {
  std::string out =
      "<table><thead><tr><th>Indicator</th><th>State</th><th class=\"num\">Severity</th>"
      "<th class=\"num\">Findings</th><th>Last seen</th><th>Expires</th></tr></thead><tbody>";
  for (const IndicatorRecord& r : records) {
    IndicatorState state = StateOf(r, removed.contains(r.indicator.value), now);
    out += "<tr><td>" + ExplainLink(r.indicator.value) + "</td><td>" +
           StateBadge(IndicatorStateName(state)) + "</td><td class=\"num\">" +
           Severity(r.max_severity) + "</td><td class=\"num\">" + Num(r.finding_count) +
           "</td><td>" + TimeText(r.last_seen) + "</td><td>" +
           (r.expires_at > 0 ? TimeText(r.expires_at) : std::string()) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

Result<std::set<std::string>> RemovedValues(Store& store) {
  auto removals = store.ListRemovals();
  if (!removals.ok()) return removals.status();
  std::set<std::string> removed;
  for (const RemovalRecord& r : *removals) removed.insert(r.indicator.value);
  return removed;
}

HttpResponse ExplainCidr(const Generation& generation, const Cidr& cidr, const UiUser& user) {
  const Pipeline& p = *generation.pipeline;
  UnixSeconds now = p.clock->Now();
  bool truncated = false;
  auto records = IndicatorsIn(*p.store, cidr, now, truncated);
  if (!records.ok()) return ErrorPage(503, "store: " + records.status().ToString(), &user);
  auto removed = RemovedValues(*p.store);
  if (!removed.ok()) return ErrorPage(503, "store: " + removed.status().ToString(), &user);
  std::string body = "<section class=\"card\"><p>" + Num(static_cast<int64_t>(records->size())) +
                     (truncated ? "+" : "") + " stored indicator(s) inside <span class=\"mono\">" +
                     Esc(cidr.ToString()) + "</span>" +
                     (truncated ? " (the first " + Num(kCidrMatches) + " are listed)" : "") +
                     ".</p>";
  body += "<form class=\"inline\" method=\"post\" action=\"/ui/allow/add\">" + CsrfInput(user) +
          "<input name=\"entry\" value=\"" + Esc(cidr.ToString()) +
          "\" aria-label=\"allowlist entry\"><input name=\"comment\" placeholder=\"comment\" "
          "aria-label=\"comment\" maxlength=\"500\"><label><input type=\"checkbox\" "
          "name=\"force\" value=\"1\"> force (wide)</label><button>Add to the allowlist</button>"
          "</form></section>";
  body += IndicatorRows(*records, *removed, now);
  return UiPage(200, "Explain " + cidr.ToString(), "", &user, body);
}

}  // namespace

std::string AllowlistRemoveForm(std::string_view entry, const UiUser& user) {
  return "<form class=\"inline\" method=\"post\" action=\"/ui/allow/remove\">" + CsrfInput(user) +
         "<input type=\"hidden\" name=\"entry\" value=\"" + Esc(entry) +
         "\"><button>Remove allowlist entry " + Esc(entry) + "</button></form>";
}

std::string TimeText(UnixSeconds at) {
  if (at <= 0) return "never";
  std::string iso = FormatIso8601(at);  // 2026-12-02T13:04:05Z
  if (iso.size() == 20) iso = iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
  return "<time datetime=\"" + FormatIso8601(at) + "\">" + iso + "</time>";
}

HttpResponse ErrorPage(unsigned status, std::string_view message, const UiUser* user) {
  HttpResponse page = UiPage(status, status >= 500 ? "Unavailable" : "Not done", "", user,
                             "<p class=\"error\">" + Esc(message) + "</p>");
  page.log_message = message;
  return page;
}

HttpResponse OverviewPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user) {
  const Generation& generation = *rc.generation;
  const Pipeline& p = *generation.pipeline;
  std::string body;
  body += ActiveStats(ctx, generation);
  auto data = ctx.ui_cache.Get(*p.store, p.clock->Now());
  body += "<section class=\"card\"><h2>Activity, last 48 hours</h2>";
  body += data.ok() ? ActivityChartSvg((*data)->activity) : StoreError(data.status());
  body += "</section><h2>Feeds</h2>" + FeedsTable(ctx, generation);
  body += "<div class=\"grid2\"><div><h2>Publish targets</h2>" + TargetsTable(ctx) +
          "</div><div><h2>Sources</h2>" + SourcesTable(ctx) + "</div></div>";
  body += "<h2>Latest findings</h2>";
  body += data.ok() ? LatestFindings((*data)->recent) : StoreError(data.status());
  return UiPage(200, "Overview", "overview", &user, body);
}

HttpResponse ExplainPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user) {
  (void)ctx;
  std::string q(TrimSpace(Query(rc, "q")));
  if (q.empty()) return ErrorPage(400, "type an IP address, CIDR or domain to explain", &user);
  const Generation& generation = *rc.generation;
  if (q.find('/') != std::string::npos) {
    Result<Cidr> cidr = ParseCidr(q);
    if (!cidr.ok()) return ErrorPage(400, q + " is not a CIDR: " + cidr.status().message(), &user);
    return ExplainCidr(generation, *cidr, user);
  }
  Result<Indicator> indicator = ParseIndicatorValue(q);
  if (!indicator.ok()) return ErrorPage(400, indicator.status().message(), &user);
  const Pipeline& p = *generation.pipeline;
  UnixSeconds now = p.clock->Now();
  auto explained = ExplainIndicator(*indicator, generation.feeds, *p.policy, *p.store, now);
  if (!explained.ok()) return ErrorPage(503, "store: " + explained.status().ToString(), &user);
  std::string body;
  body += DoneNotice(rc);
  body += ExplainBody(*explained, user, now);
  return UiPage(200, "Explain " + indicator->value, "", &user, body);
}

HttpResponse IndicatorsPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user) {
  (void)ctx;
  const Pipeline& p = *rc.generation->pipeline;
  UnixSeconds now = p.clock->Now();
  IndicatorQuery query;
  query.now = now;
  query.limit = kPageRows;
  query.after = Query(rc, "after");
  query.value_prefix = Query(rc, "prefix");
  std::string kind = Query(rc, "kind"), state = Query(rc, "state");
  if (!kind.empty()) {
    Result<IndicatorKind> parsed = ParseKindName(kind);
    if (!parsed.ok()) return ErrorPage(400, "kind: expected ipv4, ipv6 or domain", &user);
    query.kind = *parsed;
  }
  if (state.empty()) state = "active";
  if (state == "all") {
    query.include_expired = true;
  } else {
    Result<IndicatorState> parsed = ParseIndicatorStateName(state);
    if (!parsed.ok()) return ErrorPage(400, "state: expected active, expired, withdrawn, removed "
                                            "or all", &user);
    query.state = *parsed;
  }
  auto records = p.store->ListIndicators(query);
  if (!records.ok()) return ErrorPage(503, "store: " + records.status().ToString(), &user);
  auto removed = RemovedValues(*p.store);
  if (!removed.ok()) return ErrorPage(503, "store: " + removed.status().ToString(), &user);
  std::string body = "<form class=\"inline\" method=\"get\" action=\"/ui/indicators\">"
                     "<select name=\"kind\" aria-label=\"kind\"><option value=\"\">any kind</option>";
  for (std::string_view k : {"ipv4", "ipv6", "domain"}) {
    body += "<option" + std::string(kind == k ? " selected" : "") + ">" + std::string(k) +
            "</option>";
  }
  body += "</select><select name=\"state\" aria-label=\"state\">";
  for (std::string_view s : {"active", "expired", "withdrawn", "removed", "all"}) {
    body += "<option" + std::string(state == s ? " selected" : "") + ">" + std::string(s) +
            "</option>";
  }
  body += "</select><input name=\"prefix\" placeholder=\"starts with\" aria-label=\"prefix\" "
          "value=\"" + Esc(query.value_prefix) + "\"><button>List</button></form>";
  body += IndicatorRows(*records, *removed, now);
  std::string filter = "kind=" + UrlComponent(kind) + "&state=" + UrlComponent(state) +
                       "&prefix=" + UrlComponent(query.value_prefix);
  body += "<p class=\"pager\"><a href=\"/ui/indicators?" + filter + "\">first page</a>";
  if (static_cast<int64_t>(records->size()) == kPageRows) {
    body += "<a rel=\"next\" href=\"/ui/indicators?" + filter +
            "&after=" + UrlComponent(records->back().indicator.value) + "\">next " +
            Num(kPageRows) + " →</a>";
  }
  body += "</p>";
  return UiPage(200, "Indicators", "indicators", &user, body);
}

HttpResponse AllowlistPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user) {
  (void)ctx;
  const Pipeline& p = *rc.generation->pipeline;
  auto records = p.store->ListAllowlist();
  if (!records.ok()) return ErrorPage(503, "store: " + records.status().ToString(), &user);
  std::string body;
  body += DoneNotice(rc);
  body += "<section class=\"card\"><form class=\"inline\" method=\"post\" action=\"/ui/allow/add\">" +
          CsrfInput(user) +
          "<input name=\"entry\" placeholder=\"CIDR, IP or domain\" aria-label=\"entry\" required>"
          "<input name=\"comment\" placeholder=\"comment\" aria-label=\"comment\" maxlength=\"500\">"
          "<label><input type=\"checkbox\" name=\"force\" value=\"1\"> force (wide)</label>"
          "<button>Add</button></form><p class=\"muted\">Entries from the configuration file "
          "(policy.allowlist) are not listed here; they change with a reload.</p></section>";
  body += "<table><thead><tr><th>Entry</th><th>Comment</th><th>Added by</th><th>Added</th><th>"
          "</th></tr></thead><tbody>";
  for (const AllowlistRecord& r : *records) {
    body += "<tr><td class=\"mono\">" + Esc(r.entry) + "</td><td>" + Esc(r.comment) + "</td><td>" +
            Esc(r.actor) + "</td><td>" + TimeText(r.added_at) + "</td><td>" +
            AllowlistRemoveForm(r.entry, user) + "</td></tr>";
  }
  body += "</tbody></table>";
  return UiPage(200, "Allowlist", "allowlist", &user, body);
}

HttpResponse ConsumersPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user) {
  const UnixSeconds now = rc.generation->pipeline->clock->Now();
  std::vector<ConsumerView> views = ConsumerViews(ctx, now);
  const std::string stale_after = FormatDuration(
      std::chrono::duration_cast<std::chrono::seconds>(rc.generation->options.consumer_stale_after)
          .count());
  std::string body = "<p class=\"muted\">Every client that fetched a feed since the daemon "
                     "started (this replica). A consumer is stale when the version it holds was "
                     "superseded, or its last fetch was, more than " + Esc(stale_after) +
                     " ago (server.consumer_stale_after).</p>";
  if (views.empty()) return UiPage(200, "Consumers", "consumers", &user, body + "<p>No fetch yet.</p>");
  const int64_t stale =
      std::count_if(views.begin(), views.end(), [](const ConsumerView& v) { return v.stale; });
  body += "<p>" + Num(static_cast<int64_t>(views.size())) + " client/feed pair(s), <span class=\"" +
          (stale > 0 ? "bad" : "ok") + "\">" + Num(stale) +
          " stale</span>.</p>";
  body += "<table><thead><tr><th>Feed</th><th>Client</th><th>Consumer</th><th>User</th>"
          "<th>User-Agent</th><th>Holds</th><th>Current</th><th>Last fetch</th>"
          "<th class=\"num\">Behind</th><th>State</th></tr></thead><tbody>";
  for (const ConsumerView& v : views) {
    bool current = v.version == v.current_version && v.etag == v.current_etag;
    body += "<tr><td class=\"mono\">" + Esc(v.feed) + "</td><td class=\"mono\">" + Esc(v.client) +
            "</td><td>" + Esc(v.consumer) + "</td><td>" + Esc(v.user) + "</td><td>" +
            Esc(v.user_agent) + "</td><td class=\"mono\">" + Esc(v.version) +
            "</td><td class=\"mono\">" + Esc(v.current_version) + "</td><td>" +
            TimeText(v.last_fetch) + " (" + std::to_string(v.last_status) + ", " +
            Num(static_cast<int64_t>(v.fetches)) + " fetches)</td><td class=\"num\">" +
            (v.staleness_seconds > 0 ? FormatDuration(v.staleness_seconds) : std::string("0")) +
            "</td><td>" +
            (v.stale ? "<span class=\"badge bad\">stale</span>"
                     : current ? "<span class=\"badge ok\">current</span>"
                               : "<span class=\"badge warn\">behind</span>") +
            "</td></tr>";
  }
  body += "</tbody></table>";
  return UiPage(200, "Consumers", "consumers", &user, body);
}

HttpResponse AuditPage(ServerContext& ctx, const RequestContext& rc, const UiUser& user) {
  (void)ctx;
  auto records = rc.generation->pipeline->store->ListAudit(500);
  if (!records.ok()) return ErrorPage(503, "store: " + records.status().ToString(), &user);
  std::string body = "<p class=\"muted\">The latest 500 manual actions, newest first.</p><table>"
                     "<thead><tr><th>At</th><th>Actor</th><th>Action</th><th>Target</th><th>"
                     "Detail</th></tr></thead><tbody>";
  for (const AuditRecord& r : *records) {
    body += "<tr><td>" + TimeText(r.at) + "</td><td>" + Esc(r.actor) + "</td><td>" +
            Esc(r.action) + "</td><td class=\"mono\">" + Esc(r.target) + "</td><td>" +
            Esc(r.detail) + "</td></tr>";
  }
  body += "</tbody></table>";
  return UiPage(200, "Audit log", "audit", &user, body);
}

}  // namespace guardfeed::server::ui
