#include "guardduty/inflate.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "core/text.h"

namespace guardfeed {

struct Inflater::State {
  z_stream stream{};
  char out[kChunkBytes];
};

Inflater::Inflater(uint64_t& budget_left) : state_(new State), budget_left_(budget_left) {
  // 16 + MAX_WBITS: gzip framing only (a zlib or raw deflate stream is not gzip).
  if (inflateInit2(&state_->stream, 16 + MAX_WBITS) != Z_OK) failed_ = true;
}

Inflater::~Inflater() {
  if (!failed_) inflateEnd(&state_->stream);
  delete state_;
}

Status Inflater::Feed(std::string_view input, const Sink& sink) {
  if (failed_) return Status::Internal("gzip: inflater is unusable after an earlier error");
  z_stream& z = state_->stream;
  while (!input.empty()) {
    size_t slice = std::min<size_t>(input.size(), UINT_MAX);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z.avail_in = static_cast<uInt>(slice);
    do {
      z.next_out = reinterpret_cast<Bytef*>(state_->out);
      z.avail_out = sizeof(state_->out);
      // Only input starts (or continues) a member: a call that merely drains output must not
      // mark a member that already ended as unfinished.
      if (z.avail_in > 0) in_member_ = true;
      int rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        return Status::InvalidArgument(std::string("corrupt gzip data: ") +
                                       (z.msg != nullptr ? z.msg : "inflate failed"));
      }
      size_t produced = sizeof(state_->out) - z.avail_out;
      if (produced > budget_left_) {
        budget_left_ = 0;
        return Status::ResourceExhausted("gzip data expands beyond the decompression budget");
      }
      budget_left_ -= produced;
      produced_ += produced;
      if (produced > 0) GF_RETURN_IF_ERROR(sink(std::string_view(state_->out, produced)));
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&z);  // concatenated members continue the stream
      } else if (rc == Z_BUF_ERROR && z.avail_in == 0) {
        break;  // needs more input
      }
    } while (z.avail_in > 0 || z.avail_out == 0);
    input.remove_prefix(slice);
  }
  return Status::Ok();
}

Status Inflater::Finish() const {
  if (in_member_) {
    return Status::InvalidArgument("corrupt gzip data: truncated");
  }
  return Status::Ok();
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b';
}

Result<std::string> GunzipBuffer(std::string_view data, uint64_t max_output) {
  uint64_t budget = max_output;
  Inflater inflater(budget);
  std::string out;
  Status status = inflater.Feed(data, [&out](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  });
  if (status.code() == Status::Code::kResourceExhausted) {
    return Status::ResourceExhausted("gzip data expands beyond " + SizeText(max_output));
  }
  if (!status.ok()) return status;
  GF_RETURN_IF_ERROR(inflater.Finish());
  return out;
}

}  // namespace guardfeed
