#include "core/status.h"

#include <cstring>

namespace guardfeed {
namespace {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kInvalidArgument: return "invalid argument";
    case Status::Code::kNotFound: return "not found";
    case Status::Code::kIoError: return "I/O error";
    case Status::Code::kUnavailable: return "unavailable";
    case Status::Code::kFailedPrecondition: return "refused";
    case Status::Code::kResourceExhausted: return "limit exceeded";
    case Status::Code::kRemote: return "remote error";
    case Status::Code::kInternal: return "internal error";
  }
  return "unknown";
}

}  // namespace

Status Status::FromErrno(const std::string& context, int error_number) {
  return IoError(context + ": " + std::strerror(error_number));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& prefix) const {
  if (ok()) return *this;
  return Status(code_, prefix + ": " + message_);
}

}  // namespace guardfeed
