// POST /v1/findings: findings in, acknowledged only after the store committed them.
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "guardduty/reader.h"
#include "server/auth.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace guardfeed::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view kWhat = "POST /v1/findings";

bool AcceptedMediaType(std::string_view media_type) {
  static constexpr std::string_view kTypes[] = {"application/json",
                                                "application/x-ndjson",
                                                "application/ndjson",
                                                "application/jsonl",
                                                "application/x-jsonl",
                                                "application/jsonlines",
                                                "application/x-jsonlines",
                                                "application/json-seq",
                                                "application/gzip",
                                                "application/x-gzip",
                                                "text/plain"};
  for (std::string_view type : kTypes) {
    if (media_type == type) return true;
  }
  return false;
}

std::optional<HttpResponse> IngestPrecheck(const RequestContext& rc) {
  const ServerOptions& options = rc.generation->options;
  AuthResult auth = CheckToken(*rc.head, options.ingest_token, options.ingest_api_key_header);
  if (auth != AuthResult::kOk) return TokenAuthFailure(auth, kWhat);
  std::string media_type = MediaType((*rc.head)[http::field::content_type]);
  if (!AcceptedMediaType(media_type)) {
    return JsonError(415, media_type.empty()
                              ? "Content-Type is missing: send application/json or "
                                "application/x-ndjson"
                              : "Content-Type " + media_type +
                                    " is not accepted: send application/json or "
                                    "application/x-ndjson (optionally Content-Encoding: gzip)");
  }
  std::string encoding = MediaType((*rc.head)[http::field::content_encoding]);
  if (!encoding.empty() && encoding != "gzip" && encoding != "x-gzip" && encoding != "identity") {
    return JsonError(415, "Content-Encoding " + encoding + " is not supported (use gzip)");
  }
  return std::nullopt;
}

// One Ingestor per store thread, rebuilt when a reload brings a new pipeline.
Ingestor& ThreadIngestor(const std::shared_ptr<const Pipeline>& pipeline) {
  thread_local std::shared_ptr<const Pipeline> owner;
  thread_local std::unique_ptr<Ingestor> ingestor;
  if (!ingestor || owner != pipeline) {
    ingestor.reset();
    owner = pipeline;
    ingestor = std::make_unique<Ingestor>(pipeline->store, pipeline->policy, pipeline->clock,
                                          pipeline->ingest);
  }
  return *ingestor;
}

json::object SummaryJson(const IngestSummary& summary) {
  json::object skipped;
  for (const auto& [reason, count] : summary.skipped) skipped[reason] = count;
  return {{"findings_read", summary.findings_read},
          {"findings_accepted", summary.findings_accepted},
          {"events_skipped", summary.events_skipped},
          {"skipped", std::move(skipped)},
          {"indicators_seen", summary.indicators_seen},
          {"suppressed", summary.suppressed},
          {"rejected_values", summary.rejected_values},
          {"sightings_new", summary.applied.sightings_new},
          {"sightings_updated", summary.applied.sightings_updated},
          {"sightings_unchanged", summary.applied.sightings_unchanged},
          {"indicators_new", summary.applied.indicators_new},
          {"indicators_updated", summary.applied.indicators_updated},
          {"indicators_withdrawn", summary.applied.indicators_withdrawn},
          {"error_count", summary.error_count}};
}

json::object ErrorJson(const ReadError& error) {
  return {{"line", error.line}, {"field", error.field}, {"message", error.message}};
}

// 400 naming the first problem; what was valid in the body is committed and reported too.
HttpResponse BadInput(const IngestSummary& summary) {
  const ReadError& first = summary.errors.front();
  json::array errors;
  for (const ReadError& error : summary.errors) errors.push_back(ErrorJson(error));
  json::object body{{"error", first.ToString()},
                    {"line", first.line},
                    {"field", first.field},
                    {"errors", std::move(errors)},
                    {"error_count", summary.error_count},
                    {"committed", SummaryJson(summary)}};
  return JsonResponse(400, body);
}

HttpResponse StoreFailure(ServerContext& ctx, const Status& status) {
  bool unavailable =
      status.code() == Status::Code::kUnavailable || status.code() == Status::Code::kIoError;
  ctx.metrics->CountIngestFailure(unavailable ? "store_unavailable" : "store_error");
  spdlog::error("ingest store_error=\"{}\"", status.ToString());
  HttpResponse response =
      JsonError(unavailable ? 503 : 500, "store: " + status.message() + " (nothing committed)");
  if (unavailable) response.AddHeader("Retry-After", "5");
  return response;
}

void LogIngest(const RequestContext& rc, size_t bytes, const IngestSummary& s, double seconds) {
  int64_t skipped = 0;
  for (const auto& [reason, count] : s.skipped) skipped += count;
  spdlog::info(
      "ingest client={} bytes={} findings={} accepted={} skipped={} events_skipped={} errors={} "
      "sightings_new={} indicators_new={} duration_ms={:.2f}",
      rc.client, bytes, s.findings_read, s.findings_accepted, skipped, s.events_skipped,
      s.error_count, s.applied.sightings_new, s.applied.indicators_new, seconds * 1000);
}

// Runs on a store thread.
HttpResponse Ingest(ServerContext& ctx, const RequestContext& rc, std::string_view body) {
  auto started = std::chrono::steady_clock::now();
  Result<IngestSummary> result =
      ThreadIngestor(rc.generation->pipeline).IngestBuffer(body, "request");
  if (!result.ok()) return StoreFailure(ctx, result.status());
  const IngestSummary& summary = *result;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ctx.metrics->CountIngest(summary, seconds);
  LogIngest(rc, body.size(), summary, seconds);
  if (summary.applied.sightings_new + summary.applied.sightings_updated > 0 ||
      summary.applied.indicators_withdrawn > 0) {
    ctx.NotifyStoreChanged();
  }
  if (!summary.errors.empty()) return BadInput(summary);
  json::object body_json = SummaryJson(summary);
  body_json.emplace("status", "committed");
  return JsonResponse(200, body_json);
}

boost::asio::awaitable<HttpResponse> Handle(ServerContext& ctx, RequestContext& rc) {
  const ServerOptions& options = rc.generation->options;
  std::string& body = rc.request->body();
  std::string encoding = MediaType((*rc.head)[http::field::content_encoding]);
  if (encoding == "gzip" || encoding == "x-gzip") {
    Result<std::string> inflated = GunzipBuffer(body, options.decompressed_limit);
    if (!inflated.ok()) {
      co_return JsonError(400, "Content-Encoding gzip: " + inflated.status().message());
    }
    body = std::move(inflated).value();
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    co_return JsonError(400,
                        "empty body: expected a GuardDuty finding, an EventBridge event, "
                        "a GetFindings response, a JSON array or JSON Lines");
  }
  co_return co_await RunOnStorePool(ctx, [&ctx, &rc, &body] { return Ingest(ctx, rc, body); });
}

}  // namespace

void AddIngestRoute(Router& router, ServerContext& ctx) {
  Route route = MakeRoute("ingest", {http::verb::post}, "/v1/findings", false,
                          [&ctx](RequestContext& rc) { return Handle(ctx, rc); });
  route.large_body = true;
  route.precheck = IngestPrecheck;
  router.Add(std::move(route));
}

}  // namespace guardfeed::server
