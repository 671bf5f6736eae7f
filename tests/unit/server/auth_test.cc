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
