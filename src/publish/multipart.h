// Multipart: builds multipart/form-data request bodies (RFC 7578) for file uploads, as the
// Juniper ATP Cloud Open API expects them (a `file` part holding a CSV file).
//
// Threading: pure functions; the boundary comes from a per-call random source.
#pragma once

#include <string>
#include <string_view>

namespace guardfeed {

struct MultipartFile {
  std::string field;         // form field name, e.g. "file"
  std::string filename;      // e.g. "servers.csv"
  std::string content_type;  // e.g. "text/csv"
  std::string_view content;  // borrowed for the call
};

struct MultipartBody {
  std::string content_type;  // "multipart/form-data; boundary=..."
  std::string body;
};

// One-part body for `file`. The boundary is random and never occurs in the content. Field and
// file names must not contain '"', CR or LF (callers pass constants).
MultipartBody BuildMultipartFile(const MultipartFile& file);

}  // namespace guardfeed
