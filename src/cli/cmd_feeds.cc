// guardfeed feeds list|render|cat: show, render and print the configured feeds.
#include <cstdio>

#include "cli/output.h"
#include "core/time_util.h"
#include "publish/publisher.h"

namespace guardfeed {
namespace {

int RunList(const GlobalOptions& global) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  if (runtime->config.feeds.empty()) {
    fmt::print("no feeds configured in {} (see config/guardfeed.example.toml)\n",
               runtime->config.source);
    return kExitOk;
  }
  // Read-only: shows the version a render would give now, and stores nothing.
  auto built = runtime->builder->Build("", Versioning::kPeek);
  if (!built.ok()) {
    PrintError(built.status());
    return kExitFailure;
  }
  fmt::print("{:<24} {:<10} {:<18} {:>9} {:>8} {:<12}\n", "NAME", "FORMAT", "KINDS", "ENTRIES",
             "DROPPED", "VERSION");
  for (size_t i = 0; i < runtime->config.feeds.size(); ++i) {
    const FeedConfig& feed = runtime->config.feeds[i];
    const FeedReport& report = built->reports[i];
    fmt::print("{:<24} {:<10} {:<18} {:>9} {:>8} {:<12}\n", feed.name, FormatName(feed.format),
               KindsText(feed), report.entries, report.dropped, report.version);
  }
  return kExitOk;
}

struct RenderArgs {
  std::string name;
  std::string output;
};

int RunRender(const GlobalOptions& global, const RenderArgs& args) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  std::string directory = args.output.empty() ? runtime->config.publish_directory : args.output;
  if (directory.empty()) {
    PrintError(
        Status::InvalidArgument("no output directory: pass -o DIR or set [publish] "
                                "directory in the configuration"));
    return kExitUsage;
  }
  if (runtime->config.feeds.empty()) {
    PrintError(Status::InvalidArgument("no feeds configured in " + runtime->config.source));
    return kExitUsage;
  }
  auto built = runtime->builder->Build(args.name);
  if (!built.ok()) {
    PrintError(built.status());
    return ExitCodeFor(built.status());
  }
  auto publisher = NewDirectoryPublisher(directory);
  if (!publisher.ok()) {
    PrintError(publisher.status());
    return kExitUsage;
  }
  auto report = (*publisher)->Publish(built->set);
  if (!report.ok()) {
    PrintError(report.status());
    return kExitFailure;
  }
  for (const SnapshotPtr& file : built->set.files) {
    bool written = std::find(report->written.begin(), report->written.end(), file->path) !=
                   report->written.end();
    fmt::print("{} {}/{} ({} entries{}, version {})\n", written ? "wrote    " : "unchanged",
               directory, file->path, file->entries,
               file->dropped > 0 ? fmt::format(", {} dropped by max_entries", file->dropped) : "",
               file->version.empty() ? "-" : file->version);
  }
  return kExitOk;
}

int RunCat(const GlobalOptions& global, const std::string& name) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  bool is_feed = std::any_of(runtime->config.feeds.begin(), runtime->config.feeds.end(),
                             [&](const FeedConfig& feed) { return feed.name == name; });
  // Read-only, like `feeds list`: the version printed is the one a render would give now.
  auto built = runtime->builder->Build(is_feed ? name : "", Versioning::kPeek);
  if (!built.ok()) {
    PrintError(built.status());
    return ExitCodeFor(built.status());
  }
  for (const SnapshotPtr& file : built->set.files) {
    if (file->path == name || (is_feed && file->feed == name)) {
      std::fwrite(file->body.data(), 1, file->body.size(), stdout);
      return kExitOk;
    }
  }
  PrintError(Status::NotFound("no feed or file named '" + name + "'"));
  return kExitUsage;
}

}  // namespace

void AddFeedsCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* feeds = app.add_subcommand("feeds", "List, render and print the configured feeds");
  feeds->require_subcommand(1);
  feeds->add_subcommand("list", "Show every feed with its entries, cap drops and version")
      ->callback([&global, &exit_code] { exit_code = RunList(global); });
  auto render_args = std::make_shared<RenderArgs>();
  CLI::App* render = feeds->add_subcommand(
      "render", "Render feeds and write changed files to a directory (temp file + rename)");
  render->add_option("name", render_args->name, "Only this feed (default: all)");
  render->add_option("-o,--output", render_args->output,
                     "Directory to write (default: [publish] directory)");
  render->callback(
      [&global, &exit_code, render_args] { exit_code = RunRender(global, *render_args); });
  auto cat_name = std::make_shared<std::string>();
  CLI::App* cat = feeds->add_subcommand(
      "cat", "Print one feed (or manifest.xml, cc_schema) to stdout, exactly as published");
  cat->add_option("name", *cat_name, "Feed name or file name")->required();
  cat->callback([&global, &exit_code, cat_name] { exit_code = RunCat(global, *cat_name); });
}

}  // namespace guardfeed
