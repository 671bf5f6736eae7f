#include "cli/serve_banner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace guardfeed {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<FeedConfig> Feeds() {
  FeedConfig plain;
  plain.name = "fortigate_ip";
  FeedConfig srx;
  srx.name = "gd_ip_feed";
  srx.format = FeedFormat::kSecIntel;
  srx.kinds = {IndicatorKind::kIpv4};
  return {plain, srx};
}

TEST(ServeBanner, LoopbackListsEveryUrl) {
  ServerOptions options;
  std::string banner = ServeBanner(options, 8080, Feeds(), "sqlite://gf.db");
  EXPECT_THAT(banner,
              HasSubstr("listening on 127.0.0.1:8080 (HTTP, store sqlite://gf.db, 2 feeds)"));
  EXPECT_THAT(banner, HasSubstr("http://127.0.0.1:8080/feeds/fortigate_ip"));
  EXPECT_THAT(banner, HasSubstr("security-intelligence url http://127.0.0.1:8080/manifest.xml"));
  EXPECT_THAT(banner, HasSubstr("http://127.0.0.1:8080/v1/findings"));
  EXPECT_THAT(banner, HasSubstr("Admin API: http://127.0.0.1:8080/v1/indicators"));
  options.admin_token = "secret-token";
  EXPECT_THAT(ServeBanner(options, 8080, Feeds(), "sqlite://gf.db"),
              HasSubstr("Dashboard: http://127.0.0.1:8080/ (log in with server.admin_token)"));
}

// Issue 22: firewalls must be told server.public_url when it is set.
TEST(ServeBanner, PrintsThePublicUrlFirewallsUse) {
  ServerOptions options;
  options.host = "0.0.0.0";
  options.ingest_token = "t";
  options.admin_token = "a";
  options.public_url = "https://feeds.example.com/";
  std::string banner = ServeBanner(options, 8443, Feeds(), "sqlite://gf.db");
  EXPECT_THAT(banner, HasSubstr("https://feeds.example.com/feeds/fortigate_ip"));
  EXPECT_THAT(banner, HasSubstr("url https://feeds.example.com/manifest.xml"));
  EXPECT_THAT(banner, HasSubstr("endpoint:            https://feeds.example.com/v1/findings"));
  EXPECT_THAT(banner, Not(HasSubstr("127.0.0.1")));
  EXPECT_THAT(banner, Not(HasSubstr("THIS-HOST")));
}

// Issue 22: on 0.0.0.0 or :: the banner printed http://127.0.0.1:8080 URLs (or the wildcard),
// which no firewall can use; it now says to use this host's reachable address or public_url.
TEST(ServeBanner, WildcardListenTellsFirewallsToUseAReachableAddress) {
  for (const char* host : {"0.0.0.0", "::"}) {
    ServerOptions options;
    options.host = host;
    options.ingest_token = "t";
    std::string banner = ServeBanner(options, 8080, Feeds(), "sqlite://gf.db");
    EXPECT_THAT(banner, HasSubstr("firewalls must use an address of this host they can reach"));
    EXPECT_THAT(banner, HasSubstr("server.public_url"));
    EXPECT_THAT(banner, HasSubstr("http://THIS-HOST:8080/feeds/fortigate_ip"));
    EXPECT_THAT(banner, Not(HasSubstr("http://0.0.0.0:8080/feeds")));
    EXPECT_THAT(banner, Not(HasSubstr("http://127.0.0.1:8080/feeds")));
    EXPECT_THAT(banner, Not(HasSubstr("http://[::1]:8080/feeds")));
  }
}

// Issue 22: without admin_token on a non-loopback address the admin API answers 403; the banner
// must not advertise it.
TEST(ServeBanner, NoAdminApiUrlsWhenTheAdminApiIsDisabled) {
  ServerOptions options;
  options.host = "10.0.0.5";
  options.ingest_token = "t";
  std::string banner = ServeBanner(options, 8080, Feeds(), "sqlite://gf.db");
  EXPECT_THAT(banner, Not(HasSubstr("/v1/indicators")));
  EXPECT_THAT(banner, HasSubstr("Admin API: disabled"));
  EXPECT_THAT(banner, HasSubstr("Dashboard: disabled (set server.admin_token to use it)"));
  options.admin_token = "a";
  banner = ServeBanner(options, 8080, Feeds(), "sqlite://gf.db");
  EXPECT_THAT(banner, HasSubstr("http://10.0.0.5:8080/v1/indicators"));
  EXPECT_THAT(banner, HasSubstr("Bearer server.admin_token"));
}

}  // namespace
}  // namespace guardfeed
