#include "guardduty/reader.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <simdjson.h>

#include "core/text.h"
#include "guardduty/extract.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;
using simdjson::dom::object;

// A whole-file document (a JSON array or GetFindings response) may be large; one line may not.
constexpr size_t kMaxWholeDocumentBytes = 1u << 30;
constexpr size_t kMaxGunzipBytes = 4ull << 30;

// A line that is a whole JSON object or array on its own marks a JSON Lines buffer.
bool LooksLikeJsonLine(std::string_view line) {
  line = TrimSpace(line);
  return line.size() >= 2 && ((line.front() == '{' && line.back() == '}') ||
                              (line.front() == '[' && line.back() == ']'));
}

// True when one of the first lines of `text` is a whole JSON object or array.
bool HasJsonLine(std::string_view text) {
  for (int lines = 0; lines < 1000 && !text.empty(); ++lines) {
    size_t end = text.find('\n');
    if (LooksLikeJsonLine(text.substr(0, end))) return true;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return false;
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b';
}

std::string SizeText(size_t bytes) {
  return bytes >= (1u << 20) ? std::to_string(bytes >> 20) + " MB" : std::to_string(bytes) + " B";
}

}  // namespace

std::string ReadError::ToString() const {
  std::string out = source + ":" + std::to_string(line) + ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

struct FindingReader::Impl {
  simdjson::dom::parser parser;
  const ReadCallbacks* callbacks = nullptr;
  std::string_view source;

  void Error(int64_t line, std::string field, std::string message) {
    if (callbacks->on_error) {
      callbacks->on_error(ReadError{std::string(source), line, std::move(field), std::move(message)});
    }
  }

  // Inflates gzip, then reads; copies `data` into a padded buffer unless `padded` says it is
  // already followed by SIMDJSON_PADDING readable bytes (a file ReadPaths loaded).
  void Read(std::string_view data, bool padded);
  void ReadPadded(std::string_view padded_data);
  void ReadLines(std::string_view data);
  void ReadDocument(const char* data, size_t size, size_t max_size, int64_t line);
  // Parses and dispatches one document; on failure keeps the reason in last_error_.
  bool ParseDocument(const char* data, size_t size, size_t max_size, int64_t line);
  void ReportParseError(int64_t line);
  std::string last_error_;
  void Dispatch(element document, int64_t line, const std::string& path);
  void DispatchObject(object doc, int64_t line, const std::string& path);
  void EmitFinding(object finding, int64_t line, const std::string& path);
};

// `data` must be followed by SIMDJSON_PADDING readable bytes.
void FindingReader::Impl::ReadPadded(std::string_view data) {
  // A UTF-8 BOM goes before anything else, so that JSON Lines' first line loses it too.
  if (data.starts_with("\xEF\xBB\xBF")) data.remove_prefix(3);
  std::string_view content = TrimSpace(data);
  if (content.empty()) return;
  std::string_view first_line = content.substr(0, content.find('\n'));
  bool multi_line = first_line.size() < content.size();
  if (multi_line && LooksLikeJsonLine(first_line)) return ReadLines(data);
  if (ParseDocument(content.data(), content.size(), kMaxWholeDocumentBytes, 1)) return;
  // A JSON Lines file whose first line is damaged: read it line by line so one bad line does
  // not cost the rest.
  if (multi_line && HasJsonLine(content.substr(first_line.size()))) return ReadLines(data);
  ReportParseError(1);
}

void FindingReader::Impl::ReadLines(std::string_view data) {
  int64_t line_number = 0;
  size_t pos = 0, last_progress = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    ++line_number;
    std::string_view line = TrimSpace(data.substr(pos, end - pos));
    if (!line.empty()) ReadDocument(line.data(), line.size(), kMaxDocumentBytes, line_number);
    pos = end + 1;
    if (callbacks->on_progress && pos - last_progress > (4u << 20)) {
      callbacks->on_progress(std::min(pos, data.size()), data.size());
      last_progress = pos;
    }
  }
}

void FindingReader::Impl::ReadDocument(const char* data, size_t size, size_t max_size,
                                       int64_t line) {
  if (!ParseDocument(data, size, max_size, line)) ReportParseError(line);
}

bool FindingReader::Impl::ParseDocument(const char* data, size_t size, size_t max_size,
                                        int64_t line) {
  if (size > max_size) {
    last_error_ = "document of " + SizeText(size) + " exceeds the " + SizeText(max_size) +
                  " limit for one finding document";
    return false;
  }
  element document;
  auto error = parser.parse(data, size, false).get(document);
  if (error != simdjson::SUCCESS) {
    last_error_ = std::string("invalid JSON: ") + simdjson::error_message(error);
    return false;
  }
  Dispatch(document, line, "");
  return true;
}

void FindingReader::Impl::ReportParseError(int64_t line) { Error(line, "", last_error_); }

void FindingReader::Impl::Dispatch(element document, int64_t line, const std::string& path) {
  if (document.is_object()) return DispatchObject(object(document), line, path);
  if (!document.is_array()) {
    return Error(line, path, "expected a JSON object or array of GuardDuty findings");
  }
  size_t index = 0;
  for (element item : simdjson::dom::array(document)) {
    std::string item_path = path + "[" + std::to_string(index++) + "]";
    if (!item.is_object()) {
      Error(line, item_path, "expected a finding or an EventBridge event object");
      continue;
    }
    DispatchObject(object(item), line, item_path);
  }
}

