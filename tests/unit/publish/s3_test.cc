#include "publish/s3.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "fake_s3.h"
#include "feeds/secintel.h"

namespace guardfeed {
namespace {

using std::chrono::milliseconds;
using testing::FakeS3;
using testing::S3ErrorResponse;
using testing::SeenRequest;

SnapshotPtr Feed(const std::string& name, const std::string& path, uint64_t entries,
                 const std::string& content_type = "text/plain; charset=utf-8") {
  Snapshot snapshot;
  snapshot.feed = name;
  snapshot.path = path;
  snapshot.content_type = content_type;
  for (uint64_t i = 0; i < entries; ++i) snapshot.body += "198.51.100." + std::to_string(i) + "\n";
  snapshot.entries = entries;
  snapshot.version = "1";
  return MakeSnapshot(std::move(snapshot));
}

SnapshotPtr Shared(const std::string& path, std::string body) {
  Snapshot snapshot;
  snapshot.path = path;
  snapshot.content_type = "application/xml";
  snapshot.body = std::move(body);
  return MakeSnapshot(std::move(snapshot));
}

// A Juniper layout: one SecIntel feed, cc_schema, manifest (the real renderer's bytes).
FeedSet SecIntelSet(uint64_t entries, const std::string& version = "20261122.1") {
  FeedSet set;
  set.files.push_back(Feed("gd_ip_feed", "gd_ip_feed", entries, "text/plain"));
  set.files.push_back(Shared("cc_schema", SecIntelCcSchema()));
  set.files.push_back(Shared(
      "manifest.xml",
      RenderSecIntelManifest({{"gd_ip_feed", "ip_addr threat_level", version, 1800000000, entries}},
                             SecIntelOptions{})));
  return set;
}

class S3PublisherTest : public ::testing::Test {
 protected:
  S3PublisherTest() : s3_("feeds") {}

  S3Options Options() {
    S3Options options;
    options.bucket = "feeds";
    options.endpoint = "http://s3.test:7480";
    options.path_style = true;
    options.credentials = NewStaticAwsCredentials({"AKID", "SECRET-KEY", "", 0});
    options.retry.max_attempts = 3;
    options.sleep = [this](milliseconds wait) { waits_.push_back(wait); };
    options.clock = &clock_;
    options.transport = s3_.Transport();
    return options;
  }

  std::unique_ptr<Publisher> Make(S3Options options, Store* store = nullptr) {
    auto publisher = NewS3Publisher(std::move(options), store);
    EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
    return std::move(*publisher);
  }

  FakeS3 s3_;
  ManualClock clock_{1800000000};
  std::vector<milliseconds> waits_;
};

TEST_F(S3PublisherTest, UploadsDataBeforeManifestWithContentTypeAndNoAcl) {
  S3Options options = Options();
  options.cache_control = "max-age=60";
  auto publisher = Make(options);
  Result<PublishReport> report = publisher->Publish(SecIntelSet(3));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written, (std::vector<std::string>{"gd_ip_feed", "cc_schema", "manifest.xml"}));
  EXPECT_EQ(s3_.Keys("PUT"), report->written);
  for (const SeenRequest& request : s3_.requests()) {
    if (request.method != "PUT") continue;
    EXPECT_FALSE(request.headers.contains("x-amz-acl")) << request.key;
    EXPECT_EQ(request.headers.at("cache-control"), "max-age=60");
    EXPECT_EQ(request.url.rfind("http://s3.test:7480/feeds/", 0), 0u);
    EXPECT_EQ(request.headers.at("host"), "s3.test:7480");
  }
  EXPECT_EQ(s3_.objects()["gd_ip_feed"].headers["content-type"], "text/plain");
  EXPECT_EQ(s3_.objects()["manifest.xml"].headers["content-type"], "application/xml");
  EXPECT_EQ(s3_.objects()["cc_schema"].body, SecIntelCcSchema());
  EXPECT_EQ(s3_.objects()["gd_ip_feed"].headers["x-amz-meta-guardfeed-entries"], "3");
}

TEST_F(S3PublisherTest, UnchangedObjectsAreNotUploadedAgain) {
  auto publisher = Make(Options());
  ASSERT_TRUE(publisher->Publish(SecIntelSet(3)).ok());
  s3_.ClearRequests();
  Result<PublishReport> report = publisher->Publish(SecIntelSet(3));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->written.empty());
  EXPECT_EQ(report->unchanged.size(), 3u);
  EXPECT_TRUE(s3_.requests().empty());
  report = publisher->Publish(SecIntelSet(4, "20261122.2"));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->written, (std::vector<std::string>{"gd_ip_feed", "manifest.xml"}));
}

