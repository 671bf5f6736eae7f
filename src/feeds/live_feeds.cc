#include "feeds/live_feeds.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <queue>

#include "core/hash.h"
#include "feeds/entry_index.h"
#include "feeds/feed_version.h"
#include "feeds/fingerprint.h"
#include "feeds/render_util.h"
#include "feeds/renderer.h"
#include "feeds/suppressions.h"

namespace guardfeed {
namespace {

using feeds_internal::AppendInt;
using feeds_internal::EntryId;
using feeds_internal::EntryPool;
using feeds_internal::FeedOrderLess;
using feeds_internal::Fingerprint;
using feeds_internal::FingerprintOf;
using feeds_internal::Printed;
using feeds_internal::PrintedBy;
using feeds_internal::RankIndex;
using feeds_internal::RankLess;

// Feed-order blocks are split in two above this many entries; a re-render touches one block.
constexpr size_t kMaxBlock = 1024;
// Entry classes: the three indicator kinds, then the same kinds of containment entries (only
// IPv4 and IPv6 occur). A feed publishes attacker classes or containment classes, never both.
constexpr size_t kKinds = 6;
constexpr size_t kContainmentClasses = 3;

size_t ClassIndex(IndicatorKind kind, bool containment) {
  return static_cast<size_t>(kind) + (containment ? kContainmentClasses : 0);
}
size_t ClassOf(const FeedEntry& entry) {
  return ClassIndex(entry.indicator.kind, entry.containment);
}

bool SameFields(const FeedEntry& a, const FeedEntry& b) {
  return a.threat_level == b.threat_level && a.first_seen == b.first_seen &&
         a.last_seen == b.last_seen && a.expires_at == b.expires_at &&
         a.finding_count == b.finding_count;
}

// The feed entry of a stored indicator; false for an address that does not parse (Suppression
// refuses those too: never list garbage). A containment entry becomes its plain address, marked
// `containment`: this is the one place the "instance:" keyspace turns into feed values.
bool ToEntry(const IndicatorRecord& record, FeedEntry* entry) {
  entry->containment = IsContainment(record.indicator);
  entry->indicator = entry->containment ? ContainmentAddress(record.indicator) : record.indicator;
  if (entry->indicator.kind != IndicatorKind::kDomain) {
    auto address = ParseIpAddress(entry->indicator.value);
    if (!address.ok()) {
      entry->indicator.value.clear();
      return false;
    }
    entry->address = *address;
  }
  entry->threat_level = Policy::ThreatLevel(record.max_severity);
  entry->first_seen = record.first_seen;
  entry->last_seen = record.last_seen;
  entry->expires_at = record.expires_at;
  entry->finding_count = record.finding_count;
  return true;
}

// One feed's text within one block: its length in the feed's last body (0: none there) and
// whether it must be rendered again (else it is copied from that body).
struct BlockText {
  uint32_t bytes = 0;
  bool dirty = true;
};

struct Block {
  std::vector<EntryId> ids;     // feed order
  std::vector<BlockText> text;  // per feed
};

struct Feed {
  FeedConfig config;
  std::unique_ptr<Renderer> renderer;
  std::array<bool, kKinds> publishes{};
  Printed printed = Printed::kAll;

  // The selection: entries of a published kind at min_threat_level or above are eligible; a
  // capped feed keeps those ranking at or before `last_kept`.
  uint64_t eligible = 0;
  uint64_t count = 0;
  Fingerprint sum;  // over the entries kept
  // Plain feeds print no threat levels, but their entry lists (Snapshot::feed_entries, pushed
  // by ATP Cloud) carry them: a level change gives a new snapshot with the same body.
  Fingerprint levels;
  Fingerprint rendered_levels;
  std::optional<EntryId> last_kept;
  bool dirty = true;  // the selection changed since the last render

  // The last render.
  SnapshotPtr snapshot;
  std::string digest;
  size_t head_bytes = 0;     // where the entries start in snapshot->body
  size_t entries_bytes = 0;  // their length
  bool report_changed = false;

