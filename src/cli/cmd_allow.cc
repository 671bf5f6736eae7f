// guardfeed allow add|list|remove: the run-time allowlist kept in the store (CIDRs, addresses and
// domain suffixes that must never be blocked), audit-logged.
#include "cli/output.h"
#include "core/time_util.h"

namespace guardfeed {
namespace {

struct AddArgs {
  std::string entry;
  std::string comment;
  bool force = false;
};

int RunAdd(const GlobalOptions& global, const AddArgs& args) {
  int exit_code = kExitOk;
  auto canonical = Allowlist::Canonicalize(args.entry);
  if (!canonical.ok()) {
    PrintError(canonical.status());
    return kExitUsage;
  }
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  if (!args.force) {
    // The limits come with the configured allowlist ([policy] allowlist_min_ipv4_prefix, ...).
    const AllowlistWidthLimits& limits = runtime->policy->options().allowlist.width_limits();
    if (Status width = Allowlist::CheckWidth(*canonical, limits); !width.ok()) {
      PrintError(Status::InvalidArgument(width.message() + " (--force)"));
      return kExitUsage;
    }
  }
  AllowlistRecord record{*canonical, args.comment, CliActor(), runtime->clock->Now()};
  if (Status status = runtime->store->AddAllowlist(record); !status.ok()) {
    PrintError(status);
    return kExitFailure;
  }
  fmt::print("allowed {}: never blocked from the next render\n", *canonical);
  return kExitOk;
}

int RunList(const GlobalOptions& global) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  auto records = runtime->store->ListAllowlist();
  if (!records.ok()) {
    PrintError(records.status());
    return kExitFailure;
  }
  fmt::print("{:<40} {:<21} {:<20} {}\n", "ENTRY", "ADDED", "BY", "COMMENT");
  for (const AllowlistRecord& r : *records) {
    fmt::print("{:<40} {:<21} {:<20} {}\n", r.entry, FormatIso8601(r.added_at), r.actor, r.comment);
  }
  return kExitOk;
}

int RunRemove(const GlobalOptions& global, const std::string& entry) {
  int exit_code = kExitOk;
  auto canonical = Allowlist::Canonicalize(entry);
  if (!canonical.ok()) {
    PrintError(canonical.status());
    return kExitUsage;
  }
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  Status status = runtime->store->RemoveAllowlist(*canonical, CliActor(), runtime->clock->Now());
  if (!status.ok()) {
    PrintError(status);
    return ExitCodeFor(status);
  }
  fmt::print("removed {} from the allowlist\n", *canonical);
  return kExitOk;
}

}  // namespace

void AddAllowCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("allow", "Manage the allowlist of never-blocked values");
  cmd->require_subcommand(1);
  auto add_args = std::make_shared<AddArgs>();
  CLI::App* add = cmd->add_subcommand("add", "Allow a CIDR, an address or a domain suffix");
  add->add_option("entry", add_args->entry, "e.g. 203.0.113.0/24, 2001:db8::1, example.com")
      ->required();
  add->add_option("--comment", add_args->comment, "Why (shown in list)");
  add->add_flag("--force", add_args->force,
                "Accept an entry wider than the configured limits (IPv4 wider than /8, IPv6 "
                "wider than /32, a top-level domain)");
  add->callback([&global, &exit_code, add_args] { exit_code = RunAdd(global, *add_args); });
  auto entry = std::make_shared<std::string>();
  cmd->add_subcommand("list", "Show the allowlist")->callback([&global, &exit_code] {
    exit_code = RunList(global);
  });
  CLI::App* remove = cmd->add_subcommand("remove", "Remove an allowlist entry");
  remove->add_option("entry", *entry, "The entry as added")->required();
  remove->callback([&global, &exit_code, entry] { exit_code = RunRemove(global, *entry); });
}

}  // namespace guardfeed
