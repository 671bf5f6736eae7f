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
// Reading a body stops after this many bad documents (a flood of "{}" lines costs no more).
constexpr size_t kMaxErrorsPerRequest = 1000;
// Bodies at least this large, and every compressed body, are read on the bulk pool.
constexpr size_t kBulkBodyBytes = 1u << 20;

std::optional<HttpResponse> IngestPrecheck(const RequestContext& rc) {
  const ServerOptions& options = rc.generation->options;
  AuthResult auth = CheckToken(*rc.head, options.ingest_token, options.ingest_api_key_header);
  if (auth != AuthResult::kOk) return TokenAuthFailure(auth, kWhat);
  // The media type was checked for every route by the request guard (request_guard.h).
  std::string encoding = MediaType((*rc.head)[http::field::content_encoding]);
  if (!encoding.empty() && encoding != "gzip" && encoding != "x-gzip" && encoding != "identity") {
    return Refusal(415, "unsupported_encoding",
                   "Content-Encoding " + encoding + " is not supported (use gzip)");
  }
  return std::nullopt;
}

// What a request body may cost, from [server] (docs/server.md, "Limits").
ReadLimits RequestLimits(const ServerOptions& options) {
  ReadLimits limits;
  limits.max_document_bytes = options.document_limit;
  limits.max_line_bytes = options.document_limit;
  limits.max_inflated_bytes = options.decompressed_limit;
  limits.max_indicators_per_finding = options.max_indicators_per_finding;
  limits.max_errors = kMaxErrorsPerRequest;
  return limits;
}

// One Ingestor per worker thread, rebuilt when a reload brings a new generation.
Ingestor& ThreadIngestor(const std::shared_ptr<const Generation>& generation) {
  thread_local std::shared_ptr<const Generation> owner;
  thread_local std::unique_ptr<Ingestor> ingestor;
  if (!ingestor || owner != generation) {
    ingestor.reset();
    owner = generation;
    const Pipeline& pipeline = *generation->pipeline;
    IngestOptions options = pipeline.ingest;
    options.read_limits = RequestLimits(generation->options);
    // Through group commit: this thread waits while its batch shares a commit with others'.
    ingestor = std::make_unique<Ingestor>(generation->ingest_store.get(), pipeline.policy,
                                          pipeline.clock, options);
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
          {"indicators_dropped", summary.indicators_dropped},
          {"findings_capped", summary.findings_capped},
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

// 413 when the decompression budget stopped the body; what was read before it is committed.
HttpResponse OverBudget(const IngestSummary& summary) {
  HttpResponse response = JsonResponse(
      413,
      json::object{{"error", summary.stopped_by_limit.message() + " (server.decompressed_limit)"},
                   {"committed", SummaryJson(summary)}});
  response.reason = "decompression_budget";
  return response;
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
  HttpResponse response = JsonResponse(400, body);
  response.reason = "bad_input";
  return response;
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
      "sightings_new={} indicators_new={} indicators_dropped={} duration_ms={:.2f}",
      rc.client, bytes, s.findings_read, s.findings_accepted, skipped, s.events_skipped,
      s.error_count, s.applied.sightings_new, s.applied.indicators_new, s.indicators_dropped,
      seconds * 1000);
}

// Runs on a store or bulk pool thread: inflation and parsing never run on an I/O thread.
HttpResponse Ingest(ServerContext& ctx, const RequestContext& rc, std::string_view body) {
  auto started = std::chrono::steady_clock::now();
  Result<IngestSummary> result = ThreadIngestor(rc.generation).IngestBuffer(body, "request");
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
  if (summary.stopped_by_limit.code() == Status::Code::kResourceExhausted) {
    return OverBudget(summary);
  }
  if (!summary.errors.empty()) return BadInput(summary);
  json::object body_json = SummaryJson(summary);
  body_json.emplace("status", "committed");
  return JsonResponse(200, body_json);
}

boost::asio::awaitable<HttpResponse> Handle(ServerContext& ctx, RequestContext& rc) {
  const std::string& body = rc.request->body();
  std::string encoding = MediaType((*rc.head)[http::field::content_encoding]);
  // The reader inflates whatever starts with the gzip magic, whatever the headers say; the
  // header only has to be truthful.
  if ((encoding == "gzip" || encoding == "x-gzip") && !IsGzip(body)) {
    co_return Refusal(400, "bad_encoding", "Content-Encoding gzip, but the body is not gzip data");
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    co_return Refusal(400, "empty_body",
                      "empty body: expected a GuardDuty finding, an EventBridge event, "
                      "a GetFindings response, a JSON array or JSON Lines");
  }
  auto work = [&ctx, &rc, &body] { return Ingest(ctx, rc, body); };
  bool bulk = IsGzip(body) || body.size() >= kBulkBodyBytes;
  co_return co_await RunOnPool(bulk ? ctx.bulk_pool() : ctx.store_pool(), work);
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
