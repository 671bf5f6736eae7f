// guardfeed config check: load the configuration and the store, print what would run.
#include "cli/output.h"
#include "core/time_util.h"

namespace guardfeed {
namespace {

int RunCheck(const GlobalOptions& global) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  const Config& c = runtime->config;
  const PolicyOptions& p = c.policy;
  fmt::print("configuration: {} (ok)\n", c.source);
  fmt::print("store: {}\n", runtime->store->Describe());
  fmt::print("policy: min severity {:.1f}, samples {}, archived findings {}\n", p.min_severity,
             p.include_samples ? "included" : "skipped",
             p.archived_withdraws ? "withdraw their indicators" : "keep them");
  fmt::print("ttl: low {}, medium {}, high {}, critical {}, {} type rules\n",
             FormatDuration(p.ttl_low), FormatDuration(p.ttl_medium), FormatDuration(p.ttl_high),
             FormatDuration(p.ttl_critical), p.ttl_by_type.size());
  fmt::print("allowlist: {} configured entries\n", p.allowlist.size());
  for (const FeedConfig& feed : c.feeds) {
    fmt::print("feed {}: {}{}{}\n", feed.name, FormatName(feed.format),
               feed.max_entries > 0 ? fmt::format(", max {} entries", feed.max_entries) : "",
               feed.min_threat_level > 1
                   ? fmt::format(", threat level >= {}", feed.min_threat_level)
                   : "");
  }
  if (!c.publish_directory.empty()) fmt::print("publish directory: {}\n", c.publish_directory);
  return kExitOk;
}

}  // namespace

void AddConfigCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("config", "Check the configuration");
  cmd->require_subcommand(1);
  cmd->add_subcommand("check",
                      "Validate the configuration file and environment, open the store, "
                      "and print the effective settings (exit 2 when invalid)")
      ->callback([&global, &exit_code] { exit_code = RunCheck(global); });
}

}  // namespace guardfeed
