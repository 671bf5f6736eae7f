#include "corpus.h"

#include <simdjson.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "common/ci_skip.h"

namespace guardfeed::conformance {

std::filesystem::path CorpusDir() {
  if (const char* dir = std::getenv("GUARDFEED_CORPUS_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::filesystem::path(GUARDFEED_SOURCE_DIR) / "tests" / "corpus" / "guardduty";
}

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return "";
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string UnwrapSekoiaMessage(std::string_view wrapper_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(wrapper_json);
  std::string_view message;
  auto error = parser.parse(padded)["input"]["message"].get_string().get(message);
  if (error != simdjson::SUCCESS) {
    ADD_FAILURE() << "not a SEKOIA test event with a string input.message: "
                  << simdjson::error_message(error);
    return "";
  }
  return std::string(message);
}

ReadOutcome ReadAll(std::string_view data, std::string_view source) {
  ReadOutcome outcome;
  ReadCallbacks callbacks;
  callbacks.on_finding = [&](Finding&& finding) { outcome.findings.push_back(std::move(finding)); };
  callbacks.on_error = [&](const ReadError& error) { outcome.errors.push_back(error); };
  callbacks.on_skipped_event = [&](std::string_view detail_type) {
    outcome.skipped_events.emplace_back(detail_type);
  };
  FindingReader reader;
  reader.ReadBuffer(data, source, callbacks);
  return outcome;
}

ReadOutcome ReadCorpusFile(const std::string& relative_path, bool sekoia_wrapper) {
  std::string bytes = ReadFileBytes(CorpusDir() / relative_path);
  if (sekoia_wrapper) bytes = UnwrapSekoiaMessage(bytes);
  return ReadAll(bytes, relative_path);
}

std::string Gzip(std::string_view data) {
  z_stream stream{};
  // 16 + MAX_WBITS: write a gzip header and trailer rather than a raw zlib stream.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    ADD_FAILURE() << "deflateInit2 failed";
    return "";
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) ADD_FAILURE() << "deflate did not finish: " << rc;
  return out;
}

void GuardDutyCorpus::SetUp() {
  std::error_code ec;
  if (!std::filesystem::is_directory(CorpusDir(), ec)) {
    GF_SKIP_UNLESS_CI("GuardDuty corpus is missing (expected at " + CorpusDir().string() +
                      "); conformance tests skipped");
  }
}

}  // namespace guardfeed::conformance
