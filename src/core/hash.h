// Content hashes (OpenSSL): SHA-256 for ETags and SigV4, MD5 for the SecIntel data-file trailer.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace guardfeed {

std::string Sha256Hex(std::string_view data);  // lowercase hex, 64 chars
std::string Md5Hex(std::string_view data);     // lowercase hex, 32 chars
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);

// SHA-256 of data fed in pieces (content too large to hold at once). Not thread-safe; movable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(std::string_view data);
  // Lowercase hex of everything fed so far; Update may continue after it.
  std::string HexDigest() const;

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace guardfeed
