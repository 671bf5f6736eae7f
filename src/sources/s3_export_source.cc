#include "sources/s3_export_source.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/time_util.h"

// The cursor and the rules for unreadable objects are described in docs/sources.md, "Findings
// export bucket".

namespace guardfeed {
namespace {

constexpr int64_t kCursorVersion = 1;

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A key laid out as FOLDER/YYYY/MM/DD/NAME (GuardDuty's AWSLogs/ACCOUNT/GuardDuty/REGION/...).
struct DatedKey {
  std::string_view folder;  // up to and including the "/" before YYYY; "" at the bucket's top
};

std::optional<DatedKey> ParseDatedKey(std::string_view key) {
  const size_t slash = key.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == key.size() || slash < 10) return std::nullopt;
  const size_t start = slash - 10;
  std::string_view day = key.substr(start, 10);
  if (day[4] != '/' || day[7] != '/' || !AllDigits(day.substr(0, 4)) ||
      !AllDigits(day.substr(5, 2)) || !AllDigits(day.substr(8, 2))) {
    return std::nullopt;
  }
  if (start > 0 && key[start - 1] != '/') return std::nullopt;
  const int month = (day[5] - '0') * 10 + (day[6] - '0');
  const int mday = (day[8] - '0') * 10 + (day[9] - '0');
  if (month < 1 || month > 12 || mday < 1 || mday > 31) return std::nullopt;
  return DatedKey{key.substr(0, start)};
}

// The poller's position. A key is done when it is at or below its folder's floor (a StartAfter:
// every key of the folder up to it was ingested or passed), in `seen` (ingested above the floor,
// in days still open), or, without the date layout, at or below `after` (a plain StartAfter).
struct Cursor {
  std::map<std::string, std::string, std::less<>> floors;  // folder -> floor key
  std::set<std::string, std::less<>> seen;
  std::string after;
};

std::string SerializeCursor(const Cursor& cursor) {
  boost::json::object floors;
  for (const auto& [folder, floor] : cursor.floors) floors[folder] = floor;
  boost::json::array seen;
  for (const std::string& key : cursor.seen) seen.emplace_back(key);
  boost::json::object out{{"version", kCursorVersion},
                          {"after", cursor.after},
                          {"floors", std::move(floors)},
                          {"seen", std::move(seen)}};
  return boost::json::serialize(out);
}

Result<Cursor> ParseCursor(std::string_view text) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error);
  const boost::json::object* root = error ? nullptr : value.if_object();
  if (root == nullptr) return Status::InvalidArgument("not a JSON object");
  const boost::json::value* version = root->if_contains("version");
  if (version == nullptr || !version->is_int64() || version->as_int64() != kCursorVersion) {
    return Status::InvalidArgument("unknown version");
  }
  Cursor cursor;
  const boost::json::value* after = root->if_contains("after");
  const boost::json::value* floors = root->if_contains("floors");
  const boost::json::value* seen = root->if_contains("seen");
  if (after == nullptr || !after->is_string() || floors == nullptr || !floors->is_object() ||
      seen == nullptr || !seen->is_array()) {
    return Status::InvalidArgument("expected after, floors and seen");
  }
  cursor.after = after->as_string();
  for (const auto& item : floors->as_object()) {
    if (!item.value().is_string()) return Status::InvalidArgument("a floor is not a string");
    cursor.floors.emplace(item.key(), item.value().as_string());
  }
  for (const boost::json::value& key : seen->as_array()) {
    if (!key.is_string()) return Status::InvalidArgument("a seen key is not a string");
    cursor.seen.emplace(key.as_string());
  }
  return cursor;
}

// One poll's pass over the listing, in key order: says which keys are done and moves the floors.
// A folder's floor rises to the lowest of the key just handled and the start of the oldest open
// day; when the pass leaves the folder (every key it had was handled), to that day's start.
class Walk {
 public:
  enum class Step {
    kBelowFloor,  // done: skip it, or jump to the floor (`floor`)
    kDone,        // done, or not an export object (key_suffix)
    kNew,         // to be read
  };

  // `oldest_open_day` is "YYYY/MM/DD".
  Walk(Cursor& cursor, std::string oldest_open_day, std::string_view suffix)
      : cursor_(cursor), open_day_(std::move(oldest_open_day)), suffix_(suffix) {}

