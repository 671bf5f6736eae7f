#include "server/auth.h"

#include <openssl/crypto.h>

#include <array>
#include <boost/beast/http/field.hpp>
#include <cstdint>

#include "core/hash.h"

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

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view HeaderValue(const RequestHead& head, std::string_view name) {
  auto it = head.find(name);
  return it == head.end() ? std::string_view() : std::string_view(it->value());
}

}  // namespace

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t accumulator = 0;
  int bits = 0;
  for (char c : text) {
    int value = Base64Value(c);
    if (value < 0) return std::nullopt;
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return std::nullopt;  // a single dangling character is not valid base64
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  uint32_t accumulator = 0;
  int bits = 0;
  for (char c : bytes) {
    accumulator = (accumulator << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Alphabet[(accumulator >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kBase64Alphabet[(accumulator << (6 - bits)) & 0x3F]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  authorization = TrimSpaces(authorization);
  if (!StartsWithNoCase(authorization, "bearer ")) return std::nullopt;
  std::string_view token = TrimSpaces(authorization.substr(7));
  if (token.empty()) return std::nullopt;
  return token;
}

std::optional<BasicCredentials> ParseBasic(std::string_view authorization) {
  authorization = TrimSpaces(authorization);
  if (!StartsWithNoCase(authorization, "basic ")) return std::nullopt;
  auto decoded = Base64Decode(TrimSpaces(authorization.substr(6)));
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
    if (!key.empty()) presented = BearerToken(key).value_or(TrimSpaces(key));
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
