// guardfeed store copy: copy every row of one store into another (between engines, e.g. SQLite to
// PostgreSQL, or between files) and verify the copy table by table (store/copy.h).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <string_view>

#include "cli/output.h"
#include "cli/progress.h"
#include "store/copy.h"

namespace guardfeed {
namespace {

struct CopyArgs {
  std::string from;
  std::string to;
  bool overwrite = false;
  int64_t chunk_rows = 10000;
};

// The file of a SQLite store URL ("sqlite://PATH" or a plain path), or "" for other schemes.
std::string SqlitePath(std::string_view url) {
  size_t separator = url.find("://");
  if (separator == std::string_view::npos) return std::string(url);
  if (url.substr(0, separator) == "sqlite") return std::string(url.substr(separator + 3));
  return "";
}

// Opening a SQLite store creates a missing file: a mistyped source would copy an empty store.
Result<std::unique_ptr<Store>> OpenSource(const std::string& url) {
  std::string path = SqlitePath(url);
  std::error_code error;
  if (!path.empty() && path != ":memory:" && !std::filesystem::exists(path, error)) {
    return Status::InvalidArgument("source store " + path + " does not exist");
  }
  return OpenStore(url);
}

void PrintReport(const CopyReport& report, const Store& from, const Store& to) {
  fmt::print("copied {} to {} (change counter {})\n", from.Describe(), to.Describe(),
             report.counter);
  fmt::print("{:<16} {:>12}  {}\n", "TABLE", "ROWS", "SHA256");
  for (const TableDigest& table : report.tables) {
    fmt::print("{:<16} {:>12}  {}\n", table.table, table.rows, table.sha256);
  }
  fmt::print("verified: {} rows in {} tables equal in source and target\n", report.rows(),
             report.tables.size());
}

int RunCopy(const CopyArgs& args) {
  auto from = OpenSource(args.from);
  if (!from.ok()) {
    PrintError(from.status().WithContext("--from"));
    return ExitCodeFor(from.status());
  }
  auto to = OpenStore(args.to);
  if (!to.ok()) {
    PrintError(to.status().WithContext("--to"));
    return ExitCodeFor(to.status());
  }
  if ((*from)->Describe() == (*to)->Describe()) {
    PrintError(
        Status::InvalidArgument("--from and --to name the same store " + (*from)->Describe()));
    return kExitUsage;
  }
  if (!args.overwrite) {
    // CopyStore refuses too; this says which flag changes that.
    auto empty = (*to)->IsEmpty();
    if (empty.ok() && !*empty) {
      PrintError(Status::FailedPrecondition("target " + (*to)->Describe() +
                                            " is not empty; --overwrite replaces its contents"));
      return kExitFailure;
    }
  }
  CopyOptions options;
  options.overwrite = args.overwrite;
  options.chunk_rows = static_cast<size_t>(args.chunk_rows);
  Progress progress("copying");
  options.progress = [&progress](int64_t rows) {
    progress.UpdateCount(static_cast<uint64_t>(rows), "rows");
  };
  auto report = CopyStore(**from, **to, options);
  if (!report.ok()) {
    PrintError(report.status());
    return ExitCodeFor(report.status());
  }
  PrintReport(*report, **from, **to);
  spdlog::info("store copy done from={} to={} rows={}", (*from)->Describe(), (*to)->Describe(),
               report->rows());
  return kExitOk;
}

}  // namespace

void AddStoreCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  (void)global;  // the stores are named by --from and --to, not by the configuration
  CLI::App* cmd = app.add_subcommand("store", "Maintain stores: copy one into another");
  cmd->require_subcommand(1);
  cmd->footer(
      "Store URLs: sqlite://PATH or a file path (SQLite), postgresql://... (PostgreSQL).\n");
  auto args = std::make_shared<CopyArgs>();
  CLI::App* copy = cmd->add_subcommand(
      "copy",
      "Copy every row of one store into another (e.g. SQLite to PostgreSQL) and verify the copy: "
      "rows and SHA-256 per table must agree. Stop every process using the target first");
  copy->add_option("--from", args->from, "Source store URL (must exist)")->required();
  copy->add_option("--to", args->to, "Target store URL (created if missing; must be empty)")
      ->required();
  copy->add_flag("--overwrite", args->overwrite,
                 "Delete everything in a target that is not empty before copying");
  copy->add_option("--chunk-rows", args->chunk_rows, "Rows per target transaction (default 10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  copy->callback([&exit_code, args] { exit_code = RunCopy(*args); });
}

}  // namespace guardfeed
