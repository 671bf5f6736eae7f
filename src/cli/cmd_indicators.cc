// guardfeed indicators list|show|remove|restore: inspect indicators, explain them, and take
// false positives out of every feed.
#include "cli/output.h"
#include "core/time_util.h"
#include "feeds/explain.h"

namespace guardfeed {
namespace {

struct ListArgs {
  std::string kind;
  std::string prefix;
  bool all = false;
  int64_t limit = 100;
  std::string after;
};

int RunList(const GlobalOptions& global, const ListArgs& args) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  IndicatorQuery query;
  if (!args.kind.empty()) {
    auto kind = ParseKindName(args.kind);
    if (!kind.ok()) {
      PrintError(kind.status());
      return kExitUsage;
    }
    query.kind = *kind;
  }
  query.value_prefix = args.prefix;
  query.include_expired = args.all;
  query.now = runtime->clock->Now();
  query.limit = args.limit;
  query.after = args.after;
  auto records = runtime->store->ListIndicators(query);
  if (!records.ok()) {
    PrintError(records.status());
    return kExitFailure;
  }
  fmt::print("{:<40} {:<7} {:>6} {:>8} {:<21} {:<21}\n", "VALUE", "KIND", "LEVEL", "FINDINGS",
             "LAST SEEN", "EXPIRES");
  for (const IndicatorRecord& r : *records) {
    fmt::print("{:<40} {:<7} {:>6} {:>8} {:<21} {:<21}\n", r.indicator.value,
               KindName(r.indicator.kind), Policy::ThreatLevel(r.max_severity), r.finding_count,
               FormatIso8601(r.last_seen), FormatIso8601(r.expires_at));
  }
  return kExitOk;
}

void PrintExplanation(const Explanation& e, UnixSeconds now) {
  fmt::print("{} ({})\n", e.indicator.value, KindName(e.indicator.kind));
  if (!e.record) {
    fmt::print("  never seen in any finding\n");
  } else {
    fmt::print("  status: {}\n", e.active                         ? "active"
                                 : e.removal                      ? "removed"
                                 : e.suppression                  ? "suppressed"
                                 : e.record->expires_at <= now    ? "expired"
                                                                  : "withdrawn");
    fmt::print("  threat level {} (max severity {:.1f}), first seen {}, last seen {}\n",
               e.threat_level, e.record->max_severity, FormatIso8601(e.record->first_seen),
               FormatIso8601(e.record->last_seen));
    fmt::print("  expires {}\n", FormatIso8601(e.record->expires_at));
  }
  if (e.removal) {
    fmt::print("  removed {} by {}: {}\n", FormatIso8601(e.removal->removed_at), e.removal->actor,
               e.removal->reason);
  }
  if (e.suppression) fmt::print("  never blocked: {}\n", *e.suppression);
  for (const SightingRecord& s : e.sightings) {
    fmt::print("  finding {} {} severity {:.1f} account {} {} last seen {}{}\n", s.finding_id,
               s.finding_type, s.severity, s.account_id, s.region, FormatIso8601(s.last_seen),
               s.withdrawn ? " (archived: withdrawn)" : "");
    fmt::print("    from {} ({} {})\n", s.field, s.action_type, s.direction);
  }
  for (const FeedPlacement& p : e.feeds) {
    if (p.carried) {
      fmt::print("  feed {}: carried, rank {}\n", p.feed, p.rank);
    } else {
      fmt::print("  feed {}: not carried: {}\n", p.feed, p.reason);
    }
  }
}

int RunShow(const GlobalOptions& global, const std::string& value) {
  int exit_code = kExitOk;
  auto indicator = ParseIndicatorArg(value, exit_code);
  if (!indicator) return exit_code;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  UnixSeconds now = runtime->clock->Now();
  auto explanation = ExplainIndicator(*indicator, runtime->config.feeds, *runtime->policy,
                                      *runtime->store, now);
  if (!explanation.ok()) {
    PrintError(explanation.status());
    return kExitFailure;
  }
  PrintExplanation(*explanation, now);
  return kExitOk;
}

int RunRemove(const GlobalOptions& global, const std::string& value, const std::string& reason,
              bool restore) {
  int exit_code = kExitOk;
  auto indicator = ParseIndicatorArg(value, exit_code);
  if (!indicator) return exit_code;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  UnixSeconds now = runtime->clock->Now();
  Status status = restore ? runtime->store->Unremove(*indicator, CliActor(), now)
                          : runtime->store->Remove(*indicator, reason, CliActor(), now);
  if (!status.ok()) {
    PrintError(status);
    return ExitCodeFor(status);
  }
  fmt::print("{} {}: {}\n", restore ? "restored" : "removed", indicator->value,
             restore ? "back in feeds at the next render"
                     : "kept out of every feed from the next render until restored");
  return kExitOk;
}

}  // namespace

void AddIndicatorsCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("indicators", "Inspect, explain and remove indicators");
  cmd->require_subcommand(1);
  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = cmd->add_subcommand("list", "List active indicators (by value)");
  list->add_option("--kind", list_args->kind, "ipv4, ipv6 or domain");
  list->add_option("--prefix", list_args->prefix, "Only values starting with this text");
  list->add_flag("--all", list_args->all, "Include expired indicators");
  list->add_option("--limit", list_args->limit, "At most this many (default 100)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  list->add_option("--after", list_args->after, "Continue after this value (pagination)");
  list->callback([&global, &exit_code, list_args] { exit_code = RunList(global, *list_args); });

  auto value = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand(
      "show", "Explain an indicator: its findings, expiry, and which feeds carry it");
  show->add_option("value", *value, "IP address or domain")->required();
  show->callback([&global, &exit_code, value] { exit_code = RunShow(global, *value); });

  auto reason = std::make_shared<std::string>("false positive");
  CLI::App* remove = cmd->add_subcommand(
      "remove", "Remove a false positive from every feed until it is restored (audit-logged)");
  remove->add_option("value", *value, "IP address or domain")->required();
  remove->add_option("--reason", *reason, "Why (kept in the audit log)");
  remove->callback([&global, &exit_code, value, reason] {
    exit_code = RunRemove(global, *value, *reason, false);
  });
  CLI::App* restore = cmd->add_subcommand("restore", "Undo a remove (audit-logged)");
  restore->add_option("value", *value, "IP address or domain")->required();
  restore->callback([&global, &exit_code, value, reason] {
    exit_code = RunRemove(global, *value, *reason, true);
  });
}

}  // namespace guardfeed
