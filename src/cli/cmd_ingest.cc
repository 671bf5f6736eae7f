// guardfeed ingest PATH...|-: read findings in any shape and commit them to the store.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/output.h"
#include "cli/progress.h"
#include "core/time_util.h"

namespace guardfeed {
namespace {

void PrintSummary(const IngestSummary& s) {
  fmt::print("findings read:        {}\n", s.findings_read);
  fmt::print("  accepted:           {}\n", s.findings_accepted);
  for (const auto& [reason, count] : s.skipped) fmt::print("  skipped ({}): {}\n", reason, count);
  if (s.events_skipped > 0) fmt::print("  non-finding events: {}\n", s.events_skipped);
  fmt::print("indicators seen:      {} ({} never-block/allowlisted, {} invalid values)\n",
             s.indicators_seen, s.suppressed, s.rejected_values);
  fmt::print("sightings:            {} new, {} updated, {} unchanged\n", s.applied.sightings_new,
             s.applied.sightings_updated, s.applied.sightings_unchanged);
  fmt::print("indicators:           {} new, {} updated, {} withdrawn\n", s.applied.indicators_new,
             s.applied.indicators_updated, s.applied.indicators_withdrawn);
  fmt::print("errors:               {}\n", s.error_count);
}

void PrintJsonSummary(const IngestSummary& s) {
  boost::json::object skipped;
  for (const auto& [reason, count] : s.skipped) skipped[reason] = count;
  boost::json::array errors;
  for (const ReadError& e : s.errors) errors.push_back(boost::json::value(e.ToString()));
  boost::json::object out{
      {"findings_read", s.findings_read},
      {"findings_accepted", s.findings_accepted},
      {"events_skipped", s.events_skipped},
      {"skipped", std::move(skipped)},
      {"indicators_seen", s.indicators_seen},
      {"suppressed", s.suppressed},
      {"rejected_values", s.rejected_values},
      {"expired_on_arrival", s.expired_on_arrival},
      {"sightings_new", s.applied.sightings_new},
      {"sightings_updated", s.applied.sightings_updated},
      {"sightings_unchanged", s.applied.sightings_unchanged},
      {"indicators_new", s.applied.indicators_new},
      {"indicators_updated", s.applied.indicators_updated},
      {"indicators_withdrawn", s.applied.indicators_withdrawn},
      {"error_count", s.error_count},
      {"errors", std::move(errors)}};
  fmt::print("{}\n", boost::json::serialize(out));
}

// A backfill of old findings otherwise produces empty feeds without a word.
void WarnExpiredOnArrival(const IngestSummary& s) {
  if (s.expired_on_arrival == 0) return;
  PrintWarning(fmt::format(
      "{} of {} indicators were already expired on arrival (findings last seen {} or earlier); "
      "use --seen-at-receipt to list them as seen now, or the global --now UNIX (guardfeed "
      "--now T ingest ...) to evaluate at another time",
      s.expired_on_arrival, s.indicators_seen, FormatIso8601(s.expired_last_seen)));
}

struct IngestArgs {
  std::vector<std::string> paths;
  bool json = false;
  bool seen_at_receipt = false;
  bool include_samples = false;
};

int RunIngest(const GlobalOptions& global, const IngestArgs& args) {
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  IngestOptions options = runtime->config.ingest;
  options.seen_at_receipt |= args.seen_at_receipt;
  PolicyOptions policy_options = runtime->config.policy;
  policy_options.include_samples |= args.include_samples;
  Policy policy(policy_options);
  Ingestor ingestor(runtime->store.get(), &policy, runtime->clock, options);
  Progress progress("reading findings");
  auto summary = ingestor.IngestPaths(
      args.paths, [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); });
  if (!summary.ok()) {
    PrintError(summary.status().WithContext("store " + runtime->store->Describe()));
    return kExitFailure;
  }
  for (const ReadError& error : summary->errors) {
    std::fprintf(stderr, "guardfeed: %s\n", error.ToString().c_str());
  }
  if (summary->error_count > static_cast<int64_t>(summary->errors.size())) {
    std::fprintf(stderr, "guardfeed: ... and %lld more errors\n",
                 static_cast<long long>(summary->error_count -
                                        static_cast<int64_t>(summary->errors.size())));
  }
  args.json ? PrintJsonSummary(*summary) : PrintSummary(*summary);
  WarnExpiredOnArrival(*summary);
  spdlog::info("ingest done store={} findings={} accepted={} errors={}",
               runtime->store->Describe(), summary->findings_read, summary->findings_accepted,
               summary->error_count);
  return summary->error_count > 0 ? kExitPartial : kExitOk;
}

}  // namespace

void AddIngestCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Read GuardDuty findings (EventBridge events, raw findings, GetFindings responses, JSON "
      "arrays, JSON Lines, .gz S3 exports; files, directories or - for stdin) into the store");
  cmd->add_option("paths", args->paths, "Files, directories (recursive) or - for stdin")
      ->required();
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->add_flag("--seen-at-receipt", args->seen_at_receipt,
                "Treat findings as seen now, not at their eventLastSeen (replaying old exports)");
  cmd->add_flag("--include-samples", args->include_samples,
                "Accept GuardDuty sample findings (skipped by default)");
  cmd->callback([&global, &exit_code, args] { exit_code = RunIngest(global, *args); });
}

}  // namespace guardfeed
