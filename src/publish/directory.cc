// Directory publisher: writes each snapshot to DIR/path through a temporary file, fsync and
// rename, so a reader (a web server, a firewall fetching over a share) never sees a partial file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "publish/publisher.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return Status::FromErrno("write " + path, errno);
    data.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::FromErrno("open " + dir, errno);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::FromErrno("fsync " + dir, saved);
}

// Writes `body` to `path` atomically: temp file in the same directory, fsync, rename.
Status AtomicWrite(const std::string& path, std::string_view body) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("create " + temp, errno);
  Status status = WriteAll(fd, body, temp);
  if (status.ok() && ::fsync(fd) != 0) status = Status::FromErrno("fsync " + temp, errno);
  if (::close(fd) != 0 && status.ok()) status = Status::FromErrno("close " + temp, errno);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = Status::FromErrno("rename " + temp + " to " + path, errno);
  }
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

// Whether `path` already holds exactly `body` (so an unchanged feed is not rewritten, and its
// mtime, which web servers turn into Last-Modified, stays put).
bool SameContent(const std::string& path, std::string_view body) {
  std::error_code ec;
  if (fs::file_size(path, ec) != body.size() || ec) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string existing(body.size(), '\0');
  size_t done = 0;
  while (done < existing.size()) {
    ssize_t n = ::read(fd, existing.data() + done, existing.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return done == body.size() && existing == body;
}

class DirectoryPublisher final : public Publisher {
 public:
  explicit DirectoryPublisher(std::string directory) : directory_(std::move(directory)) {}

  Result<PublishReport> Publish(const FeedSet& set) override { return PublishHeld(set, {}); }

  Result<PublishReport> PublishHeld(const FeedSet& set,
                                    const std::set<std::string>& held_back) override {
    std::error_code ec;
    fs::create_directories(directory_, ec);
    if (ec) return Status::IoError("create directory " + directory_ + ": " + ec.message());
    PublishReport report;
    for (const SnapshotPtr& file : set.files) {
      // The SecIntel manifest would announce content that was held back.
      if (!held_back.empty() && file->path == "manifest.xml") continue;
      std::string path = directory_ + "/" + file->path;
      if (SameContent(path, file->body)) {
        report.unchanged.push_back(file->path);
        continue;
      }
      GF_RETURN_IF_ERROR(AtomicWrite(path, file->body));
      report.written.push_back(file->path);
    }
    GF_RETURN_IF_ERROR(RecordEntries(set, held_back));
    if (!report.written.empty()) GF_RETURN_IF_ERROR(SyncDirectory(directory_));
    return report;
  }

  std::string Describe() const override { return "file://" + directory_; }

  // From the record kept beside the files, so a process on another (or a new, empty) store
  // knows what the directory holds; a file without a record may hold anything.
  PreviousEntries Previous(const Snapshot& snapshot) override {
    const std::string path = directory_ + "/" + snapshot.path;
    std::error_code ec;
    bool exists = fs::exists(path, ec);
    if (!exists && !ec) return PreviousEntries::Never();
    // Exactly what would be written: as many entries as the snapshot, whatever wrote it.
    if (SameContent(path, snapshot.body)) return PreviousEntries::Known(snapshot.entries);
    EntryCounts recorded = ReadRecord();
    auto it = recorded.find(snapshot.path);
    return it != recorded.end() ? PreviousEntries::Known(it->second) : PreviousEntries::Unknown();
  }

 private:
  // Hidden (the reader and firewalls skip it): "file entries" per published feed file.
  static constexpr std::string_view kRecord = ".guardfeed-entries";

  EntryCounts ReadRecord() const {
    std::ifstream in(directory_ + "/" + std::string(kRecord));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return DecodeEntryCounts(text);
  }

  // What the directory now holds for each feed file written or confirmed by this publish.
  Status RecordEntries(const FeedSet& set, const std::set<std::string>& held_back) {
    EntryCounts recorded = ReadRecord();
    const std::string before = EncodeEntryCounts(recorded);
    for (const SnapshotPtr& file : set.files) {
      if (!file->feed.empty() && !held_back.contains(file->feed)) {
        recorded[file->path] = file->entries;
      }
    }
    std::string after = EncodeEntryCounts(recorded);
    if (after == before) return Status::Ok();
    return AtomicWrite(directory_ + "/" + std::string(kRecord), after);
  }

  const std::string directory_;
};

}  // namespace

Result<std::unique_ptr<Publisher>> NewDirectoryPublisher(std::string_view directory, Store* store,
                                                         ShrinkGuardOptions guard) {
  if (directory.starts_with("file://")) directory.remove_prefix(7);
  if (directory.empty()) return Status::InvalidArgument("empty publish directory");
  std::string dir(directory);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return NewShrinkGuardedPublisher(std::make_unique<DirectoryPublisher>(std::move(dir)), store,
                                   guard);
}

}  // namespace guardfeed
