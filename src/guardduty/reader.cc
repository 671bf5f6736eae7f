#include "guardduty/reader.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <optional>
#include <simdjson.h>

#include "core/hash.h"
#include "core/text.h"
#include "guardduty/asff.h"
#include "guardduty/extract.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;
using simdjson::dom::object;

// Directories nested deeper than this are not walked (a bind-mount loop, a hostile tree).
constexpr int kMaxDirectoryDepth = 64;

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

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `parent.child`, or `child` at the top of a document.
std::string Path(const std::string& parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  std::string out = parent;
  out += '.';
  out += child;
  return out;
}

bool HasFindingSuffix(const fs::path& path) {
  std::string name = ToLower(path.filename().string());
  return std::any_of(std::begin(kFindingFileSuffixes), std::end(kFindingFileSuffixes),
                     [&](std::string_view suffix) { return name.ends_with(suffix); });
}

}  // namespace

std::string ReadError::ToString() const {
  std::string out = source + ":" + std::to_string(line) + ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

struct FindingReader::Impl {
  explicit Impl(ReadLimits read_limits) : limits(read_limits) {}

  const ReadLimits limits;
  simdjson::dom::parser parser;
  std::string scratch;  // a padded copy of one line or document
  const ReadCallbacks* callbacks = nullptr;
  std::string_view source;
  size_t errors = 0;  // in the current source
  Status stop;        // set when a limit stops the current source

  void Begin(const ReadCallbacks& cb, std::string_view name) {
    callbacks = &cb;
    source = name;
    errors = 0;
    stop = Status::Ok();
  }
  bool stopped() const { return !stop.ok(); }

  void Error(int64_t line, std::string field, std::string message) {
    if (callbacks->on_error) {
      callbacks->on_error(ReadError{std::string(source), line, std::move(field), std::move(message)});
    }
    if (++errors == limits.max_errors && !stopped()) {
      stop = Status::InvalidArgument("stopped after " + std::to_string(errors) + " errors");
    }
  }

  // Reads one source held in memory; `padded` says SIMDJSON_PADDING readable bytes follow it.
  void Read(std::string_view data, bool padded);
  void ReadGzip(std::string_view data);
  void ReadPadded(std::string_view padded_data);
  void ReadLines(std::string_view data);
  // Parses a copy of `text` (one line, or a document gathered from a stream).
  void ReadCopy(std::string_view text, size_t max_size, int64_t line);
  void ReadDocument(const char* data, size_t size, size_t max_size, int64_t line);
  // Parses and dispatches one document; on failure keeps the reason in last_error_.
  bool ParseDocument(const char* data, size_t size, size_t max_size, int64_t line);
  void ReportParseError(int64_t line);
  std::string last_error_;
  void Dispatch(element document, int64_t line, const std::string& path);
  void DispatchObject(object doc, int64_t line, const std::string& path);
  void DispatchEvent(object doc, std::string_view detail_type, int64_t line,
                     const std::string& path);
  void EmitFinding(object finding, const internal::FindingNames& names, int64_t line,
                   const std::string& path, const internal::MissingIdentity* missing = nullptr);
  void EmitTestEvent(object detail, int64_t line, const std::string& path);
  void EmitAsff(object finding, int64_t line, const std::string& path);
  // A parser that grew for a huge document gives its memory back.
  void TrimParser();
};

// Splits an inflating stream into JSON Lines as they arrive, or gathers it into one document
// when its first line is not a whole JSON value. Holds at most one line or one document.
class StreamFramer {
 public:
  explicit StreamFramer(FindingReader::Impl& reader) : r_(reader) {}

  Status Push(std::string_view chunk) {
    if (r_.stopped()) return r_.stop;
    if (mode_ == Mode::kUnknown) return PushUnknown(chunk);
    if (mode_ == Mode::kLines) return PushLines(chunk);
    if (mode_ == Mode::kDocument) return Gather(chunk);
    return Status::Ok();  // kDiscard: an oversized document is being skipped
  }

  void Finish() {
    if (r_.stopped()) return;
    if (mode_ == Mode::kLines) {
      if (!skipping_line_) Line(pending_);
    } else if (mode_ != Mode::kDiscard && !pending_.empty()) {
      r_.ReadCopy(pending_, r_.limits.max_document_bytes, 1);
    }
    pending_.clear();
  }

 private:
  enum class Mode { kUnknown, kLines, kDocument, kDiscard };

  Status PushUnknown(std::string_view chunk) {
    if (pending_.empty()) {
      // Leading blank space and a BOM are dropped as they come, so whitespace never piles up.
      while (!chunk.empty() && IsSpace(chunk.front())) chunk.remove_prefix(1);
      if (!bom_checked_ && !chunk.empty()) {
        bom_checked_ = true;
        if (chunk.starts_with("\xEF\xBB\xBF")) chunk.remove_prefix(3);
      }
    }
    size_t searched = pending_.size();  // only the new bytes can hold the first newline
    pending_.append(chunk);
    size_t newline = pending_.find('\n', searched);
    if (newline == std::string::npos) return CheckUnknownSize();
    std::string rest;
    if (LooksLikeJsonLine(std::string_view(pending_).substr(0, newline))) {
      mode_ = Mode::kLines;
      rest.swap(pending_);
      return PushLines(rest);
    }
    mode_ = Mode::kDocument;
    return Gather({});
  }

  Status CheckUnknownSize() {
    if (pending_.size() <= std::max(r_.limits.max_line_bytes, r_.limits.max_document_bytes)) {
      return Status::Ok();
    }
    return Oversized(1);
  }

  Status PushLines(std::string_view chunk) {
    while (!chunk.empty() && !r_.stopped()) {
      size_t newline = chunk.find('\n');
      std::string_view piece = chunk.substr(0, newline);
      if (!skipping_line_) pending_.append(piece);
      if (newline == std::string_view::npos) {
        if (!skipping_line_ && pending_.size() > r_.limits.max_line_bytes) {
          ++line_;
          r_.Error(line_, "", "line longer than the " + SizeText(r_.limits.max_line_bytes) +
                                  " limit for one finding document; skipped");
          pending_.clear();
          skipping_line_ = true;
        }
        break;
      }
      if (skipping_line_) {
        skipping_line_ = false;  // the oversized line ends here; it was already counted
      } else {
        Line(pending_);
      }
      pending_.clear();
      chunk.remove_prefix(newline + 1);
    }
    return r_.stop;
  }

  void Line(std::string_view text) {
    ++line_;
    text = TrimSpace(text);
    if (!text.empty()) r_.ReadCopy(text, r_.limits.max_line_bytes, line_);
  }

  Status Gather(std::string_view chunk) {
    pending_.append(chunk);
    if (pending_.size() <= r_.limits.max_document_bytes) return Status::Ok();
    return Oversized(1);
  }

  Status Oversized(int64_t line) {
    r_.Error(line, "",
             "document larger than the " + SizeText(r_.limits.max_document_bytes) + " limit");
    mode_ = Mode::kDiscard;
    pending_.clear();
    pending_.shrink_to_fit();
    return r_.stop;
  }

  FindingReader::Impl& r_;
  Mode mode_ = Mode::kUnknown;
  std::string pending_;
  int64_t line_ = 0;
  bool skipping_line_ = false;
  bool bom_checked_ = false;
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
  if (ParseDocument(content.data(), content.size(), limits.max_document_bytes, 1)) return;
  // A JSON Lines file whose first line is damaged: read it line by line so one bad line does
  // not cost the rest.
  if (multi_line && HasJsonLine(content.substr(first_line.size()))) return ReadLines(data);
  ReportParseError(1);
}

void FindingReader::Impl::ReadLines(std::string_view data) {
  int64_t line_number = 0;
  size_t pos = 0, last_progress = 0;
  while (pos < data.size() && !stopped()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    ++line_number;
    std::string_view line = TrimSpace(data.substr(pos, end - pos));
    if (!line.empty()) ReadDocument(line.data(), line.size(), limits.max_line_bytes, line_number);
    pos = end + 1;
    if (callbacks->on_progress && pos - last_progress > (4u << 20)) {
      callbacks->on_progress(std::min(pos, data.size()), data.size());
      last_progress = pos;
    }
  }
}

void FindingReader::Impl::ReadCopy(std::string_view text, size_t max_size, int64_t line) {
  if (text.size() > max_size) {
    return Error(line, "", "document of " + SizeText(text.size()) + " exceeds the " +
                               SizeText(max_size) + " limit for one finding document");
  }
  scratch.assign(text);
  scratch.resize(text.size() + simdjson::SIMDJSON_PADDING);
  if (line == 1 && text.find('\n') != std::string_view::npos) {
    // A whole document gathered from a stream: the same shape detection as a file.
    ReadPadded(std::string_view(scratch.data(), text.size()));
  } else {
    ReadDocument(scratch.data(), text.size(), max_size, line);
  }
  if (scratch.capacity() > (4u << 20)) std::string().swap(scratch);
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
    TrimParser();
    return false;
  }
  Dispatch(document, line, "");
  TrimParser();
  return true;
}

