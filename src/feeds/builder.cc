#include "feeds/builder.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "core/hash.h"
#include "core/time_util.h"
#include "feeds/render_util.h"
#include "feeds/renderer.h"
#include "feeds/suppressions.h"

namespace guardfeed {
namespace {

using feeds_internal::AppendInt;

// Incremental SHA-256 over the fields a feed renders, buffered so that a million small fields
// cost a few hundred digest updates rather than a million.
class ContentDigest {
 public:
  ContentDigest() : context_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(context_, EVP_sha256(), nullptr);
    buffer_.reserve(kChunk + 512);
  }
  ~ContentDigest() { EVP_MD_CTX_free(context_); }
  ContentDigest(const ContentDigest&) = delete;
  ContentDigest& operator=(const ContentDigest&) = delete;

  // Fields are NUL-terminated so that ("ab","c") and ("a","bc") differ.
  void AddField(std::string_view field) {
    buffer_ += field;
    buffer_.push_back('\0');
    if (buffer_.size() >= kChunk) Drain();
  }
  void AddNumber(int64_t number) {
    AppendInt(buffer_, number);
    AddField("");
  }
  std::string Finish() {
    Drain();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, out, &length);
    return HexEncode(std::string_view(reinterpret_cast<const char*>(out), length));
  }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  void Drain() {
    EVP_DigestUpdate(context_, buffer_.data(), buffer_.size());
    buffer_.clear();
  }

  EVP_MD_CTX* const context_;
  std::string buffer_;
};

using EntriesPtr = std::shared_ptr<const std::vector<FeedEntry>>;

// The entries one feed publishes, in feed order, shared with the snapshot (Snapshot::
// feed_entries): the builder's own list when the feed takes all of it, else a copy.
struct Selection {
  EntriesPtr entries;
  uint64_t dropped = 0;
};

RankKey RankOf(const FeedEntry& entry) {
  return RankKey{entry.threat_level, entry.last_seen, entry.indicator.value};
}

// `all` is in feed order, so sorting pointers into it by address restores feed order.
Selection Select(const FeedConfig& config, const EntriesPtr& all) {
  std::vector<const FeedEntry*> picked;
  picked.reserve(all->size());
  for (const FeedEntry& entry : *all) {
    if (entry.threat_level >= config.min_threat_level &&
        feeds_internal::FormatPublishes(config, entry.indicator.kind)) {
      picked.push_back(&entry);
    }
  }
  Selection selection;
  if (config.max_entries > 0 && picked.size() > config.max_entries) {
    auto keep_end = picked.begin() + static_cast<std::ptrdiff_t>(config.max_entries);
    std::nth_element(
        picked.begin(), keep_end, picked.end(),
        [](const FeedEntry* a, const FeedEntry* b) { return RanksBefore(RankOf(*a), RankOf(*b)); });
    selection.dropped = picked.size() - config.max_entries;
    picked.erase(keep_end, picked.end());
    std::sort(picked.begin(), picked.end());
  }
  if (picked.size() == all->size()) {
    selection.entries = all;
    return selection;
  }
  auto copy = std::make_shared<std::vector<FeedEntry>>();
  copy->reserve(picked.size());
  for (const FeedEntry* entry : picked) copy->push_back(*entry);
  selection.entries = std::move(copy);
  return selection;
}

// Changes iff the rendered body would change: render options, and per entry exactly the fields
// the format prints (plain prints values only, so a threat level change is no new version).
std::string DigestOf(const FeedConfig& config, const Selection& selection) {
  ContentDigest digest;
  digest.AddField("guardfeed-feed-digest-1");
  digest.AddField(config.name);
  digest.AddField(FormatName(config.format));
  digest.AddNumber((config.aggregate ? 1 : 0) | (config.crlf ? 2 : 0) | (config.header ? 4 : 0));
  digest.AddField(config.confidence);
  digest.AddField(config.product);
  if (config.header) digest.AddNumber(static_cast<int64_t>(selection.dropped));
  const bool levels = config.format != FeedFormat::kPlain;
  const bool details = config.format == FeedFormat::kJson;
  for (const FeedEntry& entry : *selection.entries) {
    digest.AddField(entry.indicator.value);
    if (levels) digest.AddNumber(entry.threat_level);
    if (!details) continue;
    digest.AddNumber(entry.first_seen);
    digest.AddNumber(entry.last_seen);
    digest.AddNumber(entry.expires_at);
    digest.AddNumber(entry.finding_count);
  }
  return digest.Finish();
}

