// JournalEntry: what one committed Lambda invocation adds to the shared state (the body of a
// StateJournal entry): the sightings it ingested, after policy, and the feed versions its render
// gave. A runtime that reads the entry applies both to its local store, so every runtime ends with
// the same indicators and hands out the same versions for the same contents.
//
// Encoding: gzip of one JSON object {"v":1,"sightings":[[...],...],"feeds":[[...],...]} with
// positional arrays (docs/deploy-lambda.md, "State"). Decoding checks every field's type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace guardfeed::lambda {

struct JournalEntry {
  std::vector<SightingRecord> sightings;
  std::vector<FeedState> feeds;
};

Result<std::string> EncodeJournalEntry(const JournalEntry& entry);
// InvalidArgument naming the field when the entry is not one EncodeJournalEntry wrote.
Result<JournalEntry> DecodeJournalEntry(std::string_view encoded);

// Applies an entry to a local store: the sightings (Apply merges idempotently) and the feed
// states (PutFeedState), in one call each.
Status ApplyJournalEntry(const JournalEntry& entry, Store& store);

}  // namespace guardfeed::lambda
