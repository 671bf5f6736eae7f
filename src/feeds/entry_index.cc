#include "feeds/entry_index.h"

#include <algorithm>

#include "policy/policy.h"

namespace guardfeed::feeds_internal {

EntryId EntryPool::Add(FeedEntry entry) {
  if (!free_.empty()) {
    EntryId id = free_.back();
    free_.pop_back();
    entries_[id] = std::move(entry);
    return id;
  }
  entries_.push_back(std::move(entry));
  return static_cast<EntryId>(entries_.size() - 1);
}

void EntryPool::Free(EntryId id) {
  entries_[id] = FeedEntry{};  // releases the value's heap block; marks the slot free
  free_.push_back(id);
}

void EntryPool::Clear() {
  entries_.clear();
  entries_.shrink_to_fit();
  free_.clear();
}

bool RankLess(const FeedEntry& a, const FeedEntry& b) {
  return RanksBefore(RankKey{a.threat_level, a.last_seen, a.indicator.value},
                     RankKey{b.threat_level, b.last_seen, b.indicator.value});
}

void RankIndex::Assign(const std::vector<EntryId>& ids) {
  blocks_.clear();
  constexpr size_t kFill = kMaxBlock / 2;  // room for inserts before the first split
  for (size_t at = 0; at < ids.size(); at += kFill) {
    size_t end = std::min(ids.size(), at + kFill);
    blocks_.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(at),
                         ids.begin() + static_cast<std::ptrdiff_t>(end));
  }
}

RankIndex::Position RankIndex::Find(const FeedEntry& key, bool upper) const {
  const EntryPool& pool = *pool_;
  // "Not past `key`": for a lower bound an entry ranking before key; for an upper bound, one
  // not ranking after it.
  auto before = [&](EntryId id) {
    return upper ? !RankLess(key, pool[id]) : RankLess(pool[id], key);
  };
  auto block =
      std::partition_point(blocks_.begin(), blocks_.end(),
                           [&](const std::vector<EntryId>& b) { return before(b.back()); });
  if (block == blocks_.end()) return {blocks_.size(), 0};
  auto in = std::partition_point(block->begin(), block->end(), before);
  return {static_cast<size_t>(block - blocks_.begin()), static_cast<size_t>(in - block->begin())};
}

void RankIndex::Insert(EntryId id) {
  if (blocks_.empty()) {
    blocks_.push_back({id});
    return;
  }
  Position at = Find((*pool_)[id], false);
  if (at.block == blocks_.size()) at = {blocks_.size() - 1, blocks_.back().size()};
  std::vector<EntryId>& block = blocks_[at.block];
  block.insert(block.begin() + static_cast<std::ptrdiff_t>(at.index), id);
  if (block.size() <= kMaxBlock) return;
  std::vector<EntryId> upper(block.begin() + kMaxBlock / 2, block.end());
  block.resize(kMaxBlock / 2);
  blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(at.block) + 1, std::move(upper));
}

void RankIndex::Erase(EntryId id) {
  Position at = Find((*pool_)[id], false);
  if (at.block == blocks_.size()) return;
  std::vector<EntryId>& block = blocks_[at.block];
  if (at.index >= block.size() || block[at.index] != id) return;
  block.erase(block.begin() + static_cast<std::ptrdiff_t>(at.index));
  if (block.empty()) blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(at.block));
}

std::optional<EntryId> RankIndex::Before(const FeedEntry& key) const {
  Position at = Find(key, false);
  if (at.index > 0) return blocks_[at.block][at.index - 1];
  if (at.block == 0) return std::nullopt;
  return blocks_[at.block - 1].back();
}

std::optional<EntryId> RankIndex::After(const FeedEntry& key) const {
  Position at = Find(key, true);
  if (at.block == blocks_.size()) return std::nullopt;
  return blocks_[at.block][at.index];
}

std::vector<EntryId> RankIndex::Top(size_t count) const {
  std::vector<EntryId> top;
  for (const std::vector<EntryId>& block : blocks_) {
    for (EntryId id : block) {
      if (top.size() == count) return top;
      top.push_back(id);
    }
  }
  return top;
}

}  // namespace guardfeed::feeds_internal
