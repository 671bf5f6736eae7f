// Consumers (server/consumers.h): matching a request to a consumer profile, who may fetch a
// restricted feed, the capped variants, paging's line index and the fetch log's versions.
#include "server/consumers.h"

#include <gtest/gtest.h>

#include "server/auth.h"
#include "server/fetch_log.h"
#include "server/snapshot_holder.h"

namespace guardfeed::server {
namespace {

namespace http = boost::beast::http;

Cidr C(const char* text) { return *ParseCidr(text); }

ServerOptions Options() {
  ServerOptions options;
  ConsumerOptions fortigate;
  fortigate.name = "fgt";
  fortigate.platform = ConsumerPlatform::kFortiGate;
  fortigate.feeds = {"fortigate_ip"};
  fortigate.source_cidrs = {C("127.0.0.0/8")};
  ConsumerOptions far;
  far.name = "far";
  far.feeds = {"domains"};
  far.source_cidrs = {C("10.0.0.0/8")};
  ConsumerOptions panos;
  panos.name = "pa";
  panos.platform = ConsumerPlatform::kPanOs;
  panos.feeds = {"edl"};
  panos.user = "pa";
  panos.password = "secret";
  ConsumerOptions both;
  both.name = "both";
  both.feeds = {"edl"};
  both.token = "tok-0123456789";
  both.source_cidrs = {C("192.168.0.0/16")};
  options.consumers = {fortigate, far, panos, both};
  options.feed_auth["legacy"] = FeedAuth{"old", "pw", ""};
  return options;
}

RequestHead Head(std::string authorization = "") {
  RequestHead head;
  if (!authorization.empty()) head.set(http::field::authorization, authorization);
  return head;
}

std::string Basic(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(ConsumerAccess, SourceCidrAdmitsItsAddressesOnly) {
  ServerOptions options = Options();
  FeedAccess access = DecideFeedAccess(options, "fortigate_ip", Head(), "127.0.0.1", "r");
  ASSERT_TRUE(access.allowed);
  ASSERT_NE(access.consumer, nullptr);
  EXPECT_EQ(access.consumer->name, "fgt");
  // A feed restricted to a consumer whose CIDR excludes loopback, and that takes no credentials.
  access = DecideFeedAccess(options, "domains", Head(), "127.0.0.1", "r");
  EXPECT_FALSE(access.allowed);
  EXPECT_EQ(access.refusal.status, 403u);
  EXPECT_EQ(Header(access.refusal, "WWW-Authenticate"), "");
  EXPECT_TRUE(DecideFeedAccess(options, "domains", Head(), "10.1.2.3", "r").allowed);
}

TEST(ConsumerAccess, BasicCredentialsOrAChallenge) {
  ServerOptions options = Options();
  FeedAccess none = DecideFeedAccess(options, "edl", Head(), "203.0.113.5", "r");
  EXPECT_EQ(none.refusal.status, 401u);
  std::string challenge;
  for (const auto& [key, value] : none.refusal.headers) {
    if (key == "WWW-Authenticate") challenge += value + ";";
  }
  EXPECT_NE(challenge.find("Basic"), std::string::npos);
  EXPECT_NE(challenge.find("Bearer"), std::string::npos);  // "both" takes a token
  EXPECT_EQ(DecideFeedAccess(options, "edl", Head(Basic("pa", "wrong")), "203.0.113.5", "r")
                .refusal.status,
            401u);
  FeedAccess ok = DecideFeedAccess(options, "edl", Head(Basic("pa", "secret")), "203.0.113.5", "r");
  ASSERT_TRUE(ok.allowed);
  EXPECT_EQ(ok.consumer->name, "pa");
  EXPECT_EQ(ok.user, "pa");
  // Valid credentials of a consumer that may not fetch the restricted feed: 403.
  EXPECT_EQ(DecideFeedAccess(options, "domains", Head(Basic("pa", "secret")), "1.2.3.4", "r")
                .refusal.status,
            403u);
}

TEST(ConsumerAccess, CredentialsAndCidrsMustBothMatch) {
  ServerOptions options = Options();
  EXPECT_TRUE(
      DecideFeedAccess(options, "edl", Head("Bearer tok-0123456789"), "192.168.1.1", "r").allowed);
  FeedAccess outside =
      DecideFeedAccess(options, "edl", Head("Bearer tok-0123456789"), "172.16.0.1", "r");
  EXPECT_FALSE(outside.allowed);
  EXPECT_EQ(outside.refusal.status, 403u);
}

TEST(ConsumerAccess, UnrestrictedFeedsAndFeedAuthKeepWorking) {
  ServerOptions options = Options();
  FeedAccess open = DecideFeedAccess(options, "public", Head(), "198.51.100.7", "r");
  EXPECT_TRUE(open.allowed);
  EXPECT_EQ(open.consumer, nullptr);
  EXPECT_EQ(DecideFeedAccess(options, "legacy", Head(), "127.0.0.1", "r").refusal.status, 401u);
  EXPECT_TRUE(
      DecideFeedAccess(options, "legacy", Head(Basic("old", "pw")), "127.0.0.1", "r").allowed);
}

TEST(ConsumerVariants, OnePerFeedAndCapBelowTheFeedsOwn) {
  std::vector<ConsumerOptions> consumers(3);
  consumers[0].name = "a";
  consumers[0].platform = ConsumerPlatform::kPanOs;  // 50000
  consumers[1].name = "b";
  consumers[1].max_entries = 50000;
  consumers[2].name = "c";
  consumers[2].max_entries = 0;  // unlimited
  FeedConfig plain;
  plain.name = "ips";
  FeedConfig small;
  small.name = "small";
  small.max_entries = 1000;
  FeedConfig secintel;
  secintel.name = "gd_ip_feed";
  secintel.format = FeedFormat::kSecIntel;
  std::vector<FeedConfig> variants = ConsumerVariants(consumers, {plain, small, secintel});
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(variants[0].name, "ips@50000");
  EXPECT_EQ(variants[0].max_entries, 50000u);
  EXPECT_TRUE(IsConsumerVariant(variants[0].name));
  EXPECT_EQ(VariantParent(variants[0].name), "ips");
  EXPECT_FALSE(IsConsumerVariant("ips"));
  EXPECT_EQ(ServingFor(consumers[0], secintel).cap, 0u);
}

TEST(ConsumerVariants, OnePerFeedFormatAndCapForConsumersThatReadAnotherFormat) {
  std::vector<ConsumerOptions> consumers(4);
  consumers[0].name = "checkpoint";
  consumers[0].formats = {FeedFormat::kCheckPoint};
  consumers[0].max_entries = 0;
  consumers[1].name = "plain-or-json";
  consumers[1].formats = {FeedFormat::kPlain, FeedFormat::kJson};
  consumers[1].max_entries = 0;
  consumers[2].name = "edl";
  consumers[2].platform = ConsumerPlatform::kPanOs;  // 50000
  consumers[2].formats = {FeedFormat::kSecIntel, FeedFormat::kPlain};
  consumers[3].name = "another-checkpoint";
  consumers[3].formats = {FeedFormat::kCheckPoint};
  consumers[3].max_entries = 0;
  FeedConfig plain;
  plain.name = "ips";
  FeedConfig json;
  json.name = "all";
  json.format = FeedFormat::kJson;
  FeedConfig secintel;
  secintel.name = "gd_ip_feed";
  secintel.format = FeedFormat::kSecIntel;

  // Its own format when it reads it; else the first it reads that is made per consumer.
  EXPECT_EQ(consumers[0].FormatOf(plain), FeedFormat::kCheckPoint);
  EXPECT_EQ(consumers[1].FormatOf(json), FeedFormat::kJson);
  EXPECT_EQ(consumers[1].FormatOf(secintel), FeedFormat::kPlain);
  EXPECT_EQ(consumers[2].FormatOf(secintel), FeedFormat::kSecIntel);
  EXPECT_EQ(consumers[2].FormatOf(json), FeedFormat::kPlain);
  EXPECT_EQ(ConsumerOptions{}.FormatOf(json), FeedFormat::kJson);
  EXPECT_FALSE(IsVariantOf(ServingFor(consumers[1], plain), plain));
  EXPECT_FALSE(IsVariantOf(ServingFor(consumers[2], secintel), secintel));  // never capped

  std::vector<std::string> names;
  std::vector<FeedConfig> variants = ConsumerVariants(consumers, {plain, json, secintel});
  for (const FeedConfig& v : variants) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ips@50000", "ips@checkpoint", "all@plain@50000",
                                             "all@checkpoint", "gd_ip_feed@plain",
                                             "gd_ip_feed@checkpoint"}));
  EXPECT_EQ(variants[1].format, FeedFormat::kCheckPoint);
  EXPECT_EQ(variants[1].max_entries, 0u);
  EXPECT_EQ(variants[2].format, FeedFormat::kPlain);
  EXPECT_EQ(variants[2].max_entries, 50000u);
  EXPECT_EQ(VariantParent("all@plain@50000"), "all");
}

