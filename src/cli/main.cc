// guardfeed: GuardDuty findings in, firewall block lists out. See README.md and docs/cli.md.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/commands.h"

namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("guardfeed");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace guardfeed;
  CLI::App app{"guardfeed: turn AWS GuardDuty findings into firewall block lists", "guardfeed"};
  app.set_version_flag("--version", std::string("guardfeed ") + GUARDFEED_VERSION);
  app.require_subcommand(1);
  GlobalOptions global;
  if (const char* config = std::getenv("GUARDFEED_CONFIG")) global.config_path = config;
  app.add_option("-c,--config", global.config_path,
                 "Configuration file (TOML; env GUARDFEED_CONFIG; default: built-in defaults)");
  app.add_option("--store", global.store_url,
                 "Store URL, overriding the configuration (sqlite://PATH or postgresql://USER@HOST:PORT/DB)");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--now", global.now, "Use this Unix time as now (replaying old findings)");
  app.parse_complete_callback([&global] { SetUpLogging(global.log_level); });

  int exit_code = kExitOk;
  AddIngestCommand(app, global, exit_code);
  AddFeedsCommand(app, global, exit_code);
  AddIndicatorsCommand(app, global, exit_code);
  AddAllowCommand(app, global, exit_code);
  AddExpireCommand(app, global, exit_code);
  AddStoreCommand(app, global, exit_code);
  AddSourcesCommand(app, global, exit_code);
  AddConfigCommand(app, global, exit_code);
  AddPublishCommand(app, global, exit_code);
  AddLambdaCommand(app, global, exit_code);
#ifdef GUARDFEED_HAVE_SERVER
  AddServeCommand(app, global, exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
