// guardfeed config check: load the configuration, validate every section the daemon and the
// publishers read ([server], [publish.s3], [publish.atp]) the way they read it, open the store,
// and print what would run. The first problem is reported with file:line:key (exit 2).
#include "cli/output.h"
#include "cli/publish_config.h"
#include "cli/sources_config.h"
#include "core/time_util.h"
#ifdef GUARDFEED_HAVE_SERVER
#include "cli/server_config.h"
#endif

namespace guardfeed {
namespace {

// The sections other commands read on their own, checked exactly as those commands do: one
// summary line per configured section, or the first error.
Result<std::string> CheckSections(const Config& c) {
  std::string out;
#ifdef GUARDFEED_HAVE_SERVER
  auto server = ReadServerOptions(c, ProcessEnvironment(), "");
  if (!server.ok()) return server.status();
  out += fmt::format(
      "server: listen {}:{}, ingest token {}, admin API {}, {} feeds with credentials\n",
      server->host, server->port, server->ingest_token.empty() ? "none" : "set",
      !server->admin_token.empty()   ? "token set"
      : IsLoopbackHost(server->host) ? "open (loopback)"
                                     : "disabled",
      server->feed_auth.size());
#endif
  auto s3 = ReadS3Options(c);
  if (!s3.ok()) return s3.status();
  if (*s3) {
    out += fmt::format("publish s3: bucket {} ({}){}\n", (*s3)->bucket, (*s3)->region,
                       (*s3)->prefix.empty() ? "" : ", prefix " + (*s3)->prefix);
  }
  auto atp = ReadAtpOptions(c);
  if (!atp.ok()) return atp.status();
  if (*atp) {
    out += fmt::format("publish atp: {} ({} feeds, token {})\n", (*atp)->base_url,
                       (*atp)->feeds.size(), (*atp)->token.empty() ? "MISSING" : "set");
  }
  auto sources = ReadSourceConfigs(c);
  if (!sources.ok()) return sources.status();
  for (const auto& g : sources->guardduty) {
    out += fmt::format("source guardduty: region {}, detector {}, every {} s\n", g.region,
                       g.detector_id.empty() ? "(ListDetectors)" : g.detector_id,
                       g.interval.count() / 1000);
  }
  for (const auto& bucket : sources->s3) {
    out += fmt::format("source s3: s3://{}/{}, every {} s\n", bucket.s3.bucket, bucket.prefix,
                       bucket.interval.count() / 1000);
  }
  for (const auto& sqs : sources->sqs) out += fmt::format("source sqs: {}\n", sqs.queue_url);
  return out;
}

void PrintSummary(const Runtime& runtime) {
  const Config& c = runtime.config;
  const PolicyOptions& p = c.policy;
  fmt::print("store: {}\n", runtime.store->Describe());
  fmt::print("policy: min severity {:.1f}, samples {}, archived findings {}\n", p.min_severity,
             p.include_samples ? "included" : "skipped",
             p.archived_withdraws ? "withdraw their indicators" : "keep them");
  fmt::print("ttl: low {}, medium {}, high {}, critical {}, {} type rules\n",
             FormatDuration(p.ttl_low), FormatDuration(p.ttl_medium), FormatDuration(p.ttl_high),
             FormatDuration(p.ttl_critical), p.ttl_by_type.size());
  fmt::print("allowlist: {} configured entries\n", p.allowlist.size());
  for (const FeedConfig& feed : c.feeds) {
    fmt::print("feed {}: {}{}{}\n", feed.name, FormatName(feed.format),
               feed.max_entries > 0 ? fmt::format(", max {} entries", feed.max_entries) : "",
               feed.min_threat_level > 1
                   ? fmt::format(", threat level >= {}", feed.min_threat_level)
                   : "");
  }
  if (!c.publish_directory.empty()) fmt::print("publish directory: {}\n", c.publish_directory);
}

int RunCheck(const GlobalOptions& global) {
  auto config = LoadEffectiveConfig(global);
  if (!config.ok()) {
    PrintError(config.status());
    return ExitCodeFor(config.status());
  }
  // Every configuration problem is a usage error (2), even a token_file that cannot be read.
  auto sections = CheckSections(*config);
  if (!sections.ok()) {
    PrintError(sections.status());
    return kExitUsage;
  }
  const std::string source = config->source;
  auto runtime = OpenRuntime(global, std::move(*config));
  if (!runtime.ok()) {
    PrintError(runtime.status());
    return ExitCodeFor(runtime.status());
  }
  fmt::print("configuration: {} (ok)\n", source);
  PrintSummary(**runtime);
  fmt::print("{}", *sections);
  return kExitOk;
}

}  // namespace

void AddConfigCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("config", "Check the configuration");
  cmd->require_subcommand(1);
  cmd->add_subcommand("check",
                      "Validate the configuration file and environment (every section, including "
                      "[server], [publish.s3] and [publish.atp]), open the store, and print the "
                      "effective settings (exit 2 when invalid)")
      ->callback([&global, &exit_code] { exit_code = RunCheck(global); });
}

}  // namespace guardfeed