void FindingReader::Impl::TrimParser() {
  constexpr size_t kKeepCapacity = 1u << 20;
  if (parser.capacity() > kKeepCapacity) {
    simdjson::error_code ignored = parser.allocate(kKeepCapacity);  // failure: keeps the old size
    (void)ignored;
  }
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
    return DispatchEvent(doc, value.is_string() ? std::string_view(value) : "", line, path);
  }
  if (doc["findings"].get(value) == simdjson::SUCCESS) {
    if (!value.is_array()) return Error(line, Path(path, "findings"), "expected an array");
    return Dispatch(value, line, Path(path, "findings"));
  }
  // GuardDuty's own shape first: it is what arrives in bulk (the S3 export, EventBridge).
  if (doc["type"].get(value) == simdjson::SUCCESS) {
    return EmitFinding(doc, internal::kWireNames, line, path);
  }
  if (doc["Findings"].get(value) == simdjson::SUCCESS) {
    // `aws guardduty get-findings` (the SDK's member names) or `aws securityhub get-findings`
    // (ASFF): each item says which by its own fields.
    if (!value.is_array()) return Error(line, Path(path, "Findings"), "expected an array");
    return Dispatch(value, line, Path(path, "Findings"));
  }
  if (doc["detail"].get(value) == simdjson::SUCCESS && value.is_object()) {
    // An event without a detail-type: the seeds' hand-made test events (the Fortinet Lambda's
    // README has {"id": ..., "detail": {...}}). A raw finding never has a detail member.
    return EmitTestEvent(object(value), line, Path(path, "detail"));
  }
  if (doc["id"].get(value) == simdjson::SUCCESS) {
    return EmitFinding(doc, internal::kWireNames, line, path);
  }
  if (internal::IsAsffFinding(doc)) return EmitAsff(doc, line, path);
  if (doc["Type"].get(value) == simdjson::SUCCESS || doc["Id"].get(value) == simdjson::SUCCESS) {
    return EmitFinding(doc, internal::kSdkNames, line, path);
  }
  Error(line, path,
        "not a GuardDuty finding: expected an EventBridge event, a finding (camelCase as the API "
        "and S3 export write it, or PascalCase as the AWS CLI prints it), {\"findings\":[...]}, "
        "{\"Findings\":[...]} or Security Hub ASFF findings");
}