  bool capped() const { return config.max_entries > 0; }
  void Add(const FeedEntry& entry) {
    sum.Add(FingerprintOf(entry, printed));
    if (printed == Printed::kValues) levels.Add(FingerprintOf(entry, Printed::kLevels));
  }
  void Subtract(const FeedEntry& entry) {
    sum.Subtract(FingerprintOf(entry, printed));
    if (printed == Printed::kValues) levels.Subtract(FingerprintOf(entry, Printed::kLevels));
  }
  uint64_t dropped() const { return capped() ? eligible - count : 0; }
};

}  // namespace

struct LiveFeeds::State {
  State(std::vector<FeedConfig> configs, SecIntelOptions secintel_options, const Policy* p,
        Store* s, const Clock* c);

  // Entries and indexes.
  bool Eligible(const Feed& feed, const FeedEntry& entry) const;
  bool InFeed(const Feed& feed, const FeedEntry& entry) const;
  std::optional<EntryId> Before(const Feed& feed, const FeedEntry& key) const;
  std::optional<EntryId> After(const Feed& feed, const FeedEntry& key) const;
  struct Location {
    size_t block;
    size_t index;
    bool found;
  };
  Location Locate(const FeedEntry& key) const;
  void MarkDirty(EntryId id, size_t feed);
  void Insert(FeedEntry entry);
  void Remove(EntryId id);
  void InsertOrdered(EntryId id);
  void EraseOrdered(EntryId id);
  void AddToFeeds(EntryId id);
  void RemoveFromFeeds(EntryId id);
  void Upsert(const ChangedIndicator& change, UnixSeconds now);
  void ExpireUntil(UnixSeconds now);
  void Load(std::vector<IndicatorRecord> records);
  // Every entry's fingerprint per kind of printed fields, computed once for all feeds.
  using Prints = std::array<std::vector<Fingerprint>, 3>;
  const std::vector<Fingerprint>& PrintsOf(Printed printed, Prints& prints) const;
  void SelectAll(Feed& feed, Prints& prints);

  // Rendering.
  std::string DigestOf(const Feed& feed) const;
  Status RenderFeed(Feed& feed, size_t index, UnixSeconds now, Versioning versioning);
  std::string Assemble(Feed& feed, size_t index, const RenderInfo& info);
  std::vector<FeedEntry> EntriesOf(const Feed& feed) const;
  void AppendSecIntelFiles(BuildResult& result);

  std::vector<Feed> feeds;
  const SecIntelOptions secintel;
  const Policy* const policy;
  Store* const store;
  const Clock* const clock;
  bool entry_lists = false;

  EntryPool pool;
  // Rank order is kept only for the kinds some capped feed publishes.
  std::array<bool, kKinds> ranked{};
  std::array<RankIndex, kKinds> ranks;
  std::vector<Block> blocks;
  using Expiry = std::pair<UnixSeconds, EntryId>;
  // Lazily cleaned: an item whose entry is gone or now expires at another time is skipped.
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiry;
  std::optional<Suppressions> suppressions;
  bool loaded = false;
  int64_t counter = 0;