  Step Classify(const std::string& key, std::string& floor) {
    std::optional<DatedKey> dated = ParseDatedKey(key);
    Enter(key, dated);
    if (dated) {
      auto it = cursor_.floors.find(dated->folder);
      if (it != cursor_.floors.end() && key <= it->second) {
        floor = it->second;
        return Step::kBelowFloor;
      }
    } else if (key <= cursor_.after) {
      return Step::kDone;
    }
    if (!key.ends_with(suffix_)) {
      MarkDone(key, /*remember=*/false);
      return Step::kDone;
    }
    if (cursor_.seen.contains(key)) {
      MarkDone(key, /*remember=*/false);
      return Step::kDone;
    }
    return Step::kNew;
  }

  // `key` was ingested or passed for good; `remember` keeps it in `seen` while its day is open.
  void MarkDone(const std::string& key, bool remember) {
    std::optional<DatedKey> dated = ParseDatedKey(key);
    if (!dated) {
      cursor_.after = std::max(cursor_.after, key);
      changed_ = true;
      return;
    }
    std::string folder(dated->folder);
    Raise(folder, std::min(key, folder + open_day_));
    if (remember && key > cursor_.floors[folder]) {
      cursor_.seen.insert(key);
      changed_ = true;
    }
  }

  // The listing ended: every folder is left; folders without any key lose their floor (nothing
  // is below it, so keeping it would only grow the cursor).
  void Finish() {
    for (const std::string& folder : open_) Raise(folder, folder + open_day_);
    open_.clear();
    for (auto it = cursor_.floors.begin(); it != cursor_.floors.end();) {
      if (visited_.contains(it->first)) {
        ++it;
        continue;
      }
      ForgetSeen(it->first);
      it = cursor_.floors.erase(it);
      changed_ = true;
    }
  }

  bool changed() const { return changed_; }
  void Saved() { changed_ = false; }

 private:
  // Keys of one folder are contiguous in key order: a key outside it means the pass left it.
  void Enter(std::string_view key, const std::optional<DatedKey>& dated) {
    for (auto it = open_.begin(); it != open_.end();) {
      if (key.starts_with(*it)) {
        ++it;
        continue;
      }
      Raise(*it, *it + open_day_);
      it = open_.erase(it);
    }
    if (dated) {
      open_.emplace(dated->folder);
      visited_.emplace(dated->folder);
    }
  }

  // Drops every remembered key of `folder` (a folder the listing no longer has).
  void ForgetSeen(const std::string& folder) {
    for (auto it = cursor_.seen.lower_bound(folder);
         it != cursor_.seen.end() && it->starts_with(folder);) {
      std::optional<DatedKey> dated = ParseDatedKey(*it);
      it = dated && dated->folder == folder ? cursor_.seen.erase(it) : std::next(it);
    }
  }

  void Raise(const std::string& folder, std::string floor) {
    auto [it, inserted] = cursor_.floors.try_emplace(folder, floor);
    if (!inserted && it->second >= floor) return;
    it->second = std::move(floor);
    // Keys at or below the floor are done by it; those in `seen` lie in [folder, floor].
    cursor_.seen.erase(cursor_.seen.lower_bound(folder), cursor_.seen.upper_bound(it->second));
    changed_ = true;
  }

  Cursor& cursor_;
  const std::string open_day_;
  const std::string_view suffix_;
  std::set<std::string, std::less<>> open_;     // folders entered and not left
  std::set<std::string, std::less<>> visited_;  // folders with a key in this pass
  bool changed_ = false;
};

std::string ObjectUrl(const S3ExportSourceOptions& options, const std::string& key) {
  return "s3://" + options.s3.bucket + "/" + key;
}

// Fetches one object and ingests it. nullopt when it was deleted after the listing. An object
// over max_object_bytes is not fetched: its summary holds one error saying so.
Result<std::optional<IngestSummary>> ReadObject(S3Client& client, const SourceContext& context,
                                                const S3ExportSourceOptions& options,
                                                const S3ListedObject& object) {
  const std::string url = ObjectUrl(options, object.key);
  if (object.size > options.max_object_bytes) {
    IngestSummary summary;
    summary.error_count = 1;
    summary.errors.push_back(
        ReadError{url, 0, "",
                  "object of " + std::to_string(object.size) + " bytes is over max_object_bytes (" +
                      std::to_string(options.max_object_bytes) + "); not read"});
    return std::optional<IngestSummary>(std::move(summary));
  }
  Result<std::optional<S3Object>> fetched = client.FetchObject(object.key);
  if (!fetched.ok()) return fetched.status();  // names the request, bucket and key
  if (!fetched->has_value()) {
    spdlog::warn("s3 export object={} gone before it was read; passed", url);
    return std::optional<IngestSummary>();
  }
  Result<IngestSummary> summary = context.ingest((*fetched)->body, url);
  if (!summary.ok()) return summary.status().WithContext(url);
  return std::optional<IngestSummary>(std::move(*summary));
}

