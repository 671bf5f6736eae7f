#include "core/indicator.h"

#include <gtest/gtest.h>

#include "core/special_ranges.h"

namespace guardfeed {
namespace {

Indicator Ip(const char* text) { return NormalizeIp(text).value(); }
Indicator Domain(const char* text) { return NormalizeDomain(text).value(); }

TEST(Indicator, Ipv4IsCanonical) {
  EXPECT_EQ(Ip("203.0.113.7").value, "203.0.113.7");
  EXPECT_EQ(Ip("203.0.113.7").kind, IndicatorKind::kIpv4);
}

TEST(Indicator, Ipv4WithLeadingZerosIsRejected) {
  // Octal-looking text is ambiguous (some parsers read 010 as 8): refuse it.
  EXPECT_FALSE(NormalizeIp("010.0.0.1").ok());
  EXPECT_FALSE(NormalizeIp("1.2.3").ok());
  EXPECT_FALSE(NormalizeIp("1.2.3.256").ok());
  EXPECT_FALSE(NormalizeIp("").ok());
  EXPECT_FALSE(NormalizeIp(" 1.2.3.4").ok());
  EXPECT_FALSE(NormalizeIp(std::string_view("1.2.3.4\0junk", 12)).ok());
}

TEST(Indicator, Ipv6IsCompressedLowercase) {
  EXPECT_EQ(Ip("2001:0DB8:0000:0000:0000:0000:0000:0001").value, "2001:db8::1");
  EXPECT_EQ(Ip("2001:db8::1").kind, IndicatorKind::kIpv6);
}

TEST(Indicator, Ipv4MappedIpv6IsIpv4) {
  Indicator mapped = Ip("::ffff:198.51.100.9");
  EXPECT_EQ(mapped.kind, IndicatorKind::kIpv4);
  EXPECT_EQ(mapped.value, "198.51.100.9");
}

TEST(Indicator, DomainIsLowercasedWithoutTrailingDot) {
  EXPECT_EQ(Domain("Evil.Example.COM.").value, "evil.example.com");
  EXPECT_EQ(Domain("_dmarc.example.org").value, "_dmarc.example.org");
}

TEST(Indicator, InternationalDomainBecomesPunycode) {
  EXPECT_EQ(Domain("bücher.example").value, "xn--bcher-kva.example");
  EXPECT_EQ(Domain("München.de").value, "xn--mnchen-3ya.de");
  EXPECT_EQ(Domain("例え.jp").value, "xn--r8jz45g.jp");
  // One name whatever the case of its non-ASCII letters.
  EXPECT_EQ(Domain("MÜNCHEN.de").value, "xn--mnchen-3ya.de");
  EXPECT_EQ(Domain("ΑΘΗΝΑ.gr").value, Domain("αθηνα.gr").value);
  // A letter that lowercases to ASCII leaves an ASCII label (KELVIN SIGN).
  EXPECT_EQ(Domain("\u212Aevil.example").value, "kevil.example");
}

TEST(Indicator, HiddenCharactersAndOtherSpellingsOfUtf8AreRejected) {
  // Zero-width space, zero-width joiner, right-to-left override, soft hyphen, BOM, a variation
  // selector, a C1 control, a tag character: each would make a look-alike of a real name.
  for (const char* name : {"goo\u200Bgle.com", "pay\u200Dpal.com", "evil\u202Emoc.example",
                           "ex\u00ADample.com", "\uFEFFexample.com", "b\uFE0Fucher.example",
                           "bu\u0085cher.example", "bücher\U000E0041.example"}) {
    auto status = NormalizeDomain(name).status();
    EXPECT_FALSE(status.ok()) << name;
    EXPECT_NE(status.message().find("invisible or control character U+"), std::string::npos)
        << status.ToString();
  }
  // Overlong encodings ('a' as two bytes, '.' as three) and encoded surrogates are not UTF-8.
  EXPECT_FALSE(NormalizeDomain("b\xC1\xA1" "d.example").ok());
  EXPECT_FALSE(NormalizeDomain("b\xE0\x80\xAE" "d.example").ok());
  EXPECT_FALSE(NormalizeDomain("b\xED\xA0\x80" "d.example").ok());
  EXPECT_TRUE(NormalizeDomain("b\xC3\xBC" "cher.example").ok());  // ü, well formed
}

TEST(Indicator, GarbageDomainsAreRejectedWithAReason) {
  EXPECT_FALSE(NormalizeDomain("localhost").ok());  // single label
  EXPECT_FALSE(NormalizeDomain("a..b.com").ok());
  EXPECT_FALSE(NormalizeDomain("-bad.example.com").ok());
  EXPECT_FALSE(NormalizeDomain("bad-.example.com").ok());
  EXPECT_FALSE(NormalizeDomain("exa mple.com").ok());
  EXPECT_FALSE(NormalizeDomain("*.example.com").ok());
  EXPECT_FALSE(NormalizeDomain("1.2.3.4").ok());  // numeric top-level label
  EXPECT_FALSE(NormalizeDomain(std::string(64, 'a') + ".com").ok());
  EXPECT_FALSE(NormalizeDomain("\xff\xfe.com").ok());
  auto status = NormalizeDomain("exa mple.com").status();
  EXPECT_NE(status.message().find("not allowed"), std::string::npos) << status.ToString();
}

TEST(Indicator, DomainLengthLimitIs253) {
  std::string label(63, 'a');
  std::string name = label + "." + label + "." + label + "." + std::string(61, 'b');
  EXPECT_EQ(name.size(), 253u);
  EXPECT_TRUE(NormalizeDomain(name).ok());
  EXPECT_FALSE(NormalizeDomain(name + "b").ok());
}

TEST(Indicator, NormalizeIndicatorPicksTheKind) {
  EXPECT_EQ(NormalizeIndicator("192.0.2.1").value().kind, IndicatorKind::kIpv4);
  EXPECT_EQ(NormalizeIndicator("2001:db8::2").value().kind, IndicatorKind::kIpv6);
  EXPECT_EQ(NormalizeIndicator("c2.example.net").value().kind, IndicatorKind::kDomain);
}

TEST(Indicator, KindNamesRoundTrip) {
  for (IndicatorKind kind : {IndicatorKind::kIpv4, IndicatorKind::kIpv6, IndicatorKind::kDomain}) {
    EXPECT_EQ(ParseKindName(KindName(kind)).value(), kind);
  }
  EXPECT_FALSE(ParseKindName("url").ok());
}

TEST(Punycode, MatchesRfc3492Sample) {
  // RFC 3492 section 7.1 (L): "3<nen>B<gumi><kinpachi><sensei>".
  std::u32string input = U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F";
  EXPECT_EQ(PunycodeEncode(input).value(), "3B-ww4c5e180e575a65lsy2b");
}

TEST(SpecialRanges, ClassifiesNeverBlockRanges) {
  auto range = [](const char* ip) { return FindSpecialRange(ParseIpAddress(ip).value()); };
  ASSERT_NE(range("10.1.2.3"), nullptr);
  EXPECT_EQ(range("10.1.2.3")->range_class, "private");
  EXPECT_EQ(range("100.64.0.1")->range_class, "cgnat");
  EXPECT_EQ(range("169.254.169.254")->range_class, "link_local");
  EXPECT_EQ(range("198.51.100.0")->range_class, "documentation");
  EXPECT_EQ(range("239.1.1.1")->range_class, "multicast");
  EXPECT_EQ(range("255.255.255.255")->range_class, "reserved");
  EXPECT_EQ(range("fe80::1")->range_class, "link_local");
  EXPECT_EQ(range("fd00::1")->range_class, "unique_local");
  EXPECT_EQ(range("::1")->range_class, "loopback");
  EXPECT_EQ(range("185.220.101.47"), nullptr);
  EXPECT_EQ(range("2a0b:4142:d2c::25"), nullptr);
  EXPECT_EQ(range("172.32.0.1"), nullptr);  // just outside 172.16.0.0/12
}

}  // namespace
}  // namespace guardfeed
