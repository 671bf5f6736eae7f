#include "core/time_util.h"

#include <gtest/gtest.h>

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
  for (const char* bad : {"", "2019-06-09", "2019-13-01T00:00:00Z", "2019-02-30T00:00:00Z",
                          "2019-06-09T25:00:00Z", "2019-06-09T19:10:23Zjunk", "yesterday",
                          "2019-06-09T19:10:23+99:99"}) {
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

}  // namespace
}  // namespace guardfeed
