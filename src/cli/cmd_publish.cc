// guardfeed publish: render every feed and push what changed to each configured target.
#include "cli/output.h"
#include "publish/publisher.h"

namespace guardfeed {
namespace {

// Every publisher the configuration enables, in a stable order.
Result<std::vector<std::unique_ptr<Publisher>>> ConfiguredPublishers(const Config& config) {
  std::vector<std::unique_ptr<Publisher>> publishers;
  if (!config.publish_directory.empty()) {
    auto directory = NewDirectoryPublisher(config.publish_directory);
    if (!directory.ok()) return directory.status();
    publishers.push_back(std::move(*directory));
  }
  return publishers;
}

int RunPublish(const GlobalOptions& global) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  auto publishers = ConfiguredPublishers(runtime->config);
  if (!publishers.ok()) {
    PrintError(publishers.status());
    return kExitUsage;
  }
  if (publishers->empty()) {
    PrintError(Status::InvalidArgument("nothing to publish to: configure [publish] directory"));
    return kExitUsage;
  }
  auto built = runtime->builder->Build();
  if (!built.ok()) {
    PrintError(built.status());
    return kExitFailure;
  }
  for (const auto& publisher : *publishers) {
    auto report = publisher->Publish(built->set);
    if (!report.ok()) {
      PrintError(report.status().WithContext(publisher->Describe()));
      exit_code = kExitFailure;
      continue;
    }
    fmt::print("{}: {} written, {} unchanged\n", publisher->Describe(), report->written.size(),
               report->unchanged.size());
  }
  return exit_code;
}

}  // namespace

void AddPublishCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "publish", "Render every feed and push changed files to the configured targets");
  cmd->callback([&global, &exit_code] { exit_code = RunPublish(global); });
}

}  // namespace guardfeed
