#include "server/file_content.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace guardfeed::server {

namespace {

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::FromErrno("memfd write", errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const FileContent>> FileContent::Create(std::string_view first,
                                                               std::string_view second) {
  int fd = memfd_create("guardfeed-served", MFD_CLOEXEC);
  if (fd < 0) return Status::FromErrno("memfd_create", errno);
  Status written = WriteAll(fd, first);
  if (written.ok()) written = WriteAll(fd, second);
  size_t size = first.size() + second.size();
  void* data = nullptr;
  if (written.ok() && size > 0) {
    data = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED) written = Status::FromErrno("mmap", errno);
  }
  if (!written.ok()) {
    ::close(fd);
    return written;
  }
  return std::shared_ptr<const FileContent>(
      new FileContent(fd, static_cast<const char*>(data), size));
}

FileContent::~FileContent() {
  if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
  ::close(fd_);
}

}  // namespace guardfeed::server
