// JSON log lines for Lambda: one object per line on stdout, in the shape Lambda's JSON log format
// and CloudWatch Logs Insights read ({"timestamp","level","message","requestId"}), so that a
// message holding quotes or newlines never breaks a record.
//
// Thread safety: the request id is per thread (the runtime loop runs invocations on one thread).
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace guardfeed::lambda {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// The request id the calling thread's log lines carry; "" (between invocations) omits it.
void SetLogRequestId(std::string_view request_id);

}  // namespace guardfeed::lambda
