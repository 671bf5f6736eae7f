#include "policy/allowlist.h"

#include <gtest/gtest.h>

namespace guardfeed {
namespace {

TEST(Allowlist, CanonicalizesEntries) {
  EXPECT_EQ(Allowlist::Canonicalize("10.0.0.0/8").value(), "10.0.0.0/8");
  EXPECT_EQ(Allowlist::Canonicalize("192.0.2.1/32").value(), "192.0.2.1");
  EXPECT_EQ(Allowlist::Canonicalize("2001:DB8::/32").value(), "2001:db8::/32");
  EXPECT_EQ(Allowlist::Canonicalize("*.Example.COM.").value(), "example.com");
  EXPECT_FALSE(Allowlist::Canonicalize("10.0.0.1/8").ok());
  EXPECT_FALSE(Allowlist::Canonicalize("not a domain").ok());
}

TEST(Allowlist, DomainSuffixMatchesAtLabelBoundaries) {
  Allowlist allowlist;
  ASSERT_TRUE(allowlist.Add("example.com").ok());
  auto match = [&](const char* d) { return allowlist.Match(NormalizeDomain(d).value()); };
  EXPECT_EQ(match("example.com"), "example.com");
  EXPECT_EQ(match("a.b.example.com"), "example.com");
  EXPECT_FALSE(match("badexample.com").has_value());
  EXPECT_FALSE(match("example.com.evil.net").has_value());
}

TEST(Allowlist, CidrsMatchTheirFamilyOnly) {
  Allowlist allowlist;
  ASSERT_TRUE(allowlist.Add("185.220.101.0/24").ok());
  ASSERT_TRUE(allowlist.Add("2a0b::/16").ok());
  EXPECT_EQ(allowlist.Match(NormalizeIp("185.220.101.47").value()), "185.220.101.0/24");
  EXPECT_EQ(allowlist.Match(NormalizeIp("2a0b:4142::5").value()), "2a0b::/16");
  EXPECT_FALSE(allowlist.Match(NormalizeIp("185.220.102.1").value()).has_value());
  EXPECT_EQ(allowlist.size(), 2u);
  ASSERT_TRUE(allowlist.Add("185.220.101.0/24").ok());
  EXPECT_EQ(allowlist.size(), 2u);  // duplicates collapse
}

}  // namespace
}  // namespace guardfeed
