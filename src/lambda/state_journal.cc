#include "lambda/state_journal.h"

#include <charconv>
#include <cstdio>

namespace guardfeed::lambda {
namespace {

constexpr const char* kSeqMetadata = "guardfeed-seq";

}  // namespace

StateJournal::StateJournal(S3Client* client, std::string prefix)
    : client_(client), prefix_(std::move(prefix)), snapshot_key_(prefix_ + "/snapshot") {}

std::string StateJournal::EntryKey(int64_t seq) const {
  char digits[24];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(seq));
  return prefix_ + "/journal/" + digits;
}

Result<std::optional<StateSnapshot>> StateJournal::FetchSnapshot(const std::string& known_etag) {
  Result<std::optional<S3Object>> fetched = client_->FetchObject(snapshot_key_, known_etag);
  if (!fetched.ok()) return fetched.status().WithContext("state snapshot");
  if (!fetched->has_value()) return std::optional<StateSnapshot>();
  S3Object& object = **fetched;
  StateSnapshot snapshot;
  snapshot.etag = object.info.etag;
  snapshot.unchanged = object.not_modified;
  auto seq = object.info.metadata.find(kSeqMetadata);
  if (!snapshot.unchanged) {
    const std::string text = seq == object.info.metadata.end() ? "" : seq->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), snapshot.seq);
    if (ec != std::errc() || end != text.data() + text.size() || snapshot.seq < 0) {
      return Status::Remote("state snapshot s3 key " + snapshot_key_ + " has no valid " +
                            kSeqMetadata + " metadata: not written by guardfeed");
    }
    snapshot.body = std::move(object.body);
  }
  return std::optional<StateSnapshot>(std::move(snapshot));
}

Result<std::string> StateJournal::WriteSnapshot(int64_t seq, std::string_view body,
                                                const std::string& expected_etag) {
  S3PutOptions put;
  put.content_type = "application/gzip";
  put.metadata[kSeqMetadata] = std::to_string(seq);
  put.if_match = expected_etag;
  put.if_none_match = expected_etag.empty();
  Result<std::string> etag = client_->PutObject(snapshot_key_, body, put);
  if (!etag.ok()) return etag.status().WithContext("state snapshot");
  return etag;
}

Result<std::optional<std::string>> StateJournal::ReadEntry(int64_t seq) {
  Result<std::optional<S3Object>> fetched = client_->FetchObject(EntryKey(seq));
  if (!fetched.ok()) return fetched.status().WithContext("state journal");
  if (!fetched->has_value()) return std::optional<std::string>();
  return std::optional<std::string>(std::move((*fetched)->body));
}

Status StateJournal::AppendEntry(int64_t seq, std::string_view body) {
  S3PutOptions put;
  put.content_type = "application/gzip";
  put.if_none_match = true;
  return client_->PutObject(EntryKey(seq), body, put).status().WithContext("state journal");
}

Status StateJournal::DeleteEntries(int64_t first, int64_t last) {
  for (int64_t seq = first; seq <= last; ++seq) {
    GF_RETURN_IF_ERROR(client_->DeleteObject(EntryKey(seq)));
  }
  return Status::Ok();
}

}  // namespace guardfeed::lambda
