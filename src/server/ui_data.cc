#include "server/ui_data.h"

namespace guardfeed::server {

namespace {

// Reads at most this often while the store keeps changing, and at least this often while it
// does not (expiry moves the chart without a change).
constexpr UnixSeconds kMinAge = 3;
constexpr UnixSeconds kMaxAge = 30;

}  // namespace

Result<std::shared_ptr<const DashboardData>> DashboardCache::Get(Store& store, UnixSeconds now) {
  Result<int64_t> counter = store.ChangeCounter();
  if (!counter.ok()) return counter.status();
  {
    std::lock_guard lock(mu_);
    if (data_ != nullptr) {
      UnixSeconds age = now - data_->loaded_at;
      bool fresh = age >= 0 && (age < kMinAge || (data_->counter == *counter && age < kMaxAge));
      if (fresh) return data_;
    }
  }
  auto data = std::make_shared<DashboardData>();
  data->loaded_at = now;
  data->counter = *counter;
  const UnixSeconds from = (now / 3600 - (kActivityHours - 1)) * 3600;
  Result<std::vector<ActivityBucket>> activity = store.Activity(from, 3600, kActivityHours, now);
  if (!activity.ok()) return activity.status();
  data->activity = std::move(*activity);
  Result<std::vector<SightingRecord>> recent = store.RecentSightings(kRecentSightings);
  if (!recent.ok()) return recent.status();
  data->recent = std::move(*recent);
  std::lock_guard lock(mu_);
  data_ = data;
  return std::shared_ptr<const DashboardData>(data);
}

}  // namespace guardfeed::server