void FindingReader::Impl::DispatchEvent(object doc, std::string_view detail_type, int64_t line,
                                        const std::string& path) {
  bool guardduty = detail_type == "GuardDuty Finding";
  bool security_hub = detail_type == "Security Hub Findings - Imported" ||
                      detail_type == "Security Hub Findings - Custom Action";
  if (!guardduty && !security_hub) {
    if (callbacks->on_skipped_event) callbacks->on_skipped_event(detail_type);
    return;
  }
  std::string detail_path = Path(path, "detail");
  element detail;
  if (doc["detail"].get(detail) != simdjson::SUCCESS || !detail.is_object()) {
    return Error(line, detail_path,
                 guardduty ? "a GuardDuty Finding event needs a detail object"
                           : "a Security Hub Findings event needs a detail object");
  }
  if (guardduty) return EmitFinding(object(detail), internal::kWireNames, line, detail_path);
  element findings;
  std::string findings_path = Path(detail_path, "findings");
  if (object(detail)["findings"].get(findings) != simdjson::SUCCESS || !findings.is_array()) {
    return Error(line, findings_path, "expected an array of ASFF findings");
  }
  size_t index = 0;
  for (element item : simdjson::dom::array(findings)) {
    std::string item_path = findings_path + "[" + std::to_string(index++) + "]";
    if (!item.is_object()) {
      Error(line, item_path, "expected an ASFF finding object");
      continue;
    }
    EmitAsff(object(item), line, item_path);
  }
}