// Content the reader rejected does not stop anything: the object is passed, and why is logged.
void LogContentErrors(const std::string& name, const std::string& url,
                      const IngestSummary& summary) {
  if (summary.error_count == 0 && summary.stopped_by_limit.ok()) return;
  std::string first = summary.errors.empty() ? summary.stopped_by_limit.ToString()
                                             : summary.errors.front().ToString();
  spdlog::warn("source name={} object={} errors={} first=\"{}\"; passed", name, url,
               summary.error_count, first);
}

class S3ExportSource final : public Source {
 public:
  S3ExportSource(S3ExportSourceOptions options, SourceContext context,
                 std::unique_ptr<S3Client> client)
      : options_(std::move(options)),
        context_(std::move(context)),
        client_(std::move(client)),
        name_("s3:" + options_.s3.bucket + "/" + options_.prefix) {}

  std::string Name() const override { return name_; }
  std::chrono::milliseconds Interval() const override { return options_.interval; }
  bool SingleConsumer() const override { return true; }
  Result<PollResult> Poll(const std::atomic<bool>& stop) override;

 private:
  // The stored cursor; a fresh one when there is none or it does not parse. A store that cannot
  // be read fails the poll (starting over would re-read the prefix and overwrite the cursor).
  Result<Cursor> Load() const;
  Status Save(const Cursor& cursor, Walk& walk) const;
  // "YYYY/MM/DD" of the oldest day whose folder may still receive objects.
  std::string OldestOpenDay() const;
  // Reads one new object and records it in the cursor, saved before returning.
  Status Read(const S3ListedObject& object, Cursor& cursor, Walk& walk, PollResult& result);

  // Constant after construction.
  const S3ExportSourceOptions options_;
  const SourceContext context_;
  const std::unique_ptr<S3Client> client_;
  const std::string name_;
};

Result<Cursor> S3ExportSource::Load() const {
  Result<std::optional<std::string>> stored = LoadCursor(*context_.store, name_);
  if (!stored.ok()) return stored.status().WithContext(name_ + ": read the cursor");
  if (!stored->has_value()) return Cursor{};
  Result<Cursor> cursor = ParseCursor(**stored);
  if (!cursor.ok()) {
    // Starting over re-reads the prefix; ingest is idempotent, so that only costs time.
    spdlog::warn("source name={} cursor unreadable ({}); starting from the prefix's beginning",
                 name_, cursor.status().ToString());
    return Cursor{};
  }
  return std::move(*cursor);
}

Status S3ExportSource::Save(const Cursor& cursor, Walk& walk) const {
  GF_RETURN_IF_ERROR(
      SaveCursor(*context_.store, name_, SerializeCursor(cursor)).WithContext("cursor " + name_));
  walk.Saved();
  return Status::Ok();
}

std::string S3ExportSource::OldestOpenDay() const {
  const Clock* clock = context_.clock != nullptr ? context_.clock : SystemClock();
  std::string day = FormatYyyymmdd(AddSeconds(clock->Now(), -options_.settle_window.count()));
  return day.substr(0, 4) + "/" + day.substr(4, 2) + "/" + day.substr(6, 2);
}

Status S3ExportSource::Read(const S3ListedObject& object, Cursor& cursor, Walk& walk,
                            PollResult& result) {
  Result<std::optional<IngestSummary>> read = ReadObject(*client_, context_, options_, object);
  if (!read.ok()) return read.status();
  if (read->has_value()) {
    LogContentErrors(name_, ObjectUrl(options_, object.key), **read);
    ++result.documents;
    result.findings += (*read)->findings_read;
  }
  walk.MarkDone(object.key, /*remember=*/true);
  return Save(cursor, walk);
}

