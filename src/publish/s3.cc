#include "publish/s3.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <pugixml.hpp>
#include <set>

#include "core/hash.h"
#include "publish/shrink_guard.h"

namespace guardfeed {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";
constexpr const char* kMetaSha256 = "guardfeed-sha256";
constexpr const char* kMetaEntries = "guardfeed-entries";
constexpr const char* kMetaVersion = "guardfeed-version";

std::string TrimSlashes(std::string_view text) {
  while (text.starts_with('/')) text.remove_prefix(1);
  while (text.ends_with('/')) text.remove_suffix(1);
  return std::string(text);
}

// ---- Publisher state: what was last published under each key ----

struct ObjectState {
  std::string sha256;  // hex SHA-256 of the body
  uint64_t entries = 0;
  std::set<std::string> feeds;  // manifest.xml only: the feeds it lists
  // False when read back from an object without a usable entry count (the shrink guard must
  // then treat the previous content as unknown, not as empty).
  bool entries_known = true;
};

using PublishState = std::map<std::string, ObjectState>;

std::string EncodeState(const PublishState& state) {
  boost::json::object objects;
  for (const auto& [key, object] : state) {
    boost::json::array feeds(object.feeds.begin(), object.feeds.end());
    objects[key] = {{"sha256", object.sha256}, {"entries", object.entries}, {"feeds", feeds}};
  }
  return boost::json::serialize(boost::json::object{{"version", 1}, {"objects", objects}});
}

// A state that cannot be read is treated as empty: the objects' own metadata takes over.
PublishState DecodeState(std::string_view text) {
  PublishState state;
  boost::system::error_code error;
  boost::json::value document = boost::json::parse(text, error);
  if (error || !document.is_object()) return state;
  const boost::json::value* objects = document.get_object().if_contains("objects");
  if (objects == nullptr || !objects->is_object()) return state;
  for (const auto& [key, value] : objects->get_object()) {
    if (!value.is_object()) continue;
    const boost::json::value* sha = value.get_object().if_contains("sha256");
    const boost::json::value* entries = value.get_object().if_contains("entries");
    if (sha == nullptr || !sha->is_string()) continue;
    ObjectState object{std::string(sha->get_string()), 0, {}};
    if (entries != nullptr && entries->is_uint64()) object.entries = entries->get_uint64();
    if (entries != nullptr && entries->is_int64() && entries->get_int64() >= 0) {
      object.entries = static_cast<uint64_t>(entries->get_int64());
    }
    const boost::json::value* feeds = value.get_object().if_contains("feeds");
    if (feeds != nullptr && feeds->is_array()) {
      for (const boost::json::value& feed : feeds->get_array()) {
        if (feed.is_string()) object.feeds.emplace(feed.get_string());
      }
    }
    state[std::string(key)] = std::move(object);
  }
  return state;
}

std::string BodySha256(const Snapshot& snapshot) {
  std::string_view etag = snapshot.etag;  // "\"hex\"" (feeds/feed.h)
  if (etag.size() == 66 && etag.front() == '"' && etag.back() == '"') {
    return std::string(etag.substr(1, 64));
  }
  return Sha256Hex(snapshot.body);
}

// ---- The manifest: which feeds it lists and which URLs it points at ----

struct ManifestInfo {
  std::set<std::string> feeds;
  std::vector<std::string> urls;
};

void CollectManifest(const pugi::xml_node& node, ManifestInfo* info) {
  for (pugi::xml_node child : node.children()) {
    std::string_view name = child.name();
    if (name == "feed") info->feeds.insert(child.attribute("name").value());
    if (name == "url") info->urls.emplace_back(child.child_value());
    CollectManifest(child, info);
  }
}

ManifestInfo ParseManifest(std::string_view body) {
  ManifestInfo info;
  pugi::xml_document document;
  if (document.load_buffer(body.data(), body.size())) CollectManifest(document, &info);
  return info;
}

bool IsManifest(const Snapshot& snapshot) {
  return snapshot.feed.empty() && snapshot.path == "manifest.xml";
}

// The key an SRX reaches for a manifest URL, reading the manifest at `manifest_key` through
// https://BUCKET.s3.REGION.amazonaws.com/: "/x" is key "x"; "x" is relative to the manifest.
std::string KeyForUrl(std::string_view url, std::string_view manifest_key) {
  if (url.starts_with('/')) return std::string(url.substr(1));
  size_t slash = manifest_key.rfind('/');
  std::string base =
      slash == std::string_view::npos ? "" : std::string(manifest_key.substr(0, slash + 1));
  return base + std::string(url);
}

struct PlannedFile {
  SnapshotPtr snapshot;
  std::string key;
};

// What went wrong so far in one publish (the manifest is held back when it concerns it).
struct Failures {
  std::vector<Status> statuses;
  std::set<std::string> keys;
  std::set<std::string> feeds;
};

class S3Publisher final : public Publisher {
 public:
  S3Publisher(S3Options options, std::unique_ptr<S3Client> client, Store* store)
      : options_(std::move(options)), client_(std::move(client)), store_(store) {
    std::string prefix = TrimSlashes(options_.prefix);
    state_key_ = "s3:" + (options_.endpoint.empty() ? "" : options_.endpoint + "/") +
                 options_.bucket + "/" + prefix;
  }

