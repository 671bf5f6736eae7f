// Fan-out publisher: one Publisher that publishes a FeedSet to several targets in order (the
// daemon runs one publisher after each render). Every target is tried even when an earlier one
// fails, so a broken S3 bucket never stops the directory or ATP Cloud from being updated.
#include "publish/publisher.h"

namespace guardfeed {
namespace {

class FanOutPublisher final : public Publisher {
 public:
  explicit FanOutPublisher(std::vector<std::unique_ptr<Publisher>> targets)
      : targets_(std::move(targets)) {}

  Result<PublishReport> Publish(const FeedSet& set) override { return PublishAccepting(set, {}); }

  Result<PublishReport> PublishAccepting(const FeedSet& set,
                                         const std::set<std::string>& accepted) override {
    PublishReport merged;
    std::string failures;
    for (const auto& target : targets_) {
      auto report = target->PublishAccepting(set, accepted);
      if (!report.ok()) {
        failures += (failures.empty() ? "" : "; ") + target->Describe() + ": " +
                    report.status().message();
        continue;
      }
      merged.written.insert(merged.written.end(), report->written.begin(), report->written.end());
      merged.unchanged.insert(merged.unchanged.end(), report->unchanged.begin(),
                              report->unchanged.end());
    }
    if (!failures.empty()) return Status::Remote(failures);
    return merged;
  }

  std::string Describe() const override {
    std::string out;
    for (const auto& target : targets_) out += (out.empty() ? "" : ", ") + target->Describe();
    return out;
  }

 private:
  const std::vector<std::unique_ptr<Publisher>> targets_;
};

}  // namespace

std::unique_ptr<Publisher> NewFanOutPublisher(std::vector<std::unique_ptr<Publisher>> targets) {
  return std::make_unique<FanOutPublisher>(std::move(targets));
}

}  // namespace guardfeed