void FindingReader::Impl::EmitFinding(object doc, const internal::FindingNames& names, int64_t line,
                                      const std::string& path,
                                      const internal::MissingIdentity* missing) {
  Finding finding;
  if (auto error = internal::ExtractFinding(doc, names, limits.max_indicators_per_finding, finding,
                                            missing, limits.own_hosts)) {
    return Error(line, Path(path, error->field), error->message);
  }
  if (callbacks->on_finding) callbacks->on_finding(std::move(finding));
}

void FindingReader::Impl::EmitTestEvent(object detail, int64_t line, const std::string& path) {
  // A hash of the finding's own JSON (minified, so whitespace does not matter) identifies it:
  // the same test event sent twice is one finding, as a real finding's id would make it.
  internal::MissingIdentity missing;
  missing.id = "derived-" + Sha256Hex(simdjson::minify(detail)).substr(0, 32);
  missing.derive_type = true;
  EmitFinding(detail, internal::kWireNames, line, path, &missing);
}

void FindingReader::Impl::EmitAsff(object doc, int64_t line, const std::string& path) {
  if (std::string product = internal::OtherAsffProduct(doc); !product.empty()) {
    // Security Hub also carries Inspector, Macie, Config, ... findings: not ours to read.
    if (callbacks->on_skipped_event) {
      callbacks->on_skipped_event("Security Hub finding from " + product);
    }
    return;
  }
  Finding finding;
  if (auto error = internal::ExtractAsffFinding(doc, limits.max_indicators_per_finding, finding)) {
    return Error(line, Path(path, error->field), error->message);
  }
  if (callbacks->on_finding) callbacks->on_finding(std::move(finding));
}

