#include "core/time_util.h"

#include <gtest/gtest.h>

#include <limits>

namespace guardfeed {
namespace {

TEST(TimeUtil, ParsesGuardDutyTimestamps) {
  EXPECT_EQ(ParseIso8601("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseIso8601("2019-06-09T19:10:23.308Z").value(), 1560107423);
  EXPECT_EQ(ParseIso8601("2019-06-09T19:10:23Z").value(), 1560107423);
  EXPECT_EQ(ParseIso8601("2019-06-09T21:10:23+02:00").value(), 1560107423);
  EXPECT_EQ(ParseIso8601("2024-02-29T00:00:00Z").value(), 1709164800);
}

TEST(TimeUtil, RejectsMalformedTimestamps) {
  for (const char* bad :
       {"", "2019-06-09", "2019-13-01T00:00:00Z", "2019-02-30T00:00:00Z", "2019-06-09T25:00:00Z",
        "2019-06-09T19:10:23Zjunk", "yesterday", "2019-06-09T19:10:23+99:99"}) {
    EXPECT_FALSE(ParseIso8601(bad).ok()) << bad;
  }
}

TEST(TimeUtil, FormatsRoundTrip) {
  EXPECT_EQ(FormatIso8601(1560107423), "2019-06-09T19:10:23Z");
  EXPECT_EQ(ParseIso8601(FormatIso8601(1795000000)).value(), 1795000000);
  EXPECT_EQ(FormatYyyymmdd(1602585124), "20201013");
}

TEST(TimeUtil, ParsesDurations) {
  EXPECT_EQ(ParseDuration("90").value(), 90);
  EXPECT_EQ(ParseDuration("90s").value(), 90);
  EXPECT_EQ(ParseDuration("15m").value(), 900);
  EXPECT_EQ(ParseDuration("12h").value(), 43200);
  EXPECT_EQ(ParseDuration("30d").value(), 2592000);
  EXPECT_EQ(ParseDuration("2w").value(), 1209600);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-1d").ok());
  EXPECT_FALSE(ParseDuration("3y").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999w").ok());
  EXPECT_EQ(FormatDuration(2592000), "30d");
  EXPECT_EQ(FormatDuration(90), "90s");
}

// Issue 8: a duration beyond int64_t seconds is rejected as too large, not misreported as
// "not a duration" and never wrapped around.
TEST(TimeUtil, HugeDurationsAreRejectedAsTooLarge) {
  for (const char* huge : {"9223372036854775808", "99999999999999999999d", "9223372036854775807m",
                           "106751991167301d", "15250284452472w"}) {
    auto parsed = ParseDuration(huge);
    ASSERT_FALSE(parsed.ok()) << huge;
    EXPECT_NE(parsed.status().message().find("too large"), std::string::npos)
        << parsed.status().message();
  }
  EXPECT_EQ(ParseDuration("9223372036854775807").value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseDuration("106751991167300d").value(), int64_t{106751991167300} * 86400);
}

// Issue 8: "timestamp + duration" saturates at the int64_t limits (this test runs clean under
// -fsanitize=undefined, which reports signed overflow).
TEST(TimeUtil, AddSecondsSaturatesInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(AddSeconds(1700000000, 86400), 1700086400);
  EXPECT_EQ(AddSeconds(1700000000, -86400), 1699913600);
  EXPECT_EQ(AddSeconds(1700000000, kMax), kMax);
  EXPECT_EQ(AddSeconds(kMax, 1), kMax);
  EXPECT_EQ(AddSeconds(kMax, kMax), kMax);
  EXPECT_EQ(AddSeconds(kMax - 5, 5), kMax);
  EXPECT_EQ(AddSeconds(kMin, -1), kMin);
  EXPECT_EQ(AddSeconds(-1700000000, kMin), kMin);
  EXPECT_EQ(AddSeconds(kMin, kMax), -1);
  EXPECT_EQ(AddSeconds(kMax, kMin), -1);
  // A saturated "never" still formats (clamped to the last representable second).
  EXPECT_EQ(FormatIso8601(AddSeconds(kMax, 1)), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601(kMin), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatYyyymmdd(kMax), "99991231");
}

}  // namespace
}  // namespace guardfeed
