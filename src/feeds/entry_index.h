// Internal to feeds/: the in-memory structures behind LiveFeeds. Entries live in an EntryPool
// and are named by a stable EntryId; ordered views hold ids in blocks of at most a few hundred
// (a two-level B-tree: binary search over blocks, then within one), so an insert or erase costs
// O(log n) comparisons plus a short memmove and 4 bytes per entry per view.
//
// Thread safety: none; LiveFeeds uses them from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "feeds/feed.h"

namespace guardfeed::feeds_internal {

using EntryId = uint32_t;

// Entries by id; freed ids are reused. A free slot has an empty value (live values never are).
class EntryPool {
 public:
  EntryId Add(FeedEntry entry);
  void Free(EntryId id);
  void Clear();
  void Reserve(size_t count) { entries_.reserve(count); }
  const FeedEntry& operator[](EntryId id) const { return entries_[id]; }
  bool Live(EntryId id) const {
    return id < entries_.size() && !entries_[id].indicator.value.empty();
  }
  size_t size() const { return entries_.size() - free_.size(); }
  // One past the largest id ever handed out (for loops over every slot).
  EntryId end() const { return static_cast<EntryId>(entries_.size()); }

 private:
  std::vector<FeedEntry> entries_;
  std::vector<EntryId> free_;
};

// Rank order for capped feeds (RanksBefore: threat level desc, last seen desc, value asc).
bool RankLess(const FeedEntry& a, const FeedEntry& b);

// The ids of one indicator kind in rank order.
class RankIndex {
 public:
  explicit RankIndex(const EntryPool* pool) : pool_(pool) {}  // `pool` must outlive the index

  // `ids` must be in rank order; replaces the contents.
  void Assign(const std::vector<EntryId>& ids);
  void Insert(EntryId id);
  void Erase(EntryId id);
  // The id ranking immediately before / after `key` (which need not be in the index).
  std::optional<EntryId> Before(const FeedEntry& key) const;
  std::optional<EntryId> After(const FeedEntry& key) const;
  // The first `count` ids in rank order (fewer when the index is smaller).
  std::vector<EntryId> Top(size_t count) const;

 private:
  static constexpr size_t kMaxBlock = 512;
  struct Position {
    size_t block;
    size_t index;
  };
  // First position whose entry does not rank before `key` (lower bound); upper: ranks after.
  Position Find(const FeedEntry& key, bool upper) const;

  const EntryPool* pool_;
  std::vector<std::vector<EntryId>> blocks_;  // none empty
};

}  // namespace guardfeed::feeds_internal
