// /metrics, /healthz, /readyz: answered from memory, never waiting on the store.
#include <boost/json.hpp>

#include <cstdio>
#include <functional>
#include <optional>
#include <string_view>

#include "server/http_util.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

namespace {

// A Prometheus label value: backslash, double quote and newline escaped.
std::string LabelValue(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

// The pulling sources' series (docs/sources.md, "Status"), appended to the registry's text.
std::string SourceMetrics(const ServerContext& ctx) {
  std::shared_ptr<const SourceReports> reports = ctx.source_reports.load();
  if (reports == nullptr || !*reports) return "";
  std::vector<SourceReport> sources = (*reports)();
  if (sources.empty()) return "";
  const UnixSeconds now = ctx.generation()->pipeline->clock->Now();
  struct Series {
    const char* name;
    const char* type;
    const char* help;
    std::function<std::optional<double>(const SourceReport&)> value;
  };
  const Series series[] = {
      {"guardfeed_source_last_success_timestamp_seconds", "gauge",
       "When the source last completed a poll (Unix time)",
       [](const SourceReport& r) -> std::optional<double> {
         if (r.last_success == 0) return std::nullopt;
         return static_cast<double>(r.last_success);
       }},
      {"guardfeed_source_lag_seconds", "gauge", "Seconds since the source last completed a poll",
       [now](const SourceReport& r) -> std::optional<double> {
         if (r.last_success == 0) return std::nullopt;
         return static_cast<double>(now - r.last_success);
       }},
      {"guardfeed_source_consecutive_failures", "gauge", "Polls failed in a row",
       [](const SourceReport& r) { return std::optional<double>(r.consecutive_failures); }},
      {"guardfeed_source_documents_total", "counter", "Documents ingested by the source",
       [](const SourceReport& r) {
         return std::optional<double>(static_cast<double>(r.documents_total));
       }},
      {"guardfeed_source_findings_total", "counter", "Findings read by the source",
       [](const SourceReport& r) {
         return std::optional<double>(static_cast<double>(r.findings_total));
       }},
      {"guardfeed_source_standby", "gauge",
       "1 while another replica holds the publishing lease and runs the source",
       [](const SourceReport& r) { return std::optional<double>(r.standby ? 1 : 0); }},
  };
  std::string text;
  for (const Series& s : series) {
    text += std::string("# HELP ") + s.name + " " + s.help + "\n# TYPE " + s.name + " " +
            s.type + "\n";
    for (const SourceReport& r : sources) {
      std::optional<double> value = s.value(r);
      if (!value) continue;
      char number[32];
      std::snprintf(number, sizeof number, "%.17g", *value);
      text += std::string(s.name) + "{source=\"" + LabelValue(r.name) + "\"} " + number + "\n";
    }
  }
  return text;
}

HttpResponse MetricsText(ServerContext& ctx) {
  HttpResponse response = TextResponse(200, ctx.metrics->Serialize() + SourceMetrics(ctx));
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
