// Status and Result<T>: guardfeed's one convention for expected failures (bad input, I/O, remote
// errors). Library exceptions are caught where the library is called and turned into a Status;
// no exception crosses a module boundary.
//
// Thread safety: values; safe to copy and move between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace guardfeed {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,     // the input is wrong; retrying the same input will fail again
    kNotFound,            // the named thing does not exist
    kIoError,             // local file or socket failure
    kUnavailable,         // a dependency (store, remote server) cannot be reached now; retry
    kFailedPrecondition,  // refused by a safety rule (e.g. a feed would shrink too much)
    kResourceExhausted,   // a limit was crossed (decompression budget, document size, errors)
    kRemote,              // a remote server answered with an error
    kInternal,            // a bug: an invariant did not hold
  };

  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {Code::kResourceExhausted, std::move(msg)};
  }
  static Status Remote(std::string msg) { return {Code::kRemote, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  // An IoError "context: strerror(errno)", like leveldb's PosixError.
  static Status FromErrno(const std::string& context, int error_number);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK" or "<code name>: <message>".
  std::string ToString() const;
  // Returns a copy whose message is "prefix: message" (adds context while unwinding).
  Status WithContext(const std::string& prefix) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Either a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace guardfeed

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define GF_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::guardfeed::Status gf_status_ = (expr);     \
    if (!gf_status_.ok()) return gf_status_;     \
  } while (0)