TEST_F(S3PublisherTest, WithoutStateComparesWithTheObjectsMetadata) {
  ASSERT_TRUE(Make(Options())->Publish(SecIntelSet(3)).ok());
  s3_.ClearRequests();
  Result<PublishReport> report = Make(Options())->Publish(SecIntelSet(3));  // "a restart"
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(s3_.Keys("PUT").empty());
  EXPECT_EQ(s3_.Keys("HEAD"), (std::vector<std::string>{"gd_ip_feed", "cc_schema"}));
  EXPECT_EQ(s3_.Keys("GET"), (std::vector<std::string>{"manifest.xml"}));  // its feeds matter
}

TEST_F(S3PublisherTest, RetriesSlowDownAndNetworkErrorsWithBackoff) {
  int puts = 0;
  s3_.set_fault([&](const SeenRequest& request) -> std::optional<Result<HttpResponse>> {
    if (request.method != "PUT" || ++puts > 2) return std::nullopt;
    if (puts == 1) return Result<HttpResponse>(S3ErrorResponse(503, "SlowDown"));
    return Result<HttpResponse>(Status::Unavailable("connection refused"));
  });
  Result<PublishReport> report = Make(Options())->Publish(SecIntelSet(3));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written.size(), 3u);
  ASSERT_EQ(waits_.size(), 2u);
  EXPECT_GE(waits_[1], waits_[0] / 2);  // jittered, ceiling doubles
}