void FindingReader::Impl::DispatchObject(object doc, int64_t line, const std::string& path) {
  element value;
  if (doc["detail-type"].get(value) == simdjson::SUCCESS) {
    std::string_view detail_type = value.is_string() ? std::string_view(value) : "";
    if (detail_type != "GuardDuty Finding") {
      if (callbacks->on_skipped_event) callbacks->on_skipped_event(detail_type);
      return;
    }
    element detail;
    if (doc["detail"].get(detail) != simdjson::SUCCESS || !detail.is_object()) {
      return Error(line, path.empty() ? "detail" : path + ".detail",
                   "a GuardDuty Finding event needs a detail object");
    }
    return EmitFinding(object(detail), line, path.empty() ? "detail" : path + ".detail");
  }
  if (doc["findings"].get(value) == simdjson::SUCCESS) {
    if (!value.is_array()) {
      return Error(line, path.empty() ? "findings" : path + ".findings", "expected an array");
    }
    return Dispatch(value, line, path.empty() ? "findings" : path + ".findings");
  }
  if (doc["type"].get(value) == simdjson::SUCCESS || doc["id"].get(value) == simdjson::SUCCESS) {
    return EmitFinding(doc, line, path);
  }
  Error(line, path,
        "not a GuardDuty finding: expected an EventBridge event, a finding (camelCase, as the "
        "API and S3 export write it) or {\"findings\":[...]}");
}

void FindingReader::Impl::EmitFinding(object doc, int64_t line, const std::string& path) {
  Finding finding;
  if (auto error = internal::ExtractFinding(doc, finding)) {
    std::string field = path.empty() ? error->field : path + "." + error->field;
    return Error(line, std::move(field), error->message);
  }
  if (callbacks->on_finding) callbacks->on_finding(std::move(finding));
}

FindingReader::FindingReader() : impl_(std::make_unique<Impl>()) {}
FindingReader::~FindingReader() = default;

void FindingReader::Impl::Read(std::string_view data, bool padded) {
  std::string inflated;
  if (IsGzip(data)) {
    auto gunzipped = GunzipBuffer(data, kMaxGunzipBytes);
    if (!gunzipped.ok()) return Error(1, "", gunzipped.status().message());
    inflated = std::move(gunzipped).value();
    // One level only: gzip inside gzip is no GuardDuty shape, and following it would let a gzip
    // quine (a file that inflates to itself) recurse until the stack overflows.
    if (IsGzip(inflated)) return Error(1, "", "gzip data inside gzip data is not supported");
    data = inflated;
    padded = false;
  }
  if (padded) return ReadPadded(data);
  simdjson::padded_string copy(data);
  ReadPadded(std::string_view(copy.data(), copy.size()));
}

void FindingReader::ReadBuffer(std::string_view data, std::string_view source,
                               const ReadCallbacks& callbacks) {
  impl_->callbacks = &callbacks;
  impl_->source = source;
  impl_->Read(data, /*padded=*/false);
}

Status FindingReader::ReadPaths(const std::vector<std::string>& paths,
                                const ReadCallbacks& callbacks) {
  Status first_failure;
  auto fail = [&](const std::string& path, const std::string& message) {
    if (callbacks.on_error) callbacks.on_error(ReadError{path, 0, "", message});
    if (first_failure.ok()) first_failure = Status::IoError(path + ": " + message);
  };
  for (const std::string& path : paths) {
    if (path == "-") {
      std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      ReadBuffer(input, "-", callbacks);
      continue;
    }
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        bool hidden = it->path().filename().string().starts_with(".");
        if (hidden && it->is_directory()) it.disable_recursion_pending();
        if (!hidden && it->is_regular_file()) files.push_back(it->path().string());
      }
      if (ec) fail(path, ec.message());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const std::string& file : files) {
      simdjson::padded_string content;
      if (auto error = simdjson::padded_string::load(file).get(content); error) {
        fail(file, std::string("cannot read: ") + (fs::exists(file) ? simdjson::error_message(error)
                                                                     : "no such file or directory"));
        continue;
      }
      // The loaded file is already padded: read it in place rather than copy it once more
      // (a 500 MB export would cost a 500 MB copy and its page faults).
      impl_->callbacks = &callbacks;
      impl_->source = file;
      impl_->Read(std::string_view(content.data(), content.size()), /*padded=*/true);
    }
  }
  return first_failure;
}

Result<std::string> GunzipBuffer(std::string_view data, size_t max_output) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return Status::Internal("inflateInit2");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  std::string out;
  char buffer[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END || stream.avail_in > 0) {
    if (rc == Z_STREAM_END) inflateReset(&stream);  // concatenated gzip members
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      return Status::InvalidArgument(std::string("corrupt gzip data: ") +
                                     (stream.msg ? stream.msg : "truncated"));
    }
    out.append(buffer, sizeof(buffer) - stream.avail_out);
    if (out.size() > max_output) {
      inflateEnd(&stream);
      return Status::InvalidArgument("gzip data expands beyond " + SizeText(max_output));
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return Status::InvalidArgument("corrupt gzip data: truncated");
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace guardfeed
