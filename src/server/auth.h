// Credential checks for ingest, admin and per-feed auth: bearer tokens, API-key headers and HTTP
// basic, every secret compared in constant time (the time taken does not depend on how many
// leading bytes matched, nor on the secret's length).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/http_types.h"
#include "server/options.h"

namespace guardfeed::server {

// Constant-time equality over SHA-256 digests of both inputs.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648 section 4) through OpenSSL. Decoding accepts unpadded input, but
// padding that is present must complete the last group of four (at most two '='); nullopt on
// any other character, stray or excess '=', or a lone trailing character.
std::optional<std::string> Base64Decode(std::string_view text);
std::string Base64Encode(std::string_view bytes);

// The token of "Authorization: Bearer TOKEN" (scheme case-insensitive), or nullopt.
std::optional<std::string_view> BearerToken(std::string_view authorization);
// user and password of "Authorization: Basic base64(user:password)", or nullopt.
struct BasicCredentials {
  std::string user;
  std::string password;
};
std::optional<BasicCredentials> ParseBasic(std::string_view authorization);

enum class AuthResult { kOk, kMissing, kWrong };

// Token auth for ingest/admin: accepts Bearer or, when `api_key_header` is not empty, that
// header. An empty `token` accepts everything.
AuthResult CheckToken(const RequestHead& head, std::string_view token,
                      std::string_view api_key_header);
// Feed auth: basic and/or bearer as configured.
AuthResult CheckFeedAuth(const RequestHead& head, const FeedAuth& auth);

// 401 with WWW-Authenticate for the schemes `auth` accepts (kMissing and kWrong both: firewalls
// retry with credentials on 401).
HttpResponse FeedAuthChallenge(const FeedAuth& auth, std::string_view realm);
// 401 (missing) or 403 (wrong) JSON error for token-protected APIs.
HttpResponse TokenAuthFailure(AuthResult result, std::string_view what);

}  // namespace guardfeed::server
