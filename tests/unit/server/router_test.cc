#include "server/router.h"

#include <gtest/gtest.h>

namespace guardfeed::server {
namespace {

namespace http = boost::beast::http;

Route TestRoute(std::string name, std::vector<http::verb> methods, std::string path, bool prefix) {
  Route route;
  route.name = std::move(name);
  route.methods = std::move(methods);
  route.path = std::move(path);
  route.prefix = prefix;
  return route;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(TestRoute("ingest", {http::verb::post}, "/v1/findings", false));
    router_.Add(TestRoute("indicator", {http::verb::get}, "/v1/indicators/", true));
    router_.Add(TestRoute("indicator", {http::verb::delete_}, "/v1/indicators/", true));
    router_.Add(TestRoute("feed", {http::verb::get, http::verb::head}, "/feeds/", true));
    router_.Add(TestRoute("root", {http::verb::get, http::verb::head}, "/", true));
  }
  Router router_;
};

TEST_F(RouterTest, ExactPathsMatchOnlyTheirMethods) {
  auto match = router_.Find(http::verb::post, "/v1/findings");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "ingest");
  match = router_.Find(http::verb::get, "/v1/findings");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.method_not_allowed);
  EXPECT_EQ(match.allow, "POST");
}

TEST_F(RouterTest, LongestPrefixWinsAndGivesTheTail) {
  auto match = router_.Find(http::verb::get, "/feeds/fortigate_ip");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "feed");
  EXPECT_EQ(match.tail, "fortigate_ip");
  match = router_.Find(http::verb::get, "/cc_schema");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "root");
  EXPECT_EQ(match.tail, "cc_schema");
}

TEST_F(RouterTest, SamePrefixDifferentMethods) {
  auto get = router_.Find(http::verb::get, "/v1/indicators/1.2.3.4");
  auto del = router_.Find(http::verb::delete_, "/v1/indicators/1.2.3.4");
  ASSERT_NE(get.route, nullptr);
  ASSERT_NE(del.route, nullptr);
  EXPECT_NE(get.route, del.route);
  EXPECT_EQ(get.route->index, del.route->index);  // one metrics label
  auto put = router_.Find(http::verb::put, "/v1/indicators/1.2.3.4");
  EXPECT_TRUE(put.method_not_allowed);
  EXPECT_EQ(put.allow, "GET, DELETE");
}

TEST_F(RouterTest, LabelsIncludeTheSyntheticOnes) {
  auto labels = router_.Labels();
  EXPECT_EQ(labels[Router::kUnmatched], "unmatched");
  EXPECT_EQ(labels[Router::kMalformed], "malformed");
  EXPECT_EQ(labels.size(), 2u + 4u);
}

}  // namespace
}  // namespace guardfeed::server
