// fuzz_auth_header: any bytes as an Authorization (or API-key) header value through the
// credential parsers of server/auth.h (BearerToken, ParseBasic, Base64Decode), and as raw bytes
// through Base64Encode. Checked: base64 round-trips, a Basic user never contains ':', what a
// parser accepts comes back from its own canonical spelling, and CheckToken / CheckFeedAuth accept
// exactly the credentials the header carries.
#include <boost/beast/http/field.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"
#include "fuzz_check.h"
#include "server/auth.h"
#include "server/http_types.h"

namespace {

using guardfeed::server::AuthResult;
using guardfeed::server::Base64Decode;
using guardfeed::server::Base64Encode;
using guardfeed::server::RequestHead;

constexpr std::string_view kApiKeyHeader = "X-API-Key";

void CheckBase64(std::string_view bytes) {
  const std::string encoded = Base64Encode(bytes);
  GF_FUZZ_CHECK(encoded.size() == (bytes.size() + 2) / 3 * 4, "base64 length is not 4*ceil(n/3)");
  auto decoded = Base64Decode(encoded);
  GF_FUZZ_CHECK(decoded && *decoded == bytes, "Base64Decode(Base64Encode(x)) != x");
  const std::string unpadded = encoded.substr(0, encoded.find('='));
  auto from_unpadded = Base64Decode(unpadded);
  GF_FUZZ_CHECK(from_unpadded && *from_unpadded == bytes, "unpadded base64 does not decode to x");

  // The bytes as base64 text: whatever decodes must encode to text that decodes the same.
  auto as_text = Base64Decode(bytes);
  if (!as_text) return;
  const size_t data = bytes.substr(0, bytes.find('=')).size();
  GF_FUZZ_CHECK(as_text->size() == data * 3 / 4, "decoded length does not match the input");
  auto again = Base64Decode(Base64Encode(*as_text));
  GF_FUZZ_CHECK(again && *again == *as_text, "decoded bytes do not round-trip");
}

void CheckBearer(std::string_view header) {
  auto token = guardfeed::server::BearerToken(header);
  if (!token) return;
  GF_FUZZ_CHECK(!token->empty(), "empty bearer token accepted");
  GF_FUZZ_CHECK(guardfeed::TrimSpace(*token) == *token, "bearer token not trimmed");
  GF_FUZZ_CHECK(header.find(*token) != std::string_view::npos, "token not taken from the header");
  const std::string spelled = "Bearer " + std::string(*token);  // the token views into it
  auto again = guardfeed::server::BearerToken(spelled);
  GF_FUZZ_CHECK(again && *again == *token, "\"Bearer TOKEN\" does not give TOKEN back");
}

void CheckBasic(std::string_view header) {
  auto basic = guardfeed::server::ParseBasic(header);
  if (!basic) return;
  GF_FUZZ_CHECK(basic->user.find(':') == std::string::npos, "Basic user contains ':'");
  auto again =
      guardfeed::server::ParseBasic("Basic " + Base64Encode(basic->user + ":" + basic->password));
  GF_FUZZ_CHECK(again && again->user == basic->user && again->password == basic->password,
                "Basic credentials do not round-trip");
}

// The header as Authorization, and as the API-key header, of a request.
void CheckRequestAuth(std::string_view header) {
  using guardfeed::server::CheckFeedAuth;
  using guardfeed::server::CheckToken;
  RequestHead with_authorization;
  with_authorization.set(boost::beast::http::field::authorization, header);
  RequestHead with_api_key;
  with_api_key.set(kApiKeyHeader, header);

  GF_FUZZ_CHECK(CheckToken(with_authorization, "", kApiKeyHeader) == AuthResult::kOk,
                "an empty token must accept everything");
  if (auto token = guardfeed::server::BearerToken(header)) {
    const std::string own(*token);
    GF_FUZZ_CHECK(CheckToken(with_authorization, own, "") == AuthResult::kOk,
                  "the header's own bearer token refused");
    GF_FUZZ_CHECK(CheckToken(with_authorization, own + "x", "") == AuthResult::kWrong,
                  "another token accepted");
    GF_FUZZ_CHECK(CheckToken(with_api_key, own, kApiKeyHeader) == AuthResult::kOk,
                  "\"Bearer TOKEN\" in the API-key header refused");
    guardfeed::FeedAuth bearer{"", "", own};
    GF_FUZZ_CHECK(CheckFeedAuth(with_authorization, bearer) == AuthResult::kOk,
                  "feed bearer token refused");
  } else if (!guardfeed::TrimSpace(header).empty()) {
    // Without the scheme, the API-key header carries the token itself.
    const std::string own(guardfeed::TrimSpace(header));
    GF_FUZZ_CHECK(CheckToken(with_api_key, own, kApiKeyHeader) == AuthResult::kOk,
                  "the API-key header's own token refused");
  }
  if (auto basic = guardfeed::server::ParseBasic(header); basic && !basic->user.empty()) {
    guardfeed::FeedAuth own{basic->user, basic->password, ""};
    GF_FUZZ_CHECK(CheckFeedAuth(with_authorization, own) == AuthResult::kOk,
                  "the header's own basic credentials refused");
    guardfeed::FeedAuth other{basic->user, basic->password + "x", ""};
    GF_FUZZ_CHECK(CheckFeedAuth(with_authorization, other) == AuthResult::kWrong,
                  "a wrong password accepted");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckBase64(bytes);
  CheckBearer(bytes);
  CheckBasic(bytes);
  GF_FUZZ_CHECK(guardfeed::server::ConstantTimeEquals(bytes, bytes), "x != x");
  GF_FUZZ_CHECK(!guardfeed::server::ConstantTimeEquals(bytes, std::string(bytes) + '\0'),
                "x == x + NUL");
  CheckRequestAuth(bytes);
  return 0;
}