// "YYYYMMDD.N": N counts from 1 within a UTC day. A previous version dated after today (a
// replica's clock ahead of ours) keeps its date so versions never go backwards.
std::string NextSecIntelVersion(const std::string& previous, UnixSeconds now) {
  const std::string today = FormatYyyymmdd(now);
  constexpr size_t kDateLength = 8;
  if (previous.size() > kDateLength + 1 && previous[kDateLength] == '.') {
    std::string_view date(previous.data(), kDateLength);
    std::string_view count(previous.data() + kDateLength + 1, previous.size() - kDateLength - 1);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (ec == std::errc() && end == count.data() + count.size() && n > 0 && date >= today) {
      return std::string(date) + "." + std::to_string(n + 1);
    }
  }
  return today + ".1";
}

// The version a feed's content gets when it changes: SecIntel counts within the UTC day, the
// other formats use the serial.
NextFeedVersion VersionScheme(FeedFormat format) {
  return [format](const FeedState* previous, int64_t serial, UnixSeconds now) {
    return format == FeedFormat::kSecIntel
               ? NextSecIntelVersion(previous != nullptr ? previous->version : "", now)
               : std::to_string(serial);
  };
}

// What AdvanceFeedState would return now, computed from the stored state without writing.
Result<FeedAdvance> PeekFeedState(const FeedConfig& config, const std::string& digest,
                                  UnixSeconds now, Store* store) {
  auto stored = store->GetFeedState(config.name);
  if (!stored.ok()) return stored.status();
  const std::optional<FeedState>& previous = *stored;
  if (previous && previous->content_digest == digest) return FeedAdvance{*previous, false};
  FeedState next;
  next.feed = config.name;
  next.content_digest = digest;
  next.serial = (previous ? previous->serial : 0) + 1;
  next.data_ts = now;
  next.version = VersionScheme(config.format)(previous ? &*previous : nullptr, next.serial, now);
  return FeedAdvance{std::move(next), true};
}

Result<FeedAdvance> VersionFeed(const FeedConfig& config, const std::string& digest,
                                UnixSeconds now, Store* store, Versioning versioning) {
  Result<FeedAdvance> versioned =
      versioning == Versioning::kPeek
          ? PeekFeedState(config, digest, now, store)
          : store->AdvanceFeedState(config.name, digest, now, VersionScheme(config.format));
  if (!versioned.ok()) return versioned.status().WithContext("feed " + config.name);
  return versioned;
}

struct BuiltFeed {
  SnapshotPtr snapshot;
  FeedReport report;
};

Result<BuiltFeed> BuildFeed(const FeedConfig& config, const EntriesPtr& all, UnixSeconds now,
                            Store* store, Versioning versioning) {
  Selection selection = Select(config, all);
  auto versioned = VersionFeed(config, DigestOf(config, selection), now, store, versioning);
  if (!versioned.ok()) return versioned.status();
  const FeedState& state = versioned->state;
  std::unique_ptr<Renderer> renderer = NewRenderer(config.format);
  RenderedFeed rendered =
      renderer->Render(config, *selection.entries, RenderInfo{state.version, selection.dropped});
  Snapshot snapshot;
  snapshot.feed = config.name;
  snapshot.path = renderer->FileName(config);
  snapshot.content_type = renderer->ContentType();
  snapshot.body = std::move(rendered.body);
  snapshot.entries = rendered.entries;
  snapshot.dropped = selection.dropped;
  snapshot.version = state.version;
  snapshot.data_ts = state.data_ts;
  snapshot.feed_entries = std::move(selection.entries);
  FeedReport report{config.name, rendered.entries, selection.dropped, state.version,
                    versioned->changed};
  return BuiltFeed{MakeSnapshot(std::move(snapshot)), std::move(report)};
}

