// Gzip compression (zlib, RFC 1952 framing) for whatever guardfeed stores or serves compressed:
// precompressed feed bodies, the Lambda's state. Decompression of untrusted input goes through
// guardduty/inflate.h, under a budget.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace guardfeed {

// Compresses `data` into one gzip member at zlib's level 6 (its default trade-off).
Result<std::string> GzipCompress(std::string_view data);

}  // namespace guardfeed