  Result<PublishReport> Publish(const FeedSet& set) override { return PublishHeld(set, {}); }

  Result<PublishReport> PublishHeld(const FeedSet& set,
                                    const std::set<std::string>& held_back) override {
    GF_RETURN_IF_ERROR(LoadState());
    SnapshotPtr manifest_file = set.Find("manifest.xml");
    ManifestInfo manifest = ParseManifest(manifest_file ? manifest_file->body : "");
    std::vector<PlannedFile> plan = Plan(set, manifest);
    PublishReport report;
    Failures failures;
    // Feeds held back in front of this publisher (the shrink guard) hold the manifest back
    // like feeds that failed here.
    failures.feeds = held_back;
    for (const PlannedFile& file : plan) {
      Status status = PublishFile(file, plan, manifest, failures, &report);
      if (!status.ok()) {
        failures.statuses.push_back(status);
        failures.keys.insert(file.key);
        if (!file.snapshot->feed.empty()) failures.feeds.insert(file.snapshot->feed);
      }
    }
    Status saved = SaveState();
    if (!failures.statuses.empty()) return Combine(failures.statuses, plan.size(), report);
    if (!saved.ok()) return saved;
    return report;
  }

  // "s3://bucket/prefix" plus the endpoint when not AWS (the shrink guard's record is keyed by it).
  std::string Describe() const override {
    std::string prefix = TrimSlashes(options_.prefix);
    std::string out = "s3://" + options_.bucket + (prefix.empty() ? "" : "/" + prefix);
    if (!options_.endpoint.empty()) out += " at " + options_.endpoint;
    return out;
  }

  // [publish.s3] feeds selects what goes to the bucket (the SecIntel shared files follow).
  bool Carries(const Snapshot& snapshot) const override {
    const auto& feeds = options_.feeds;
    return feeds.empty() || std::find(feeds.begin(), feeds.end(), snapshot.feed) != feeds.end() ||
           std::find(feeds.begin(), feeds.end(), snapshot.path) != feeds.end();
  }

  // From the object's own metadata: a fresh process, or another replica, knows what is there.
  PreviousEntries Previous(const Snapshot& snapshot) override {
    if (!LoadState().ok()) return PreviousEntries::Unknown();
    std::string key = S3KeyFor(options_, snapshot);
    bool head_failed = false;
    std::optional<ObjectState> previous = Previous(key, &head_failed);
    if (previous && previous->entries_known) return PreviousEntries::Known(previous->entries);
    if (previous) return PreviousEntries::Unknown();  // ours, but without a usable count
    return head_failed ? PreviousEntries::Unknown() : PreviousEntries::Never();
  }

 private:
  bool Listed(const Snapshot& snapshot, const ManifestInfo& manifest) const {
    const auto& feeds = options_.feeds;
    if (feeds.empty()) return true;
    auto listed = [&](const std::string& name) {
      return std::find(feeds.begin(), feeds.end(), name) != feeds.end();
    };
    if (listed(snapshot.path) || (!snapshot.feed.empty() && listed(snapshot.feed))) return true;
    if (!snapshot.feed.empty()) return false;
    // Shared SecIntel files go wherever a feed of the manifest goes.
    return std::any_of(manifest.feeds.begin(), manifest.feeds.end(), listed);
  }

