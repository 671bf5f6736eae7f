#include "cli/sources_config.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cstdlib>

#include "cli/toml_reader.h"

namespace guardfeed {
namespace {

constexpr std::chrono::milliseconds kMinInterval{1000};
constexpr std::chrono::milliseconds kMaxInterval{86'400'000};
constexpr int64_t kDay = 86400;

// The environment's region for sources that name none: AWS_REGION, AWS_DEFAULT_REGION, else
// us-east-1, as the AWS tools do.
std::string DefaultRegion() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "us-east-1";
}

// The keys every AWS-facing source shares, into its API options.
constexpr std::string_view kRemoteKeys[] = {"endpoint", "max_attempts", "timeout"};

Status ReadRemote(const TomlReader& r, const toml::table& t, std::string_view section,
                  std::string& endpoint, RetryOptions& retry, std::chrono::milliseconds& timeout) {
  GF_RETURN_IF_ERROR(r.String(t, section, "endpoint", endpoint));
  GF_RETURN_IF_ERROR(r.Integer(t, section, "max_attempts", 1, 20, retry.max_attempts));
  return r.DurationMs(t, section, "timeout", std::chrono::milliseconds(1000),
                      std::chrono::milliseconds(3'600'000), timeout);
}

// The tables of [[sources.KIND]]; an error when it is not an array of tables.
Result<std::vector<const toml::table*>> Tables(const TomlReader& r, const toml::table& sources,
                                               std::string_view kind) {
  std::vector<const toml::table*> tables;
  const toml::node* node = sources.get(kind);
  if (node == nullptr) return tables;
  const std::string key = "sources." + std::string(kind);
  const toml::array* array = node->as_array();
  if (array == nullptr) return r.Error(node, key, "expected [[" + key + "]] tables");
  for (const toml::node& item : *array) {
    if (item.as_table() == nullptr) return r.Error(&item, key, "expected [[" + key + "]] tables");
    tables.push_back(item.as_table());
  }
  return tables;
}

Status ReadGuardDuty(const TomlReader& r, const toml::table& t, SourceConfigs& out) {
  constexpr std::string_view kKey = "sources.guardduty";
  GF_RETURN_IF_ERROR(r.CheckKeys(t, kKey,
                                 {"regions", "detector_id", "interval", "overlap",
                                  "initial_lookback", "criteria", "endpoint", "max_attempts",
                                  "timeout"}));
  GuardDutySourceOptions options;
  std::vector<std::string> regions;
  GF_RETURN_IF_ERROR(r.StringList(t, kKey, "regions", regions));
  if (regions.empty()) regions.push_back(DefaultRegion());
  GF_RETURN_IF_ERROR(r.String(t, kKey, "detector_id", options.detector_id));
  GF_RETURN_IF_ERROR(r.DurationMs(t, kKey, "interval", kMinInterval, kMaxInterval, options.interval));
  int64_t overlap = options.overlap.count();
  GF_RETURN_IF_ERROR(r.Duration(t, kKey, "overlap", 0, kDay, overlap));
  options.overlap = std::chrono::seconds(overlap);
  int64_t lookback = options.initial_lookback.count();
  GF_RETURN_IF_ERROR(r.Duration(t, kKey, "initial_lookback", 0, 90 * kDay, lookback));
  options.initial_lookback = std::chrono::seconds(lookback);
  GF_RETURN_IF_ERROR(r.String(t, kKey, "criteria", options.criteria_json));
  if (Status criteria = CheckGuardDutyCriteria(options.criteria_json); !criteria.ok()) {
    return r.Error(t.get("criteria"), std::string(kKey) + ".criteria",
                   criteria.message() + " (e.g. '{\"severity\":{\"greaterThanOrEqual\":4}}')");
  }
  options.api.service = "guardduty";
  GF_RETURN_IF_ERROR(
      ReadRemote(r, t, kKey, options.api.endpoint, options.api.retry, options.api.timeout));
  if (options.detector_id.size() > 0 && regions.size() > 1) {
    return r.Error(t.get("detector_id"), std::string(kKey) + ".detector_id",
                   "a detector id belongs to one region; list one region with it");
  }
  for (const std::string& region : regions) {
    GuardDutySourceOptions one = options;
    one.region = region;
    one.api.region = region;
    out.guardduty.push_back(std::move(one));
  }
  return Status::Ok();
}

Status ReadS3(const TomlReader& r, const toml::table& t, SourceConfigs& out) {
  constexpr std::string_view kKey = "sources.s3";
  GF_RETURN_IF_ERROR(r.CheckKeys(t, kKey,
                                 {"bucket", "prefix", "region", "path_style", "interval",
                                  "max_objects_per_poll", "settle_window", "key_suffix",
                                  "max_object_bytes", "endpoint", "max_attempts", "timeout"}));
  S3ExportSourceOptions options;
  GF_RETURN_IF_ERROR(r.String(t, kKey, "bucket", options.s3.bucket));
  if (options.s3.bucket.empty()) {
    return r.Error(&t, std::string(kKey) + ".bucket", "required: the findings export bucket");
  }
  GF_RETURN_IF_ERROR(r.String(t, kKey, "prefix", options.prefix));
  options.s3.region = DefaultRegion();
  GF_RETURN_IF_ERROR(r.String(t, kKey, "region", options.s3.region));
  GF_RETURN_IF_ERROR(r.Bool(t, kKey, "path_style", options.s3.path_style));
  GF_RETURN_IF_ERROR(r.DurationMs(t, kKey, "interval", kMinInterval, kMaxInterval, options.interval));
  GF_RETURN_IF_ERROR(
      r.Integer(t, kKey, "max_objects_per_poll", 1, 100'000, options.max_objects_per_poll));
  int64_t settle = options.settle_window.count();
  GF_RETURN_IF_ERROR(r.Duration(t, kKey, "settle_window", 3600, 30 * kDay, settle));
  options.settle_window = std::chrono::seconds(settle);
  GF_RETURN_IF_ERROR(r.String(t, kKey, "key_suffix", options.key_suffix));
  GF_RETURN_IF_ERROR(r.Size(t, kKey, "max_object_bytes", 1, uint64_t{4} << 30, options.max_object_bytes));
  GF_RETURN_IF_ERROR(
      ReadRemote(r, t, kKey, options.s3.endpoint, options.s3.retry, options.s3.timeout));
  UseS3EndpointUnlessSet(options.s3, S3EndpointFromEnvironment(std::getenv));
  out.s3.push_back(std::move(options));
  return Status::Ok();
}

Status ReadSqs(const TomlReader& r, const toml::table& t, SourceConfigs& out) {
  constexpr std::string_view kKey = "sources.sqs";
  GF_RETURN_IF_ERROR(r.CheckKeys(t, kKey,
                                 {"queue_url", "region", "wait_time", "max_messages",
                                  "visibility_timeout", "interval", "endpoint", "max_attempts",
                                  "timeout"}));
  SqsSourceOptions options;
  GF_RETURN_IF_ERROR(r.String(t, kKey, "queue_url", options.queue_url));
  auto url = boost::urls::parse_absolute_uri(options.queue_url);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") ||
      url->encoded_host().empty() || url->encoded_path().size() < 2) {
    return r.Error(t.get("queue_url"), std::string(kKey) + ".queue_url",
                   "required: the queue's URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME");
  }
  GF_RETURN_IF_ERROR(r.String(t, kKey, "region", options.api.region));
  int64_t wait = options.wait_time.count();
  GF_RETURN_IF_ERROR(r.Duration(t, kKey, "wait_time", 0, 20, wait));
  options.wait_time = std::chrono::seconds(wait);
  GF_RETURN_IF_ERROR(r.Integer(t, kKey, "max_messages", 1, 10, options.max_messages));
  int64_t visibility = options.visibility_timeout.count();
  GF_RETURN_IF_ERROR(r.Duration(t, kKey, "visibility_timeout", 1, 12 * 3600, visibility));
  options.visibility_timeout = std::chrono::seconds(visibility);
  GF_RETURN_IF_ERROR(r.DurationMs(t, kKey, "interval", std::chrono::milliseconds(0), kMaxInterval,
                                  options.interval));
  if (options.wait_time.count() == 0 && options.interval.count() == 0) {
    return r.Error(t.get("wait_time"), std::string(kKey) + ".wait_time",
                   "0 with interval 0 would poll the queue without a pause; long-poll "
                   "(wait_time up to 20 s) or set an interval");
  }
  options.api.service = "sqs";
  GF_RETURN_IF_ERROR(
      ReadRemote(r, t, kKey, options.api.endpoint, options.api.retry, options.api.timeout));
  // What the source itself refuses (a queue host naming no region, ...), said here with the
  // file and line: building it contacts nothing.
  SourceContext probe;
  probe.ingest = [](std::string_view, std::string_view) -> Result<IngestSummary> {
    return Status::Internal("configuration check: never ingests");
  };
  if (auto made = NewSqsSource(options, probe); !made.ok()) {
    return r.Error(t.get("queue_url"), std::string(kKey) + ".queue_url", made.status().message());
  }
  out.sqs.push_back(std::move(options));
  return Status::Ok();
}

}  // namespace

Result<SourceConfigs> ReadSourceConfigs(const Config& config) {
  TomlReader r(config.source, config.raw);
  SourceConfigs out;
  auto sources = r.Table(config.raw, "", "sources");
  if (!sources.ok()) return sources.status();
  if (*sources == nullptr) return out;
  GF_RETURN_IF_ERROR(r.CheckKeys(**sources, "sources", {"guardduty", "s3", "sqs"}));
  using Reader = Status (*)(const TomlReader&, const toml::table&, SourceConfigs&);
  const std::pair<std::string_view, Reader> kinds[] = {
      {"guardduty", ReadGuardDuty}, {"s3", ReadS3}, {"sqs", ReadSqs}};
  for (const auto& [kind, read] : kinds) {
    auto tables = Tables(r, **sources, kind);
    if (!tables.ok()) return tables.status();
    for (const toml::table* table : *tables) GF_RETURN_IF_ERROR(read(r, *table, out));
  }
  return out;
}

Result<std::vector<std::unique_ptr<Source>>> NewSources(const SourceConfigs& configs,
                                                        const SourceContext& context) {
  std::vector<std::unique_ptr<Source>> sources;
  auto add = [&sources](Result<std::unique_ptr<Source>> source) -> Status {
    if (!source.ok()) return source.status();
    sources.push_back(std::move(source).value());
    return Status::Ok();
  };
  for (const auto& options : configs.guardduty) {
    GF_RETURN_IF_ERROR(add(NewGuardDutySource(options, context)));
  }
  for (const auto& options : configs.s3) GF_RETURN_IF_ERROR(add(NewS3ExportSource(options, context)));
  for (const auto& options : configs.sqs) GF_RETURN_IF_ERROR(add(NewSqsSource(options, context)));
  return sources;
}

}  // namespace guardfeed
