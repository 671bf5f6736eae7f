// StateJournal: where the Lambda keeps its state in S3 so that it survives cold starts and stays
// right under concurrent invocations (docs/deploy-lambda.md, "State"). Under a private prefix:
//
//   PREFIX/journal/00000000000000000042   one entry per committed invocation, created at most once
//   PREFIX/snapshot                       the whole state as of entry N (metadata guardfeed-seq)
//
// Entries are created with If-None-Match: *, so two runtimes racing to append entry N see exactly
// one succeed; the other gets FailedPrecondition, reads entry N, applies it and tries N + 1. The
// snapshot is replaced with If-Match on the version read (or created with If-None-Match: *), so a
// slow compaction never overwrites a newer one. Entries are opaque bytes here.
//
// Thread safety: as the S3Client's (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aws/s3_client.h"
#include "core/status.h"

namespace guardfeed::lambda {

struct StateSnapshot {
  int64_t seq = 0;    // the last journal entry it includes
  std::string etag;   // for If-None-Match on the next fetch and If-Match on replacement
  std::string body;   // empty when unchanged since the ETag asked with
  bool unchanged = false;
};

class StateJournal {
 public:
  // `client` must outlive the journal. `prefix` is used as given, without a trailing '/'.
  StateJournal(S3Client* client, std::string prefix);

  // The snapshot, or nullopt when none was written yet. With `known_etag`, an unchanged snapshot
  // costs a 304 and comes back with `unchanged` set and no body.
  Result<std::optional<StateSnapshot>> FetchSnapshot(const std::string& known_etag);
  // Replaces the snapshot read with ETag `expected_etag` ("" = create, only if none exists) by
  // one that includes entries up to `seq`; returns the new ETag. FailedPrecondition when another
  // writer replaced it first (the caller just skips this compaction).
  Result<std::string> WriteSnapshot(int64_t seq, std::string_view body,
                                    const std::string& expected_etag);

  // Entry `seq`, or nullopt when it does not exist (yet).
  Result<std::optional<std::string>> ReadEntry(int64_t seq);
  // Creates entry `seq`. FailedPrecondition when it already exists: another runtime won.
  Status AppendEntry(int64_t seq, std::string_view body);
  // Deletes entries first..last (both included); missing ones are fine.
  Status DeleteEntries(int64_t first, int64_t last);

  std::string EntryKey(int64_t seq) const;
  const std::string& snapshot_key() const { return snapshot_key_; }

 private:
  S3Client* const client_;
  const std::string prefix_;
  const std::string snapshot_key_;
};

}  // namespace guardfeed::lambda