  std::vector<PlannedFile> Plan(const FeedSet& set, const ManifestInfo& manifest) const {
    std::vector<PlannedFile> plan;
    for (const SnapshotPtr& snapshot : set.files) {
      if (snapshot && Listed(*snapshot, manifest)) {
        plan.push_back({snapshot, S3KeyFor(options_, *snapshot)});
      }
    }
    return plan;
  }

  Status PublishFile(const PlannedFile& file, const std::vector<PlannedFile>& plan,
                     const ManifestInfo& manifest, const Failures& failures,
                     PublishReport* report) {
    const Snapshot& snapshot = *file.snapshot;
    std::string sha256 = BodySha256(snapshot);
    std::optional<ObjectState> previous =
        IsManifest(snapshot) ? PreviousManifest(file.key) : Previous(file.key);
    if (previous && previous->sha256 == sha256) {
      state_[file.key] = *previous;
      report->unchanged.push_back(file.key);
      return Status::Ok();
    }
    if (IsManifest(snapshot)) {
      GF_RETURN_IF_ERROR(CheckManifest(file, plan, manifest, previous, failures));
    }
    GF_RETURN_IF_ERROR(
        client_->PutObject(file.key, snapshot.body, PutOptionsFor(snapshot)).status());
    state_[file.key] = ObjectState{sha256, snapshot.entries,
                                   IsManifest(snapshot) ? manifest.feeds : std::set<std::string>()};
    report->written.push_back(file.key);
    return Status::Ok();
  }

  // A firewall must never see a manifest pointing at content that is not there (every URL is a
  // key of this publish that did not fail), nor one that drops or changes a feed whose data
  // was held back (the firewall would stop blocking its entries).
  Status CheckManifest(const PlannedFile& file, const std::vector<PlannedFile>& plan,
                       const ManifestInfo& manifest, const std::optional<ObjectState>& previous,
                       const Failures& failures) const {
    for (const std::string& feed : failures.feeds) {
      if (manifest.feeds.contains(feed) || (previous && previous->feeds.contains(feed))) {
        return Status::FailedPrecondition(Where(file.key) + ": held back because feed '" + feed +
                                          "' was not published");
      }
    }
    for (const std::string& url : manifest.urls) {
      std::string key = KeyForUrl(url, file.key);
      if (failures.keys.contains(key)) {
        return Status::FailedPrecondition(Where(file.key) + ": held back because " + url +
                                          " (key '" + key + "') was not published");
      }
      bool planned = std::any_of(plan.begin(), plan.end(),
                                 [&](const PlannedFile& other) { return other.key == key; });
      if (options_.check_manifest_urls && !planned) {
        return Status::FailedPrecondition(
            Where(file.key) + ": refers to " + url + ", which a firewall reading it from the " +
            "bucket resolves to key '" + key + "', but no file is published there (SecIntel " +
            "URLs are absolute: publish SecIntel files at the bucket root, or turn off " +
            "check_manifest_urls when a CDN maps them)");
      }
    }
    return Status::Ok();
  }

  S3PutOptions PutOptionsFor(const Snapshot& snapshot) const {
    S3PutOptions put;
    if (!snapshot.content_type.empty()) put.content_type = snapshot.content_type;
    put.cache_control = options_.cache_control;
    put.metadata[kMetaSha256] = BodySha256(snapshot);
    put.metadata[kMetaEntries] = std::to_string(snapshot.entries);
    if (!snapshot.version.empty()) put.metadata[kMetaVersion] = snapshot.version;
    return put;
  }

