// The admin API (token-protected JSON): indicators (list, explain, remove), allowlist, feeds,
// audit log. Store work runs on the store pool. Bodies are written by JsonText (server/explain.h),
// so a severity prints as 9.2, not 9.2E0.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <set>

#include "core/time_util.h"
#include "server/admin_actions.h"
#include "server/auth.h"
#include "server/explain.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr int64_t kMaxPage = 10000;

// JsonResponse with numbers as JsonText writes them.
HttpResponse AdminJson(unsigned status, const json::value& value) {
  HttpResponse response;
  response.status = status;
  response.body = JsonText(value);
  response.body.push_back('\n');
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

HttpResponse StatusResponse(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return JsonError(404, status.message());
    case Status::Code::kInvalidArgument:
    case Status::Code::kFailedPrecondition:
      return JsonError(400, status.message());
    case Status::Code::kUnavailable:
    case Status::Code::kIoError: {
      HttpResponse response = JsonError(503, "store: " + status.message());
      response.AddHeader("Retry-After", "5");
      return response;
    }
    default:
      return JsonError(500, status.ToString());
  }
}

std::map<std::string, std::string> Query(const RequestContext& rc) {
  return ParseQuery(rc.query).value_or(std::map<std::string, std::string>{});
}

std::string Actor(const RequestContext& rc, const std::map<std::string, std::string>& query) {
  auto it = query.find("actor");
  std::string who = it != query.end() && !it->second.empty() ? it->second + " " : "";
  return who + "(api " + rc.client + ")";
}

Result<Indicator> TailIndicator(const RequestContext& rc) {
  std::optional<std::string> value = PercentDecode(rc.tail);
  if (!value || value->empty()) return Status::InvalidArgument("missing indicator in the path");
  return ParseIndicatorValue(*value);
}

// Parses a JSON object body; an empty body is an empty object.
Result<json::object> BodyObject(const RequestContext& rc) {
  const std::string& body = rc.request->body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return Status::InvalidArgument("body is not valid JSON: " + ec.message());
  if (!value.is_object()) return Status::InvalidArgument("body must be a JSON object");
  return std::move(value.as_object());
}

std::string StringField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

// Without `state` or `include_expired`, lists active indicators (as `indicators list` does).
Result<IndicatorQuery> ParseIndicatorQuery(const RequestContext& rc, UnixSeconds now) {
  auto params = ParseQuery(rc.query);
  if (!params) return Status::InvalidArgument("malformed query string");
  IndicatorQuery query;
  query.now = now;
  query.state = IndicatorState::kActive;
  for (const auto& [key, value] : *params) {
    if (key == "kind") {
      Result<IndicatorKind> kind = ParseKindName(value);
      if (!kind.ok()) return Status::InvalidArgument("kind: expected ipv4, ipv6 or domain");
      query.kind = *kind;
    } else if (key == "prefix") {
      query.value_prefix = value;
    } else if (key == "include_expired") {
      query.include_expired = value == "true" || value == "1";
      if (query.include_expired) query.state.reset();
    } else if (key == "state") {
      if (value == "all") {
        query.state.reset();
        query.include_expired = true;
        continue;
      }
      Result<IndicatorState> state = ParseIndicatorStateName(value);
      if (!state.ok()) {
        return Status::InvalidArgument(
            "state: expected active, expired, withdrawn, removed or all");
      }
      query.state = *state;
    } else if (key == "limit") {
      char* end = nullptr;
      long long limit = std::strtoll(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || limit < 1 || limit > kMaxPage) {
        return Status::InvalidArgument("limit: expected 1.." + std::to_string(kMaxPage));
      }
      query.limit = limit;
    } else if (key == "after") {
      query.after = value;
    } else {
      return Status::InvalidArgument("unknown parameter \"" + key +
                                     "\" (kind, prefix, state, include_expired, limit, after)");
    }
  }
  return query;
}

HttpResponse ListIndicators(const RequestContext& rc) {
  const Pipeline& p = *rc.generation->pipeline;
  UnixSeconds now = p.clock->Now();
  Result<IndicatorQuery> query = ParseIndicatorQuery(rc, now);
  if (!query.ok()) return StatusResponse(query.status());
  auto records = p.store->ListIndicators(*query);
  if (!records.ok()) return StatusResponse(records.status());
  auto removals = p.store->ListRemovals();
  if (!removals.ok()) return StatusResponse(removals.status());
  std::set<std::string> removed;
  for (const RemovalRecord& removal : *removals) removed.insert(removal.indicator.value);
  json::array list;
  for (const IndicatorRecord& record : *records) {
    IndicatorState state = StateOf(record, removed.count(record.indicator.value) > 0, now);
    list.push_back(IndicatorJson(record, IndicatorStateName(state), now));
  }
  json::object out{{"indicators", std::move(list)}, {"count", records->size()}};
  bool more = static_cast<int64_t>(records->size()) >= query->limit;
  out["next_after"] = more ? json::value(records->back().indicator.value) : json::value(nullptr);
  return AdminJson(200, out);
}

