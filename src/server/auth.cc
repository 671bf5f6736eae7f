#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/beast/http/field.hpp>

#include "core/hash.h"
#include "core/text.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Hashing first makes the comparison length-independent; both digests are 64 hex chars.
  std::string da = Sha256Hex(a);
  std::string db = Sha256Hex(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// EVP_EncodeBlock and EVP_DecodeBlock take int lengths: encode in slices (a multiple of 3 bytes,
// so only the last one is padded); refuse to decode more than this.
constexpr size_t kEncodeSlice = 3 * 4096;
constexpr size_t kMaxDecodeInput = 64u << 20;

std::string_view HeaderValue(const RequestHead& head, std::string_view name) {
  auto it = head.find(name);
  return it == head.end() ? std::string_view() : std::string_view(it->value());
}

}  // namespace

std::optional<std::string> Base64Decode(std::string_view text) {
  // OpenSSL's decoder skips leading blanks, drops trailing blanks, line ends and '-', and reads
  // '=' anywhere as zero bits; so the shape is checked first: alphabet characters, then at most
  // two '=' that complete the last group of four. Unpadded input gets its padding added.
  size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  const std::string_view data = text.substr(0, text.size() - padding);
  if (padding > 2 || data.find_first_not_of(kBase64Alphabet) != std::string_view::npos ||
      (padding > 0 && text.size() % 4 != 0) || data.size() % 4 == 1 ||
      text.size() > kMaxDecodeInput) {
    return std::nullopt;
  }
  std::string padded(data);
  const size_t missing = (4 - data.size() % 4) % 4;
  padded.append(missing, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(padded.data()),
                                      static_cast<int>(padded.size()));
  // The length counts a zero byte for every '='.
  if (decoded < 0 || static_cast<size_t>(decoded) != out.size()) return std::nullopt;
  out.resize(out.size() - missing);
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4 + 1);
  for (size_t pos = 0; pos < bytes.size(); pos += kEncodeSlice) {
    const std::string_view slice = bytes.substr(pos, kEncodeSlice);
    const size_t start = out.size();
    out.resize(start + (slice.size() + 2) / 3 * 4 + 1);  // EVP_EncodeBlock adds a NUL
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + start),
                                        reinterpret_cast<const unsigned char*>(slice.data()),
                                        static_cast<int>(slice.size()));
    out.resize(start + static_cast<size_t>(written));
  }
  return out;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  authorization = TrimSpace(authorization);
  if (!StartsWithIgnoreCase(authorization, "bearer ")) return std::nullopt;
  std::string_view token = TrimSpace(authorization.substr(7));
  if (token.empty()) return std::nullopt;
  return token;
}

std::optional<BasicCredentials> ParseBasic(std::string_view authorization) {
  authorization = TrimSpace(authorization);
  if (!StartsWithIgnoreCase(authorization, "basic ")) return std::nullopt;
  auto decoded = Base64Decode(TrimSpace(authorization.substr(6)));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

AuthResult CheckToken(const RequestHead& head, std::string_view token,
                      std::string_view api_key_header) {
  if (token.empty()) return AuthResult::kOk;
  std::optional<std::string_view> presented;
  if (!api_key_header.empty()) {
    std::string_view key = HeaderValue(head, api_key_header);
    // Some API destinations put "Bearer TOKEN" into a custom header too.
    if (!key.empty()) presented = BearerToken(key).value_or(TrimSpace(key));
  }
  if (!presented) presented = BearerToken(HeaderValue(head, "Authorization"));
  if (!presented) return AuthResult::kMissing;
  return ConstantTimeEquals(*presented, token) ? AuthResult::kOk : AuthResult::kWrong;
}

AuthResult CheckFeedAuth(const RequestHead& head, const FeedAuth& auth) {
  std::string_view header = HeaderValue(head, "Authorization");
  if (header.empty()) return AuthResult::kMissing;
  if (auth.bearer()) {
    if (auto token = BearerToken(header)) {
      return ConstantTimeEquals(*token, auth.token) ? AuthResult::kOk : AuthResult::kWrong;
    }
  }
  if (auth.basic()) {
    if (auto basic = ParseBasic(header)) {
      // Both compared every time so a wrong user takes as long as a wrong password.
      bool user_ok = ConstantTimeEquals(basic->user, auth.user);
      bool password_ok = ConstantTimeEquals(basic->password, auth.password);
      return user_ok && password_ok ? AuthResult::kOk : AuthResult::kWrong;
    }
  }
  return AuthResult::kWrong;
}

HttpResponse FeedAuthChallenge(const FeedAuth& auth, std::string_view realm) {
  HttpResponse response = TextResponse(401, "authentication required\n");
  std::string quoted_realm = "realm=\"" + std::string(realm) + "\"";
  if (auth.basic()) {
    response.AddHeader("WWW-Authenticate", "Basic " + quoted_realm + ", charset=\"UTF-8\"");
  }
  if (auth.bearer()) response.AddHeader("WWW-Authenticate", "Bearer " + quoted_realm);
  return response;
}

HttpResponse TokenAuthFailure(AuthResult result, std::string_view what) {
  if (result == AuthResult::kMissing) {
    HttpResponse response =
        JsonError(401, std::string(what) + ": missing credentials (Authorization: Bearer TOKEN)");
    response.AddHeader("WWW-Authenticate", "Bearer realm=\"guardfeed\"");
    return response;
  }
  return JsonError(403, std::string(what) + ": invalid token");
}

}  // namespace guardfeed::server
