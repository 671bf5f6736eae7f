// DashboardCache: the dashboard's whole-table store reads (the activity chart's buckets and the
// latest findings), kept for a few seconds so that reloading the page, or several operators
// watching it, costs one scan of the store rather than one each.
//
// Thread safety: Get may be called from any thread; concurrent misses may both read the store.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace guardfeed::server {

struct DashboardData {
  std::vector<ActivityBucket> activity;  // kActivityHours hourly buckets, oldest first
  std::vector<SightingRecord> recent;    // newest updated_at first
  UnixSeconds loaded_at = 0;
  int64_t counter = -1;  // the store's change counter when read
};

class DashboardCache {
 public:
  static constexpr int kActivityHours = 48;
  static constexpr int64_t kRecentSightings = 200;

  Result<std::shared_ptr<const DashboardData>> Get(Store& store, UnixSeconds now);

 private:
  std::mutex mu_;
  std::shared_ptr<const DashboardData> data_;  // guarded by mu_
};

}  // namespace guardfeed::server
