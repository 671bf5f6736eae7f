#include "core/text.h"

#include <gtest/gtest.h>

#include <clocale>

namespace guardfeed {
namespace {

TEST(Text, TrimSpaceRemovesAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(TrimSpace(" \t a b \r\n"), "a b");
  EXPECT_EQ(TrimSpace("\v\f"), "");
  EXPECT_EQ(TrimSpace(""), "");
  EXPECT_EQ(TrimSpace("x"), "x");
  static_assert(TrimSpace("  k ") == "k");
}

TEST(Text, CaseInsensitiveComparisonsAreAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("GZip", "gzip"));
  EXPECT_FALSE(EqualsIgnoreCase("gzip", "gzi"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\x89", "\xC3\xA9"));  // É and é: bytes, not letters
  EXPECT_TRUE(StartsWithIgnoreCase("Bearer abc", "bearer "));
  EXPECT_TRUE(StartsWithIgnoreCase("BASIC x", "Basic"));
  EXPECT_FALSE(StartsWithIgnoreCase("Bear", "bearer"));
  EXPECT_TRUE(StartsWithIgnoreCase("anything", ""));
  static_assert(EqualsIgnoreCase("X-Amz-Date", "x-amz-date"));
}

TEST(Text, ToLowerIgnoresTheLocale) {
  // A Latin-1 locale makes std::tolower lower byte 0xC9; protocol text must not change with it.
  const char* previous = std::setlocale(LC_CTYPE, nullptr);
  std::string saved = previous != nullptr ? previous : "C";
  std::setlocale(LC_CTYPE, "en_US.ISO-8859-1");
  EXPECT_EQ(ToLower("Content-TYPE \xC9"), "content-type \xC9");
  std::setlocale(LC_CTYPE, saved.c_str());
  EXPECT_EQ(AsciiToLower('Z'), 'z');
  EXPECT_EQ(AsciiToLower('['), '[');
}

}  // namespace
}  // namespace guardfeed
