// Store copy: moves every row of one store into another, between engines or between files (SQLite
// to PostgreSQL when replicas are added, back for a single box), and then proves the copy: each
// table's row count and SHA-256 over its rows, computed from the source's export and from a fresh
// export of the target, must agree. `guardfeed store copy` is the command line to it.
//
// Rows move through Store::ExportRows and Store::ImportRows as they are stored: nothing is merged
// or recomputed, and no audit entry is added. The target's change counter ends at least at the
// source's. The row format that is hashed is described in docs/store.md, "Copying a store between
// engines".
//
// Thread safety: CopyStore may run while other processes read the source (it reads one snapshot);
// nothing else may write to the target during the copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/status.h"
#include "store/store.h"

namespace guardfeed {

struct CopyOptions {
  // Rows per ImportRows call (one target transaction each). Default 10,000.
  size_t chunk_rows = 10000;
  // Replace a target that holds rows (Store::Clear first). Default false: such a target is
  // refused with FailedPrecondition and left untouched.
  bool overwrite = false;
  // Called after each imported chunk with the number of rows copied so far. May be empty.
  std::function<void(int64_t rows_copied)> progress;
};

// One table's rows as counted and hashed.
struct TableDigest {
  std::string table;  // the table's name in the schema: "sightings", "feed_state", ...
  int64_t rows = 0;
  std::string sha256;  // lowercase hex over the table's rows in export order
};

struct CopyReport {
  int64_t counter = 0;  // the source's change counter at its snapshot
  // Every table, in export order: sightings, indicators, removals, allowlist, audit, feed_state,
  // publisher_state. Verified equal on both sides.
  std::vector<TableDigest> tables;

  int64_t rows() const;
};

// Counts and hashes rows per table as ExportRows hands them over (the chunks in order). Used by
// CopyStore on both sides, and by tests comparing two stores.
class StoreDigester {
 public:
  StoreDigester();

  void Add(const StoreRows& rows);
  std::vector<TableDigest> Digests() const;

 private:
  struct Table {
    int64_t rows = 0;
    Sha256 hash;
  };
  // One per table, in export order (kTableNames in copy.cc).
  std::vector<Table> tables_;
  std::string buffer_;  // one row's serialisation, reused
};

// Every table of `store` counted and hashed from one ExportRows snapshot; `counter` receives the
// snapshot's change counter when not null.
Result<std::vector<TableDigest>> DigestStore(Store& store, size_t chunk_rows,
                                             int64_t* counter = nullptr);

// Copies `from` into `to` and verifies the copy (see above). Fails with InvalidArgument when both
// are the same object (the caller must rule out two objects on one database: compare the URLs or
// Describe()), FailedPrecondition when `to` holds rows and options.overwrite is false,
// and FailedPrecondition naming the table when the verification finds a difference. A copy that
// fails after importing started leaves the target partly filled: copy again with overwrite.
// Both stores are borrowed for the call.
Result<CopyReport> CopyStore(Store& from, Store& to, const CopyOptions& options);

}  // namespace guardfeed
