#include "policy/policy.h"

#include <gtest/gtest.h>

namespace guardfeed {
namespace {

Finding MakeFinding(double severity, std::string type = "Backdoor:EC2/C&CActivity.B") {
  Finding f;
  f.id = "f";
  f.type = std::move(type);
  f.severity = severity;
  return f;
}

Indicator Ip(const char* text) { return NormalizeIp(text).value(); }

// A Policy with the defaults except what `edit` changes.
template <typename Edit>
Policy With(Edit edit) {
  PolicyOptions options;
  edit(options);
  return Policy(options);
}

TEST(Policy, SeverityThresholdIsInclusive) {
  Policy policy = With([](PolicyOptions& o) { o.min_severity = 4.0; });
  EXPECT_EQ(policy.Evaluate(MakeFinding(3.9)), SkipReason::kBelowMinSeverity);
  EXPECT_EQ(policy.Evaluate(MakeFinding(4.0)), SkipReason::kNone);
}

TEST(Policy, TypeIncludeAndExcludeGlobs) {
  PolicyOptions options;
  options.include_types = {"Backdoor:*", "Recon:EC2/PortProbe*"};
  options.exclude_types = {"*!DNS"};
  Policy policy(options);
  EXPECT_EQ(policy.Evaluate(MakeFinding(8)), SkipReason::kNone);
  EXPECT_EQ(policy.Evaluate(MakeFinding(8, "Recon:EC2/PortProbeUnprotectedPort")),
            SkipReason::kNone);
  EXPECT_EQ(policy.Evaluate(MakeFinding(8, "Trojan:EC2/DNSDataExfiltration")),
            SkipReason::kTypeNotIncluded);
  EXPECT_EQ(policy.Evaluate(MakeFinding(8, "Backdoor:EC2/C&CActivity.B!DNS")),
            SkipReason::kTypeExcluded);
}

TEST(Policy, SamplesSkippedUnlessIncluded) {
  Finding sample = MakeFinding(8);
  sample.sample = true;
  EXPECT_EQ(Policy(PolicyOptions{}).Evaluate(sample), SkipReason::kSample);
  EXPECT_EQ(With([](PolicyOptions& o) { o.include_samples = true; }).Evaluate(sample), SkipReason::kNone);
}

TEST(Policy, ArchivedFindingsWithdrawUnlessKept) {
  Finding archived = MakeFinding(8);
  archived.archived = true;
  EXPECT_TRUE(Policy(PolicyOptions{}).Withdraws(archived));
  EXPECT_FALSE(With([](PolicyOptions& o) { o.archived_withdraws = false; }).Withdraws(archived));
  EXPECT_FALSE(Policy(PolicyOptions{}).Withdraws(MakeFinding(8)));
}

TEST(Policy, NeverBlockRangesUnlessEnabled) {
  Policy strict(PolicyOptions{});
  EXPECT_EQ(strict.Suppression(Ip("10.1.2.3"), nullptr), "private range 10.0.0.0/8");
  EXPECT_TRUE(strict.Suppression(Ip("198.51.100.0"), nullptr).has_value());
  EXPECT_TRUE(strict.Suppression(Ip("fe80::1"), nullptr).has_value());
  EXPECT_FALSE(strict.Suppression(Ip("185.220.101.47"), nullptr).has_value());
  PolicyOptions options;
  options.allowed_range_classes = {"private"};
  Policy lab(options);
  EXPECT_FALSE(lab.Suppression(Ip("10.1.2.3"), nullptr).has_value());
  EXPECT_TRUE(lab.Suppression(Ip("127.0.0.1"), nullptr).has_value());
}

TEST(Policy, ConfiguredAndStoredAllowlists) {
  PolicyOptions options;
  ASSERT_TRUE(options.allowlist.Add("185.220.101.0/24").ok());
  Policy policy(options);
  EXPECT_EQ(policy.Suppression(Ip("185.220.101.47"), nullptr), "allowlist 185.220.101.0/24");
  Allowlist stored;
  ASSERT_TRUE(stored.Add("partner.example.net").ok());
  Indicator domain = NormalizeDomain("api.partner.example.net").value();
  EXPECT_EQ(policy.Suppression(domain, &stored), "allowlist partner.example.net");
  EXPECT_FALSE(policy.Suppression(domain, nullptr).has_value());
}

TEST(Policy, TtlBySeverityBandAndTypeRules) {
  PolicyOptions options;
  options.ttl_by_type = {{"Recon:*", 3 * 86400}};
  Policy policy(options);
  EXPECT_EQ(policy.Ttl(2.0, "X"), 7 * 86400);
  EXPECT_EQ(policy.Ttl(4.0, "X"), 30 * 86400);
  EXPECT_EQ(policy.Ttl(6.9, "X"), 30 * 86400);
  EXPECT_EQ(policy.Ttl(7.0, "X"), 90 * 86400);
  EXPECT_EQ(policy.Ttl(9.0, "X"), 180 * 86400);
  EXPECT_EQ(policy.Ttl(9.0, "Recon:EC2/PortProbeUnprotectedPort"), 3 * 86400);
}

TEST(Policy, ThreatLevelIsFloorClamped) {
  EXPECT_EQ(Policy::ThreatLevel(0.0), 1);
  EXPECT_EQ(Policy::ThreatLevel(1.0), 1);
  EXPECT_EQ(Policy::ThreatLevel(5.9), 5);
  EXPECT_EQ(Policy::ThreatLevel(8.0), 8);
  EXPECT_EQ(Policy::ThreatLevel(10.0), 10);
  EXPECT_EQ(Policy::ThreatLevel(12.0), 10);
}

TEST(Policy, RankingIsThreatThenRecencyThenValue) {
  EXPECT_TRUE(RanksBefore({9, 100, "b"}, {8, 200, "a"}));
  EXPECT_TRUE(RanksBefore({8, 200, "b"}, {8, 100, "a"}));
  EXPECT_TRUE(RanksBefore({8, 100, "a"}, {8, 100, "b"}));
  EXPECT_FALSE(RanksBefore({8, 100, "a"}, {8, 100, "a"}));
}

TEST(GlobMatch, Wildcards) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("Recon:*", "Recon:EC2/PortProbeUnprotectedPort"));
  EXPECT_TRUE(GlobMatch("*:EC2/*!DNS", "Backdoor:EC2/C&CActivity.B!DNS"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_FALSE(GlobMatch("Recon:*", "recon:EC2/X"));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*b", std::string(5000, 'a') + "b"));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace guardfeed