  SnapshotPtr cc_schema;
  SnapshotPtr manifest;
  std::vector<SnapshotPtr> manifest_inputs;  // the SecIntel data files `manifest` lists
};

LiveFeeds::State::State(std::vector<FeedConfig> configs, SecIntelOptions secintel_options,
                        const Policy* p, Store* s, const Clock* c)
    : secintel(secintel_options), policy(p), store(s), clock(c), ranks{RankIndex(&pool),
                                                                       RankIndex(&pool),
                                                                       RankIndex(&pool),
                                                                       RankIndex(&pool),
                                                                       RankIndex(&pool),
                                                                       RankIndex(&pool)} {
  for (FeedConfig& config : configs) {
    Feed feed;
    feed.renderer = NewRenderer(config.format);
    for (IndicatorKind kind :
         {IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}) {
      feed.publishes[ClassIndex(kind, config.containment)] =
          feeds_internal::FormatPublishes(config, kind);
    }
    feed.printed = PrintedBy(config.format);
    for (size_t kind = 0; kind < kKinds; ++kind) {
      ranked[kind] = ranked[kind] || (config.max_entries > 0 && feed.publishes[kind]);
    }
    feed.config = std::move(config);
    feeds.push_back(std::move(feed));
  }
}

bool LiveFeeds::State::Eligible(const Feed& feed, const FeedEntry& entry) const {
  return feed.publishes[ClassOf(entry)] && entry.threat_level >= feed.config.min_threat_level;
}

bool LiveFeeds::State::InFeed(const Feed& feed, const FeedEntry& entry) const {
  if (!Eligible(feed, entry)) return false;
  if (!feed.capped()) return true;
  return feed.last_kept && !RankLess(pool[*feed.last_kept], entry);
}

// Rank order restricted to one feed merges the kinds it publishes. Whatever ranks before an
// eligible entry is eligible too: the threat level is the first rank key.
std::optional<EntryId> LiveFeeds::State::Before(const Feed& feed, const FeedEntry& key) const {
  std::optional<EntryId> best;
  for (size_t kind = 0; kind < kKinds; ++kind) {
    if (!feed.publishes[kind]) continue;
    std::optional<EntryId> candidate = ranks[kind].Before(key);
    if (candidate && (!best || RankLess(pool[*best], pool[*candidate]))) best = candidate;
  }
  return best;
}

std::optional<EntryId> LiveFeeds::State::After(const Feed& feed, const FeedEntry& key) const {
  std::optional<EntryId> best;
  for (size_t kind = 0; kind < kKinds; ++kind) {
    if (!feed.publishes[kind]) continue;
    std::optional<EntryId> candidate = ranks[kind].After(key);
    if (!candidate || pool[*candidate].threat_level < feed.config.min_threat_level) continue;
    if (!best || RankLess(pool[*candidate], pool[*best])) best = candidate;
  }
  return best;
}

LiveFeeds::State::Location LiveFeeds::State::Locate(const FeedEntry& key) const {
  auto block = std::partition_point(blocks.begin(), blocks.end(), [&](const Block& b) {
    return FeedOrderLess(pool[b.ids.back()], key);
  });
  if (block == blocks.end()) return {blocks.size(), 0, false};
  auto in = std::partition_point(block->ids.begin(), block->ids.end(),
                                 [&](EntryId id) { return FeedOrderLess(pool[id], key); });
  bool found = in != block->ids.end() && !FeedOrderLess(key, pool[*in]);
  return {static_cast<size_t>(block - blocks.begin()), static_cast<size_t>(in - block->ids.begin()),
          found};
}

void LiveFeeds::State::MarkDirty(EntryId id, size_t feed) {
  Location at = Locate(pool[id]);
  if (at.found) blocks[at.block].text[feed].dirty = true;
  feeds[feed].dirty = true;
}

void LiveFeeds::State::InsertOrdered(EntryId id) {
  if (blocks.empty()) {
    blocks.push_back(Block{{id}, std::vector<BlockText>(feeds.size())});
    return;
  }
  Location at = Locate(pool[id]);
  if (at.block == blocks.size()) at = {blocks.size() - 1, blocks.back().ids.size(), false};
  Block& block = blocks[at.block];
  block.ids.insert(block.ids.begin() + static_cast<std::ptrdiff_t>(at.index), id);
  if (block.ids.size() <= kMaxBlock) return;
  // The first half keeps the old text (its length covers both halves in the last body); both
  // halves render again.
  Block upper{std::vector<EntryId>(block.ids.begin() + kMaxBlock / 2, block.ids.end()),
              std::vector<BlockText>(feeds.size())};
  block.ids.resize(kMaxBlock / 2);
  for (BlockText& text : block.text) text.dirty = true;
  blocks.insert(blocks.begin() + static_cast<std::ptrdiff_t>(at.block) + 1, std::move(upper));
}

void LiveFeeds::State::EraseOrdered(EntryId id) {
  Location at = Locate(pool[id]);
  if (!at.found) return;
  Block& block = blocks[at.block];
  block.ids.erase(block.ids.begin() + static_cast<std::ptrdiff_t>(at.index));
  if (!block.ids.empty()) return;
  // The neighbour takes over the empty block's text in the last body (and renders again), so
  // the offsets of the blocks after it stay right.
  if (blocks.size() > 1) {
    Block& neighbour = blocks[at.block > 0 ? at.block - 1 : at.block + 1];
    for (size_t f = 0; f < feeds.size(); ++f) {
      const uint32_t gone = block.text[f].bytes;
      BlockText& text = neighbour.text[f];
      const auto separator = static_cast<uint32_t>(feeds[f].renderer->Separator().size());
      if (gone > 0 && text.bytes > 0) text.bytes += separator;
      text.bytes += gone;
      text.dirty = true;
    }
  }
  blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(at.block));
}

