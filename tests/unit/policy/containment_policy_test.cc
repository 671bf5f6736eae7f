// Containment entries under policy (docs/containment.md): our hosts have private addresses, so
// the never-block ranges and the attacker allowlists must not apply; only the containment
// allowlist does. Attacker indicators are untouched by the containment settings.
#include <gtest/gtest.h>

#include "policy/policy.h"

namespace guardfeed {
namespace {

Indicator Ours(const char* address) { return ContainmentIndicator(address).value(); }
Indicator Attacker(const char* address) { return NormalizeIp(address).value(); }

PolicyOptions Options() {
  PolicyOptions options;
  EXPECT_TRUE(options.allowlist.Add("10.0.0.0/8").ok());  // the attacker allowlist
  EXPECT_TRUE(options.allowlist.Add("54.10.20.30").ok());
  options.containment.enabled = true;
  EXPECT_TRUE(options.containment.allowlist.Add("10.0.9.0/24").ok());  // bastions
  EXPECT_TRUE(options.containment.allowlist.Add("2600:1f18::9").ok());
  return options;
}

TEST(ContainmentPolicy, NeverBlockRangesDoNotApply) {
  Policy policy(Options());
  for (const char* address :
       {"10.0.1.20", "172.16.5.5", "192.168.1.1", "100.64.0.7", "fd00::5", "54.10.20.30"}) {
    EXPECT_EQ(policy.Suppression(Ours(address), nullptr), std::nullopt) << address;
  }
  // The same addresses as attackers stay suppressed as before.
  EXPECT_EQ(policy.Suppression(Attacker("10.0.1.20"), nullptr), "allowlist 10.0.0.0/8");
  EXPECT_EQ(policy.Suppression(Attacker("192.168.1.1"), nullptr), "private range 192.168.0.0/16");
  EXPECT_EQ(policy.Suppression(Attacker("54.10.20.30"), nullptr), "allowlist 54.10.20.30");
}

TEST(ContainmentPolicy, OnlyTheContainmentAllowlistSuppresses) {
  Policy policy(Options());
  EXPECT_EQ(policy.Suppression(Ours("10.0.9.14"), nullptr), "containment allowlist 10.0.9.0/24");
  EXPECT_EQ(policy.Suppression(Ours("2600:1f18::9"), nullptr),
            "containment allowlist 2600:1f18::9");
  // The run-time (stored) allowlist is the attacker allowlist: it does not protect our hosts.
  Allowlist stored;
  ASSERT_TRUE(stored.Add("10.0.1.0/24").ok());
  EXPECT_EQ(policy.Suppression(Ours("10.0.1.20"), &stored), std::nullopt);
  EXPECT_EQ(policy.Suppression(Attacker("10.0.1.20"), &stored), "allowlist 10.0.0.0/8");
  // ...and the containment allowlist does not protect attackers.
  EXPECT_EQ(policy.Suppression(Attacker("10.0.9.14"), nullptr), "allowlist 10.0.0.0/8");
  Policy plain{PolicyOptions{}};
  EXPECT_EQ(plain.Suppression(Attacker("198.51.100.1"), nullptr),
            "documentation range 198.51.100.0/24");
}

TEST(ContainmentPolicy, GarbageIsNeverListed) {
  Policy policy(Options());
  EXPECT_EQ(policy.Suppression(Indicator{IndicatorKind::kIpv4, "instance:nonsense"}, nullptr),
            "unparsable address");
}

TEST(ContainmentPolicy, OffByDefaultWithItsOwnTtl) {
  PolicyOptions defaults;
  EXPECT_FALSE(Policy(defaults).ContainmentEnabled());
  EXPECT_EQ(Policy(defaults).ContainmentTtl(), 24 * 3600);
  PolicyOptions options = Options();
  options.containment.ttl_seconds = 6 * 3600;
  Policy policy(options);
  EXPECT_TRUE(policy.ContainmentEnabled());
  EXPECT_EQ(policy.ContainmentTtl(), 6 * 3600);
  EXPECT_EQ(policy.Ttl(8.0, "UnauthorizedAccess:EC2/SSHBruteForce"), 90 * 86400);  // attackers'
}

}  // namespace
}  // namespace guardfeed