FindingReader::FindingReader(ReadLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
FindingReader::~FindingReader() = default;

void FindingReader::Impl::Read(std::string_view data, bool padded) {
  if (IsGzip(data)) return ReadGzip(data);
  if (padded) return ReadPadded(data);
  if (data.size() > limits.max_document_bytes && !HasJsonLine(data.substr(0, 1u << 20))) {
    return Error(1, "", "document of " + SizeText(data.size()) + " exceeds the " +
                            SizeText(limits.max_document_bytes) + " limit");
  }
  simdjson::padded_string copy(data);
  ReadPadded(std::string_view(copy.data(), copy.size()));
}

// gzip, and at most one gzip inside it (a body sent with Content-Encoding: gzip whose content is
// itself application/gzip). Deeper nesting is read as data and fails as JSON: following it would
// let a gzip quine (a file that inflates to itself) recurse forever.
void FindingReader::Impl::ReadGzip(std::string_view data) {
  uint64_t budget = limits.max_inflated_bytes;
  Inflater outer(budget);
  std::optional<Inflater> inner;
  bool first_chunk = true;
  StreamFramer framer(*this);
  auto to_framer = [&framer](std::string_view chunk) { return framer.Push(chunk); };
  auto from_outer = [&](std::string_view chunk) {
    if (first_chunk) {
      first_chunk = false;
      if (IsGzip(chunk)) inner.emplace(budget);
    }
    return inner ? inner->Feed(chunk, to_framer) : framer.Push(chunk);
  };
  constexpr size_t kSlice = 1u << 20;
  Status status;
  for (size_t done = 0; done < data.size() && status.ok(); done += kSlice) {
    status = outer.Feed(data.substr(done, kSlice), from_outer);
    if (callbacks->on_progress) {
      callbacks->on_progress(std::min(done + kSlice, data.size()), data.size());
    }
  }
  if (status.ok()) status = outer.Finish();
  if (status.ok() && inner) status = inner->Finish();
  if (status.code() == Status::Code::kResourceExhausted && !stopped()) {
    stop = Status::ResourceExhausted("gzip data expands beyond the " +
                                     SizeText(limits.max_inflated_bytes) +
                                     " decompression budget; stopped reading");
  }
  if (stopped()) return Error(1, "", stop.message());
  // Corrupt or truncated: what was read stays read; the unfinished last line is dropped.
  if (!status.ok()) return Error(1, "", status.message());
  framer.Finish();
}

Status FindingReader::ReadBuffer(std::string_view data, std::string_view source,
                                 const ReadCallbacks& callbacks) {
  impl_->Begin(callbacks, source);
  impl_->Read(data, /*padded=*/false);
  return impl_->stop;
}

namespace {

// Lists the finding files under `dir` in sorted order, reporting what cannot be read.
void WalkDirectory(const fs::path& dir, int depth, std::vector<std::string>& files,
                   const std::function<void(const std::string&, const std::string&)>& fail) {
  if (depth > kMaxDirectoryDepth) return fail(dir.string(), "directory nesting too deep");
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(*it);
  }
  if (ec) fail(dir.string(), "cannot list directory: " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::directory_entry& entry : entries) {
    if (entry.path().filename().string().starts_with(".")) continue;
    std::error_code link_ec, status_ec;
    bool link = entry.is_symlink(link_ec);
    fs::file_status status = entry.status(status_ec);  // follows links
    if (status_ec) {
      fail(entry.path().string(), link ? "broken or looping symbolic link: " + status_ec.message()
                                       : status_ec.message());
    } else if (fs::is_directory(status)) {
      // Links to directories are not followed: they are how a tree loops back on itself.
      if (!link) WalkDirectory(entry.path(), depth + 1, files, fail);
    } else if (fs::is_regular_file(status) && HasFindingSuffix(entry.path())) {
      files.push_back(entry.path().string());
    }
  }
}

}  // namespace

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
      (void)ReadBuffer(input, "-", callbacks);
      continue;
    }
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      WalkDirectory(path, 0, files, fail);
    } else {
      files.push_back(path);  // named explicitly: read whatever its name
    }
    for (const std::string& file : files) {
      simdjson::padded_string content;
      if (auto error = simdjson::padded_string::load(file).get(content); error) {
        std::error_code exists_ec;
        fail(file, std::string("cannot read: ") +
                       (fs::exists(file, exists_ec) ? simdjson::error_message(error)
                                                    : "no such file or directory"));
        continue;
      }
      // The loaded file is already padded: read it in place rather than copy it once more
      // (a 500 MB export would cost a 500 MB copy and its page faults).
      impl_->Begin(callbacks, file);
      impl_->Read(std::string_view(content.data(), content.size()), /*padded=*/true);
    }
  }
  return first_failure;
}

}  // namespace guardfeed
