// The admin API (token-protected JSON): indicators (list, explain, remove), allowlist, feeds,
// audit log. Store work runs on the store pool.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/time_util.h"
#include "server/auth.h"
#include "server/explain.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr int64_t kMaxPage = 10000;

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
  Result<Indicator> indicator = NormalizeIndicator(*value);
  if (!indicator.ok()) {
    return Status::InvalidArgument(
        "\"" + *value + "\" is not an IP address or domain: " + indicator.status().message());
  }
  return indicator;
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

Result<IndicatorQuery> ParseIndicatorQuery(const RequestContext& rc, UnixSeconds now) {
  auto params = ParseQuery(rc.query);
  if (!params) return Status::InvalidArgument("malformed query string");
  IndicatorQuery query;
  query.now = now;
  for (const auto& [key, value] : *params) {
    if (key == "kind") {
      Result<IndicatorKind> kind = ParseKindName(value);
      if (!kind.ok()) return Status::InvalidArgument("kind: expected ipv4, ipv6 or domain");
      query.kind = *kind;
    } else if (key == "prefix") {
      query.value_prefix = value;
    } else if (key == "include_expired") {
      query.include_expired = value == "true" || value == "1";
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
                                     "\" (kind, prefix, include_expired, limit, after)");
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
  json::array list;
  for (const IndicatorRecord& record : *records) list.push_back(IndicatorJson(record, now));
  json::object out{{"indicators", std::move(list)}, {"count", records->size()}};
  bool more = static_cast<int64_t>(records->size()) >= query->limit;
  out["next_after"] = more ? json::value(records->back().indicator.value) : json::value(nullptr);
  return JsonResponse(200, out);
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
  if (!e.record && e.sightings.empty() && !e.removal && !e.suppression) {
    return JsonError(404, "guardfeed has no sighting of " + indicator->value);
  }
  return JsonResponse(200, ExplanationJson(e, now));
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
  const Pipeline& p = *rc.generation->pipeline;
  UnixSeconds now = p.clock->Now();
  Status status = p.store->Remove(*indicator, reason, actor, now);
  if (!status.ok()) return StatusResponse(status);
  spdlog::info("admin action=remove indicator={} actor=\"{}\" reason=\"{}\"", indicator->value,
               actor, reason);
  ctx.NotifyStoreChanged();
  return JsonResponse(200, json::object{{"removed", indicator->value},
                                        {"reason", reason},
                                        {"actor", actor},
                                        {"removed_at", FormatIso8601(now)}});
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
  return JsonResponse(200, json::object{{"allowlist", std::move(list)}});
}

HttpResponse AddAllowlist(ServerContext& ctx, const RequestContext& rc) {
  auto body = BodyObject(rc);
  if (!body.ok()) return StatusResponse(body.status());
  std::string entry = StringField(*body, "entry");
  if (entry.empty()) {
    return JsonError(400, "body must be {\"entry\": \"CIDR, IP or domain\", \"comment\": \"...\"}");
  }
  Result<std::string> canonical = Allowlist::Canonicalize(entry);
  if (!canonical.ok()) return JsonError(400, "entry: " + canonical.status().message());
  const Pipeline& p = *rc.generation->pipeline;
  AllowlistRecord record{*canonical, StringField(*body, "comment"), Actor(rc, Query(rc)),
                         p.clock->Now()};
  Status status = p.store->AddAllowlist(record);
  if (!status.ok()) return StatusResponse(status);
  spdlog::info("admin action=allow_add entry={} actor=\"{}\"", record.entry, record.actor);
  ctx.NotifyStoreChanged();
  return JsonResponse(200, json::object{{"entry", record.entry}, {"comment", record.comment}});
}

HttpResponse RemoveAllowlist(ServerContext& ctx, const RequestContext& rc) {
  auto query = Query(rc);
  std::optional<std::string> entry =
      rc.tail.empty() ? std::optional<std::string>(query["entry"]) : PercentDecode(rc.tail);
  if (!entry || entry->empty()) return JsonError(400, "missing entry (/v1/allowlist/ENTRY)");
  Result<std::string> canonical = Allowlist::Canonicalize(*entry);
  if (!canonical.ok()) return JsonError(400, "entry: " + canonical.status().message());
  const Pipeline& p = *rc.generation->pipeline;
  std::string actor = Actor(rc, query);
  Status status = p.store->RemoveAllowlist(*canonical, actor, p.clock->Now());
  if (!status.ok()) return StatusResponse(status);
  spdlog::info("admin action=allow_remove entry={} actor=\"{}\"", *canonical, actor);
  ctx.NotifyStoreChanged();
  return JsonResponse(200, json::object{{"removed", *canonical}});
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
  return JsonResponse(200, json::object{{"audit", std::move(list)}});
}

// Runs `fn(rc)` on the store pool.
template <typename F>
Handler OnStorePool(ServerContext& ctx, F fn) {
  return
      [&ctx, fn](RequestContext& rc) { return RunOnStorePool(ctx, [fn, &rc] { return fn(rc); }); };
}

}  // namespace

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
  add("feeds_admin", V::get, "/v1/feeds", false,
      [&ctx](RequestContext& rc) { return Ready(FeedsOverview(ctx, rc)); });
}

}  // namespace guardfeed::server