// The answer for a value no finding ever named, as `indicators show` gives it.
HttpResponse NeverSeen(const Indicator& indicator, const std::optional<std::string>& suppression) {
  json::object body{{"error", indicator.value + ": never seen"}};
  // Still worth knowing: the value could never be blocked anyway.
  if (suppression) body["suppressed_by"] = *suppression;
  return AdminJson(404, body);
}

HttpResponse Explain(const RequestContext& rc) {
  Result<Indicator> indicator = TailIndicator(rc);
  if (!indicator.ok()) return StatusResponse(indicator.status());
  const Generation& generation = *rc.generation;
  const Pipeline& p = *generation.pipeline;
  UnixSeconds now = p.clock->Now();
  auto explained = ExplainIndicator(*indicator, generation.feeds, *p.policy, *p.store, now);
  if (!explained.ok()) return StatusResponse(explained.status());
  const Explanation& e = *explained;
  if (e.never_seen()) return NeverSeen(e.indicator, e.suppression);
  return AdminJson(200, ExplanationJson(e, now));
}

HttpResponse Remove(ServerContext& ctx, const RequestContext& rc) {
  Result<Indicator> indicator = TailIndicator(rc);
  if (!indicator.ok()) return StatusResponse(indicator.status());
  auto body = BodyObject(rc);
  if (!body.ok()) return StatusResponse(body.status());
  auto query = Query(rc);
  std::string reason = query.count("reason") ? query["reason"] : StringField(*body, "reason");
  if (reason.empty()) reason = "false positive";
  std::string actor = Actor(rc, query);
  const Generation& generation = *rc.generation;
  Status status = RemoveIndicator(ctx, generation, *indicator, reason, actor);
  if (!status.ok()) return StatusResponse(status);
  return AdminJson(200, json::object{{"removed", indicator->value},
                                     {"reason", reason},
                                     {"actor", actor},
                                     {"removed_at", FormatIso8601(generation.pipeline->clock->Now())}});
}

HttpResponse ListAllowlist(const RequestContext& rc) {
  auto records = rc.generation->pipeline->store->ListAllowlist();
  if (!records.ok()) return StatusResponse(records.status());
  json::array list;
  for (const AllowlistRecord& r : *records) {
    list.push_back(json::object{{"entry", r.entry},
                                {"comment", r.comment},
                                {"actor", r.actor},
                                {"added_at", FormatIso8601(r.added_at)}});
  }
  return AdminJson(200, json::object{{"allowlist", std::move(list)}});
}

HttpResponse AddAllowlist(ServerContext& ctx, const RequestContext& rc) {
  auto body = BodyObject(rc);
  if (!body.ok()) return StatusResponse(body.status());
  std::string entry = StringField(*body, "entry");
  if (entry.empty()) {
    return JsonError(400,
                     "body must be {\"entry\": \"CIDR, IP or domain\", \"comment\": \"...\", "
                     "\"force\": false}");
  }
  const json::value* force = body->if_contains("force");
  if (force != nullptr && !force->is_bool()) return JsonError(400, "force: expected true or false");
  Result<AllowlistRecord> record =
      AddAllowlistEntry(ctx, *rc.generation, entry, StringField(*body, "comment"),
                        force != nullptr && force->as_bool(), Actor(rc, Query(rc)));
  if (record.status().code() == Status::Code::kFailedPrecondition) {
    return JsonError(400, record.status().message() + " (\"force\": true)");
  }
  if (!record.ok()) return StatusResponse(record.status());
  return AdminJson(200, json::object{{"entry", record->entry}, {"comment", record->comment}});
}

HttpResponse RemoveAllowlist(ServerContext& ctx, const RequestContext& rc) {
  auto query = Query(rc);
  std::optional<std::string> entry =
      rc.tail.empty() ? std::optional<std::string>(query["entry"]) : PercentDecode(rc.tail);
  if (!entry || entry->empty()) return JsonError(400, "missing entry (/v1/allowlist/ENTRY)");
  Result<std::string> removed = RemoveAllowlistEntry(ctx, *rc.generation, *entry, Actor(rc, query));
  if (!removed.ok()) return StatusResponse(removed.status());
  return AdminJson(200, json::object{{"removed", *removed}});
}

HttpResponse ListAudit(const RequestContext& rc) {
  auto query = Query(rc);
  int64_t limit = query.count("limit") ? std::atoll(query["limit"].c_str()) : 100;
  if (limit < 1 || limit > kMaxPage) return JsonError(400, "limit: expected 1..10000");
  auto records = rc.generation->pipeline->store->ListAudit(limit);
  if (!records.ok()) return StatusResponse(records.status());
  json::array list;
  for (const AuditRecord& r : *records) {
    list.push_back(json::object{{"at", FormatIso8601(r.at)},
                                {"actor", r.actor},
                                {"action", r.action},
                                {"target", r.target},
                                {"detail", r.detail}});
  }
  return AdminJson(200, json::object{{"audit", std::move(list)}});
}

