// guardfeed ingest PATH...|-|s3://BUCKET/PREFIX: read findings in any shape and commit them to
// the store; s3:// backfills from GuardDuty's findings export bucket (sources/s3_export_source.h).
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/output.h"
#include "cli/progress.h"
#include "core/text.h"
#include "core/time_util.h"
#include "sources/s3_export_source.h"

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
  std::string region;  // of s3:// buckets; "" = AWS_REGION, AWS_DEFAULT_REGION, us-east-1
};

constexpr std::string_view kS3Scheme = "s3://";

// "s3://BUCKET/PREFIX" into the export source's options, with the region, endpoint variables
// and credential chain of the environment.
Result<S3ExportSourceOptions> S3BackfillOptions(std::string_view url, const std::string& region) {
  std::string_view rest = url.substr(kS3Scheme.size());
  S3ExportSourceOptions options;
  options.s3.bucket = std::string(rest.substr(0, rest.find('/')));
  if (options.s3.bucket.empty()) {
    return Status::InvalidArgument(std::string(url) + ": expected s3://BUCKET/PREFIX");
  }
  if (rest.size() > options.s3.bucket.size()) {
    options.prefix = std::string(rest.substr(options.s3.bucket.size() + 1));
  }
  options.s3.region = region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const char* value = std::getenv(name);
    if (options.s3.region.empty() && value != nullptr) options.s3.region = value;
  }
  if (options.s3.region.empty()) options.s3.region = "us-east-1";
  UseS3EndpointUnlessSet(options.s3, S3EndpointFromEnvironment(std::getenv));
  return options;
}

Result<IngestSummary> BackfillS3(const S3ExportSourceOptions& options, Ingestor& ingestor,
                                 const Runtime& runtime) {
  SourceContext context;
  context.ingest = [&ingestor](std::string_view data, std::string_view name) {
    return ingestor.IngestBuffer(data, name);
  };
  context.store = runtime.store.get();
  context.clock = runtime.clock;
  Progress progress("reading s3://" + options.s3.bucket + "/" + options.prefix);
  std::string unit;
  return BackfillS3Export(options, context, [&](int64_t objects, int64_t bytes) {
    unit = "objects (" + SizeText(static_cast<uint64_t>(bytes)) + ")";
    progress.UpdateCount(static_cast<uint64_t>(objects), unit.c_str());
  });
}

int RunIngest(const GlobalOptions& global, const IngestArgs& args) {
  std::vector<S3ExportSourceOptions> buckets;
  std::vector<std::string> paths;
  for (const std::string& path : args.paths) {
    if (!path.starts_with(kS3Scheme)) {
      paths.push_back(path);
      continue;
    }
    auto options = S3BackfillOptions(path, args.region);
    if (!options.ok()) {
      PrintError(options.status());
      return kExitUsage;
    }
    buckets.push_back(std::move(*options));
  }
  int exit_code = kExitOk;
  auto runtime = OpenOrReport(global, exit_code);
  if (!runtime) return exit_code;
  IngestOptions options = runtime->config.ingest;
  options.seen_at_receipt |= args.seen_at_receipt;
  PolicyOptions policy_options = runtime->config.policy;
  policy_options.include_samples |= args.include_samples;
  Policy policy(policy_options);
  Ingestor ingestor(runtime->store.get(), &policy, runtime->clock, options);
  IngestSummary summary;
  for (const S3ExportSourceOptions& bucket : buckets) {
    auto backfilled = BackfillS3(bucket, ingestor, *runtime);
    if (!backfilled.ok()) {
      PrintError(backfilled.status());
      return ExitCodeFor(backfilled.status());
    }
    summary.Merge(*backfilled);
  }
  if (!paths.empty()) {
    Progress progress("reading findings");
    auto read = ingestor.IngestPaths(
        paths, [&progress](uint64_t done, uint64_t total) { progress.Update(done, total); });
    if (!read.ok()) {
      PrintError(read.status().WithContext("store " + runtime->store->Describe()));
      return kExitFailure;
    }
    summary.Merge(*read);
  }
  for (const ReadError& error : summary.errors) {
    std::fprintf(stderr, "guardfeed: %s\n", error.ToString().c_str());
  }
  if (summary.error_count > static_cast<int64_t>(summary.errors.size())) {
    std::fprintf(
        stderr, "guardfeed: ... and %lld more errors\n",
        static_cast<long long>(summary.error_count - static_cast<int64_t>(summary.errors.size())));
  }
  args.json ? PrintJsonSummary(summary) : PrintSummary(summary);
  WarnExpiredOnArrival(summary);
  spdlog::info("ingest done store={} findings={} accepted={} errors={}", runtime->store->Describe(),
               summary.findings_read, summary.findings_accepted, summary.error_count);
  return summary.error_count > 0 ? kExitPartial : kExitOk;
}

}  // namespace

void AddIngestCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Read GuardDuty findings (EventBridge events, raw findings, GetFindings responses, JSON "
      "arrays, JSON Lines, .gz S3 exports; files, directories, - for stdin, or s3://BUCKET/PREFIX "
      "for the findings export bucket) into the store");
  cmd->add_option("paths", args->paths,
                  "Files, directories (recursive), - for stdin, or s3://BUCKET/PREFIX (every "
                  ".jsonl.gz object under the prefix; AWS credential chain, AWS_ENDPOINT_URL_S3)")
      ->required();
  cmd->add_option("--region", args->region,
                  "Region of s3:// buckets (default AWS_REGION, AWS_DEFAULT_REGION, us-east-1)");
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->add_flag("--seen-at-receipt", args->seen_at_receipt,
                "Treat findings as seen now, not at their eventLastSeen (replaying old exports)");
  cmd->add_flag("--include-samples", args->include_samples,
                "Accept GuardDuty sample findings (skipped by default)");
  cmd->callback([&global, &exit_code, args] { exit_code = RunIngest(global, *args); });
}

}  // namespace guardfeed