Result<PollResult> S3ExportSource::Poll(const std::atomic<bool>& stop) {
  Result<Cursor> loaded = Load();
  if (!loaded.ok()) return loaded.status();
  Cursor cursor = std::move(*loaded);
  Walk walk(cursor, OldestOpenDay(), options_.key_suffix);
  PollResult result;
  // Without folders only dateless keys were seen: list after the last one. With folders, from
  // the start: a folder new since (another account or region) may sort anywhere.
  std::string start = cursor.floors.empty() ? cursor.after : "";
  std::string token;
  bool complete = false;
  while (!stop.load()) {
    Result<S3Listing> page =
        client_->ListObjects(options_.prefix, token.empty() ? start : "", token);
    if (!page.ok()) return page.status();
    std::string jump;
    bool cut = false;  // stopped inside the page
    for (const S3ListedObject& object : page->objects) {
      std::string floor;
      Walk::Step step = walk.Classify(object.key, floor);
      if (step == Walk::Step::kBelowFloor) {
        // Skip within this page; start a new listing when the rest of it is below the floor too.
        if (!page->next_continuation_token.empty() && page->objects.back().key <= floor) {
          jump = std::move(floor);
          break;
        }
        continue;
      }
      if (step == Walk::Step::kDone) continue;
      if (result.documents >= options_.max_objects_per_poll) result.more = true;
      if (result.more || stop.load()) {
        cut = true;
        break;
      }
      GF_RETURN_IF_ERROR(Read(object, cursor, walk, result));
    }
    if (cut) break;
    if (!jump.empty()) {
      start = std::move(jump);
      token.clear();
    } else if (page->next_continuation_token.empty()) {
      complete = true;
      break;
    } else {
      token = page->next_continuation_token;
    }
  }
  if (complete) walk.Finish();
  if (walk.changed()) GF_RETURN_IF_ERROR(Save(cursor, walk));
  return result;
}

}  // namespace

Result<std::unique_ptr<Source>> NewS3ExportSource(S3ExportSourceOptions options,
                                                  SourceContext context) {
  if (options.s3.bucket.empty()) return Status::InvalidArgument("s3 export source: no bucket");
  if (context.store == nullptr || !context.ingest) {
    return Status::InvalidArgument("s3 export source: no store or ingest function");
  }
  if (options.max_objects_per_poll < 1) {
    return Status::InvalidArgument("s3 export source: max_objects_per_poll must be at least 1");
  }
  auto client = NewS3Client(options.s3);
  if (!client.ok()) return client.status();
  return std::unique_ptr<Source>(
      new S3ExportSource(std::move(options), std::move(context), std::move(*client)));
}

Result<IngestSummary> BackfillS3Export(
    const S3ExportSourceOptions& options, const SourceContext& context,
    const std::function<void(int64_t objects, int64_t bytes)>& progress) {
  if (options.s3.bucket.empty()) return Status::InvalidArgument("s3 backfill: no bucket");
  if (!context.ingest) return Status::InvalidArgument("s3 backfill: no ingest function");
  auto client = NewS3Client(options.s3);
  if (!client.ok()) return client.status();
  IngestSummary total;
  int64_t objects = 0;
  int64_t bytes = 0;
  int64_t other_keys = 0;
  std::string token;
  do {
    Result<S3Listing> page = (*client)->ListObjects(options.prefix, "", token);
    if (!page.ok()) return page.status();
    for (const S3ListedObject& object : page->objects) {
      if (!object.key.ends_with(options.key_suffix)) {
        ++other_keys;
        continue;
      }
      Result<std::optional<IngestSummary>> read = ReadObject(**client, context, options, object);
      if (!read.ok()) {
        return read.status().WithContext("backfill stopped after " + std::to_string(objects) +
                                         " objects");
      }
      if (!read->has_value()) continue;
      total.Merge(**read);
      ++objects;
      bytes += static_cast<int64_t>(object.size);
      if (progress) progress(objects, bytes);
    }
    token = page->next_continuation_token;
  } while (!token.empty());
  if (other_keys > 0) {
    spdlog::warn("s3 backfill: {} objects under s3://{}/{} do not end in \"{}\" and were not read",
                 other_keys, options.s3.bucket, options.prefix, options.key_suffix);
  }
  return total;
}

}  // namespace guardfeed
