// The shrink guard in front of every publisher (publisher.h, NewShrinkGuardedPublisher).
#include <map>
#include <sstream>

#include "publish/publisher.h"

namespace guardfeed {
namespace {

using Counts = EntryCounts;

class ShrinkGuardedPublisher final : public Publisher {
 public:
  ShrinkGuardedPublisher(std::unique_ptr<Publisher> inner, Store* store, ShrinkGuardOptions guard)
      : inner_(std::move(inner)),
        store_(store),
        guard_(guard),
        state_key_("shrink_guard:" + inner_->Describe()) {}

  Result<PublishReport> Publish(const FeedSet& set) override { return PublishAccepting(set, {}); }

  Result<PublishReport> PublishAccepting(const FeedSet& set,
                                         const std::set<std::string>& accepted) override {
    GF_RETURN_IF_ERROR(LoadCounts());
    FeedSet allowed{{}, set.generated_at};
    std::vector<Status> held;
    std::set<std::string> held_feeds;
    for (const SnapshotPtr& snapshot : set.files) {
      bool waived = accepted.contains("*") || accepted.contains(snapshot->feed);
      bool judged = !snapshot->feed.empty() && !waived && inner_->Carries(*snapshot);
      Status check = judged ? Check(*snapshot) : Status::Ok();
      if (check.ok()) {
        allowed.files.push_back(snapshot);
      } else {
        held.push_back(check.WithContext(inner_->Describe()));
        held_feeds.insert(snapshot->feed);
      }
    }
    Result<PublishReport> report = inner_->PublishHeld(allowed, held_feeds);
    if (report.ok()) GF_RETURN_IF_ERROR(Record(allowed));
    if (held.empty()) return report;
    std::string message;
    for (const Status& status : held) message += (message.empty() ? "" : "; ") + status.message();
    if (!report.ok()) message += "; " + report.status().message();
    return Status::FailedPrecondition(message);
  }

  std::string Describe() const override { return inner_->Describe(); }
  PreviousEntries Previous(const Snapshot& snapshot) override { return inner_->Previous(snapshot); }
  bool Carries(const Snapshot& snapshot) const override { return inner_->Carries(snapshot); }

 private:
  Status Check(const Snapshot& snapshot) {
    auto known = counts_.find(snapshot.feed);
    PreviousEntries previous =
        known != counts_.end() ? PreviousEntries::Known(known->second) : inner_->Previous(snapshot);
    return CheckShrink(snapshot.feed, previous, snapshot.entries, guard_);
  }

  Status LoadCounts() {
    if (store_ == nullptr) return Status::Ok();  // memory only: counts_ is the record
    Result<std::optional<std::string>> stored = store_->GetPublisherState(state_key_);
    if (!stored.ok()) return stored.status().WithContext("reading shrink guard state");
    counts_ = stored->has_value() ? DecodeEntryCounts(**stored) : Counts();
    return Status::Ok();
  }

  // Only what was published counts as the new baseline: a held feed keeps its old count.
  Status Record(const FeedSet& published) {
    for (const SnapshotPtr& snapshot : published.files) {
      if (!snapshot->feed.empty() && inner_->Carries(*snapshot)) {
        counts_[snapshot->feed] = snapshot->entries;
      }
    }
    if (store_ == nullptr) return Status::Ok();
    return store_->PutPublisherState(state_key_, EncodeEntryCounts(counts_))
        .WithContext("saving shrink guard state");
  }

  const std::unique_ptr<Publisher> inner_;
  Store* const store_;
  const ShrinkGuardOptions guard_;
  const std::string state_key_;
  Counts counts_;
};

}  // namespace

std::unique_ptr<Publisher> NewShrinkGuardedPublisher(std::unique_ptr<Publisher> inner, Store* store,
                                                     ShrinkGuardOptions guard) {
  return std::make_unique<ShrinkGuardedPublisher>(std::move(inner), store, guard);
}

}  // namespace guardfeed
