// guardfeed expire: delete sightings and indicators that expired more than [store] retention ago.
// Feeds never carry expired entries anyway; this keeps the store small.
#include "cli/output.h"
#include "core/time_util.h"

namespace guardfeed {

void AddExpireCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "expire", "Delete indicators that expired longer ago than [store] retention (default 7d)");
  cmd->callback([&global, &exit_code] {
    auto runtime = OpenOrReport(global, exit_code);
    if (!runtime) return;
    int64_t retention = runtime->config.retention_seconds;
    auto deleted = runtime->store->Expire(runtime->clock->Now(), retention);
    if (!deleted.ok()) {
      PrintError(deleted.status());
      exit_code = kExitFailure;
      return;
    }
    fmt::print("deleted {} indicators expired more than {} ago\n", *deleted,
               FormatDuration(retention));
  });
}

}  // namespace guardfeed
