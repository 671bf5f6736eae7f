// Containment entries' keyspace (core/indicator.h): "instance:" plus a canonical address, kept
// apart from attacker indicators of the same address.
#include <gtest/gtest.h>

#include "core/indicator.h"

namespace guardfeed {
namespace {

TEST(ContainmentIndicator, PrefixesTheCanonicalAddress) {
  auto v4 = ContainmentIndicator("10.0.0.5");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->kind, IndicatorKind::kIpv4);
  EXPECT_EQ(v4->value, "instance:10.0.0.5");
  auto v6 = ContainmentIndicator("2600:1F18:0:0::20");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->kind, IndicatorKind::kIpv6);
  EXPECT_EQ(v6->value, "instance:2600:1f18::20");
  EXPECT_EQ(ContainmentIndicator("::ffff:10.0.0.5")->value, "instance:10.0.0.5");
  EXPECT_FALSE(ContainmentIndicator("ip-10-0-0-5.ec2.internal").ok());
  EXPECT_FALSE(ContainmentIndicator("").ok());
}

TEST(ContainmentIndicator, NeverEqualToTheAttackerIndicatorOfTheSameAddress) {
  Indicator attacker = NormalizeIp("54.10.20.30").value();
  Indicator ours = ContainmentIndicator("54.10.20.30").value();
  EXPECT_NE(attacker, ours);
  EXPECT_FALSE(IsContainment(attacker));
  EXPECT_TRUE(IsContainment(ours));
  EXPECT_EQ(ContainmentAddress(ours), attacker);
  EXPECT_EQ(ContainmentAddress(attacker), attacker);  // unchanged
}

TEST(ContainmentIndicator, OperatorsTypeItForShowAndRemove) {
  auto typed = NormalizeIndicator("instance:10.0.0.5");
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(*typed, ContainmentIndicator("10.0.0.5").value());
  // Any case of the prefix, any IPv6 spelling: one canonical value, stable when normalised again.
  auto upper = NormalizeIndicator("INSTANCE:2600:1F18::0020");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->value, "instance:2600:1f18::20");
  EXPECT_EQ(NormalizeIndicator(upper->value).value(), *upper);
  auto bad = NormalizeIndicator("instance:not-an-ip");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("containment entry"), std::string::npos);
  // A domain can never look like one: ':' is not a domain character.
  EXPECT_FALSE(IsContainment(Indicator{IndicatorKind::kDomain, "instance:x"}));
  EXPECT_FALSE(NormalizeDomain("instance:10.0.0.5").ok());
}

}  // namespace
}  // namespace guardfeed
