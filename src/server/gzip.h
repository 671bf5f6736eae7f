// Gzip compression for precompressed feed bodies (zlib, RFC 1952 framing).
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace guardfeed::server {

// Compresses `data` into a gzip member (level 6, zlib's default trade-off).
Result<std::string> GzipCompress(std::string_view data);

}  // namespace guardfeed::server
