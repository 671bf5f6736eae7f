#include "sources/guardduty_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "core/time_util.h"

namespace guardfeed {
namespace {

namespace json = boost::json;

// ListFindings returns at most 50 ids a page and GetFindings takes at most 50 (FindingIds and
// MaxResults in the API model), so one page of ids is one GetFindings call.
constexpr int kMaxIds = 50;
// Pages one poll reads before it hands back to the runner with more=true (5,000 findings).
constexpr int kMaxPagesPerPoll = 100;
// ListDetectors pages read at most (one detector per account and region; 50 a page).
constexpr int kMaxDetectorPages = 20;

// The Condition members of the API model: the SDKs' name, the REST API's (wire) name, and the
// wire name sent for it. The deprecated eq/neq/gt/gte/lt/lte are sent as their replacements:
// gt..lte are 32-bit Integers in the model, the replacements Longs.
struct ConditionName {
  std::string_view sdk;
  std::string_view wire;
  std::string_view sent;
  bool strings;  // a list of strings; otherwise a number
};
constexpr ConditionName kConditions[] = {
    {"Equals", "equals", "equals", true},
    {"NotEquals", "notEquals", "notEquals", true},
    {"Matches", "matches", "matches", true},
    {"NotMatches", "notMatches", "notMatches", true},
    {"GreaterThan", "greaterThan", "greaterThan", false},
    {"GreaterThanOrEqual", "greaterThanOrEqual", "greaterThanOrEqual", false},
    {"LessThan", "lessThan", "lessThan", false},
    {"LessThanOrEqual", "lessThanOrEqual", "lessThanOrEqual", false},
    {"Eq", "eq", "equals", true},
    {"Neq", "neq", "notEquals", true},
    {"Gt", "gt", "greaterThan", false},
    {"Gte", "gte", "greaterThanOrEqual", false},
    {"Lt", "lt", "lessThan", false},
    {"Lte", "lte", "lessThanOrEqual", false},
};

const ConditionName* FindCondition(std::string_view name) {
  for (const ConditionName& condition : kConditions) {
    if (name == condition.sdk || name == condition.wire) return &condition;
  }
  return nullptr;
}

Status CheckConditionValue(const std::string& where, const ConditionName& name,
                           const json::value& value) {
  if (name.strings) {
    const json::array* list = value.if_array();
    bool ok = list != nullptr && !list->empty();
    for (size_t i = 0; ok && i < list->size(); ++i) ok = (*list)[i].is_string();
    if (!ok) return Status::InvalidArgument(where + ": expected a list of strings");
    return Status::Ok();
  }
  if (!value.is_int64() && !(value.is_uint64() && value.as_uint64() <= INT64_MAX)) {
    return Status::InvalidArgument(where + ": expected a whole number");
  }
  return Status::Ok();
}

// `text` (GuardDutySourceOptions::criteria_json) as the REST API's criterion object.
Result<json::object> ParseCriteria(const std::string& text) {
  if (text.empty()) return json::object();
  boost::system::error_code error;
  json::value parsed = json::parse(text, error);
  if (error || !parsed.is_object()) {
    return Status::InvalidArgument("criteria: not a JSON object: " + text.substr(0, 80));
  }
  const json::object* criterion = &parsed.as_object();
  for (const char* wrapper : {"criterion", "Criterion"}) {
    const json::value* inner = criterion->if_contains(wrapper);
    if (criterion->size() == 1 && inner != nullptr && inner->is_object()) {
      criterion = &inner->as_object();
      break;
    }
  }
  json::object out;
  for (const auto& [field, condition] : *criterion) {
    const std::string where = "criteria: " + std::string(field);
    if (field == "updatedAt") {
      return Status::InvalidArgument(where + ": the source sets it from its cursor; remove it");
    }
    if (!condition.is_object() || condition.as_object().empty()) {
      return Status::InvalidArgument(where +
                                     ": expected conditions, e.g. {\"greaterThanOrEqual\": 7}");
    }
    json::object conditions;
    for (const auto& [op, value] : condition.as_object()) {
      const ConditionName* name = FindCondition(op);
      if (name == nullptr) {
        return Status::InvalidArgument(
            where + ": unknown condition \"" + std::string(op) +
            "\" (equals, notEquals, matches, notMatches, greaterThan, greaterThanOrEqual, "
            "lessThan, lessThanOrEqual, or the SDKs' Equals, GreaterThanOrEqual, ...)");
      }
      GF_RETURN_IF_ERROR(CheckConditionValue(where + "." + std::string(op), *name, value));
      conditions[name->sent] = value;
    }
    out[field] = std::move(conditions);
  }
  return out;
}

// A finding's updatedAt ("2024-07-24T04:06:10.359Z") in epoch milliseconds, the unit of the
// updatedAt criterion.
Result<int64_t> UpdatedAtMillis(std::string_view text) {
  Result<UnixSeconds> seconds = ParseIso8601(text);
  if (!seconds.ok()) return seconds.status();
  int64_t millis = 0;
  int digits = 0;
  if (text.size() > 20 && text[19] == '.') {
    for (size_t i = 20; i < text.size() && digits < 3 && text[i] >= '0' && text[i] <= '9'; ++i) {
      millis = millis * 10 + (text[i] - '0');
      ++digits;
    }
  }
  for (; digits < 3; ++digits) millis *= 10;
  return *seconds * 1000 + millis;
}

Result<json::object> ParseObject(const std::string& body, const std::string& what) {
  boost::system::error_code error;
  json::value parsed = json::parse(body, error);
  if (error || !parsed.is_object()) {
    return Status::Remote(what + " answered something that is not a JSON object");
  }
  return std::move(parsed.as_object());
}

// The strings of `object[key]`, which must be an array of strings.
Result<std::vector<std::string>> StringList(const json::object& object, std::string_view key,
                                            const std::string& what) {
  const json::value* list = object.if_contains(key);
  if (list == nullptr || !list->is_array()) {
    return Status::Remote(what + " answered without a \"" + std::string(key) + "\" list");
  }
  std::vector<std::string> out;
  for (const json::value& item : list->as_array()) {
    if (!item.is_string()) {
      return Status::Remote(what + ": \"" + std::string(key) + "\" holds a non-string");
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

std::string NextToken(const json::object& object) {
  const json::value* token = object.if_contains("nextToken");
  return token != nullptr && token->is_string() ? std::string(token->as_string()) : "";
}

// The cursor as stored: {"updatedAt": EPOCH_MS}, the newest updatedAt committed.
std::string FormatCursor(int64_t updated_at_ms) {
  return json::serialize(json::object{{"updatedAt", updated_at_ms}});
}

Result<int64_t> ParseCursor(const std::string& text, const std::string& key) {
  boost::system::error_code error;
  json::value parsed = json::parse(text, error);
  const json::value* value =
      !error && parsed.is_object() ? parsed.as_object().if_contains("updatedAt") : nullptr;
  if (value == nullptr || !value->is_int64() || value->as_int64() < 0) {
    return Status::InvalidArgument(
        "cursor \"" + key + "\" in the store is not {\"updatedAt\": MS}: " + text.substr(0, 80));
  }
  return value->as_int64();
}

class GuardDutySource final : public Source {
 public:
  GuardDutySource(GuardDutySourceOptions options, SourceContext context, json::object criteria,
                  std::unique_ptr<AwsApiClient> api)
      : options_(std::move(options)),
        context_(std::move(context)),
        criteria_(std::move(criteria)),
        name_("guardduty:" + options_.region +
              (options_.detector_id.empty() ? "" : "/" + options_.detector_id)),
        clock_(context_.clock != nullptr ? context_.clock : SystemClock()),
        api_(std::move(api)),
        detector_id_(options_.detector_id) {}

  std::string Name() const override { return name_; }
  std::chrono::milliseconds Interval() const override { return options_.interval; }
  bool SingleConsumer() const override { return true; }

  Result<PollResult> Poll(const std::atomic<bool>& stop) override {
    Result<PollResult> polled = PollDetector(stop);
    if (polled.ok()) return polled;
    Status status = polled.status().WithContext(Where());
    // Start over from the stored cursor, and look the detector up again: GuardDuty disabled and
    // enabled again has a new one.
    pending_.reset();
    if (options_.detector_id.empty()) detector_id_.clear();
    return status;
  }

 private:
  // A listing a poll left at its page limit; the next poll continues it with its token.
  struct Listing {
    int64_t from_ms = 0;     // the updatedAt criterion
    int64_t started_ms = 0;  // our clock when the listing began
    std::string token;
  };
  struct Batch {
    int64_t findings = 0;
    int64_t newest_ms = -1;  // newest updatedAt among them, -1 if none had one
  };

  std::string Where() const {
    return "guardduty region " + options_.region + " detector " +
           (detector_id_.empty() ? std::string("(not known yet)") : detector_id_);
  }

  Result<PollResult> PollDetector(const std::atomic<bool>& stop);
  Result<std::string> Detector();
  Result<std::pair<std::vector<std::string>, std::string>> ListFindings(const Listing& listing);
  Result<Batch> FetchAndIngest(std::vector<std::string> ids);

  const GuardDutySourceOptions options_;
  const SourceContext context_;
  const json::object criteria_;  // the configured criterion, without updatedAt
  const std::string name_;
  const Clock* const clock_;
  const std::unique_ptr<AwsApiClient> api_;
  std::string detector_id_;         // configured, or found by ListDetectors
  std::optional<Listing> pending_;  // set when the last poll stopped at its page limit
};

Result<PollResult> GuardDutySource::PollDetector(const std::atomic<bool>& stop) {
  PollResult result;
  if (stop.load()) return result;
  Result<std::string> detector = Detector();
  if (!detector.ok()) return detector.status();
  Result<std::optional<std::string>> saved = LoadCursor(*context_.store, name_);
  if (!saved.ok()) return saved.status().WithContext("loading the cursor");
  int64_t committed = -1;
  if (saved->has_value()) {
    Result<int64_t> cursor = ParseCursor(**saved, "source:" + name_);
    if (!cursor.ok()) return cursor.status();
    committed = *cursor;
  }
  Listing listing;
  if (pending_.has_value()) {
    listing = std::move(*pending_);
    pending_.reset();
  } else {
    listing.started_ms = clock_->Now() * 1000;
    listing.from_ms = committed >= 0
                          ? committed - options_.overlap.count() * 1000
                          : listing.started_ms - options_.initial_lookback.count() * 1000;
    listing.from_ms = std::max<int64_t>(listing.from_ms, 0);
  }
  for (int page = 0; page < kMaxPagesPerPoll; ++page) {
    if (stop.load()) return result;
    auto listed = ListFindings(listing);
    if (!listed.ok()) return listed.status();
    std::vector<std::string>& ids = listed->first;
    for (size_t i = 0; i < ids.size(); i += kMaxIds) {
      if (stop.load()) return result;
      const size_t end = std::min(ids.size(), i + kMaxIds);
      Result<Batch> batch = FetchAndIngest(
          {ids.begin() + static_cast<ptrdiff_t>(i), ids.begin() + static_cast<ptrdiff_t>(end)});
      if (!batch.ok()) return batch.status();
      ++result.documents;
      result.findings += batch->findings;
      // Never past the listing's start: a finding updated while we list it may show a newer
      // updatedAt than the page order it was listed in, and the cursor must not skip the pages
      // between (docs/sources.md, "GuardDuty API").
      const int64_t reached = std::min(batch->newest_ms, listing.started_ms);
      if (reached > committed) {
        Status status = SaveCursor(*context_.store, name_, FormatCursor(reached));
        if (!status.ok()) return status.WithContext("saving the cursor");
        committed = reached;
      }
    }
    if (listed->second.empty()) return result;
    listing.token = std::move(listed->second);
  }
  pending_ = std::move(listing);
  result.more = true;
  return result;
}

Result<std::string> GuardDutySource::Detector() {
  if (!detector_id_.empty()) return detector_id_;
  std::vector<std::string> found;
  std::string token;
  for (int page = 0; page < kMaxDetectorPages; ++page) {
    AwsApiRequest request;
    request.method = "GET";
    request.path = "/detector";
    request.query = {{"maxResults", std::to_string(kMaxIds)}};
    if (!token.empty()) request.query.emplace_back("nextToken", token);
    request.action = "ListDetectors";
    Result<HttpResponse> response = api_->Call(request);
    if (!response.ok()) return response.status();
    Result<json::object> answer = ParseObject(response->body, "ListDetectors");
    if (!answer.ok()) return answer.status();
    auto ids = StringList(*answer, "detectorIds", "ListDetectors");
    if (!ids.ok()) return ids.status();
    found.insert(found.end(), ids->begin(), ids->end());
    token = NextToken(*answer);
    if (token.empty()) break;
  }
  if (found.empty()) {
    return Status::FailedPrecondition("ListDetectors: no detector in " + options_.region +
                                      " (is GuardDuty enabled there?)");
  }
  if (found.size() > 1) {
    return Status::InvalidArgument("ListDetectors: " + std::to_string(found.size()) +
                                   " detectors in " + options_.region + "; set detector_id");
  }
  detector_id_ = found.front();
  spdlog::info("source name={} detector={} (ListDetectors)", name_, detector_id_);
  return detector_id_;
}

// One ListFindings page: the ids, in ascending updatedAt, and the next token ("" at the end).
Result<std::pair<std::vector<std::string>, std::string>> GuardDutySource::ListFindings(
    const Listing& listing) {
  json::object criterion = criteria_;
  criterion["updatedAt"] = json::object{{"greaterThanOrEqual", listing.from_ms}};
  json::object body{
      {"findingCriteria", json::object{{"criterion", std::move(criterion)}}},
      {"sortCriteria", json::object{{"attributeName", "updatedAt"}, {"orderBy", "ASC"}}},
      {"maxResults", kMaxIds}};
  if (!listing.token.empty()) body["nextToken"] = listing.token;
  AwsApiRequest request;
  request.path = "/detector/" + detector_id_ + "/findings";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = json::serialize(body);
  request.action = "ListFindings";
  Result<HttpResponse> response = api_->Call(request);
  if (!response.ok()) return response.status();
  Result<json::object> answer = ParseObject(response->body, "ListFindings");
  if (!answer.ok()) return answer.status();
  auto ids = StringList(*answer, "findingIds", "ListFindings");
  if (!ids.ok()) return ids.status();
  std::string token = NextToken(*answer);
  if (!token.empty() && token == listing.token) {
    return Status::Remote("ListFindings answered the nextToken it was sent");
  }
  return std::make_pair(std::move(*ids), std::move(token));
}

// GetFindings for up to 50 ids; the response goes to the ingest path as it came.
Result<GuardDutySource::Batch> GuardDutySource::FetchAndIngest(std::vector<std::string> ids) {
  json::array list;
  for (std::string& id : ids) list.emplace_back(std::move(id));
  AwsApiRequest request;
  request.path = "/detector/" + detector_id_ + "/findings/get";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = json::serialize(json::object{{"findingIds", std::move(list)}});
  request.action = "GetFindings";
  Result<HttpResponse> response = api_->Call(request);
  if (!response.ok()) return response.status();
  Result<json::object> answer = ParseObject(response->body, "GetFindings");
  if (!answer.ok()) return answer.status();
  const json::value* findings = answer->if_contains("findings");
  if (findings == nullptr || !findings->is_array()) {
    return Status::Remote("GetFindings answered without a \"findings\" list");
  }
  Batch batch;
  for (const json::value& finding : findings->as_array()) {
    const json::value* updated =
        finding.is_object() ? finding.as_object().if_contains("updatedAt") : nullptr;
    if (updated == nullptr || !updated->is_string()) continue;
    Result<int64_t> millis = UpdatedAtMillis(updated->as_string());
    if (millis.ok()) batch.newest_ms = std::max(batch.newest_ms, *millis);
  }
  Result<IngestSummary> ingested = context_.ingest(response->body, name_ + " GetFindings");
  if (!ingested.ok()) return ingested.status().WithContext("ingesting GetFindings");
  if (ingested->error_count > 0) {
    spdlog::warn("source name={} GetFindings errors={} first=\"{}\"", name_, ingested->error_count,
                 ingested->errors.empty() ? "" : ingested->errors.front().ToString());
  }
  batch.findings = ingested->findings_read;
  return batch;
}

}  // namespace

Status CheckGuardDutyCriteria(const std::string& criteria_json) {
  return ParseCriteria(criteria_json).status();
}

Result<std::unique_ptr<Source>> NewGuardDutySource(GuardDutySourceOptions options,
                                                   SourceContext context) {
  const std::string what = "guardduty source";
  if (options.region.empty()) return Status::InvalidArgument(what + ": no region");
  if (options.interval.count() <= 0) {
    return Status::InvalidArgument(what + " " + options.region + ": interval must be positive");
  }
  if (options.overlap.count() < 0 || options.initial_lookback.count() < 0) {
    return Status::InvalidArgument(what + " " + options.region +
                                   ": overlap and initial_lookback must not be negative");
  }
  if (!context.ingest || context.store == nullptr) {
    return Status::InvalidArgument(what + ": the context needs ingest and a store");
  }
  Result<json::object> criteria = ParseCriteria(options.criteria_json);
  if (!criteria.ok()) return criteria.status().WithContext(what + " " + options.region);
  options.api.service = "guardduty";
  options.api.region = options.region;
  Result<std::unique_ptr<AwsApiClient>> api = AwsApiClient::Create(options.api);
  if (!api.ok()) return api.status().WithContext(what + " " + options.region);
  return std::unique_ptr<Source>(std::make_unique<GuardDutySource>(
      std::move(options), std::move(context), std::move(*criteria), std::move(*api)));
}

}  // namespace guardfeed