TEST(ConsumerFormats, OnlySecIntelCannotServeOtherFeeds) {
  ConsumerOptions srx;
  srx.name = "srx";
  srx.formats = {FeedFormat::kSecIntel};
  FeedConfig plain;
  plain.name = "ips";
  FeedConfig secintel;
  secintel.name = "gd_ip_feed";
  secintel.format = FeedFormat::kSecIntel;
  EXPECT_EQ(ConsumerFormatError(srx, secintel), "");
  EXPECT_NE(ConsumerFormatError(srx, plain).find("plain feed \"ips\""), std::string::npos);
  srx.feeds = {"gd_ip_feed"};  // it may not fetch the plain feed: nothing to serve it
  EXPECT_EQ(ConsumerFormatError(srx, plain), "");
}

TEST(LineIndex, WindowsConcatenateToTheEntries) {
  std::string body = "# guardfeed header\r\n";
  std::string entries;
  for (int i = 0; i < 1000; ++i)
    entries += "45.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "\r\n";
  body += entries;
  LineIndex index;
  std::string joined;
  for (uint64_t start = 0;; start += 7) {
    LineIndex::Range range = index.Window(body, start, 7);
    EXPECT_EQ(range.total, 1000u);
    if (range.entries == 0) break;
    joined += body.substr(range.begin, range.end - range.begin);
  }
  EXPECT_EQ(joined, entries);
  LineIndex::Range last = index.Window(body, 995, 1000000);
  EXPECT_EQ(last.entries, 5u);
  EXPECT_EQ(index.Window(body, 5000, 10).entries, 0u);
  EXPECT_EQ(LineIndex().Window("", 0, 10).total, 0u);
}

