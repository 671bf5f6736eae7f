// FileContent: the bytes of one served file held in an anonymous in-memory file (memfd) and
// mapped read-only. Plain-HTTP responses send it with sendfile(2), straight from the page cache
// like nginx serving a static file (no copy through user space per request); TLS responses and
// everything else read the mapping. Holding the bytes only here (not also in a std::string)
// keeps memory at one copy per served representation.
//
// Thread safety: immutable after Create; share freely. The descriptor and the mapping live until
// the last owner (a ServedSet, or a response being written) lets go.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"

namespace guardfeed::server {

class FileContent {
 public:
  // Stores `first` then `second` back to back. Fails when memfd_create, write or mmap fail.
  static Result<std::shared_ptr<const FileContent>> Create(std::string_view first,
                                                           std::string_view second);
  ~FileContent();
  FileContent(const FileContent&) = delete;
  FileContent& operator=(const FileContent&) = delete;

  int fd() const { return fd_; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  FileContent(int fd, const char* data, size_t size) : fd_(fd), data_(data), size_(size) {}

  const int fd_;
  const char* const data_;
  const size_t size_;
};

}  // namespace guardfeed::server
