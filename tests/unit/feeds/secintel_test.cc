#include "feeds/secintel.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "feeds/renderer.h"
#include "test_util.h"

namespace guardfeed {
namespace {

using testing::ExpectGolden;
using testing::FeedOrder;
using testing::MakeEntry;
using testing::MixedEntries;

FeedEntry Ipv4Entry(uint32_t address, int threat_level) {
  return MakeEntry(FormatIpAddress(IpAddress::FromV4(address)), threat_level);
}

// shared/formats/juniper-secintel.md's sample data file, from its three entries in its order.
TEST(SecIntelData, ReproducesTheReferenceSampleByteForByte) {
  std::vector<FeedEntry> entries = {Ipv4Entry(3325256711u, 10), Ipv4Entry(3405803782u, 10),
                                    Ipv4Entry(3405803781u, 10)};
  std::string body = RenderSecIntelData(entries, "20201013.2");
  ExpectGolden("secintel_sample_data", body);
  const std::string trailer = "8775426bbd32669abb4dfcc86648ed7f\n";
  ASSERT_GT(body.size(), trailer.size());
  EXPECT_EQ(body.substr(body.size() - trailer.size()), trailer);
  EXPECT_EQ(Md5Hex(std::string_view(body).substr(0, body.size() - trailer.size())),
            "8775426bbd32669abb4dfcc86648ed7f");
}

TEST(SecIntelData, DomainEntriesUseCodeOne) {
  std::string body = RenderSecIntelData(
      FeedOrder({MakeEntry("evil.example.com", 9), MakeEntry("c2.bad-domain.net", 8)}),
      "20261122.3");
  ExpectGolden("secintel_domains", body);
}

TEST(SecIntelData, PreviousVersionIsAJsonString) {
  std::string body = RenderSecIntelData({}, "20201013.3", "20201013.2");
  EXPECT_EQ(body.substr(0, body.find('\n')),
            R"({"filter":{},"previous_version":"20201013.2","schema_version":"c66b370237",)"
            R"("version":"20201013.3"})");
}

TEST(SecIntelData, EmptyFeedIsACompleteFile) {
  std::string body = RenderSecIntelData({}, "20261122.1");
  std::string head =
      "{\"filter\":{},\"previous_version\":null,\"schema_version\":\"c66b370237\","
      "\"version\":\"20261122.1\"}\n#del\n#add\n#end\n";
  EXPECT_EQ(body, head + Md5Hex(head) + "\n");
}

TEST(SecIntelData, Ipv6IsNotPublished) {
  std::string body = RenderSecIntelData(
      FeedOrder({MakeEntry("198.51.100.7", 8), MakeEntry("2001:db8::1", 8)}), "20261122.1");
  EXPECT_EQ(body.find("2001"), std::string::npos);
  EXPECT_NE(body.find(R"({"4":3325256711,"8":{"9":8}})"), std::string::npos);
}

TEST(SecIntelRenderer, RendersTheDataFileAndCountsPublishedEntries) {
  FeedConfig config;
  config.name = "gd_ip_feed";
  config.format = FeedFormat::kSecIntel;
  config.kinds = {IndicatorKind::kIpv4};
  auto renderer = NewRenderer(FeedFormat::kSecIntel);
  std::vector<FeedEntry> entries = FeedOrder(
      {MakeEntry("203.0.113.6", 10), MakeEntry("198.51.100.7", 8), MakeEntry("203.0.113.5", 9)});
  RenderedFeed feed = renderer->Render(config, entries, {"20261122.4", 0});
  EXPECT_EQ(feed.entries, 3u);
  EXPECT_EQ(feed.body, RenderSecIntelData(entries, "20261122.4"));
  ExpectGolden("secintel_ipv4", feed.body);
  EXPECT_EQ(renderer->FileName(config), "gd_ip_feed");
  EXPECT_EQ(renderer->ContentType(), "text/plain");
}

std::vector<ManifestFeed> SampleManifestFeeds() {
  return {{"gd_ip_feed", "ip_addr threat_level", "20201013.2", 1602585124, 3},
          {"gd_dns_feed", "dn threat_level", "20201013.1", 1602585064, 1}};
}

TEST(SecIntelManifest, ReproducesTheReferenceSampleByteForByte) {
  std::string manifest = RenderSecIntelManifest(SampleManifestFeeds(), SecIntelOptions{});
  ExpectGolden("secintel_sample_manifest.xml", manifest);
  EXPECT_NE(manifest.find(R"(<manifest version="099dbafe5d3f434463e695108deef472" )"),
            std::string::npos);
}

TEST(SecIntelManifest, OmitsEmptyFeedsAndHonoursOptions) {
  std::vector<ManifestFeed> feeds = SampleManifestFeeds();
  feeds[1].objects = 0;
  SecIntelOptions options;
  options.manifest_update_interval = 120;
  options.update_interval = 600;
  options.ttl = 86400;
  std::string manifest = RenderSecIntelManifest(feeds, options);
  ExpectGolden("secintel_manifest_options.xml", manifest);
  EXPECT_EQ(manifest.find("gd_dns_feed"), std::string::npos);
}

TEST(SecIntelManifest, VersionIsTheMd5OfTheManifestWithoutIt) {
  std::string manifest = RenderSecIntelManifest(SampleManifestFeeds(), SecIntelOptions{});
  const std::string attribute = " version=\"";
  size_t at = manifest.find("<manifest") + std::string("<manifest").size();
  ASSERT_EQ(manifest.compare(at, attribute.size(), attribute), 0);
  std::string version = manifest.substr(at + attribute.size(), 32);
  std::string without = manifest;
  without.erase(at, attribute.size() + 32 + 1);
  EXPECT_EQ(Md5Hex(without), version);
}

TEST(SecIntelManifest, ChangesWhenAFeedVersionChanges) {
  std::vector<ManifestFeed> feeds = SampleManifestFeeds();
  std::string before = RenderSecIntelManifest(feeds, SecIntelOptions{});
  feeds[0].version = "20201013.3";
  EXPECT_NE(RenderSecIntelManifest(feeds, SecIntelOptions{}).substr(0, 80), before.substr(0, 80));
}

TEST(SecIntelCcSchema, IsTheReferenceDocument) {
  const std::string& schema = SecIntelCcSchema();
  EXPECT_EQ(schema.size(), 1046u);
  EXPECT_EQ(Md5Hex(schema), "3d27776bcc7b1a2bac241d88887850dd");
  ExpectGolden("secintel_cc_schema.xml", schema);
}

TEST(SecIntelFeedName, AcceptsEightToSixtyFourWordCharacters) {
  EXPECT_TRUE(IsValidSecIntelFeedName("gd_ip_feed"));
  EXPECT_TRUE(IsValidSecIntelFeedName("ABCdef_9"));
  EXPECT_TRUE(IsValidSecIntelFeedName(std::string(64, 'a')));
  EXPECT_FALSE(IsValidSecIntelFeedName("gd_feed"));  // 7 characters
  EXPECT_FALSE(IsValidSecIntelFeedName(std::string(65, 'a')));
  EXPECT_FALSE(IsValidSecIntelFeedName("gd-ip-feed"));
  EXPECT_FALSE(IsValidSecIntelFeedName("gd ip feed"));
  EXPECT_FALSE(IsValidSecIntelFeedName("gd_ip_feed/x"));
  EXPECT_FALSE(IsValidSecIntelFeedName(""));
}

TEST(SecIntelRenderer, MixedEntriesSkipOnlyIpv6) {
  FeedConfig config;
  config.name = "gd_mixed_feed";
  config.format = FeedFormat::kSecIntel;
  RenderedFeed feed = NewRenderer(FeedFormat::kSecIntel)->Render(config, MixedEntries(), {"1", 0});
  EXPECT_EQ(feed.entries, 6u);
}

}  // namespace
}  // namespace guardfeed
