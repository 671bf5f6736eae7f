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

// Regression: `allow add 0.0.0.0/0` (or "com") was accepted silently and emptied every feed.
TEST(Allowlist, CheckWidthRefusesEntriesWiderThanTheLimits) {
  const AllowlistWidthLimits defaults;
  EXPECT_EQ(defaults.min_ipv4_prefix, 8);
  EXPECT_EQ(defaults.min_ipv6_prefix, 32);
  Status any = Allowlist::CheckWidth("0.0.0.0/0", defaults);
  EXPECT_EQ(any.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(any.message(),
            "0.0.0.0/0 would never block any IPv4 address: allowlist entries wider than /8 need "
            "force");
  EXPECT_EQ(Allowlist::CheckWidth("10.0.0.0/7", defaults).message(),
            "10.0.0.0/7 would never block any of its 2^25 IPv4 addresses: allowlist entries "
            "wider than /8 need force");
  EXPECT_TRUE(Allowlist::CheckWidth("10.0.0.0/8", defaults).ok());
  EXPECT_TRUE(Allowlist::CheckWidth("192.0.2.1", defaults).ok());
  EXPECT_EQ(Allowlist::CheckWidth("::/0", defaults).message(),
            "::/0 would never block any IPv6 address: allowlist entries wider than /32 need "
            "force");
  EXPECT_FALSE(Allowlist::CheckWidth("2000::/3", defaults).ok());
  EXPECT_TRUE(Allowlist::CheckWidth("2001:db8::/32", defaults).ok());
  EXPECT_TRUE(Allowlist::CheckWidth("2001:db8::1", defaults).ok());
}

TEST(Allowlist, CheckWidthRefusesTopLevelDomains) {
  const AllowlistWidthLimits defaults;
  for (const char* tld : {"com", ".com", "*.com", "COM."}) {
    Status status = Allowlist::CheckWidth(tld, defaults);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << tld;
    EXPECT_EQ(status.message(),
              "com would never block any domain under .com: allowlist entries that are a "
              "top-level domain need force")
        << tld;
  }
  EXPECT_TRUE(Allowlist::CheckWidth("example.com", defaults).ok());
  EXPECT_TRUE(Allowlist::CheckWidth("*.example.com", defaults).ok());
  // Not a width question: the entry does not parse at all.
  EXPECT_NE(Allowlist::CheckWidth("not a domain", defaults).message().find("'not a domain'"),
            std::string::npos);
  EXPECT_EQ(Allowlist::CheckWidth("10.0.0.1/8", defaults).code(), Status::Code::kInvalidArgument);
}

TEST(Allowlist, CheckWidthFollowsConfiguredLimits) {
  AllowlistWidthLimits open{0, 0};
  EXPECT_TRUE(Allowlist::CheckWidth("0.0.0.0/0", open).ok());
  EXPECT_TRUE(Allowlist::CheckWidth("::/0", open).ok());
  EXPECT_FALSE(Allowlist::CheckWidth("com", open).ok());  // a TLD always needs force
  AllowlistWidthLimits strict{16, 48};
  EXPECT_EQ(Allowlist::CheckWidth("10.0.0.0/8", strict).message(),
            "10.0.0.0/8 would never block any of its 2^24 IPv4 addresses: allowlist entries "
            "wider than /16 need force");
  EXPECT_FALSE(Allowlist::CheckWidth("2001:db8::/32", strict).ok());
  EXPECT_TRUE(Allowlist::CheckWidth("2001:db8:1::/48", strict).ok());
}

TEST(Allowlist, ForcedTopLevelDomainMatchesEverythingUnderIt) {
  EXPECT_EQ(Allowlist::Canonicalize(".COM").value(), "com");
  EXPECT_EQ(Allowlist::Canonicalize("*.com.").value(), "com");
  Allowlist allowlist;
  ASSERT_TRUE(allowlist.Add("com").ok());
  EXPECT_EQ(allowlist.Match(NormalizeDomain("a.example.com").value()), "com");
  EXPECT_FALSE(allowlist.Match(NormalizeDomain("example.net").value()).has_value());
  Status numeric = Allowlist::Canonicalize("10").status();
  EXPECT_EQ(numeric.message(),
            "allowlist entry '10' is neither an IP, a CIDR nor a domain: '10' has a numeric "
            "top-level label");
}

}  // namespace
}  // namespace guardfeed