TEST_F(S3PublisherTest, PersistentServerErrorNamesBucketKeyStatusCodeAndKeepsState) {
  s3_.set_fault([](const SeenRequest& request) -> std::optional<Result<HttpResponse>> {
    if (request.method == "PUT" && request.key == "gd_ip_feed") {
      return Result<HttpResponse>(S3ErrorResponse(500, "InternalError"));
    }
    return std::nullopt;
  });
  auto publisher = Make(Options());
  Result<PublishReport> report = publisher->Publish(SecIntelSet(3));
  ASSERT_FALSE(report.ok());
  const std::string& message = report.status().message();
  EXPECT_EQ(report.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(message.find("s3://feeds/gd_ip_feed"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 500 InternalError"), std::string::npos) << message;
  EXPECT_NE(message.find("after 3 attempts"), std::string::npos) << message;
  // The manifest points at the failed data file, so it is held back; cc_schema goes up.
  EXPECT_NE(message.find("manifest.xml: held back"), std::string::npos) << message;
  EXPECT_FALSE(s3_.objects().contains("manifest.xml"));
  EXPECT_TRUE(s3_.objects().contains("cc_schema"));
  // The next publish retries the failed files (and only those).
  s3_.set_fault(nullptr);
  s3_.ClearRequests();
  report = publisher->Publish(SecIntelSet(3));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written, (std::vector<std::string>{"gd_ip_feed", "manifest.xml"}));
}

TEST_F(S3PublisherTest, ClientErrorIsNotRetriedAndNamesTheS3Code) {
  s3_.set_fault([](const SeenRequest& request) -> std::optional<Result<HttpResponse>> {
    if (request.method != "PUT") return std::nullopt;
    return Result<HttpResponse>(S3ErrorResponse(403, "SignatureDoesNotMatch"));
  });
  Result<PublishReport> report = Make(Options())->Publish(SecIntelSet(3));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kRemote);
  EXPECT_NE(report.status().message().find("HTTP 403 SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(report.status().message().find("after 1 attempt)"), std::string::npos);
  EXPECT_EQ(report.status().message().find("SECRET-KEY"), std::string::npos);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(S3PublisherTest, ShrinkGuardHoldsBackOnlyThatFeed) {
  auto publisher = Make(Options());
  FeedSet first{
      {Feed("fortigate_ip", "fortigate_ip.txt", 100), Feed("paloalto", "paloalto.txt", 10)}, 0};
  ASSERT_TRUE(publisher->Publish(first).ok());
  FeedSet second{
      {Feed("fortigate_ip", "fortigate_ip.txt", 40), Feed("paloalto", "paloalto.txt", 12)}, 0};
  Result<PublishReport> report = publisher->Publish(second);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  const std::string& message = report.status().message();
  EXPECT_NE(message.find("'fortigate_ip' would go from 100 to 40"), std::string::npos) << message;
  EXPECT_NE(message.find("60.0%"), std::string::npos) << message;
  EXPECT_EQ(s3_.objects()["paloalto.txt"].body, second.files[1]->body);
  EXPECT_EQ(s3_.objects()["fortigate_ip.txt"].body, first.files[0]->body);
  // Still refused next time: the last *published* count is what counts.
  EXPECT_FALSE(publisher->Publish(second).ok());
  S3Options forced = Options();
  forced.force = true;
  ASSERT_TRUE(Make(forced)->Publish(second).ok());
  EXPECT_EQ(s3_.objects()["fortigate_ip.txt"].body, second.files[0]->body);
}

TEST_F(S3PublisherTest, EmptyFeedIsRefusedAndItsManifestHeldBack) {
  auto publisher = Make(Options());
  ASSERT_TRUE(publisher->Publish(SecIntelSet(5)).ok());
  std::string manifest = s3_.objects()["manifest.xml"].body;
  Result<PublishReport> report = publisher->Publish(SecIntelSet(0, "20261122.2"));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("empty"), std::string::npos);
  // The new manifest no longer lists the feed, which would unblock it just the same.
  EXPECT_NE(report.status().message().find("feed 'gd_ip_feed' was not published"),
            std::string::npos);
  EXPECT_EQ(s3_.objects()["manifest.xml"].body, manifest);
  // Also after a restart without a store: the published manifest is read back.
  EXPECT_FALSE(Make(Options())->Publish(SecIntelSet(0, "20261122.2")).ok());
  EXPECT_EQ(s3_.objects()["manifest.xml"].body, manifest);
}

TEST_F(S3PublisherTest, ManifestUrlsMustResolveToPublishedKeys) {
  S3Options options = Options();
  options.prefix = "/srx/";
  Result<PublishReport> report = Make(options)->Publish(SecIntelSet(3));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("refers to /cc_schema"), std::string::npos);
  EXPECT_TRUE(s3_.objects().contains("srx/gd_ip_feed"));
  EXPECT_FALSE(s3_.objects().contains("srx/manifest.xml"));
  options.check_manifest_urls = false;  // e.g. CloudFront with origin path /srx
  ASSERT_TRUE(Make(options)->Publish(SecIntelSet(3)).ok());
  EXPECT_TRUE(s3_.objects().contains("srx/manifest.xml"));
}

TEST_F(S3PublisherTest, ExplicitKeysAndFeedSelection) {
  S3Options options = Options();
  options.prefix = "lists";
  options.keys = {{"fortigate_ip", "blocklist.txt"}};
  options.feeds = {"fortigate_ip"};
  FeedSet set = SecIntelSet(2);
  set.files.insert(set.files.begin(), Feed("fortigate_ip", "fortigate_ip.txt", 2));
  Result<PublishReport> report = Make(options)->Publish(set);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written, (std::vector<std::string>{"blocklist.txt"}));
  options.feeds = {"gd_ip_feed"};  // a manifest feed brings cc_schema and manifest.xml along
  options.prefix = "";
  report = Make(options)->Publish(set);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written, (std::vector<std::string>{"gd_ip_feed", "cc_schema", "manifest.xml"}));
}

