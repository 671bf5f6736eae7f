// GroupCommitStore: a Store decorator that lets concurrent writers share durable commits. Each
// ApplyBatches call joins the open group; one call of the target's ApplyBatches (one transaction,
// one fsync) then commits the whole group, and every caller returns with its own per-batch results
// only after that commit. The daemon puts it in front of its store so that many single-finding
// POSTs cost a few commits instead of one each (docs/server.md, "Group commit"); the CLI's bulk
// ingest, whose batches are already large, does not use it.
//
// How a group closes: the first request queued while no commit runs leads the group. It waits
// until the group has waited `window` since the leader arrived or holds `max_group_sightings`,
// then commits every queued request in arrival order up to that size (a larger request goes
// alone). While a commit runs, new requests queue for the next group; its leader is the first of
// them, whose window has usually run out by then. There is no thread of its own: a leader is a
// caller, so nothing is left to drain when the callers are gone.
//
// Failure: when the group's commit fails, every caller in it gets that Status and nothing of the
// group is committed (the target's ApplyBatches is all-or-nothing). Later groups try again.
//
// Thread safety: ApplyBatches may be called from any number of threads. The other methods forward
// to the target unchanged. The wrapper must not be destroyed while a call is in progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include "store/store_wrapper.h"

namespace guardfeed {

struct GroupCommitOptions {
  // How long a group stays open after its leader arrived, for other requests to join. 0: commit
  // at once whatever queued while the previous commit ran. Default 1 ms.
  std::chrono::microseconds window{1000};
  // A group closes as soon as it holds this many sightings; a request is never split, so a
  // larger one commits alone. Default 5000: a group stays a short transaction.
  size_t max_group_sightings = 5000;
};

class GroupCommitStore : public StoreWrapper {
 public:
  // `target` must outlive the wrapper.
  GroupCommitStore(Store* target, GroupCommitOptions options);
  ~GroupCommitStore() override;

  // As Store::ApplyBatches, committed together with other callers' batches (see above).
  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override;

 private:
  struct Request;

  // Commits the requests at the front of queue_ as one group; called by a leader holding `lock`,
  // which it releases during the commit.
  void CommitGroup(std::unique_lock<std::mutex>& lock);

  // Constant after construction.
  const GroupCommitOptions options_;

  std::mutex mu_;
  // Guarded by mu_. Waiting requests in arrival order; those of the group being committed stay
  // at the front until their results are handed out, so the front is a leader exactly when no
  // commit runs.
  std::deque<Request*> queue_;
  size_t queued_sightings_ = 0;  // over queue_
};

}  // namespace guardfeed
