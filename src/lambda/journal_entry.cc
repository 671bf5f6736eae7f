#include "lambda/journal_entry.h"

#include <boost/json.hpp>

#include "core/gzip.h"
#include "guardduty/inflate.h"

namespace guardfeed::lambda {
namespace json = boost::json;
namespace {

constexpr int64_t kVersion = 1;
// An entry is one invocation's sightings: a few MB inflated at most; far more is not ours.
constexpr uint64_t kMaxInflatedBytes = 512ull << 20;

json::array SightingRow(const SightingRecord& s) {
  return json::array{s.finding_id,  KindName(s.indicator.kind), s.indicator.value,
                     s.finding_type, s.severity, s.account_id, s.region, s.action_type,
                     s.direction,   s.field,     s.first_seen, s.last_seen, s.updated_at,
                     s.count,       s.withdrawn, s.expires_at};
}

json::array FeedRow(const FeedState& f) {
  return json::array{f.feed, f.content_digest, f.serial, f.version, f.data_ts};
}

// Reads positional fields with their types checked; the first problem names the field.
class RowReader {
 public:
  RowReader(const json::value& row, std::string where) : where_(std::move(where)) {
    if (row.is_array()) row_ = &row.get_array();
  }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  std::string Text(size_t i) {
    const json::value* v = At(i);
    if (v == nullptr || !v->is_string()) return Fail(i, "a string"), std::string();
    return std::string(v->get_string());
  }
  int64_t Int(size_t i) {
    const json::value* v = At(i);
    if (v == nullptr || !v->is_int64()) return Fail(i, "an integer"), 0;
    return v->get_int64();
  }
  double Number(size_t i) {
    const json::value* v = At(i);
    if (v == nullptr || !v->is_number()) return Fail(i, "a number"), 0.0;
    return v->to_number<double>();
  }
  bool Bool(size_t i) {
    const json::value* v = At(i);
    if (v == nullptr || !v->is_bool()) return Fail(i, "true or false"), false;
    return v->get_bool();
  }

 private:
  const json::value* At(size_t i) const {
    return row_ != nullptr && i < row_->size() ? &(*row_)[i] : nullptr;
  }
  void Fail(size_t i, const char* expected) {
    if (status_.ok()) {
      status_ = Status::InvalidArgument("state journal entry: " + where_ + "[" +
                                        std::to_string(i) + "]: expected " + expected);
    }
  }

  const json::array* row_ = nullptr;
  std::string where_;
  Status status_;
};

Result<SightingRecord> ReadSighting(const json::value& row, size_t index) {
  RowReader r(row, "sightings[" + std::to_string(index) + "]");
  SightingRecord s;
  s.finding_id = r.Text(0);
  std::string kind = r.Text(1);
  s.indicator.value = r.Text(2);
  s.finding_type = r.Text(3);
  s.severity = r.Number(4);
  s.account_id = r.Text(5);
  s.region = r.Text(6);
  s.action_type = r.Text(7);
  s.direction = r.Text(8);
  s.field = r.Text(9);
  s.first_seen = r.Int(10);
  s.last_seen = r.Int(11);
  s.updated_at = r.Int(12);
  s.count = r.Int(13);
  s.withdrawn = r.Bool(14);
  s.expires_at = r.Int(15);
  if (!r.ok()) return r.status();
  Result<IndicatorKind> parsed = ParseKindName(kind);
  if (!parsed.ok()) return parsed.status().WithContext("state journal entry: sightings[" + std::to_string(index) + "][1]");
  s.indicator.kind = *parsed;
  return s;
}

Result<FeedState> ReadFeed(const json::value& row, size_t index) {
  RowReader r(row, "feeds[" + std::to_string(index) + "]");
  FeedState f{r.Text(0), r.Text(1), r.Int(2), r.Text(3), r.Int(4)};
  if (!r.ok()) return r.status();
  return f;
}

const json::array* ArrayAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_array() : nullptr;
}

}  // namespace

Result<std::string> EncodeJournalEntry(const JournalEntry& entry) {
  json::array sightings;
  sightings.reserve(entry.sightings.size());
  for (const SightingRecord& sighting : entry.sightings) sightings.push_back(SightingRow(sighting));
  json::array feeds;
  for (const FeedState& feed : entry.feeds) feeds.push_back(FeedRow(feed));
  json::object document{{"v", kVersion}, {"sightings", std::move(sightings)},
                        {"feeds", std::move(feeds)}};
  return GzipCompress(json::serialize(document));
}

Result<JournalEntry> DecodeJournalEntry(std::string_view encoded) {
  Result<std::string> text = GunzipBuffer(encoded, kMaxInflatedBytes);
  if (!text.ok()) return text.status().WithContext("state journal entry");
  boost::system::error_code ec;
  json::value document = json::parse(*text, ec);
  const json::object* object = ec ? nullptr : document.if_object();
  if (object == nullptr) return Status::InvalidArgument("state journal entry: not a JSON object");
  const json::value* version = object->if_contains("v");
  if (version == nullptr || !version->is_int64() || version->get_int64() != kVersion) {
    return Status::InvalidArgument(
        "state journal entry: unknown version (written by a newer guardfeed?)");
  }
  const json::array* sightings = ArrayAt(*object, "sightings");
  const json::array* feeds = ArrayAt(*object, "feeds");
  if (sightings == nullptr || feeds == nullptr) {
    return Status::InvalidArgument("state journal entry: sightings and feeds must be lists");
  }
  JournalEntry entry;
  entry.sightings.reserve(sightings->size());
  for (size_t i = 0; i < sightings->size(); ++i) {
    Result<SightingRecord> sighting = ReadSighting((*sightings)[i], i);
    if (!sighting.ok()) return sighting.status();
    entry.sightings.push_back(std::move(*sighting));
  }
  for (size_t i = 0; i < feeds->size(); ++i) {
    Result<FeedState> feed = ReadFeed((*feeds)[i], i);
    if (!feed.ok()) return feed.status();
    entry.feeds.push_back(std::move(*feed));
  }
  return entry;
}

Status ApplyJournalEntry(const JournalEntry& entry, Store& store) {
  if (!entry.sightings.empty()) {
    Result<ApplyResult> applied = store.Apply(entry.sightings);
    if (!applied.ok()) return applied.status();
  }
  for (const FeedState& feed : entry.feeds) GF_RETURN_IF_ERROR(store.PutFeedState(feed));
  return Status::Ok();
}

}  // namespace guardfeed::lambda
