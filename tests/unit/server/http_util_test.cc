#include "server/http_util.h"

#include <gtest/gtest.h>

#include "guardduty/reader.h"
#include "core/gzip.h"

namespace guardfeed::server {
namespace {

TEST(HttpDate, FormatsAndParsesImfFixdate) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT").value_or(0), 784111777);
  EXPECT_FALSE(ParseHttpDate("yesterday").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing").has_value());
}

TEST(AcceptsGzip, HonoursQualityValues) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, gzipx"));
}

TEST(EtagMatches, UsesWeakComparison) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("*", "\"abc\""));
  EXPECT_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("abc", "\"abc\""));
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
}

TEST(PercentDecode, DecodesAndRejectsBadEscapes) {
  EXPECT_EQ(PercentDecode("10.0.0.0%2F8").value_or(""), "10.0.0.0/8");
  EXPECT_EQ(PercentDecode("a+b").value_or(""), "a+b");
  EXPECT_FALSE(PercentDecode("%2").has_value());
  EXPECT_FALSE(PercentDecode("%zz").has_value());
}

TEST(ParseQuery, SplitsAndDecodes) {
  auto query = ParseQuery("kind=ipv4&prefix=1.2.&reason=false+positive&x=%41&&empty=");
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ((*query)["kind"], "ipv4");
  EXPECT_EQ((*query)["prefix"], "1.2.");
  EXPECT_EQ((*query)["reason"], "false positive");
  EXPECT_EQ((*query)["x"], "A");
  EXPECT_EQ((*query)["empty"], "");
  EXPECT_FALSE(ParseQuery("a=%").has_value());
}

TEST(ParseQuery, PlusIsASpaceAndEscapedPlusIsAPlus) {
  auto query = ParseQuery("reason=a+b%2Bc&k%2Bey+1=v&flag&=orphan&dup=1&dup=2");
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ((*query)["reason"], "a b+c");
  EXPECT_EQ((*query)["k+ey 1"], "v");
  EXPECT_EQ((*query)["flag"], "");
  EXPECT_EQ((*query)[""], "orphan");
  EXPECT_EQ((*query)["dup"], "2");
  EXPECT_EQ(query->size(), 5u);
  EXPECT_TRUE(ParseQuery("")->empty());
}

TEST(ParseQuery, RejectsCharactersAQueryMustEscape) {
  for (const char* bad :
       {"a=b c", "a=\"x\"", "a=<x>", "a=x|y", "a=\xC3\xA9", "a=1#frag", "k=%zz", "k=%4"}) {
    EXPECT_FALSE(ParseQuery(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseQuery("a=%C3%A9")->at("a"), "\xC3\xA9");
}

TEST(PercentDecode, KeepsPlusAndDecodesEveryEscape) {
  EXPECT_EQ(PercentDecode("2001%3Adb8%3A%3A%2F32").value_or(""), "2001:db8::/32");
  EXPECT_EQ(PercentDecode("%2b%2B").value_or(""), "++");
  EXPECT_EQ(PercentDecode("").value_or("x"), "");
  EXPECT_FALSE(PercentDecode("%").has_value());
  EXPECT_FALSE(PercentDecode("abc%2").has_value());
  EXPECT_FALSE(PercentDecode("%g0").has_value());
}

TEST(MediaType, DropsParametersAndLowercases) {
  EXPECT_EQ(MediaType("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaType(""), "");
  EXPECT_EQ(MediaType(" \tText/CSV ;q=1"), "text/csv");
}

TEST(GzipCompress, RoundTripsThroughTheReadersGunzip) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "203.0.113." + std::to_string(i % 256) + "\n";
  Result<std::string> compressed = GzipCompress(text);
  ASSERT_TRUE(compressed.ok());
  EXPECT_LT(compressed->size(), text.size());
  Result<std::string> back = GunzipBuffer(*compressed, text.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, text);
}

// Boost.URL 1.81's parse_query reads up to a NUL: a view into a request target took the rest of
// the request with it ("kind=ipv4 HTTP/1.1..."), and a null view crashed the daemon.
TEST(ParseQuery, ReadsOnlyTheViewItIsGiven) {
  std::string target = "kind=ipv4 HTTP/1.1\r\nHost: x";
  auto params = ParseQuery(std::string_view(target).substr(0, 9));
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->at("kind"), "ipv4");
  auto none = ParseQuery(std::string_view());
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(PercentDecode(std::string_view()), std::string());
}

// q was matched with exact case and anywhere in the parameters: "gzip;Q=0" still got gzip and
// "gzip;level=0q=0" counted as declining it.
TEST(AcceptsGzip, QualityIsTheParameterNamedQInAnyCase) {
  EXPECT_FALSE(AcceptsGzip("gzip;Q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q = 0.000"));
  EXPECT_TRUE(AcceptsGzip("gzip;level=0q=0"));
  EXPECT_TRUE(AcceptsGzip("gzip;level=1;q=0.5"));
  EXPECT_FALSE(AcceptsGzip("identity, gzip;foo=bar;q=0"));
}

}  // namespace
}  // namespace guardfeed::server