TEST(FetchLog, TracksVersionsAndWhenTheyWereSuperseded) {
  FetchLog log;
  log.NoteVersion("f", "\"a\"", "1", 100);
  log.NoteVersion("f", "\"a\"", "1", 100);  // unchanged: nothing new
  log.NoteVersion("f", "\"b\"", "2", 200);
  log.NoteVersion("f", "\"c\"", "3", 300);
  EXPECT_EQ(log.SupersededAt("f", "\"a\""), 200);
  EXPECT_EQ(log.SupersededAt("f", "\"b-gzip\""), 300);  // the gzip tag is the same content
  EXPECT_EQ(log.SupersededAt("f", "\"c\""), std::nullopt);
  EXPECT_EQ(log.SupersededAt("f", "\"older\""), 100);
  EXPECT_EQ(log.SupersededAt("g", "\"a\""), std::nullopt);
  FetchEvent event;
  event.client = "10.0.0.1";
  event.consumer = "fgt";
  event.user = "u";
  event.user_agent = std::string_view("Forti\x01Gate\n/7.4", 15);
  event.served = "f";
  event.version = "2";
  event.etag = "\"b-gzip\"";
  event.at = 250;
  event.status = 200;
  EXPECT_TRUE(log.Record("f", event));
  EXPECT_FALSE(log.Record("f", event));  // the same consumer again
  auto records = log.Get("f");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].etag, "\"b\"");
  EXPECT_EQ(records[0].user_agent, "Forti?Gate?/7.4");
  EXPECT_EQ(records[0].count, 2u);
  EXPECT_EQ(SanitizeHeaderText(std::string(500, 'x'), FetchLog::kMaxUserAgent).size(),
            FetchLog::kMaxUserAgent);
}

TEST(ConsumerOptionsValidation, NamesCredentialsAndBounds) {
  ServerOptions options = Options();
  EXPECT_TRUE(ValidateServerOptions(options).ok());
  ServerOptions duplicate = options;
  duplicate.consumers[1].name = "fgt";
  EXPECT_FALSE(ValidateServerOptions(duplicate).ok());
  ServerOptions nothing = options;
  nothing.consumers[0].source_cidrs.clear();
  EXPECT_FALSE(ValidateServerOptions(nothing).ok());
  ServerOptions no_password = options;
  no_password.consumers[2].password.clear();
  EXPECT_FALSE(ValidateServerOptions(no_password).ok());
  ServerOptions stale = options;
  stale.consumer_stale_after = std::chrono::hours(24 * 31);
  EXPECT_FALSE(ValidateServerOptions(stale).ok());
  EXPECT_EQ(PlatformMaxEntries(ConsumerPlatform::kFortiGate), 131072u);
  EXPECT_EQ(PlatformMaxEntries(ConsumerPlatform::kPanOs), 50000u);
  EXPECT_EQ(ParsePlatformName("pfsense"), ConsumerPlatform::kPfSense);
  EXPECT_EQ(ParsePlatformName("cisco"), std::nullopt);
}

}  // namespace
}  // namespace guardfeed::server
