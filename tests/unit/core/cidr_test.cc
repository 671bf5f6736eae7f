#include "core/cidr.h"

#include <gtest/gtest.h>

namespace guardfeed {
namespace {

TEST(Cidr, ParsesNetworksAndBareAddresses) {
  Cidr net = ParseCidr("10.0.0.0/8").value();
  EXPECT_EQ(net.prefix_len, 8);
  EXPECT_TRUE(net.Contains(ParseIpAddress("10.255.1.2").value()));
  EXPECT_FALSE(net.Contains(ParseIpAddress("11.0.0.1").value()));
  EXPECT_EQ(ParseCidr("192.0.2.1").value().prefix_len, 32);
  EXPECT_EQ(ParseCidr("2001:db8::1").value().prefix_len, 128);
  EXPECT_EQ(ParseCidr("2001:db8::/32").value().ToString(), "2001:db8::/32");
}

TEST(Cidr, HostBitsSetIsAnErrorThatSuggestsTheNetwork) {
  auto parsed = ParseCidr("10.1.2.3/8");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("10.0.0.0/8"), std::string::npos);
}

TEST(Cidr, RejectsBadPrefixes) {
  EXPECT_FALSE(ParseCidr("10.0.0.0/33").ok());
  EXPECT_FALSE(ParseCidr("10.0.0.0/").ok());
  EXPECT_FALSE(ParseCidr("10.0.0.0/-1").ok());
  EXPECT_FALSE(ParseCidr("10.0.0.0/8x").ok());
  EXPECT_FALSE(ParseCidr("::/129").ok());
}

TEST(Cidr, FamiliesNeverMatchEachOther) {
  Cidr all_v4 = ParseCidr("0.0.0.0/0").value();
  EXPECT_TRUE(all_v4.Contains(ParseIpAddress("255.255.255.255").value()));
  EXPECT_FALSE(all_v4.Contains(ParseIpAddress("::1").value()));
}

TEST(Cidr, MaskAddressKeepsOnlyThePrefix) {
  IpAddress masked = MaskAddress(ParseIpAddress("2001:db8:abcd:12ff::1").value(), 52);
  EXPECT_EQ(FormatIpAddress(masked), "2001:db8:abcd:1000::");
}

}  // namespace
}  // namespace guardfeed
