// guardfeed serve: the daemon. Reads [server] from the configuration (server_config.h,
// docs/server.md), starts the HTTP server on the runtime's store and feeds, prints the URLs
// firewalls and an EventBridge API destination use (serve_banner.h), then waits for signals:
// SIGTERM/SIGINT stop gracefully (exit 0), SIGHUP reloads the configuration (everything but
// server.listen, the TLS files and store.url, which need a restart; docs/configuration.md).
#include <fmt/core.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "cli/output.h"
#include "cli/publish_config.h"
#include "cli/serve_banner.h"
#include "cli/sources_config.h"
#include "cli/server_config.h"
#include "publish/publisher.h"
#include "server/server.h"
#include "sources/runner.h"

namespace guardfeed {
namespace {

struct ServeFlags {
  std::string listen;      // overrides server.listen
  std::string ready_file;  // written with the base URL once serving
};

// Everything one configuration generation runs on, kept alive by the Pipeline's owner.
struct ServeRuntime {
  std::unique_ptr<Runtime> runtime;
  std::vector<std::unique_ptr<Publisher>> publishers;
};

struct Loaded {
  ServerOptions options;
  std::shared_ptr<const Pipeline> pipeline;
  std::string store_url;  // what the pipeline's store was opened from
  std::shared_ptr<const ServeRuntime> owner;  // the pipeline's owner, with the configuration
};

// `store`: the running store on a reload (the URL cannot change; see Reload), null at start.
Result<Loaded> Load(const GlobalOptions& global, const ServeFlags& flags, Config config,
                    std::shared_ptr<Store> store = nullptr) {
  auto options = ReadServerOptions(config, ProcessEnvironment(), flags.listen);
  if (!options.ok()) return options.status();
  auto runtime = OpenRuntime(global, std::move(config), std::move(store));
  if (!runtime.ok()) return runtime.status();
  auto owner = std::make_shared<ServeRuntime>();
  owner->runtime = std::move(*runtime);
  const Config& loaded = owner->runtime->config;
  // The same targets as `guardfeed publish`: directory, S3, ATP Cloud, after every render.
  auto publishers =
      ConfiguredPublishers(owner->runtime->config, owner->runtime->store.get(), {});
  if (!publishers.ok()) return publishers.status().WithContext("publish");
  owner->publishers = std::move(*publishers);
  auto pipeline = std::make_shared<Pipeline>();
  // Each target is published, retried and reported on its own by the render loop.
  for (const auto& publisher : owner->publishers) pipeline->publishers.push_back(publisher.get());
  pipeline->retention_seconds = loaded.retention_seconds;
  pipeline->shrink_guard.max_shrink_fraction = loaded.max_shrink_fraction;
  pipeline->store = owner->runtime->store.get();
  pipeline->policy = owner->runtime->policy.get();
  pipeline->clock = owner->runtime->clock;
  pipeline->builder = owner->runtime->builder.get();
  pipeline->ingest = loaded.ingest;
  pipeline->store_description = owner->runtime->store->Describe();
  pipeline->owner = owner;
  std::string store_url = loaded.store_url;
  return Loaded{std::move(*options), std::move(pipeline), std::move(store_url), owner};
}

void PrintUrls(const Server& server, const Loaded& loaded) {
  fmt::print("{}", ServeBanner(loaded.options, server.port(), loaded.pipeline->builder->feeds(),
                               loaded.pipeline->store_description));
  std::fflush(stdout);
}

void WriteReadyFile(const std::string& path, const Server& server) {
  if (path.empty()) return;
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << server.base_url() << "\n";
  }
  std::rename(temp.c_str(), path.c_str());
}

// Applies a new configuration generation, or keeps the running one and logs why. The store URL
// cannot change (CheckReloadStore), so the new generation keeps the running store: a replica's
// change watch and publishing lease live in it.
void Reload(Server& server, const GlobalOptions& global, const ServeFlags& flags,
            std::string& running_store_url, const std::shared_ptr<Store>& running_store) {
  spdlog::info("reload signal=SIGHUP");
  auto config = LoadEffectiveConfig(global);
  if (config.ok()) {
    if (Status same = CheckReloadStore(running_store_url, config->store_url); !same.ok()) {
      spdlog::error("{}", same.message());
      return;
    }
  }
  auto loaded = config.ok() ? Load(global, flags, std::move(*config), running_store)
                            : Result<Loaded>(config.status());
  Status status =
      loaded.ok() ? server.Reload(std::move(loaded->options), loaded->pipeline) : loaded.status();
  if (!status.ok()) {
    spdlog::error("reload failed, keeping the running configuration: {}", status.ToString());
    return;
  }
  running_store_url = loaded->store_url;
  spdlog::info("reload done");
}

// Each source's state with its stored cursor, for /metrics and GET /v1/sources.
std::vector<SourceReport> SourceReportsOf(const SourceRunner& runner, Store& store) {
  std::vector<SourceReport> reports;
  for (const SourceStatus& status : runner.Statuses()) {
    SourceReport report;
    report.name = status.name;
    Result<std::optional<std::string>> cursor = LoadCursor(store, status.name);
    if (cursor.ok() && cursor->has_value()) report.cursor = **cursor;
    report.last_success = status.last_success;
    report.last_error_at = status.last_error_at;
    report.last_error = status.last_error;
    report.consecutive_failures = status.consecutive_failures;
    report.documents_total = status.documents_total;
    report.findings_total = status.findings_total;
    report.standby = status.standby;
    reports.push_back(std::move(report));
  }
  return reports;
}

// The configured sources ([[sources.*]], docs/sources.md), pulling into the server's ingest path
// from the start until the daemon stops; null when none is configured. A reload does not change
// them: adding or removing a source needs a restart.
Result<std::unique_ptr<SourceRunner>> StartSources(Server& server, const Loaded& loaded) {
  const Config& config = loaded.owner->runtime->config;
  auto configs = ReadSourceConfigs(config);
  if (!configs.ok()) return configs.status();
  if (configs->size() == 0) return std::unique_ptr<SourceRunner>();
  Store* store = loaded.pipeline->store;
  SourceContext context;
  context.ingest = [&server](std::string_view data, std::string_view name) {
    return server.IngestDocument(data, name);
  };
  context.store = store;
  context.clock = loaded.pipeline->clock;
  auto sources = NewSources(*configs, context);
  if (!sources.ok()) return sources.status().WithContext("sources");
  auto runner = std::make_unique<SourceRunner>(std::move(*sources), loaded.pipeline->clock,
                                               [store] { return store->LeadsPublishing(); });
  runner->Start();
  server.SetSourceReports([runner = runner.get(), store] { return SourceReportsOf(*runner, *store); });
  spdlog::info("sources started count={}", runner->size());
  return runner;
}

int RunServe(const GlobalOptions& global, const ServeFlags& flags) {
  auto config = LoadEffectiveConfig(global);
  auto loaded =
      config.ok() ? Load(global, flags, std::move(*config)) : Result<Loaded>(config.status());
  if (!loaded.ok()) {
    PrintError(loaded.status());
    return ExitCodeFor(loaded.status());
  }
  // Block the signals in every thread; this one takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer closing mid-response must never kill the daemon: writes report EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);
  auto server = Server::Start(loaded->options, loaded->pipeline);
  if (!server.ok()) {
    PrintError(server.status());
    return server.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  auto runner = StartSources(**server, *loaded);
  if (!runner.ok()) {
    (*server)->Stop();
    PrintError(runner.status());
    return ExitCodeFor(runner.status());
  }
  PrintUrls(**server, *loaded);
  WriteReadyFile(flags.ready_file, **server);
  std::string running_store_url = loaded->store_url;
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      Reload(**server, global, flags, running_store_url, loaded->owner->runtime->store);
      continue;
    }
    spdlog::info("stopping signal={}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    if (*runner) (*runner)->Stop();  // sources first: their ingests need the server
    (*server)->Stop();
    spdlog::info("stopped");
    return kExitOk;
  }
}

}  // namespace

void AddServeCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the daemon: serve feeds over HTTP, take findings in on POST /v1/findings");
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT to listen on, overriding server.listen (port 0: any free port)");
  cmd->add_option("--ready-file", flags->ready_file,
                  "Write the base URL to this file once the server accepts connections");
  cmd->callback([&global, &exit_code, flags] { exit_code = RunServe(global, *flags); });
}

}  // namespace guardfeed
