#include "lambda/events.h"

#include <boost/json.hpp>
#include <boost/url/decode_view.hpp>

namespace guardfeed::lambda {
namespace json = boost::json;
namespace {

// Event fields quoted in error messages come from the caller: keep them short.
std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 80;
  return "\"" + std::string(text.substr(0, kMax)) + (text.size() > kMax ? "...\"" : "\"");
}

std::string_view StringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

// S3 event notifications encode object keys like an HTML form: '+' for space, %XX otherwise.
Result<std::string> DecodeS3Key(std::string_view encoded) {
  std::string plus_decoded(encoded);
  for (char& c : plus_decoded) {
    if (c == '+') c = ' ';
  }
  boost::system::result<boost::urls::pct_string_view> checked =
      boost::urls::make_pct_string_view(plus_decoded);
  if (!checked) return Status::InvalidArgument("S3 notification: malformed object key encoding");
  std::string key;
  checked->decode({}, boost::urls::string_token::assign_to(key));
  return key;
}

Result<LambdaEvent> ClassifySqs(const json::array& records) {
  LambdaEvent event;
  event.kind = EventKind::kSqsBatch;
  for (const json::value& value : records) {
    const json::object* record = value.if_object();
    if (record == nullptr || StringAt(*record, "eventSource") != "aws:sqs") {
      return Status::InvalidArgument("SQS batch: a record is not an SQS message");
    }
    std::string_view id = StringAt(*record, "messageId");
    if (id.empty()) return Status::InvalidArgument("SQS batch: a record has no messageId");
    event.records.push_back(SqsRecord{std::string(id), std::string(StringAt(*record, "body"))});
  }
  return event;
}

Result<LambdaEvent> ClassifyS3(const json::array& records) {
  LambdaEvent event;
  event.kind = EventKind::kS3Objects;
  for (const json::value& value : records) {
    const json::object* record = value.if_object();
    if (record == nullptr || StringAt(*record, "eventSource") != "aws:s3") {
      return Status::InvalidArgument("S3 notification: a record is not an S3 event");
    }
    if (!StringAt(*record, "eventName").starts_with("ObjectCreated:")) continue;
    const json::value* s3 = record->if_contains("s3");
    const json::value* bucket = s3 != nullptr && s3->is_object() ? s3->get_object().if_contains("bucket") : nullptr;
    const json::value* object = s3 != nullptr && s3->is_object() ? s3->get_object().if_contains("object") : nullptr;
    if (bucket == nullptr || !bucket->is_object() || object == nullptr || !object->is_object()) {
      return Status::InvalidArgument("S3 notification: a record lacks s3.bucket or s3.object");
    }
    S3ObjectRef ref;
    ref.bucket = std::string(StringAt(bucket->get_object(), "name"));
    Result<std::string> key = DecodeS3Key(StringAt(object->get_object(), "key"));
    if (!key.ok()) return key.status();
    ref.key = std::move(*key);
    if (const json::value* size = object->get_object().if_contains("size"); size != nullptr) {
      if (size->is_int64() && size->get_int64() >= 0) ref.size = static_cast<uint64_t>(size->get_int64());
      if (size->is_uint64()) ref.size = size->get_uint64();
    }
    if (ref.bucket.empty() || ref.key.empty()) {
      return Status::InvalidArgument("S3 notification: empty bucket name or object key");
    }
    event.objects.push_back(std::move(ref));
  }
  return event;
}

Result<LambdaEvent> ClassifyRecords(const json::array& records) {
  if (records.empty()) return Status::InvalidArgument("event with an empty Records list");
  const json::object* first = records.front().if_object();
  std::string_view source = first != nullptr ? StringAt(*first, "eventSource") : "";
  if (source == "aws:sqs") return ClassifySqs(records);
  if (source == "aws:s3") return ClassifyS3(records);
  return Status::InvalidArgument("unsupported Records event (eventSource " + Quoted(source) +
                                 "; expected aws:sqs or aws:s3)");
}

// A bare GuardDuty finding, as the console's test invoke or the seeds' test events send.
bool LooksLikeFinding(const json::object& object) {
  return object.contains("schemaVersion") || (object.contains("type") && object.contains("id") &&
                                              object.contains("service"));
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kFinding:
      return "finding";
    case EventKind::kSqsBatch:
      return "sqs";
    case EventKind::kS3Objects:
      return "s3";
    case EventKind::kSchedule:
      return "schedule";
  }
  return "unknown";
}

Result<LambdaEvent> ClassifyEvent(std::string_view document) {
  boost::system::error_code ec;
  json::value parsed = json::parse(document, ec);
  if (ec) return Status::InvalidArgument("event is not JSON: " + ec.message());
  const json::object* object = parsed.if_object();
  if (object == nullptr) return Status::InvalidArgument("event is not a JSON object");
  if (const json::value* records = object->if_contains("Records"); records != nullptr) {
    if (!records->is_array()) return Status::InvalidArgument("event Records is not a list");
    return ClassifyRecords(records->get_array());
  }
  std::string_view detail_type = StringAt(*object, "detail-type");
  std::string_view source = StringAt(*object, "source");
  if (detail_type == "GuardDuty Finding" && source == "aws.guardduty") return LambdaEvent{};
  if (detail_type == "Scheduled Event") {
    LambdaEvent event;
    event.kind = EventKind::kSchedule;
    return event;
  }
  if (detail_type.empty() && LooksLikeFinding(*object)) return LambdaEvent{};
  return Status::InvalidArgument("unsupported event (source " + Quoted(source) +
                                 ", detail-type " + Quoted(detail_type) +
                                 "): expected a GuardDuty Finding event, an SQS batch, an S3 "
                                 "ObjectCreated notification or a Scheduled Event");
}

std::string BatchItemFailures(const std::vector<std::string>& failed_message_ids) {
  json::array failures;
  for (const std::string& id : failed_message_ids) {
    failures.push_back(json::object{{"itemIdentifier", id}});
  }
  return json::serialize(json::object{{"batchItemFailures", std::move(failures)}});
}

}  // namespace guardfeed::lambda