  // What is under `key` now: our state, else the object's own metadata (a publisher without a
  // store after a restart). Unknown when neither says.
  // What this key holds: from our state, else from the object's metadata (remembered). Sets
  // `head_failed` when the object exists but is not ours, or HEAD failed (e.g. a 403 when the
  // role lacks s3:ListBucket): the shrink guard must not take that for "never published".
  std::optional<ObjectState> Previous(const std::string& key, bool* head_failed = nullptr) {
    auto it = state_.find(key);
    if (it != state_.end()) return it->second;
    Result<std::optional<S3ObjectInfo>> head = client_->HeadObject(key);
    if (!head.ok() && head_failed != nullptr) *head_failed = true;
    if (!head.ok() || !head->has_value()) return std::nullopt;
    const auto& metadata = (*head)->metadata;
    auto sha = metadata.find(kMetaSha256);
    if (sha == metadata.end() && head_failed != nullptr) *head_failed = true;
    if (sha == metadata.end()) return std::nullopt;
    ObjectState object{sha->second, 0, {}};
    auto entries = metadata.find(kMetaEntries);
    if (entries != metadata.end()) {
      const std::string& text = entries->second;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), object.entries);
      object.entries_known = ec == std::errc() && end == text.data() + text.size();
    }
    state_[key] = object;
    return object;
  }

  // The manifest as published now, read back when our state does not know it (a restart without
  // a store): its feeds matter even when someone else wrote it.
  std::optional<ObjectState> PreviousManifest(const std::string& key) {
    auto it = state_.find(key);
    if (it != state_.end()) return it->second;
    Result<std::string> body = client_->GetObject(key);
    if (!body.ok()) return std::nullopt;
    ManifestInfo info = ParseManifest(*body);
    return ObjectState{Sha256Hex(*body), info.feeds.size(), std::move(info.feeds)};
  }

  Status LoadState() {
    if (loaded_ || store_ == nullptr) return Status::Ok();
    Result<std::optional<std::string>> stored = store_->GetPublisherState(state_key_);
    if (!stored.ok()) return stored.status().WithContext("loading S3 publish state");
    if (stored->has_value()) state_ = DecodeState(**stored);
    loaded_ = true;
    return Status::Ok();
  }

  Status SaveState() {
    if (store_ == nullptr) return Status::Ok();
    return store_->PutPublisherState(state_key_, EncodeState(state_))
        .WithContext("saving S3 publish state");
  }

  Status Combine(const std::vector<Status>& failures, size_t planned,
                 const PublishReport& report) const {
    bool all_refused = std::all_of(failures.begin(), failures.end(), [](const Status& s) {
      return s.code() == Status::Code::kFailedPrecondition;
    });
    std::string message =
        std::to_string(failures.size()) + " of " + std::to_string(planned) + " files not published";
    for (const Status& failure : failures) message += "; " + failure.message();
    message += " (" + std::to_string(report.written.size()) + " written, " +
               std::to_string(report.unchanged.size()) + " unchanged)";
    if (all_refused) return Status::FailedPrecondition(message);
    auto first = std::find_if(failures.begin(), failures.end(), [](const Status& s) {
      return s.code() != Status::Code::kFailedPrecondition;
    });
    return first->code() == Status::Code::kUnavailable ? Status::Unavailable(message)
                                                       : Status::Remote(message);
  }

  std::string Where(const std::string& key) const { return "s3://" + options_.bucket + "/" + key; }

  const S3Options options_;
  const std::unique_ptr<S3Client> client_;
  Store* const store_;
  std::string state_key_;
  bool loaded_ = false;
  PublishState state_;  // by key; the last content published there
};

}  // namespace

std::string S3KeyFor(const S3Options& options, const Snapshot& snapshot) {
  for (const std::string& name : {snapshot.path, snapshot.feed}) {
    auto it = name.empty() ? options.keys.end() : options.keys.find(name);
    if (it != options.keys.end()) return it->second;
  }
  std::string prefix = TrimSlashes(options.prefix);
  return prefix.empty() ? snapshot.path : prefix + "/" + snapshot.path;
}

Result<std::unique_ptr<Publisher>> NewS3Publisher(S3Options options, Store* store) {
  for (const auto& [name, key] : options.keys) {
    if (key.empty() || key.starts_with('/')) {
      return Status::InvalidArgument("S3 key for '" + name +
                                     "' must be non-empty and must not start with '/'");
    }
  }
  if (!(options.max_shrink_fraction >= 0.0 && options.max_shrink_fraction <= 1.0)) {
    return Status::InvalidArgument("S3: max_shrink_fraction must be between 0 and 1");
  }
  Result<std::unique_ptr<S3Client>> client = NewS3Client(options);
  if (!client.ok()) return client.status();
  ShrinkGuardOptions guard{options.max_shrink_fraction, options.force};
  return NewShrinkGuardedPublisher(
      std::make_unique<S3Publisher>(std::move(options), std::move(*client), store), store, guard);
}

}  // namespace guardfeed