// Called with the entry already in the rank index and the blocks.
void LiveFeeds::State::AddToFeeds(EntryId id) {
  const FeedEntry& entry = pool[id];
  for (size_t f = 0; f < feeds.size(); ++f) {
    Feed& feed = feeds[f];
    if (!Eligible(feed, entry)) continue;
    ++feed.eligible;
    if (feed.capped() && feed.count == feed.config.max_entries) {
      const EntryId last = *feed.last_kept;
      if (!RankLess(entry, pool[last])) {  // dropped: only a header's count changes
        feed.dirty = feed.dirty || feed.config.header;
        continue;
      }
      feed.Subtract(pool[last]);
      MarkDirty(last, f);
      feed.last_kept = Before(feed, pool[last]);
    } else {
      ++feed.count;
      if (feed.capped() && (!feed.last_kept || RankLess(pool[*feed.last_kept], entry))) {
        feed.last_kept = id;
      }
    }
    feed.Add(entry);
    MarkDirty(id, f);
  }
}

// Called with the entry still in the rank index and the blocks.
void LiveFeeds::State::RemoveFromFeeds(EntryId id) {
  const FeedEntry& entry = pool[id];
  for (size_t f = 0; f < feeds.size(); ++f) {
    Feed& feed = feeds[f];
    if (!Eligible(feed, entry)) continue;
    const bool kept = InFeed(feed, entry);
    --feed.eligible;
    if (!kept) {
      feed.dirty = feed.dirty || feed.config.header;
      continue;
    }
    --feed.count;
    feed.Subtract(entry);
    MarkDirty(id, f);
    if (!feed.capped()) continue;
    if (feed.eligible > feed.count) {  // the best-ranked dropped entry moves up
      std::optional<EntryId> next = After(feed, pool[*feed.last_kept]);
      if (next) {
        ++feed.count;
        feed.Add(pool[*next]);
        feed.last_kept = next;
        MarkDirty(*next, f);
      }
    } else if (*feed.last_kept == id) {
      feed.last_kept = Before(feed, entry);
    }
    if (feed.count == 0) feed.last_kept.reset();
  }
}

void LiveFeeds::State::Insert(FeedEntry entry) {
  const UnixSeconds expires_at = entry.expires_at;
  const size_t kind = ClassOf(entry);
  const EntryId id = pool.Add(std::move(entry));
  if (ranked[kind]) ranks[kind].Insert(id);
  InsertOrdered(id);
  expiry.emplace(expires_at, id);
  AddToFeeds(id);
}

void LiveFeeds::State::Remove(EntryId id) {
  RemoveFromFeeds(id);
  const size_t kind = ClassOf(pool[id]);
  if (ranked[kind]) ranks[kind].Erase(id);
  EraseOrdered(id);
  pool.Free(id);
}

void LiveFeeds::State::Upsert(const ChangedIndicator& change, UnixSeconds now) {
  const IndicatorRecord& record = change.record;
  FeedEntry entry;
  bool keep = ToEntry(record, &entry) && !change.removed && record.expires_at > now &&
              !suppressions->Why(record.indicator);
  if (!keep && entry.indicator.value.empty()) return;  // unparseable: never held
  Location at = Locate(entry);
  if (at.found) {
    const EntryId id = blocks[at.block].ids[at.index];
    if (keep && SameFields(pool[id], entry)) return;
    Remove(id);
  }
  if (keep) Insert(std::move(entry));
}

void LiveFeeds::State::ExpireUntil(UnixSeconds now) {
  while (!expiry.empty() && expiry.top().first <= now) {
    auto [at, id] = expiry.top();
    expiry.pop();
    if (pool.Live(id) && pool[id].expires_at == at) Remove(id);
  }
  // Every update leaves its old item behind; rebuild once they outnumber the live ones.
  if (expiry.size() > 2 * pool.size() + 1024) {
    std::vector<Expiry> items;
    items.reserve(pool.size());
    for (EntryId id = 0; id < pool.end(); ++id) {
      if (pool.Live(id)) items.emplace_back(pool[id].expires_at, id);
    }
    expiry = decltype(expiry)(std::greater<>(), std::move(items));
  }
}