// Runs `fn(rc)` on the store pool.
template <typename F>
Handler OnStorePool(ServerContext& ctx, F fn) {
  return
      [&ctx, fn](RequestContext& rc) { return RunOnStorePool(ctx, [fn, &rc] { return fn(rc); }); };
}

}  // namespace

std::optional<HttpResponse> AdminPrecheck(const RequestContext& rc) {
  const ServerOptions& options = rc.generation->options;
  if (options.admin_token.empty()) {
    if (IsLoopbackHost(options.host)) return std::nullopt;
    return JsonError(403,
                     "admin API disabled: set server.admin_token to use it when listening "
                     "on a non-loopback address");
  }
  AuthResult result = CheckToken(*rc.head, options.admin_token, "");
  if (result != AuthResult::kOk) return TokenAuthFailure(result, "admin API");
  return std::nullopt;
}

// POST /v1/feeds/NAME/accept: the feed's next render is served and published however much it
// shrank (the shrink guard holds it back until then; /metrics guardfeed_feed_held_back says so).
HttpResponse AcceptShrink(ServerContext& ctx, const RequestContext& rc) {
  std::string_view tail = rc.tail;
  if (!tail.ends_with("/accept")) return JsonError(404, "expected /v1/feeds/NAME/accept");
  std::string feed(tail.substr(0, tail.size() - 7));
  if (rc.generation->FindFeed(feed) == nullptr) {
    return JsonError(404, "no feed named \"" + feed + "\"");
  }
  std::string actor = Actor(rc, Query(rc));
  spdlog::info("admin action=accept_shrink feed={} actor=\"{}\"", feed, actor);
  ctx.AcceptShrink(feed);
  return JsonResponse(202, json::object{{"accepted", feed}, {"actor", actor}});
}

// GET /v1/sources: every pulling source's state (docs/sources.md, "Status").
HttpResponse ListSources(const ServerContext& ctx) {
  std::shared_ptr<const SourceReports> reports = ctx.source_reports.load();
  json::array list;
  const UnixSeconds now = ctx.generation()->pipeline->clock->Now();
  if (reports != nullptr && *reports) {
    for (const SourceReport& r : (*reports)()) {
      json::object source{{"name", r.name},
                          {"cursor", r.cursor},
                          {"standby", r.standby},
                          {"consecutive_failures", r.consecutive_failures},
                          {"documents_total", r.documents_total},
                          {"findings_total", r.findings_total}};
      source["last_success"] = r.last_success > 0 ? json::value(FormatIso8601(r.last_success))
                                                  : json::value(nullptr);
      source["lag_seconds"] =
          r.last_success > 0 ? json::value(now - r.last_success) : json::value(nullptr);
      source["last_error"] = r.last_error.empty() ? json::value(nullptr) : json::value(r.last_error);
      source["last_error_at"] = r.last_error_at > 0 ? json::value(FormatIso8601(r.last_error_at))
                                                    : json::value(nullptr);
      list.push_back(std::move(source));
    }
  }
  return AdminJson(200, json::object{{"sources", std::move(list)}});
}

void AddAdminRoutes(Router& router, ServerContext& ctx) {
  using V = http::verb;
  auto add = [&](std::string name, V method, std::string path, bool prefix, Handler handler) {
    Route route = MakeRoute(std::move(name), {method}, std::move(path), prefix, std::move(handler));
    route.precheck = AdminPrecheck;
    router.Add(std::move(route));
  };
  add("indicators", V::get, "/v1/indicators", false, OnStorePool(ctx, ListIndicators));
  add("indicator", V::get, "/v1/indicators/", true, OnStorePool(ctx, Explain));
  add("indicator", V::delete_, "/v1/indicators/", true,
      OnStorePool(ctx, [&ctx](const RequestContext& rc) { return Remove(ctx, rc); }));
  add("allowlist", V::get, "/v1/allowlist", false, OnStorePool(ctx, ListAllowlist));
  add("allowlist", V::post, "/v1/allowlist", false,
      OnStorePool(ctx, [&ctx](const RequestContext& rc) { return AddAllowlist(ctx, rc); }));
  auto remove_allow = [&ctx](const RequestContext& rc) { return RemoveAllowlist(ctx, rc); };
  add("allowlist", V::delete_, "/v1/allowlist", false, OnStorePool(ctx, remove_allow));
  add("allowlist", V::delete_, "/v1/allowlist/", true, OnStorePool(ctx, remove_allow));
  add("audit", V::get, "/v1/audit", false, OnStorePool(ctx, ListAudit));
  add("sources", V::get, "/v1/sources", false,
      OnStorePool(ctx, [&ctx](const RequestContext&) { return ListSources(ctx); }));
  add("feeds_admin", V::get, "/v1/feeds", false,
      [&ctx](RequestContext& rc) { return Ready(FeedsOverview(ctx, rc)); });
  add("feeds_admin", V::post, "/v1/feeds/", true,
      [&ctx](RequestContext& rc) { return Ready(AcceptShrink(ctx, rc)); });
}

}  // namespace guardfeed::server
