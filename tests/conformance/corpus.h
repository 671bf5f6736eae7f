// Access to the public GuardDuty corpus (shared/corpus/guardduty, see its SOURCES.md) for the
// conformance tests: where it is, how to read a corpus file the way a user would feed it to
// guardfeed, and the GuardDutyCorpus fixture that skips every test when the corpus is absent.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "guardduty/reader.h"

namespace guardfeed::conformance {

// ${GUARDFEED_SOURCE_DIR}/../shared/corpus/guardduty, where CI keeps it. May not exist.
std::filesystem::path CorpusDir();

// The whole file, or "" after an ADD_FAILURE when it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

// The SEKOIA intake-format test events wrap a raw finding as a JSON string in input.message.
// That wrapper is not a GuardDuty shape, so the tests unwrap it themselves. Returns "" after an
// ADD_FAILURE when the text is not such a wrapper.
std::string UnwrapSekoiaMessage(std::string_view wrapper_json);

// Everything the reader reported for one buffer, in order.
struct ReadOutcome {
  std::vector<Finding> findings;
  std::vector<ReadError> errors;
  std::vector<std::string> skipped_events;  // detail-types of non-finding events
};
ReadOutcome ReadAll(std::string_view data, std::string_view source);

// Reads one corpus file (relative to CorpusDir()) in the shape guardfeed is given it: the bytes
// as they are, except that a SEKOIA wrapper (`sekoia_wrapper`) is unwrapped first.
ReadOutcome ReadCorpusFile(const std::string& relative_path, bool sekoia_wrapper);

// gzip-compresses `data` (the S3 export's encoding).
std::string Gzip(std::string_view data);

// Base of every conformance test: skips, saying why, when the corpus is missing.
class GuardDutyCorpus : public ::testing::Test {
 protected:
  void SetUp() override;
};

}  // namespace guardfeed::conformance