// The whole selection of one feed from scratch (after a load).
void LiveFeeds::State::SelectAll(Feed& feed, Prints& prints) {
  feed.eligible = feed.count = 0;
  feed.sum = feed.levels = Fingerprint{};
  feed.last_kept.reset();
  feed.dirty = true;
  if (feed.capped()) {
    std::vector<EntryId> top;
    for (size_t kind = 0; kind < kKinds; ++kind) {
      if (!feed.publishes[kind]) continue;
      for (EntryId id : ranks[kind].Top(feed.config.max_entries)) {
        if (pool[id].threat_level >= feed.config.min_threat_level) top.push_back(id);
      }
    }
    auto rank_less = [this](EntryId a, EntryId b) { return RankLess(pool[a], pool[b]); };
    std::sort(top.begin(), top.end(), rank_less);
    if (top.size() > feed.config.max_entries) top.resize(feed.config.max_entries);
    if (!top.empty()) feed.last_kept = top.back();
  }
  const std::vector<Fingerprint>& printed = PrintsOf(feed.printed, prints);
  const std::vector<Fingerprint>* levels =
      feed.printed == Printed::kValues ? &PrintsOf(Printed::kLevels, prints) : nullptr;
  for (const Block& block : blocks) {
    for (EntryId id : block.ids) {
      const FeedEntry& entry = pool[id];
      if (!Eligible(feed, entry)) continue;
      ++feed.eligible;
      if (!InFeed(feed, entry)) continue;
      ++feed.count;
      feed.sum.Add(printed[id]);
      if (levels != nullptr) feed.levels.Add((*levels)[id]);
    }
  }
}

const std::vector<Fingerprint>& LiveFeeds::State::PrintsOf(Printed printed, Prints& prints) const {
  std::vector<Fingerprint>& of = prints[static_cast<size_t>(printed)];
  if (of.empty()) {
    of.resize(pool.end());
    for (EntryId id = 0; id < pool.end(); ++id) {
      if (pool.Live(id)) of[id] = FingerprintOf(pool[id], printed);
    }
  }
  return of;
}

void LiveFeeds::State::Load(std::vector<IndicatorRecord> records) {
  pool.Clear();
  pool.Reserve(records.size());
  blocks.clear();
  std::vector<Expiry> items;
  items.reserve(records.size());
  std::array<std::vector<EntryId>, kKinds> by_kind;
  for (IndicatorRecord& record : records) {
    if (suppressions->Why(record.indicator)) continue;
    FeedEntry entry;
    if (!ToEntry(record, &entry)) continue;
    const size_t kind = ClassOf(entry);
    const UnixSeconds expires_at = entry.expires_at;
    const EntryId id = pool.Add(std::move(entry));
    by_kind[kind].push_back(id);
    items.emplace_back(expires_at, id);
  }
  records = {};
  expiry = decltype(expiry)(std::greater<>(), std::move(items));
  std::vector<EntryId> order;
  order.reserve(pool.size());
  for (size_t kind = 0; kind < kKinds; ++kind) {
    order.insert(order.end(), by_kind[kind].begin(), by_kind[kind].end());
    if (!ranked[kind]) continue;
    std::sort(by_kind[kind].begin(), by_kind[kind].end(),
              [this](EntryId a, EntryId b) { return RankLess(pool[a], pool[b]); });
    ranks[kind].Assign(by_kind[kind]);
  }
  std::sort(order.begin(), order.end(),
            [this](EntryId a, EntryId b) { return FeedOrderLess(pool[a], pool[b]); });
  for (size_t at = 0; at < order.size(); at += kMaxBlock / 2) {
    size_t end = std::min(order.size(), at + kMaxBlock / 2);
    blocks.push_back(Block{std::vector<EntryId>(order.begin() + static_cast<std::ptrdiff_t>(at),
                                                order.begin() + static_cast<std::ptrdiff_t>(end)),
                           std::vector<BlockText>(feeds.size())});
  }
  Prints prints;
  for (Feed& feed : feeds) SelectAll(feed, prints);
  loaded = true;
}

