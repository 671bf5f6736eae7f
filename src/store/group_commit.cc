#include "store/group_commit.h"

#include <cassert>
#include <exception>
#include <string>

namespace guardfeed {

// One caller's ApplyBatches, on its stack until its group is committed. Guarded by mu_.
struct GroupCommitStore::Request {
  std::span<const std::vector<SightingRecord>* const> batches;
  size_t sightings = 0;
  std::chrono::steady_clock::time_point arrived;
  std::condition_variable cv;  // wakes it to lead, or when its group is done
  bool done = false;
  Status status;
  std::vector<ApplyResult> results;  // one per batch, when status is OK
};

namespace {

// The target's commit, with an escaping exception turned into a Status: a caller waiting for this
// group must get an answer whatever happens.
Result<std::vector<ApplyResult>> CommitOnce(
    Store& target, std::span<const std::vector<SightingRecord>* const> all) {
  try {
    Result<std::vector<ApplyResult>> results = target.ApplyBatches(all);
    if (results.ok() && results->size() != all.size()) {
      return Status::Internal("group commit: " + std::to_string(results->size()) + " results for " +
                              std::to_string(all.size()) + " batches");
    }
    return results;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("group commit: ") + e.what());
  }
}

}  // namespace

GroupCommitStore::GroupCommitStore(Store* target, GroupCommitOptions options)
    : StoreWrapper(target), options_(options) {}

GroupCommitStore::~GroupCommitStore() { assert(queue_.empty()); }

Result<std::vector<ApplyResult>> GroupCommitStore::ApplyBatches(
    std::span<const std::vector<SightingRecord>* const> batches) {
  size_t sightings = 0;
  for (const std::vector<SightingRecord>* batch : batches) sightings += batch->size();
  // Nothing to write means no commit to share.
  if (sightings == 0) return target()->ApplyBatches(batches);

  Request request;
  request.batches = batches;
  request.sightings = sightings;
  request.arrived = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  queue_.push_back(&request);
  queued_sightings_ += sightings;
  // A leader waiting out its window closes the group as soon as it is full.
  if (queue_.front() != &request && queued_sightings_ >= options_.max_group_sightings) {
    queue_.front()->cv.notify_one();
  }
  while (!request.done && queue_.front() != &request) request.cv.wait(lock);
  if (!request.done) {
    // The front of the queue with no commit running: lead the next group.
    auto closes = request.arrived + options_.window;
    while (queued_sightings_ < options_.max_group_sightings &&
           request.cv.wait_until(lock, closes) == std::cv_status::no_timeout) {
    }
    CommitGroup(lock);
  }
  if (!request.status.ok()) return request.status;
  return std::move(request.results);
}

void GroupCommitStore::CommitGroup(std::unique_lock<std::mutex>& lock) {
  // The group: queued requests in arrival order up to the size limit (the leader always).
  std::vector<Request*> group;
  std::vector<const std::vector<SightingRecord>*> all;
  size_t sightings = 0;
  for (Request* request : queue_) {
    if (!group.empty() && sightings + request->sightings > options_.max_group_sightings) break;
    group.push_back(request);
    sightings += request->sightings;
    all.insert(all.end(), request->batches.begin(), request->batches.end());
  }
  // Requests arriving during the commit queue behind the group, for the next one.
  lock.unlock();
  Result<std::vector<ApplyResult>> committed = CommitOnce(*target(), all);
  lock.lock();
  size_t next = 0;
  for (Request* request : group) {
    queue_.pop_front();
    queued_sightings_ -= request->sightings;
    if (committed.ok()) {
      auto first = committed->begin() + static_cast<std::ptrdiff_t>(next);
      request->results.assign(first, first + static_cast<std::ptrdiff_t>(request->batches.size()));
    } else {
      request->status = committed.status();
    }
    next += request->batches.size();
    request->done = true;
    // Under the lock: once done is visible the waiter may return and destroy its Request.
    request->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();  // the next group's leader
}

}  // namespace guardfeed
