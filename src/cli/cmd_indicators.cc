// guardfeed indicators list|show|remove|restore: inspect indicators, explain them, and take
// false positives out of every feed.
#include <set>

#include "cli/output.h"
#include "core/time_util.h"
#include "feeds/explain.h"

namespace guardfeed {
namespace {

// What `list` and `show` print for a withdrawn indicator instead of an expiry of 1970-01-01.
constexpr std::string_view kWithdrawnText = "withdrawn (archived finding)";

struct ListArgs {
  std::string kind;
  std::string prefix;
  std::string state = "active";  // active, expired, withdrawn, removed, all
  bool all = false;              // --all: the same as --state all
  int64_t limit = 100;
  std::string after;
};

std::string StateText(IndicatorState state) {
  return state == IndicatorState::kWithdrawn ? std::string(kWithdrawnText)
                                             : std::string(IndicatorStateName(state));
}

// Values removed as false positives, to mark them in the STATE column.
Result<std::set<std::string>> RemovedValues(Store& store) {
  auto removals = store.ListRemovals();
  if (!removals.ok()) return removals.status();
  std::set<std::string> values;
  for (const RemovalRecord& removal : *removals) values.insert(removal.indicator.value);
  return values;
}

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
  if (args.all || args.state == "all") {
    query.include_expired = true;
  } else {
    auto state = ParseIndicatorStateName(args.state);
    if (!state.ok()) {
      PrintError(state.status());
      return kExitUsage;
    }
    query.state = *state;
  }
  const UnixSeconds now = runtime->clock->Now();
  query.now = now;
  query.limit = args.limit;
  query.after = args.after;
  auto records = runtime->store->ListIndicators(query);
  auto removed = records.ok() ? RemovedValues(*runtime->store) : records.status();
  if (!removed.ok()) {
    PrintError(removed.status());
    return kExitFailure;
  }
  fmt::print("{:<40} {:<7} {:>6} {:>8} {:<21} {:<21} {}\n", "VALUE", "KIND", "LEVEL", "FINDINGS",
             "LAST SEEN", "EXPIRES", "STATE");
  for (const IndicatorRecord& r : *records) {
    IndicatorState state = StateOf(r, removed->count(r.indicator.value) > 0, now);
    // A withdrawn indicator's expiry is 0: it has none.
    std::string expires = r.finding_count == 0 ? "-" : FormatIso8601(r.expires_at);
    fmt::print("{:<40} {:<7} {:>6} {:>8} {:<21} {:<21} {}\n", r.indicator.value,
               KindName(r.indicator.kind), Policy::ThreatLevel(r.max_severity), r.finding_count,
               FormatIso8601(r.last_seen), expires, StateText(state));
  }
  return kExitOk;
}

void PrintExplanation(const Explanation& e, UnixSeconds now) {
  fmt::print("{} ({})\n", e.indicator.value, KindName(e.indicator.kind));
  std::string_view state = ExplainedState(e, now);
  const bool withdrawn = e.record ? e.record->finding_count == 0 : !e.sightings.empty();
  fmt::print("  status: {}\n", state == "withdrawn" ? kWithdrawnText : state);
  if (e.record) {
    fmt::print("  threat level {} (max severity {:.1f}), first seen {}, last seen {}\n",
               e.threat_level, e.record->max_severity, FormatIso8601(e.record->first_seen),
               FormatIso8601(e.record->last_seen));
  }
  if (withdrawn) {
    fmt::print("  no expiry: every finding that named it was archived\n");
  } else if (e.record) {
    fmt::print("  expires {}\n", FormatIso8601(e.record->expires_at));
  }
  if (e.removal) {
    fmt::print("  removed {} by {}: {}\n", FormatIso8601(e.removal->removed_at), e.removal->actor,
               e.removal->reason);
  }
  if (e.suppression) fmt::print("  never blocked: {}\n", *e.suppression);
  if (e.containment) {
    // docs/containment.md: listed only by containment feeds, as the plain address.
    fmt::print("  {}\n", ContainmentSummary(e));
    fmt::print("  containment feeds list it as {}; un-quarantine: guardfeed indicators remove {}\n",
               e.address, e.indicator.value);
  }
  if (e.containment_entry) {
    fmt::print("  also one of our instances: see {}\n", *e.containment_entry);
  }
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
  auto explanation =
      ExplainIndicator(*indicator, runtime->config.feeds, *runtime->policy, *runtime->store, now);
  if (!explanation.ok()) {
    PrintError(explanation.status());
    return kExitFailure;
  }
  if (explanation->never_seen()) {
    // The same answer as GET /v1/indicators/VALUE (404), and the exit code of any NotFound.
    fmt::print("{}: never seen\n", indicator->value);
    if (explanation->suppression) fmt::print("  never blocked: {}\n", *explanation->suppression);
    if (explanation->containment_entry) {
      fmt::print("  one of our instances: see {}\n", *explanation->containment_entry);
    }
    return ExitCodeFor(Status::NotFound("never seen"));
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
  if (!restore && status.code() == Status::Code::kNotFound) {
    // As DELETE /v1/indicators/VALUE answers (404).
    PrintError(Status::NotFound(indicator->value + ": never seen; nothing removed"));
    return ExitCodeFor(status);
  }
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
  CLI::App* list = cmd->add_subcommand(
      "list", "List indicators (by value) with their state; active ones unless --state says");
  list->add_option("--kind", list_args->kind, "ipv4, ipv6 or domain");
  list->add_option("--prefix", list_args->prefix, "Only values starting with this text");
  list->add_option("--state", list_args->state,
                   "active (default), expired, withdrawn (every finding archived), removed, all")
      ->check(CLI::IsMember({"active", "expired", "withdrawn", "removed", "all"}));
  list->add_flag("--all", list_args->all, "Every state (the same as --state all)");
  list->add_option("--limit", list_args->limit, "At most this many (default 100)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  list->add_option("--after", list_args->after, "Continue after this value (pagination)");
  list->callback([&global, &exit_code, list_args] { exit_code = RunList(global, *list_args); });

  auto value = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand(
      "show", "Explain an indicator: its findings, expiry, and which feeds carry it");
  show->add_option("value", *value, "IP address, domain, or instance:IP (containment entry)")
      ->required();
  show->callback([&global, &exit_code, value] { exit_code = RunShow(global, *value); });

  auto reason = std::make_shared<std::string>("false positive");
  CLI::App* remove = cmd->add_subcommand(
      "remove", "Remove a false positive from every feed until it is restored (audit-logged)");
  remove
      ->add_option("value", *value,
                   "IP address, domain, or instance:IP (un-quarantines one of our hosts)")
      ->required();
  remove->add_option("--reason", *reason, "Why (kept in the audit log)");
  remove->callback([&global, &exit_code, value, reason] {
    exit_code = RunRemove(global, *value, *reason, false);
  });
  CLI::App* restore = cmd->add_subcommand("restore", "Undo a remove (audit-logged)");
  restore->add_option("value", *value, "IP address, domain, or instance:IP")->required();
  restore->callback([&global, &exit_code, value, reason] {
    exit_code = RunRemove(global, *value, *reason, true);
  });
}

}  // namespace guardfeed
