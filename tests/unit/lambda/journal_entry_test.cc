#include "lambda/journal_entry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/gzip.h"

namespace guardfeed::lambda {
namespace {

using ::testing::HasSubstr;

JournalEntry Sample() {
  JournalEntry entry;
  SightingRecord s;
  s.finding_id = "f1";
  s.indicator = {IndicatorKind::kIpv4, "198.51.100.7"};
  s.finding_type = "Recon:EC2/PortProbeUnprotectedPort";
  s.severity = 5.5;
  s.account_id = "123456789012";
  s.region = "us-east-1";
  s.action_type = "PORT_PROBE";
  s.direction = "INBOUND";
  s.field = "service.action.portProbeAction.portProbeDetails[0].remoteIpDetails.ipAddressV4";
  s.first_seen = 1700000000;
  s.last_seen = 1700000100;
  s.updated_at = 1700000200;
  s.count = 3;
  s.withdrawn = true;
  s.expires_at = 1702592100;
  entry.sightings.push_back(s);
  entry.feeds.push_back(FeedState{"gd_ip_feed", "abc", 7, "20261201.3", 1700000300});
  return entry;
}

TEST(JournalEntry, RoundTripsEveryField) {
  Result<std::string> encoded = EncodeJournalEntry(Sample());
  ASSERT_TRUE(encoded.ok());
  Result<JournalEntry> decoded = DecodeJournalEntry(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const SightingRecord& s = decoded->sightings.at(0);
  const JournalEntry sample = Sample();
  const SightingRecord& want = sample.sightings[0];
  EXPECT_EQ(s.finding_id, want.finding_id);
  EXPECT_EQ(s.indicator, want.indicator);
  EXPECT_EQ(s.finding_type, want.finding_type);
  EXPECT_EQ(s.severity, want.severity);
  EXPECT_EQ(s.field, want.field);
  EXPECT_EQ(s.first_seen, want.first_seen);
  EXPECT_EQ(s.last_seen, want.last_seen);
  EXPECT_EQ(s.updated_at, want.updated_at);
  EXPECT_EQ(s.count, want.count);
  EXPECT_EQ(s.withdrawn, want.withdrawn);
  EXPECT_EQ(s.expires_at, want.expires_at);
  ASSERT_EQ(decoded->feeds.size(), 1u);
  EXPECT_EQ(decoded->feeds[0].version, "20261201.3");
  EXPECT_EQ(decoded->feeds[0].serial, 7);
}

TEST(JournalEntry, TruncatedOrForeignEntriesAreRefused) {
  Result<std::string> encoded = EncodeJournalEntry(Sample());
  ASSERT_TRUE(encoded.ok());
  EXPECT_FALSE(DecodeJournalEntry(encoded->substr(0, encoded->size() / 2)).ok());
  EXPECT_FALSE(DecodeJournalEntry("not gzip at all").ok());
  Result<std::string> newer = GzipCompress(R"({"v":2,"sightings":[],"feeds":[]})");
  Result<JournalEntry> refused = DecodeJournalEntry(*newer);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("version"));
  Result<std::string> wrong_type =
      GzipCompress(R"({"v":1,"sightings":[["f1","ipv4",7]],"feeds":[]})");
  Result<JournalEntry> typed = DecodeJournalEntry(*wrong_type);
  ASSERT_FALSE(typed.ok());
  EXPECT_THAT(typed.status().message(), HasSubstr("sightings[0][2]"));
}

}  // namespace
}  // namespace guardfeed::lambda
