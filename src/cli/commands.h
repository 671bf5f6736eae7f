// The guardfeed command line: one Add*Command per subcommand, each in its own cmd_*.cc, all
// registered by main.cc. Commands set `exit_code` (docs/cli.md):
//   0 success, 1 runtime failure (store, I/O, remote), 2 usage or configuration error,
//   3 finished but some input was rejected (ingest errors).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace guardfeed {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPartial = 3;

// Options every subcommand accepts, parsed before the subcommand runs.
struct GlobalOptions {
  std::string config_path;         // --config / GUARDFEED_CONFIG; "" = built-in defaults
  std::string store_url;           // --store / GUARDFEED_STORE; overrides the config file
  std::string log_level = "info";  // --log-level
  std::optional<int64_t> now;      // --now (Unix seconds): replay with a fixed clock
};

void AddIngestCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddFeedsCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddIndicatorsCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddAllowCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddExpireCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddStoreCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddSourcesCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddConfigCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddPublishCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddServeCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);
void AddLambdaCommand(CLI::App& app, const GlobalOptions& global, int& exit_code);

}  // namespace guardfeed
