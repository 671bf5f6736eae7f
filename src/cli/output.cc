#include "cli/output.h"

#include <cstdio>
#include <cstdlib>

namespace guardfeed {

void PrintError(const Status& status) {
  std::fprintf(stderr, "guardfeed: error: %s\n", status.message().c_str());
}

void PrintWarning(const std::string& message) {
  std::fprintf(stderr, "guardfeed: warning: %s\n", message.c_str());
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
    case Status::Code::kNotFound:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}

std::unique_ptr<Runtime> OpenOrReport(const GlobalOptions& global, int& exit_code) {
  auto runtime = OpenRuntime(global);
  if (!runtime.ok()) {
    PrintError(runtime.status());
    exit_code = ExitCodeFor(runtime.status());
    return nullptr;
  }
  return std::move(*runtime);
}

std::string CliActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

std::optional<Indicator> ParseIndicatorArg(const std::string& text, int& exit_code) {
  auto indicator = NormalizeIndicator(text);
  if (!indicator.ok()) {
    PrintError(Status::InvalidArgument("'" + text + "': " + indicator.status().message()));
    exit_code = kExitUsage;
    return std::nullopt;
  }
  return *indicator;
}

}  // namespace guardfeed
