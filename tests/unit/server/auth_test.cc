#include "server/auth.h"

#include <gtest/gtest.h>

namespace guardfeed::server {
namespace {

RequestHead Head(std::initializer_list<std::pair<std::string, std::string>> headers) {
  RequestHead head;
  for (const auto& [name, value] : headers) head.set(name, value);
  return head;
}

TEST(ConstantTimeEquals, ComparesContentNotPrefixes) {
  EXPECT_TRUE(ConstantTimeEquals("secret-token", "secret-token"));
  EXPECT_FALSE(ConstantTimeEquals("secret-token", "secret-tokeN"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret-token"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "user:pa:ss", std::string("\0\xff", 2)}) {
    auto decoded = Base64Decode(Base64Encode(text));
    ASSERT_TRUE(decoded.has_value()) << text;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(Base64Encode("fortigate:pw"), "Zm9ydGlnYXRlOnB3");
  EXPECT_FALSE(Base64Decode("a!b=").has_value());
  EXPECT_FALSE(Base64Decode("a").has_value());
}

TEST(Base64, KnownVectorsWithAndWithoutPadding) {
  // RFC 4648 section 10.
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded).value_or("?"), plain) << encoded;
    std::string unpadded = encoded.substr(0, encoded.find('='));
    EXPECT_EQ(Base64Decode(unpadded).value_or("?"), plain) << unpadded;
  }
  std::string binary;
  for (int i = 0; i < 20000; ++i) binary.push_back(static_cast<char>(i * 7));
  EXPECT_EQ(Base64Decode(Base64Encode(binary)).value_or(""), binary);
  EXPECT_EQ(Base64Encode(binary).size(), (binary.size() + 2) / 3 * 4);
}

// The hand-written decoder stripped any number of trailing '=' and so accepted "Zg=====",
// "Zm9v=" and "Zg=" as valid credentials.
TEST(Base64, RejectsExcessOrPartialPadding) {
  for (const char* bad : {"Zg=====", "Zg===", "Zm9v=", "Zm9v==", "Zg=", "Zm9vYg=", "=", "=="}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

// OpenSSL's EVP_DecodeBlock alone skips blanks and line ends and reads '=' as zero bits.
TEST(Base64, RejectsWhatOpenSslAloneWouldSkip) {
  for (const char* bad :
       {" Zm9v", "Zm9v ", "Zm9v\n", "Zm9v-", "Zm=v", "=m9v", "Zm 9v", "Zm9v_w==", "Zm9v\r\n"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(Base64Decode(std::string("Zm9v\0", 5)).has_value());
  EXPECT_EQ(Base64Decode("+/+/").value_or(""), "\xfb\xff\xbf");
}

TEST(ParseBasic, RejectsBadlyPaddedCredentials) {
  EXPECT_FALSE(ParseBasic("Basic " + Base64Encode("fw:pw") + "==").has_value());
  EXPECT_EQ(ParseBasic(" basic " + Base64Encode("fw:pw") + " \t")->password, "pw");
}

TEST(BearerToken, AcceptsAnyCaseOfTheScheme) {
  EXPECT_EQ(BearerToken("Bearer abc").value_or(""), "abc");
  EXPECT_EQ(BearerToken("bearer   abc  ").value_or(""), "abc");
  EXPECT_FALSE(BearerToken("Basic abc").has_value());
  EXPECT_FALSE(BearerToken("Bearer ").has_value());
}

TEST(ParseBasic, SplitsAtTheFirstColon) {
  auto credentials = ParseBasic("Basic " + Base64Encode("palo:pa:ss"));
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "palo");
  EXPECT_EQ(credentials->password, "pa:ss");
  EXPECT_FALSE(ParseBasic("Basic " + Base64Encode("nocolon")).has_value());
  EXPECT_FALSE(ParseBasic("Bearer x").has_value());
}

TEST(CheckToken, AcceptsBearerOrTheApiKeyHeader) {
  EXPECT_EQ(CheckToken(Head({}), "", "X-API-Key"), AuthResult::kOk);
  EXPECT_EQ(CheckToken(Head({}), "t0k", "X-API-Key"), AuthResult::kMissing);
  EXPECT_EQ(CheckToken(Head({{"Authorization", "Bearer t0k"}}), "t0k", "X-API-Key"),
            AuthResult::kOk);
  EXPECT_EQ(CheckToken(Head({{"x-api-key", "t0k"}}), "t0k", "X-API-Key"), AuthResult::kOk);
  EXPECT_EQ(CheckToken(Head({{"X-API-Key", "Bearer t0k"}}), "t0k", "X-API-Key"), AuthResult::kOk);
  EXPECT_EQ(CheckToken(Head({{"X-API-Key", "nope"}}), "t0k", "X-API-Key"), AuthResult::kWrong);
  EXPECT_EQ(CheckToken(Head({{"X-API-Key", "t0k"}}), "t0k", ""), AuthResult::kMissing);
}

TEST(CheckFeedAuth, BasicAndBearer) {
  FeedAuth basic{"fw", "pw", ""};
  EXPECT_EQ(CheckFeedAuth(Head({}), basic), AuthResult::kMissing);
  EXPECT_EQ(CheckFeedAuth(Head({{"Authorization", "Basic " + Base64Encode("fw:pw")}}), basic),
            AuthResult::kOk);
  EXPECT_EQ(CheckFeedAuth(Head({{"Authorization", "Basic " + Base64Encode("fw:no")}}), basic),
            AuthResult::kWrong);
  EXPECT_EQ(CheckFeedAuth(Head({{"Authorization", "Bearer pw"}}), basic), AuthResult::kWrong);
  FeedAuth bearer{"", "", "srx-token"};
  EXPECT_EQ(CheckFeedAuth(Head({{"Authorization", "Bearer srx-token"}}), bearer), AuthResult::kOk);
}

TEST(FeedAuthChallenge, NamesEveryAcceptedScheme) {
  HttpResponse response = FeedAuthChallenge(FeedAuth{"u", "p", "t"}, "feeds");
  EXPECT_EQ(response.status, 401u);
  int challenges = 0;
  for (const auto& [name, value] : response.headers) {
    if (name == "WWW-Authenticate") ++challenges;
  }
  EXPECT_EQ(challenges, 2);
}

TEST(TokenAuthFailure, MissingIs401WrongIs403) {
  EXPECT_EQ(TokenAuthFailure(AuthResult::kMissing, "x").status, 401u);
  EXPECT_EQ(TokenAuthFailure(AuthResult::kWrong, "x").status, 403u);
}

}  // namespace
}  // namespace guardfeed::server
