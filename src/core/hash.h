// Content hashes (OpenSSL): SHA-256 for ETags and SigV4, MD5 for the SecIntel data-file trailer.
#pragma once

#include <string>
#include <string_view>

namespace guardfeed {

std::string Sha256Hex(std::string_view data);  // lowercase hex, 64 chars
std::string Md5Hex(std::string_view data);     // lowercase hex, 32 chars
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);

}  // namespace guardfeed