// Changes iff the rendered body would change: render options, the cap's dropped count where a
// header prints it, and per entry exactly the fields the format prints.
std::string LiveFeeds::State::DigestOf(const Feed& feed) const {
  const FeedConfig& config = feed.config;
  std::string text = "guardfeed-feed-digest-2";
  for (std::string_view field :
       {std::string_view(config.name), FormatName(config.format),
        std::string_view(config.confidence), std::string_view(config.product)}) {
    text.push_back('\0');
    text += field;
  }
  // Only containment feeds add this, so the other feeds' digests (and versions) stay as they were.
  if (config.containment) {
    text.push_back('\0');
    text += "containment";
  }
  for (int64_t number :
       {int64_t{(config.aggregate ? 1 : 0) | (config.crlf ? 2 : 0) | (config.header ? 4 : 0)},
        config.header ? static_cast<int64_t>(feed.dropped()) : int64_t{0},
        static_cast<int64_t>(feed.count), static_cast<int64_t>(feed.sum.a),
        static_cast<int64_t>(feed.sum.b)}) {
    text.push_back('\0');
    AppendInt(text, number);
  }
  return Sha256Hex(text);
}

// A capped feed's entries are the top of its kinds' rank orders: read there and sorted, rather
// than found among all the entries held.
std::vector<FeedEntry> LiveFeeds::State::EntriesOf(const Feed& feed) const {
  std::vector<EntryId> ids;
  ids.reserve(feed.count);
  if (feed.capped()) {
    for (size_t kind = 0; kind < kKinds; ++kind) {
      if (!feed.publishes[kind]) continue;
      for (EntryId id : ranks[kind].Top(feed.config.max_entries)) {
        if (InFeed(feed, pool[id])) ids.push_back(id);
      }
    }
    std::sort(ids.begin(), ids.end(),
              [this](EntryId a, EntryId b) { return FeedOrderLess(pool[a], pool[b]); });
  } else {
    for (const Block& block : blocks) {
      for (EntryId id : block.ids) {
        if (InFeed(feed, pool[id])) ids.push_back(id);
      }
    }
  }
  std::vector<FeedEntry> entries;
  entries.reserve(ids.size());
  for (EntryId id : ids) entries.push_back(pool[id]);
  return entries;
}

// Head, then per block either its text copied from the last body or rendered again, then tail.
std::string LiveFeeds::State::Assemble(Feed& feed, size_t index, const RenderInfo& info) {
  const Renderer& renderer = *feed.renderer;
  const std::string_view separator = renderer.Separator();
  const std::string_view last = feed.snapshot ? std::string_view(feed.snapshot->body) : "";
  // The blocks' recorded lengths must add up to the last body's entries; if not (never, unless
  // this code has a bug), render everything rather than copy wrong bytes.
  size_t recorded = 0;
  for (const Block& block : blocks) {
    uint32_t bytes = block.text[index].bytes;
    if (bytes > 0) recorded += (recorded > 0 ? separator.size() : 0) + bytes;
  }
  const bool trust_last = feed.snapshot && recorded == feed.entries_bytes &&
                          feed.head_bytes + feed.entries_bytes <= last.size();
  std::string out;
  out.reserve(last.size() + 4096);
  renderer.AppendHead(feed.config, info, feed.count, out);
  const size_t head = out.size();
  size_t last_at = feed.head_bytes;
  bool last_first = true;
  for (Block& block : blocks) {
    BlockText& text = block.text[index];
    size_t copy_from = last_at;
    if (text.bytes > 0) {
      if (!last_first) copy_from += separator.size();
      last_at = copy_from + text.bytes;
      last_first = false;
    }
    const size_t mark = out.size();
    if (mark > head) out += separator;
    const size_t text_at = out.size();
    if (text.dirty || !trust_last) {
      bool any = false;
      for (EntryId id : block.ids) {
        const FeedEntry& entry = pool[id];
        if (!InFeed(feed, entry)) continue;
        if (any) out += separator;
        renderer.AppendEntry(feed.config, entry, out);
        any = true;
      }
    } else if (text.bytes > 0) {
      out.append(last.substr(copy_from, text.bytes));
    }
    const size_t bytes = out.size() - text_at;
    if (bytes == 0) out.resize(mark);
    text.bytes = static_cast<uint32_t>(bytes);
    text.dirty = false;
  }
  feed.head_bytes = head;
  feed.entries_bytes = out.size() - head;
  renderer.AppendTail(feed.config, feed.count, out);
  return out;
}

