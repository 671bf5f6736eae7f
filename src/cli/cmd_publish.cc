// guardfeed publish: render every feed and push what changed to each configured target.
#include "cli/output.h"
#include "cli/publish_config.h"
#include "publish/publisher.h"

namespace guardfeed {
namespace {

int RunPublish(const GlobalOptions& global, const PublishFlags& args) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  auto publishers = ConfiguredPublishers(runtime->config, runtime->store.get(), args);
  if (!publishers.ok()) {
    PrintError(publishers.status());
    return kExitUsage;
  }
  if (publishers->empty()) {
    PrintError(Status::InvalidArgument(
        "nothing to publish to: configure [publish] directory, [publish.s3] or [publish.atp]"));
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
  auto args = std::make_shared<PublishFlags>();
  CLI::App* cmd = app.add_subcommand(
      "publish", "Render every feed and push changed files to the configured targets");
  cmd->add_flag("--force", args->force,
                "Publish even feeds the shrink guard holds back (emptied or shrunk by more "
                "than max_shrink_fraction), to every target");
  cmd->add_flag("--resync", args->resync,
                "ATP Cloud: replace each feed's whole content instead of sending differences");
  cmd->callback([&global, &exit_code, args] { exit_code = RunPublish(global, *args); });
}

}  // namespace guardfeed
