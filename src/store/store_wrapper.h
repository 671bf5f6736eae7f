// StoreWrapper: a Store that forwards every call to another one. Subclass it and override one
// method to inject a fault or a delay (a full disk, a lock held for long, a slow read) without
// touching the engine, like leveldb's EnvWrapper. Used by tests.
//
// Thread safety: as the wrapped Store's.
#pragma once

#include <utility>

#include "store/store.h"

namespace guardfeed {

class StoreWrapper : public Store {
 public:
  // `target` must outlive the wrapper.
  explicit StoreWrapper(Store* target) : target_(target) {}

  Store* target() const { return target_; }

  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override {
    return target_->ApplyBatches(batches);
  }
  Result<std::vector<IndicatorRecord>> ActiveIndicators(UnixSeconds now) override {
    return target_->ActiveIndicators(now);
  }
  Result<std::vector<IndicatorRecord>> ListIndicators(const IndicatorQuery& query) override {
    return target_->ListIndicators(query);
  }
  Result<std::optional<IndicatorRecord>> GetIndicator(const Indicator& indicator) override {
    return target_->GetIndicator(indicator);
  }
  Result<std::vector<SightingRecord>> SightingsOf(const Indicator& indicator) override {
    return target_->SightingsOf(indicator);
  }
  Status Remove(const Indicator& indicator, std::string_view reason, std::string_view actor,
                UnixSeconds now) override {
    return target_->Remove(indicator, reason, actor, now);
  }
  Status Unremove(const Indicator& indicator, std::string_view actor, UnixSeconds now) override {
    return target_->Unremove(indicator, actor, now);
  }
  Result<std::optional<RemovalRecord>> GetRemoval(const Indicator& indicator) override {
    return target_->GetRemoval(indicator);
  }
  Result<std::vector<RemovalRecord>> ListRemovals() override { return target_->ListRemovals(); }
  Status AddAllowlist(const AllowlistRecord& record) override {
    return target_->AddAllowlist(record);
  }
  Status RemoveAllowlist(std::string_view entry, std::string_view actor, UnixSeconds now) override {
    return target_->RemoveAllowlist(entry, actor, now);
  }
  Result<std::vector<AllowlistRecord>> ListAllowlist() override { return target_->ListAllowlist(); }
  Result<std::vector<AuditRecord>> ListAudit(int64_t limit) override {
    return target_->ListAudit(limit);
  }
  Result<int64_t> Expire(UnixSeconds now, int64_t retention_seconds) override {
    return target_->Expire(now, retention_seconds);
  }
  Result<std::optional<FeedState>> GetFeedState(std::string_view feed) override {
    return target_->GetFeedState(feed);
  }
  Status PutFeedState(const FeedState& state) override { return target_->PutFeedState(state); }
  Result<FeedAdvance> AdvanceFeedState(std::string_view feed, std::string_view digest,
                                       UnixSeconds now,
                                       const NextFeedVersion& next_version) override {
    return target_->AdvanceFeedState(feed, digest, now, next_version);
  }
  Result<int64_t> ChangeCounter() override { return target_->ChangeCounter(); }
  Result<StoreChanges> ChangesSince(int64_t counter) override {
    return target_->ChangesSince(counter);
  }
  Result<std::vector<SightingRecord>> RecentSightings(int64_t limit) override {
    return target_->RecentSightings(limit);
  }
  Result<std::optional<UnixSeconds>> NextExpiry(UnixSeconds now) override {
    return target_->NextExpiry(now);
  }
  Result<std::vector<ActivityBucket>> Activity(UnixSeconds from, int64_t width, int count,
                                               UnixSeconds now) override {
    return target_->Activity(from, width, count, now);
  }
  Result<std::optional<std::string>> GetPublisherState(std::string_view key) override {
    return target_->GetPublisherState(key);
  }
  Status PutPublisherState(std::string_view key, std::string_view value) override {
    return target_->PutPublisherState(key, value);
  }
  Status ExportRows(size_t chunk_rows, int64_t& counter,
                    const std::function<Status(const StoreRows&)>& sink) override {
    return target_->ExportRows(chunk_rows, counter, sink);
  }
  Status ImportRows(const StoreRows& rows, int64_t counter) override {
    return target_->ImportRows(rows, counter);
  }
  Result<bool> IsEmpty() override { return target_->IsEmpty(); }
  Status Clear() override { return target_->Clear(); }
  bool WatchChanges(std::function<void()> on_change) override {
    return target_->WatchChanges(std::move(on_change));
  }
  bool LeadsPublishing() override { return target_->LeadsPublishing(); }
  std::string Describe() const override { return target_->Describe(); }

 private:
  Store* const target_;
};

}  // namespace guardfeed