Status LiveFeeds::State::RenderFeed(Feed& feed, size_t index, UnixSeconds now,
                                    Versioning versioning) {
  feed.dirty = false;
  std::string digest = DigestOf(feed);
  if (feed.snapshot && digest == feed.digest) {
    if (!entry_lists || feed.levels == feed.rendered_levels) return Status::Ok();
    auto relisted = std::make_shared<Snapshot>(*feed.snapshot);
    relisted->feed_entries = std::make_shared<const std::vector<FeedEntry>>(EntriesOf(feed));
    feed.snapshot = std::move(relisted);
    feed.rendered_levels = feed.levels;
    return Status::Ok();
  }
  auto versioned = feeds_internal::VersionFeed(feed.config, digest, now, store, versioning);
  if (!versioned.ok()) {
    feed.dirty = true;
    return versioned.status();
  }
  const FeedState& state = versioned->state;
  RenderInfo info{state.version, feed.dropped()};
  Snapshot snapshot;
  snapshot.feed = feed.config.name;
  snapshot.path = feed.renderer->FileName(feed.config);
  snapshot.content_type = feed.renderer->ContentType();
  snapshot.format = feed.config.format;
  std::vector<FeedEntry> entries;
  if (entry_lists || !feed.renderer->Splits(feed.config)) entries = EntriesOf(feed);
  if (feed.renderer->Splits(feed.config)) {
    snapshot.body = Assemble(feed, index, info);
    snapshot.entries = feed.count;
  } else {
    RenderedFeed rendered = feed.renderer->Render(feed.config, entries, info);
    snapshot.body = std::move(rendered.body);
    snapshot.entries = rendered.entries;
  }
  snapshot.dropped = feed.dropped();
  snapshot.version = state.version;
  snapshot.data_ts = state.data_ts;
  if (entry_lists) {
    snapshot.feed_entries = std::make_shared<const std::vector<FeedEntry>>(std::move(entries));
  }
  if (snapshot.body.size() >= kDerivedEtagMinBytes) {
    // The digest covers the configuration and every printed field, the version the rest.
    std::string tag = "guardfeed-etag-1";
    for (const std::string* field : {&digest, &snapshot.version, &snapshot.path}) {
      tag.push_back('\0');
      tag += *field;
    }
    snapshot.etag = "\"" + Sha256Hex(tag) + "\"";
    feed.snapshot = std::make_shared<const Snapshot>(std::move(snapshot));
  } else {
    feed.snapshot = MakeSnapshot(std::move(snapshot));
  }
  feed.digest = std::move(digest);
  feed.rendered_levels = feed.levels;
  feed.report_changed = versioned->changed;
  return Status::Ok();
}

// cc_schema and manifest.xml after the data files (the manifest last); rebuilt only when a
// SecIntel data file changed.
void LiveFeeds::State::AppendSecIntelFiles(BuildResult& result) {
  std::vector<SnapshotPtr> inputs;
  std::vector<ManifestFeed> listed;
  for (const Feed& feed : feeds) {
    if (feed.config.format != FeedFormat::kSecIntel) continue;
    inputs.push_back(feed.snapshot);
    listed.push_back(
        ManifestFeed{feed.config.name, std::string(feeds_internal::SecIntelTypes(feed.config)),
                     feed.snapshot->version, feed.snapshot->data_ts, feed.snapshot->entries});
  }
  if (inputs.empty()) return;
  if (!cc_schema) {
    Snapshot schema;
    schema.path = "cc_schema";
    schema.content_type = "application/xml";
    schema.format = FeedFormat::kSecIntel;
    schema.body = SecIntelCcSchema();
    schema.version = kSecIntelSchemaVersion;
    cc_schema = MakeSnapshot(std::move(schema));
  }
  if (!manifest || inputs != manifest_inputs) {
    Snapshot built;
    built.path = std::string(kManifestPath);
    built.content_type = "application/xml";
    built.format = FeedFormat::kSecIntel;
    built.body = RenderSecIntelManifest(listed, secintel);
    for (const ManifestFeed& feed : listed) {
      if (feed.objects == 0) continue;
      ++built.entries;
      built.data_ts = std::max(built.data_ts, feed.data_ts);
    }
    manifest = MakeSnapshot(std::move(built));
    manifest_inputs = std::move(inputs);
  }
  result.set.files.push_back(cc_schema);
  result.set.files.push_back(manifest);
}

