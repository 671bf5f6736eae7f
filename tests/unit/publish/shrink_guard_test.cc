#include "publish/shrink_guard.h"

#include <gtest/gtest.h>

namespace guardfeed {
namespace {

ShrinkGuardOptions Options(double fraction, bool force = false) {
  ShrinkGuardOptions options;
  options.max_shrink_fraction = fraction;
  options.force = force;
  return options;
}

TEST(ShrinkGuard, FirstPublishAndGrowthPass) {
  EXPECT_TRUE(CheckShrink("f", 0, 0, {}).ok());
  EXPECT_TRUE(CheckShrink("f", 0, 10, {}).ok());
  EXPECT_TRUE(CheckShrink("f", 10, 10, {}).ok());
  EXPECT_TRUE(CheckShrink("f", 10, 1000, {}).ok());
}

TEST(ShrinkGuard, ShrinkUpToTheFractionPasses) {
  EXPECT_TRUE(CheckShrink("f", 100, 50, {}).ok());  // exactly 50%
  EXPECT_TRUE(CheckShrink("f", 100, 80, Options(0.2)).ok());
}

TEST(ShrinkGuard, ShrinkBeyondTheFractionIsRefusedWithCounts) {
  Status status = CheckShrink("fortigate_ip", 100, 49, {});
  ASSERT_EQ(status.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(status.message().find("fortigate_ip"), std::string::npos);
  EXPECT_NE(status.message().find("from 100 to 49"), std::string::npos);
  EXPECT_NE(status.message().find("51.0%"), std::string::npos);
  EXPECT_NE(status.message().find("50.0%"), std::string::npos);
}

TEST(ShrinkGuard, BecomingEmptyIsRefusedEvenWithFractionOne) {
  Status status = CheckShrink("f", 3, 0, Options(1.0));
  ASSERT_EQ(status.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(status.message().find("empty"), std::string::npos);
}

TEST(ShrinkGuard, ForceOverrides) {
  EXPECT_TRUE(CheckShrink("f", 100, 0, Options(0.5, true)).ok());
  EXPECT_TRUE(CheckShrink("f", 100, 1, Options(0.5, true)).ok());
}

TEST(ShrinkGuard, FractionOutOfRangeIsInvalid) {
  EXPECT_EQ(CheckShrink("f", 1, 1, Options(1.5)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CheckShrink("f", 1, 1, Options(-0.1)).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace guardfeed
