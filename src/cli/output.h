// Shared output helpers for commands: errors on stderr in one format, and opening the runtime
// with the right exit code when that fails.
#pragma once

#include <fmt/core.h>

#include <memory>

#include "cli/runtime.h"

namespace guardfeed {

// Prints "guardfeed: error: <message>" to stderr.
void PrintError(const Status& status);
// Prints "guardfeed: warning: <message>" to stderr.
void PrintWarning(const std::string& message);
// The exit code for a failed Status: configuration problems and named things that do not exist
// (NotFound: a never-seen indicator, an absent allowlist entry) are usage errors (2), the rest are
// runtime failures (1).
int ExitCodeFor(const Status& status);
// Opens the runtime; on failure prints the error, sets `exit_code` and returns null.
std::unique_ptr<Runtime> OpenOrReport(const GlobalOptions& global, int& exit_code);
// Who runs a manual action, for the audit log: "cli:$USER".
std::string CliActor();
// Parses an indicator argument; on failure prints the error and sets `exit_code` to kExitUsage.
std::optional<Indicator> ParseIndicatorArg(const std::string& text, int& exit_code);

}  // namespace guardfeed