TEST_F(S3PublisherTest, StateIsPersistedInTheStore) {
  std::string dir = std::filesystem::temp_directory_path() / ("gf-s3-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = OpenStore("sqlite://" + dir + "/t.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE(Make(Options(), store->get())->Publish(SecIntelSet(3)).ok());
    auto state = (*store)->GetPublisherState("s3:http://s3.test:7480/feeds/");
    ASSERT_TRUE(state.ok() && state->has_value());
    EXPECT_NE((*state)->find("gd_ip_feed"), std::string::npos);
  }
  s3_.ClearRequests();
  {
    auto store = OpenStore("sqlite://" + dir + "/t.db");
    ASSERT_TRUE(store.ok());
    Result<PublishReport> report = Make(Options(), store->get())->Publish(SecIntelSet(3));
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->unchanged.size(), 3u);
    EXPECT_TRUE(s3_.requests().empty());  // known from the store: not even a HEAD
  }
  std::filesystem::remove_all(dir);
}

TEST_F(S3PublisherTest, VirtualHostedAddressingAndDefaultAwsEndpoint) {
  FakeS3 aws("feeds");
  S3Options options = Options();
  options.endpoint = "";
  options.path_style = false;
  options.region = "eu-west-1";
  options.prefix = "juniper";
  options.check_manifest_urls = false;
  options.transport = aws.Transport();
  ASSERT_TRUE(Make(options)->Publish(SecIntelSet(1)).ok());
  const SeenRequest& put = aws.requests().back();
  EXPECT_EQ(put.url, "https://feeds.s3.eu-west-1.amazonaws.com/juniper/manifest.xml");
  EXPECT_EQ(put.headers.at("host"), "feeds.s3.eu-west-1.amazonaws.com");
  EXPECT_NE(put.headers.at("authorization").find("/eu-west-1/s3/aws4_request"), std::string::npos);
}

TEST_F(S3PublisherTest, KeysAreEncodedOnceOnTheWire) {
  S3Options options = Options();
  options.keys = {{"x", "dir/my list+1 ✓.txt"}};
  ASSERT_TRUE(Make(options)->Publish(FeedSet{{Feed("x", "x.txt", 1)}, 0}).ok());
  EXPECT_EQ(s3_.requests().back().url,
            "http://s3.test:7480/feeds/dir/my%20list%2B1%20%E2%9C%93.txt");
  EXPECT_TRUE(s3_.objects().contains("dir/my list+1 ✓.txt"));
}

TEST_F(S3PublisherTest, TemporaryCredentialsSendTheSessionToken) {
  S3Options options = Options();
  options.credentials = NewStaticAwsCredentials({"ASIA", "S", "SESSION", 0});
  ASSERT_TRUE(Make(options)->Publish(FeedSet{{Feed("x", "x.txt", 1)}, 0}).ok());
  EXPECT_EQ(s3_.requests().back().headers.at("x-amz-security-token"), "SESSION");
}

TEST(S3Options, InvalidConfigurationIsRefused) {
  S3Options options;
  EXPECT_EQ(NewS3Publisher(options, nullptr).status().code(), Status::Code::kInvalidArgument);
  options.bucket = "my.dotted.bucket";
  EXPECT_NE(NewS3Publisher(options, nullptr).status().message().find("path_style"),
            std::string::npos);
  options.path_style = true;
  options.endpoint = "ftp://x";
  EXPECT_FALSE(NewS3Publisher(options, nullptr).ok());
  options.endpoint = "";
  options.keys = {{"f", "/abs"}};
  EXPECT_FALSE(NewS3Publisher(options, nullptr).ok());
}

TEST(S3Options, DescribeHasNoSecrets) {
  S3Options options;
  options.bucket = "b";
  options.prefix = "p/";
  options.credentials = NewStaticAwsCredentials({"AKID", "TOPSECRET", "", 0});
  auto publisher = NewS3Publisher(options, nullptr);
  ASSERT_TRUE(publisher.ok());
  EXPECT_EQ((*publisher)->Describe(), "s3://b/p");
}

}  // namespace
}  // namespace guardfeed