// Active, unsuppressed indicators as feed entries, in feed order.
Result<EntriesPtr> LoadEntries(Store* store, const Policy& policy, UnixSeconds now) {
  auto records = store->ActiveIndicators(now);
  if (!records.ok()) return records.status();
  auto suppressions = Suppressions::Load(policy, *store);
  if (!suppressions.ok()) return suppressions.status();
  auto entries = std::make_shared<std::vector<FeedEntry>>();
  entries->reserve(records->size());
  for (IndicatorRecord& record : *records) {
    if (suppressions->Why(record.indicator)) continue;
    FeedEntry entry;
    if (record.indicator.kind != IndicatorKind::kDomain) {
      auto address = ParseIpAddress(record.indicator.value);
      if (!address.ok()) continue;  // Suppression already refuses these; never list garbage
      entry.address = *address;
    }
    entry.indicator = std::move(record.indicator);
    entry.threat_level = Policy::ThreatLevel(record.max_severity);
    entry.first_seen = record.first_seen;
    entry.last_seen = record.last_seen;
    entry.expires_at = record.expires_at;
    entry.finding_count = record.finding_count;
    entries->push_back(std::move(entry));
  }
  std::sort(entries->begin(), entries->end(), feeds_internal::FeedOrderLess);
  return EntriesPtr(std::move(entries));
}

// cc_schema and manifest.xml, appended after every data file (the manifest last).
void AppendSecIntelFiles(const std::vector<ManifestFeed>& feeds, const SecIntelOptions& options,
                         FeedSet* set) {
  Snapshot schema;
  schema.path = "cc_schema";
  schema.content_type = "application/xml";
  schema.body = SecIntelCcSchema();
  schema.version = kSecIntelSchemaVersion;
  set->files.push_back(MakeSnapshot(std::move(schema)));

  Snapshot manifest;
  manifest.path = "manifest.xml";
  manifest.content_type = "application/xml";
  manifest.body = RenderSecIntelManifest(feeds, options);
  for (const ManifestFeed& feed : feeds) {
    if (feed.objects == 0) continue;
    ++manifest.entries;
    manifest.data_ts = std::max(manifest.data_ts, feed.data_ts);
  }
  set->files.push_back(MakeSnapshot(std::move(manifest)));
}

}  // namespace

FeedBuilder::FeedBuilder(std::vector<FeedConfig> feeds, SecIntelOptions secintel,
                         const Policy* policy, Store* store, const Clock* clock)
    : feeds_(std::move(feeds)),
      secintel_(secintel),
      policy_(policy),
      store_(store),
      clock_(clock) {}

FeedBuilder::~FeedBuilder() = default;

// The SecIntel manifest lists every SecIntel feed, so it (with cc_schema) is produced only by a
// full build; a build of one feed returns just that feed's file.
Result<BuildResult> FeedBuilder::Build(std::string_view only, Versioning versioning) {
  const UnixSeconds now = clock_->Now();
  auto entries = LoadEntries(store_, *policy_, now);
  if (!entries.ok()) return entries.status();
  BuildResult result;
  result.set.generated_at = now;
  std::vector<ManifestFeed> manifest_feeds;
  bool any_secintel = false;
  for (const FeedConfig& config : feeds_) {
    if (!only.empty() && config.name != only) continue;
    auto built = BuildFeed(config, *entries, now, store_, versioning);
    if (!built.ok()) return built.status();
    const Snapshot& file = *built->snapshot;
    if (config.format == FeedFormat::kSecIntel) {
      any_secintel = true;
      manifest_feeds.push_back(ManifestFeed{config.name,
                                            std::string(feeds_internal::SecIntelTypes(config)),
                                            file.version, file.data_ts, file.entries});
    }
    result.set.files.push_back(std::move(built->snapshot));
    result.reports.push_back(std::move(built->report));
  }
  if (!only.empty() && result.reports.empty()) {
    return Status::NotFound("no feed named '" + std::string(only) + "'");
  }
  if (any_secintel && only.empty()) AppendSecIntelFiles(manifest_feeds, secintel_, &result.set);
  return result;
}

}  // namespace guardfeed
