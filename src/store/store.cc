// OpenStore: picks the Store engine from the URL scheme. Engines hide behind their own factories
// (sqlite_store.h); this file only parses the URL.
#include "store/store.h"

#include <string>

#include "store/sqlite_store.h"

namespace guardfeed {
namespace {

constexpr std::string_view kSchemeSeparator = "://";
constexpr std::string_view kExpected = "expected sqlite://PATH, a file path, or postgresql://...";

// URL schemes are case-insensitive (RFC 3986 section 3.1).
std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url) {
  if (url.empty())
    return Status::InvalidArgument("store URL is empty (" + std::string(kExpected) + ")");
  size_t separator = url.find(kSchemeSeparator);
  if (separator == std::string_view::npos) return OpenSqliteStore(std::string(url));

  std::string scheme = LowerAscii(url.substr(0, separator));
  std::string_view rest = url.substr(separator + kSchemeSeparator.size());
  if (scheme == "sqlite") {
    if (rest.empty()) return Status::InvalidArgument("store URL \"sqlite://\" has no path");
    return OpenSqliteStore(std::string(rest));
  }
  // The URL itself is not echoed: a PostgreSQL URL may carry a password.
  if (scheme == "postgresql" || scheme == "postgres") {
    return Status::InvalidArgument(
        "the PostgreSQL store engine is not built into this version of guardfeed; use "
        "sqlite://PATH");
  }
  return Status::InvalidArgument("unknown store URL scheme \"" + scheme + "\" (" +
                                 std::string(kExpected) + ")");
}

}  // namespace guardfeed
