// Inflater: streaming gzip decompression under a byte budget. Every compressed input, however it
// is labelled (Content-Encoding, application/gzip, gzip inside gzip, a .gz file), is inflated in
// bounded chunks through one of these, so no input can make guardfeed hold more than one chunk
// of inflated bytes, and the sum of what every Inflater sharing a budget produced never passes
// the budget (docs/guardduty.md, "Limits").
//
// Thread safety: not thread-safe; one per stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace guardfeed {

class Inflater {
 public:
  // Receives each inflated chunk (at most kChunkBytes); a non-OK status stops inflation and is
  // returned by Feed.
  using Sink = std::function<Status(std::string_view chunk)>;
  static constexpr size_t kChunkBytes = 64 * 1024;

  // `budget_left` counts down by every byte produced and must outlive the Inflater; several
  // Inflaters (nested gzip) may share one.
  explicit Inflater(uint64_t& budget_left);
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Inflates `input` (any slice of the compressed stream; concatenated gzip members are one
  // stream). InvalidArgument on corrupt data; ResourceExhausted as soon as the budget is crossed.
  Status Feed(std::string_view input, const Sink& sink);
  // InvalidArgument when the stream stopped in the middle of a member.
  Status Finish() const;

  uint64_t produced() const { return produced_; }

 private:
  struct State;
  State* state_;  // owned; zlib's z_stream without zlib.h in this header
  uint64_t& budget_left_;
  uint64_t produced_ = 0;
  bool in_member_ = false;
  bool failed_ = false;
};

// True when `data` starts with the gzip magic bytes.
bool IsGzip(std::string_view data);

// Inflates a whole gzip buffer (tests, small bodies). ResourceExhausted when the output would
// exceed `max_output`.
Result<std::string> GunzipBuffer(std::string_view data, uint64_t max_output);

}  // namespace guardfeed
