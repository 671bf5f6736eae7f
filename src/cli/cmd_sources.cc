// guardfeed sources list|status: the configured pulling sources ([[sources.*]], docs/sources.md)
// and, from the store, where each one's cursor stands. The live state of a running daemon (last
// poll, lag, errors) is in its GET /v1/sources and /metrics.
#include <fmt/core.h>

#include "cli/output.h"
#include "cli/sources_config.h"
#include "sources/source.h"

namespace guardfeed {
namespace {

// The configured sources, built on the runtime's store but never polled.
Result<std::vector<std::unique_ptr<Source>>> ConfiguredSources(Runtime& runtime) {
  auto configs = ReadSourceConfigs(runtime.config);
  if (!configs.ok()) return configs.status();
  SourceContext context;
  context.ingest = [](std::string_view, std::string_view) -> Result<IngestSummary> {
    return Status::FailedPrecondition("`guardfeed sources` never ingests");
  };
  context.store = runtime.store.get();
  context.clock = runtime.clock;
  return NewSources(*configs, context);
}

int ListSources(const GlobalOptions& global, bool with_cursor) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  auto sources = ConfiguredSources(*runtime);
  if (!sources.ok()) {
    PrintError(sources.status());
    return ExitCodeFor(sources.status());
  }
  if (sources->empty()) {
    fmt::print("no sources configured ([[sources.guardduty]], [[sources.s3]], [[sources.sqs]]: "
               "docs/sources.md)\n");
    return kExitOk;
  }
  for (const auto& source : *sources) {
    const std::string name = source->Name();
    std::string line = fmt::format("{:<40} every {} s{}", name, source->Interval().count() / 1000,
                                   source->SingleConsumer() ? ", one replica" : ", every replica");
    if (with_cursor) {
      auto cursor = LoadCursor(*runtime->store, name);
      if (!cursor.ok()) {
        PrintError(cursor.status());
        return kExitFailure;
      }
      line += "  cursor " + (cursor->has_value() ? **cursor : std::string("(none yet)"));
    }
    fmt::print("{}\n", line);
  }
  return kExitOk;
}

}  // namespace

void AddSourcesCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "sources", "Show the sources that pull findings (GuardDuty API, export bucket, SQS)");
  cmd->require_subcommand(1);
  cmd->add_subcommand("list", "List the configured sources: name, interval, who runs them")
      ->callback([&global, &exit_code] { exit_code = ListSources(global, false); });
  cmd->add_subcommand("status",
                      "Each configured source with its cursor in the store (a running daemon's "
                      "last poll, lag and errors: GET /v1/sources, /metrics)")
      ->callback([&global, &exit_code] { exit_code = ListSources(global, true); });
}

}  // namespace guardfeed
