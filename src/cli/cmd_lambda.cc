// guardfeed lambda: run as an AWS Lambda custom runtime (provided.al2023; the package's bootstrap
// starts it). Configuration comes from the environment the reference Lambdas use (S3_BUCKET,
// IP_FEED, S3_BLOCKLIST_KEY, SKY_APPLICATION_TOKEN, ...; docs/deploy-lambda.md) on top of the
// built-in or given configuration. The state lives in S3 (GUARDFEED_STATE_BUCKET, default
// S3_BUCKET, under GUARDFEED_STATE_PREFIX); the local store is only a cache in /tmp.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/commands.h"
#include "cli/publish_config.h"
#include "cli/runtime.h"
#include "feeds/live_feeds.h"
#include "lambda/handler.h"
#include "lambda/json_log.h"
#include "lambda/runtime_loop.h"

namespace guardfeed {
namespace {

// Everything the handler keeps for the life of the sandbox.
struct LambdaRuntime {
  Config config;
  std::unique_ptr<Clock> manual_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<Policy> policy;
  std::unique_ptr<lambda::LambdaHandler> handler;
};

void UseJsonLogs(const std::string& level) {
  auto logger = spdlog::stdout_logger_mt("guardfeed-lambda");
  logger->set_formatter(std::make_unique<lambda::JsonLogFormatter>());
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

// The state must never share a key with what firewalls read.
Status CheckStateKeys(const Config& config, const std::string& state_bucket,
                      const std::string& prefix) {
  Result<std::optional<S3Options>> s3 = ReadS3Options(config);
  if (!s3.ok() || !*s3 || (*s3)->bucket != state_bucket) return s3.status();
  const std::string under = prefix + "/";
  std::string s3_prefix = (*s3)->prefix;
  while (s3_prefix.starts_with('/')) s3_prefix.erase(0, 1);
  // Either prefix containing the other would put state and feeds under one key space.
  const std::string feeds_under = s3_prefix + "/";
  if (!s3_prefix.empty() && (under.starts_with(feeds_under) || feeds_under.starts_with(under))) {
    return Status::InvalidArgument("GUARDFEED_STATE_PREFIX '" + prefix +
                                   "' overlaps the published feeds' prefix '" + s3_prefix + "'");
  }
  for (const auto& [name, key] : (*s3)->keys) {
    if (key.starts_with(under) || key == prefix) {
      return Status::InvalidArgument("GUARDFEED_STATE_PREFIX '" + prefix +
                                     "' collides with the published key '" + key + "' of " + name);
    }
  }
  return Status::Ok();
}

Result<lambda::LambdaOptions> StateOptions(const Config& config) {
  lambda::LambdaOptions options;
  options.state_s3.bucket =
      config.lambda.state_bucket.empty() ? config.lambda.s3_bucket : config.lambda.state_bucket;
  if (options.state_s3.bucket.empty()) {
    return Status::InvalidArgument(
        "lambda: no bucket for the state: set GUARDFEED_STATE_BUCKET or S3_BUCKET");
  }
  if (!config.lambda.s3_region.empty()) options.state_s3.region = config.lambda.s3_region;
  UseS3EndpointUnlessSet(options.state_s3, config.lambda.s3_endpoint);
  options.state_prefix = config.lambda.state_prefix;
  options.ingest = config.ingest;
  options.retention_seconds = config.retention_seconds;
  GF_RETURN_IF_ERROR(CheckStateKeys(config, options.state_s3.bucket, options.state_prefix));
  return options;
}

lambda::LambdaPipelineFactory Factory(LambdaRuntime& runtime) {
  lambda::LambdaPipelineFactory factory;
  factory.feeds = [&runtime](Store* store) {
    return std::make_unique<LiveFeeds>(runtime.config.feeds, runtime.config.secintel,
                                       runtime.policy.get(), store, runtime.clock);
  };
  factory.publishers = [&runtime](Store* store) {
    return ConfiguredPublishers(runtime.config, store, {});
  };
  factory.export_reader = [&runtime](const std::string& bucket) {
    S3ClientOptions options;
    options.bucket = bucket;
    if (!runtime.config.lambda.s3_region.empty()) options.region = runtime.config.lambda.s3_region;
    UseS3EndpointUnlessSet(options, runtime.config.lambda.s3_endpoint);
    return NewS3Client(options);
  };
  return factory;
}

// The seeds' objects: the SecIntel feeds (manifest.xml and cc_schema follow them) and the
// Fortinet list. Other configured feeds stay out of the bucket unless [publish.s3] asks.
std::vector<std::string> SeedFeeds(const Config& config) {
  std::vector<std::string> feeds;
  for (const FeedConfig& feed : config.feeds) {
    bool fortinet = feed.name == "fortinet_blocklist" && !config.lambda.s3_blocklist_key.empty();
    if (feed.format == FeedFormat::kSecIntel || fortinet) feeds.push_back(feed.name);
  }
  return feeds;
}

Result<std::unique_ptr<LambdaRuntime>> Init(const GlobalOptions& global) {
  Result<Config> config = LoadEffectiveConfig(global);
  if (!config.ok()) return config.status();
  auto runtime = std::make_unique<LambdaRuntime>();
  runtime->config = std::move(*config);
  // Lambda's file system is read-only outside /tmp: feeds go to S3 or ATP Cloud only.
  runtime->config.publish_directory.clear();
  runtime->config.lambda.s3_feeds = SeedFeeds(runtime->config);
  if (global.now) {
    runtime->manual_clock = std::make_unique<ManualClock>(*global.now);
    runtime->clock = runtime->manual_clock.get();
  } else {
    runtime->clock = SystemClock();
  }
  runtime->policy = std::make_unique<Policy>(runtime->config.policy);
  Result<lambda::LambdaOptions> options = StateOptions(runtime->config);
  if (!options.ok()) return options.status();
  if (const char* dir = std::getenv("GUARDFEED_STATE_DIR"); dir != nullptr && *dir != '\0') {
    options->state_dir = dir;
  }
  auto handler = lambda::LambdaHandler::Create(std::move(*options), Factory(*runtime),
                                               runtime->policy.get(), runtime->clock);
  if (!handler.ok()) return handler.status();
  runtime->handler = std::move(*handler);
  return runtime;
}

int RunLambda(const GlobalOptions& global) {
  UseJsonLogs(global.log_level);
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') {
    spdlog::error("AWS_LAMBDA_RUNTIME_API is not set: `guardfeed lambda` runs inside AWS Lambda "
                  "(or an emulator of its Runtime API)");
    return kExitUsage;
  }
  lambda::RuntimeApi api(endpoint);
  Result<std::unique_ptr<LambdaRuntime>> runtime = Init(global);
  if (!runtime.ok()) {
    spdlog::error("init failed: {}", runtime.status().ToString());
    Status reported = api.FailInit({"guardfeed.InitError", runtime.status().ToString()});
    if (!reported.ok()) spdlog::error("{}", reported.ToString());
    return kExitUsage;
  }
  spdlog::info("guardfeed lambda ready: {} feeds", (*runtime)->config.feeds.size());
  lambda::LambdaHandler& handler = *(*runtime)->handler;
  Status ended = lambda::RunRuntimeLoop(
      api, [&handler](const lambda::Invocation& invocation) { return handler.Handle(invocation); });
  spdlog::error("runtime loop ended: {}", ended.ToString());
  return kExitFailure;
}

}  // namespace

void AddLambdaCommand(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "lambda",
      "Run as an AWS Lambda custom runtime (started by the package's bootstrap; needs "
      "AWS_LAMBDA_RUNTIME_API). See docs/deploy-lambda.md");
  cmd->callback([&global, &exit_code] { exit_code = RunLambda(global); });
}

}  // namespace guardfeed