LiveFeeds::LiveFeeds(std::vector<FeedConfig> feeds, SecIntelOptions secintel, const Policy* policy,
                     Store* store, const Clock* clock)
    : state_(std::make_unique<State>(std::move(feeds), secintel, policy, store, clock)) {}

LiveFeeds::~LiveFeeds() = default;

void LiveFeeds::KeepEntryLists(bool keep) { state_->entry_lists = keep; }

Status LiveFeeds::Reload() {
  State& s = *state_;
  auto counter = s.store->ChangeCounter();
  if (!counter.ok()) return counter.status();
  const UnixSeconds now = s.clock->Now();
  auto records = s.store->ActiveIndicators(now);
  if (!records.ok()) return records.status();
  auto suppressions = Suppressions::Load(*s.policy, *s.store);
  if (!suppressions.ok()) return suppressions.status();
  s.suppressions = std::move(suppressions).value();
  s.Load(std::move(records).value());
  s.counter = *counter;
  return Status::Ok();
}

Status LiveFeeds::Update() {
  State& s = *state_;
  if (!s.loaded) return Reload();
  auto changes = s.store->ChangesSince(s.counter);
  if (!changes.ok()) return changes.status();
  if (changes->reset || changes->allowlist_changed) return Reload();
  const UnixSeconds now = s.clock->Now();
  for (const ChangedIndicator& change : changes->indicators) s.Upsert(change, now);
  s.counter = changes->counter;
  s.ExpireUntil(now);
  return Status::Ok();
}

Result<BuildResult> LiveFeeds::Render(Versioning versioning) {
  State& s = *state_;
  if (!s.loaded) GF_RETURN_IF_ERROR(Reload());
  const UnixSeconds now = s.clock->Now();
  for (size_t f = 0; f < s.feeds.size(); ++f) {
    Feed& feed = s.feeds[f];
    if (feed.dirty || !feed.snapshot) GF_RETURN_IF_ERROR(s.RenderFeed(feed, f, now, versioning));
  }
  BuildResult result;
  result.set.generated_at = now;
  for (Feed& feed : s.feeds) {
    result.set.files.push_back(feed.snapshot);
    result.reports.push_back(FeedReport{feed.config.name, feed.snapshot->entries, feed.dropped(),
                                        feed.snapshot->version, feed.report_changed});
    feed.report_changed = false;
  }
  s.AppendSecIntelFiles(result);
  return result;
}

Result<bool> LiveFeeds::SyncVersions() {
  State& s = *state_;
  bool marked = false;
  for (Feed& feed : s.feeds) {
    if (!feed.snapshot) continue;
    Result<std::optional<FeedState>> stored = s.store->GetFeedState(feed.config.name);
    if (!stored.ok()) return stored.status().WithContext("feed " + feed.config.name);
    // Only the same content is adopted. A different stored content is either newer (this
    // process catches up with its next update) or another configuration's (replicas in the
    // middle of a rolling reload): versioning ours again would make them outbid each other.
    // Content versioned late from an older state is overtaken by its own writer, which renders
    // the current content next and versions that anew.
    if (!stored->has_value() || (*stored)->content_digest != feed.digest ||
        (*stored)->version == feed.snapshot->version) {
      continue;
    }
    feed.dirty = true;
    feed.digest.clear();  // version it again (adopting the stored version) though unchanged
    marked = true;
  }
  return marked;
}

std::optional<UnixSeconds> LiveFeeds::NextExpiry() {
  State& s = *state_;
  while (!s.expiry.empty()) {
    auto [at, id] = s.expiry.top();
    if (s.pool.Live(id) && s.pool[id].expires_at == at) return at;
    s.expiry.pop();
  }
  return std::nullopt;
}

size_t LiveFeeds::size() const { return state_->pool.size(); }

int64_t LiveFeeds::counter() const { return state_->counter; }

}  // namespace guardfeed
