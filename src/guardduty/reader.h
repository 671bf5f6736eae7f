// Reading findings in every shape GuardDuty delivers: EventBridge event, raw finding, GetFindings
// response ({"findings":[...]}), JSON array, JSON Lines, gzip JSON Lines (the S3 export); the
// shapes users hold them in: the AWS CLI's and boto3's {"Findings":[...]} (the SDK's PascalCase
// member names), Security Hub's ASFF (get-findings output, "Security Hub Findings - Imported"
// events), hand-made test events without a detail-type; from a buffer, files, directories
// (recursive) or stdin. docs/guardduty.md ("Shapes") says how each is recognised.
//
// Errors never stop a batch: each bad document or line is reported through on_error with its
// source and line, and reading goes on with the next one.
//
// Thread safety: FindingReader is not thread-safe (it reuses one parser); use one per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "guardduty/finding.h"
#include "guardduty/inflate.h"

namespace guardfeed {

struct ReadError {
  std::string source;  // file name, "-" for stdin, or a caller-supplied name (e.g. "request")
  int64_t line = 0;    // 1-based line of the document (JSON Lines) or of the file's start
  std::string field;   // JSON path of the offending field, "" when the document itself is bad
  std::string message;
  // "source:line: field: message".
  std::string ToString() const;
};

struct ReadCallbacks {
  std::function<void(Finding&&)> on_finding;
  std::function<void(const ReadError&)> on_error;
  // An EventBridge event that is not a finding ("GuardDuty Runtime Protection Health", ...), or
  // a Security Hub finding another product made ("Security Hub finding from Inspector"); `what`
  // is the detail-type or that text. Counted, not an error.
  std::function<void(std::string_view what)> on_skipped_event;
  // Bytes consumed so far of the current source, for progress displays. May be empty.
  std::function<void(uint64_t done, uint64_t total)> on_progress;
};

// Limits that hold whatever the input claims (docs/guardduty.md, "Limits"). The defaults suit files
// on the command line; the daemon tightens them for request bodies.
struct ReadLimits {
  // Largest JSON document: a whole source parsed as one document (a JSON array or GetFindings
  // response file). Default 1 GiB.
  size_t max_document_bytes = 1u << 30;
  // Largest JSON Lines line (one finding or event: GuardDuty findings are a few KB, an
  // EventBridge event at most 256 KB). Default 16 MiB.
  size_t max_line_bytes = 16u << 20;
  // Bytes gzip inflation may produce for one source, summed over gzip inside gzip. Crossing it
  // stops the source with ResourceExhausted. Default 4 GiB.
  uint64_t max_inflated_bytes = 4ull << 30;
  // Indicators kept per finding, in order of appearance; the rest are counted in
  // Finding::indicators_dropped. Default 1000.
  size_t max_indicators_per_finding = 1000;
  // Reading one source stops (InvalidArgument) after this many errors; 0 = never. Default 0.
  size_t max_errors = 0;
  // Also read our own instances' addresses into Finding::own_hosts for findings of the
  // containment families (guardduty/containment.h). Default false: a configuration without a
  // containment feed reads and stores nothing about our hosts. The Ingestor sets it from the
  // policy (PolicyOptions::containment).
  bool own_hosts = false;
};

class FindingReader {
 public:
  explicit FindingReader(ReadLimits limits = {});
  ~FindingReader();
  FindingReader(const FindingReader&) = delete;
  FindingReader& operator=(const FindingReader&) = delete;

  // Parses one in-memory buffer of any supported shape. gzip is detected by its magic bytes
  // (also one level of gzip inside gzip) and inflated as a stream: JSON Lines are parsed as they
  // inflate, never holding more than one line. Bad documents go to on_error and reading goes on;
  // the result is ResourceExhausted when the decompression budget stopped reading early, or
  // InvalidArgument when max_errors did (what was read before has been delivered), else OK.
  Status ReadBuffer(std::string_view data, std::string_view source, const ReadCallbacks& callbacks);
  // Reads each path: a file, a directory, or "-" for stdin. Directories are walked recursively in
  // sorted order without following symbolic links to directories; hidden entries are skipped, and
  // so are files whose names do not look like findings (kFindingFileSuffixes): a README.txt
  // beside the exports is not an error. Every unreadable file or directory, broken or looping
  // link and bad document is reported through on_error and the remaining paths are still read;
  // the result is the first such failure (IoError), or OK.
  Status ReadPaths(const std::vector<std::string>& paths, const ReadCallbacks& callbacks);

 private:
  struct Impl;
  friend class StreamFramer;  // reader.cc: splits inflating streams into documents
  std::unique_ptr<Impl> impl_;
};

// File name endings read when walking a directory (case-insensitive).
inline constexpr std::string_view kFindingFileSuffixes[] = {".json", ".jsonl",   ".ndjson",
                                                            ".gz",   ".json.gz", ".jsonl.gz"};

}  // namespace guardfeed
