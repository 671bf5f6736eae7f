#include "server/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/http_server.h"
#include "server/render_loop.h"
#include "server/router.h"
#include "server/routes.h"
#include "server/server_context.h"
#include "store/group_commit.h"

namespace guardfeed {

namespace {

// Decompression budget of one document a source pulled (an export object): 4 GiB, the reader's
// own default.
constexpr uint64_t kSourceInflatedLimit = uint64_t{4} << 30;

std::shared_ptr<const server::Generation> MakeGeneration(uint64_t id, ServerOptions options,
                                                         std::shared_ptr<const Pipeline> pipeline) {
  auto generation = std::make_shared<server::Generation>();
  generation->id = id;
  generation->options = std::move(options);
  generation->feeds = pipeline->builder->feeds();
  GroupCommitOptions group_commit;
  group_commit.window = generation->options.group_commit_window;
  group_commit.max_group_sightings = generation->options.group_commit_max_sightings;
  generation->ingest_store = std::make_shared<GroupCommitStore>(pipeline->store, group_commit);
  generation->pipeline = std::move(pipeline);
  return generation;
}

Status CheckPipeline(const Pipeline& pipeline) {
  if (pipeline.store == nullptr || pipeline.policy == nullptr || pipeline.clock == nullptr ||
      pipeline.builder == nullptr) {
    return Status::Internal("server: incomplete pipeline (store, policy, clock, builder)");
  }
  return Status::Ok();
}

}  // namespace

struct Server::Impl {
  explicit Impl(std::shared_ptr<const server::Generation> generation)
      : ctx(generation, generation->options.store_threads),
        render(ctx),
        http(ctx, router, generation->options.io_threads) {}

  server::ServerContext ctx;
  server::Router router;
  server::RenderLoop render;
  server::HttpServer http;
  uint64_t generations = 1;  // controlling thread only
  bool stopped = false;      // controlling thread only
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options,
                                              std::shared_ptr<const Pipeline> pipeline) {
  GF_RETURN_IF_ERROR(ValidateServerOptions(options));
  GF_RETURN_IF_ERROR(CheckPipeline(*pipeline));
  auto impl = std::make_unique<Impl>(MakeGeneration(1, std::move(options), std::move(pipeline)));
  server::ServerContext& ctx = impl->ctx;
  server::AddIngestRoute(impl->router, ctx);
  server::AddAdminRoutes(impl->router, ctx);
  server::AddUiRoutes(impl->router, ctx);
  server::AddStatusRoutes(impl->router, ctx);
  server::AddConsumerRoutes(impl->router, ctx);
  server::AddFeedRoutes(impl->router, ctx);
  ctx.metrics = std::make_unique<server::Metrics>(impl->router.Labels());
  ctx.on_store_changed = [render = &impl->render] { render->Notify(); };
  ctx.on_accept_shrink = [render = &impl->render](const std::string& feed) {
    render->AcceptShrink(feed);
  };
  GF_RETURN_IF_ERROR(impl->http.Listen(ctx.generation()->options));
  ctx.bound_port.store(impl->http.port());
  impl->render.RenderNow();
  impl->render.Start();
  impl->http.Start();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->http.port(); }

std::string Server::base_url() const {
  return BaseUrl(impl_->ctx.generation()->options, impl_->http.port());
}

Status Server::Reload(ServerOptions options, std::shared_ptr<const Pipeline> pipeline) {
  GF_RETURN_IF_ERROR(ValidateServerOptions(options));
  GF_RETURN_IF_ERROR(CheckPipeline(*pipeline));
  const ServerOptions& current = impl_->ctx.generation()->options;
  if (options.host != current.host || options.port != current.port) {
    return Status::InvalidArgument("server.listen: changing the listen address needs a restart");
  }
  if (options.tls_cert != current.tls_cert || options.tls_key != current.tls_key) {
    return Status::InvalidArgument("server.tls_cert/tls_key: changing TLS needs a restart");
  }
  if (options.io_threads != current.io_threads || options.store_threads != current.store_threads) {
    spdlog::warn("reload: server.threads and server.store_threads take effect after a restart");
  }
  impl_->ctx.SetGeneration(
      MakeGeneration(++impl_->generations, std::move(options), std::move(pipeline)));
  impl_->render.ForceRender();
  return Status::Ok();
}

Result<IngestSummary> Server::IngestDocument(std::string_view data, std::string_view name) {
  std::shared_ptr<const server::Generation> generation = impl_->ctx.generation();
  const Pipeline& pipeline = *generation->pipeline;
  const ServerOptions& options = generation->options;
  IngestOptions ingest = pipeline.ingest;
  ingest.read_limits.max_document_bytes = options.document_limit;
  ingest.read_limits.max_line_bytes = options.document_limit;
  ingest.read_limits.max_indicators_per_finding = options.max_indicators_per_finding;
  // An export object is the user's own data and may inflate past a request's budget; lines
  // stream, so memory stays bounded by the document limit.
  ingest.read_limits.max_inflated_bytes =
      std::max<uint64_t>(options.decompressed_limit, kSourceInflatedLimit);
  Ingestor ingestor(generation->ingest_store.get(), pipeline.policy, pipeline.clock, ingest);
  Result<IngestSummary> summary = ingestor.IngestBuffer(data, name);
  if (summary.ok()) impl_->ctx.NotifyStoreChanged();
  return summary;
}

void Server::SetSourceReports(SourceReports reports) {
  impl_->ctx.source_reports.store(std::make_shared<const SourceReports>(std::move(reports)));
}

void Server::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  const ServerOptions& options = impl_->ctx.generation()->options;
  impl_->http.Stop(options.shutdown_grace);
  impl_->ctx.store_pool().join();  // ingest in flight commits before we return
  impl_->ctx.bulk_pool().join();
  impl_->render.Stop();
}

}  // namespace guardfeed
