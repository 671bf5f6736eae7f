// Reading findings in every shape GuardDuty delivers: EventBridge event, raw finding, GetFindings
// response ({"findings":[...]}), JSON array, JSON Lines, gzip JSON Lines (the S3 export); from a
// buffer, files, directories (recursive) or stdin.
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
  // An aws.guardduty EventBridge event that is not a finding ("GuardDuty Runtime Protection
  // Health", ...). Counted, not an error.
  std::function<void(std::string_view detail_type)> on_skipped_event;
  // Bytes consumed so far of the current source, for progress displays. May be empty.
  std::function<void(uint64_t done, uint64_t total)> on_progress;
};

// Findings larger than this (one line, or one whole-file document) are rejected with a clear
// error instead of being parsed; GuardDuty findings are a few KB.
inline constexpr size_t kMaxDocumentBytes = 16u << 20;

class FindingReader {
 public:
  FindingReader();
  ~FindingReader();
  FindingReader(const FindingReader&) = delete;
  FindingReader& operator=(const FindingReader&) = delete;

  // Parses one in-memory buffer of any supported shape (gzip is detected by its magic bytes).
  void ReadBuffer(std::string_view data, std::string_view source, const ReadCallbacks& callbacks);
  // Reads each path: a file, a directory (recursively, sorted, hidden files skipped), or "-" for
  // stdin. Fails only when a path cannot be opened at all; that path's error is also reported
  // through on_error and the remaining paths are still read.
  Status ReadPaths(const std::vector<std::string>& paths, const ReadCallbacks& callbacks);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decompresses a gzip buffer. Fails on corrupt input or when the output exceeds `max_output`.
Result<std::string> GunzipBuffer(std::string_view data, size_t max_output);

}  // namespace guardfeed
