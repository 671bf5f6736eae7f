// The S3 publisher against a real S3 implementation that verifies SigV4 signatures: a single-node
// Ceph RADOS Gateway started by scripts/s3-server.sh on a free loopback port for this binary,
// and always stopped by PID at the end (a watcher stops it too if this process dies). Every
// object is read back byte for byte through our client and through curl's own SigV4 signer.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/ceph_rgw.h"
#include "common/ci_skip.h"
#include "core/clock.h"
#include "feeds/secintel.h"
#include "lambda/state_journal.h"
#include "publish/s3.h"
#include "aws/sigv4.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

using ::guardfeed::testing::CephRgw;
using ::guardfeed::testing::Shell;
constexpr const char* kAccessKey = CephRgw::kAccessKey;
constexpr const char* kSecretKey = CephRgw::kSecretKey;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new CephRgw);

SnapshotPtr PlainFeed(const std::string& name, uint64_t entries, int salt = 0) {
  Snapshot snapshot;
  snapshot.feed = name;
  snapshot.path = name + ".txt";
  snapshot.content_type = "text/plain; charset=utf-8";
  for (uint64_t i = 0; i < entries; ++i) {
    snapshot.body += "203.0." + std::to_string(salt) + "." + std::to_string(i) + "\r\n";
  }
  snapshot.entries = entries;
  return MakeSnapshot(std::move(snapshot));
}

FeedSet JuniperSet(uint64_t entries, const std::string& version) {
  FeedSet set;
  std::vector<FeedEntry> feed_entries(entries);
  for (uint64_t i = 0; i < entries; ++i) {
    feed_entries[i].indicator = {IndicatorKind::kIpv4, "198.51.100." + std::to_string(i)};
    feed_entries[i].threat_level = 10;
  }
  Snapshot data;
  data.feed = "gd_ip_feed";
  data.path = "gd_ip_feed";
  data.content_type = "text/plain";
  data.body = RenderSecIntelData(feed_entries, version);
  data.entries = entries;
  data.version = version;
  set.files.push_back(MakeSnapshot(std::move(data)));
  set.files.push_back(PlainFeed("fortigate_ip", entries));
  Snapshot schema;
  schema.path = "cc_schema";
  schema.content_type = "application/xml";
  schema.body = SecIntelCcSchema();
  set.files.push_back(MakeSnapshot(std::move(schema)));
  Snapshot manifest;
  manifest.path = "manifest.xml";
  manifest.content_type = "application/xml";
  manifest.body = RenderSecIntelManifest(
      {{"gd_ip_feed", "ip_addr threat_level", version, 1800000000, entries}}, SecIntelOptions{});
  set.files.push_back(MakeSnapshot(std::move(manifest)));
  return set;
}

class S3CephTest : public ::testing::Test {
 protected:
  void SetUp() override { GF_REQUIRE_CEPH(); }

  static std::string Endpoint() { return CephRgw::Endpoint(); }

  S3Options Options(const std::string& bucket, const std::string& secret = kSecretKey) {
    S3Options options;
    options.bucket = bucket;
    options.region = "us-east-1";
    options.endpoint = Endpoint();
    options.path_style = true;
    options.credentials = NewStaticAwsCredentials({kAccessKey, secret, "", 0});
    options.retry.initial_backoff = milliseconds(50);
    return options;
  }

  std::unique_ptr<S3Client> Client(const std::string& bucket) {
    auto client = NewS3Client(Options(bucket));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(*client);
  }

  std::unique_ptr<S3Client> CreateBucket(const std::string& bucket) {
    std::unique_ptr<S3Client> client = Client(bucket);
    Status created = client->CreateBucket();
    EXPECT_TRUE(created.ok()) << created.ToString();
    return client;
  }

  std::unique_ptr<Publisher> Make(S3Options options, Store* store = nullptr) {
    auto publisher = NewS3Publisher(std::move(options), store);
    EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
    return std::move(*publisher);
  }

  // An independent client: curl's own SigV4 signer (curl 7.88 needs the content hash header
  // from us; the gateway rejects requests without it).
  static Result<std::string> CurlGet(const std::string& bucket, const std::string& key) {
    fs::path out = fs::path(CephRgw::dir) / "curl.out";
    std::string url = Endpoint() + AwsUriEncode("/" + bucket + "/" + key, true);
    int rc = Shell("curl -sS --fail --path-as-is --aws-sigv4 aws:amz:us-east-1:s3 --user '" +
                   std::string(kAccessKey) + ":" + kSecretKey +
                   "' -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -o " + out.string() + " '" + url +
                   "'");
    if (rc != 0) return Status::Remote("curl exit " + std::to_string(rc) + " for " + url);
    return ReadFile(out);
  }

  // Every file of `set` under its key, byte for byte, through both clients.
  void ExpectPublished(S3Client& client, const S3Options& options, const FeedSet& set) {
    for (const SnapshotPtr& file : set.files) {
      std::string key = S3KeyFor(options, *file);
      Result<std::string> body = client.GetObject(key);
      ASSERT_TRUE(body.ok()) << body.status().ToString();
      EXPECT_EQ(*body, file->body) << key;
      Result<std::string> curl_body = CurlGet(options.bucket, key);
      ASSERT_TRUE(curl_body.ok()) << curl_body.status().ToString();
      EXPECT_EQ(*curl_body, file->body) << key;
    }
  }
};

// Counts requests by method on their way to the real server.
struct CountingTransport {
  std::shared_ptr<HttpClient> http = std::make_shared<HttpClient>();
  std::shared_ptr<std::map<std::string, int>> counts =
      std::make_shared<std::map<std::string, int>>();
  HttpTransport Transport() {
    return [http = http, counts = counts](const HttpRequest& request) {
      ++(*counts)[request.method];
      return http->Send(request);
    };
  }
};

// ---- The object client (aws/s3_client.h) as lambda/ and sources/ use it ----

// RGW answers 412 to a quoted If-Match even when it matches (measured on Ceph 16.2); the client
// sends the ETag unquoted, which both RGW and AWS honour.
TEST_F(S3CephTest, ConditionalWritesCreateOnceAndReplaceOnlyTheExpectedVersion) {
  auto client = CreateBucket("gf-conditional");
  S3PutOptions create;
  create.if_none_match = true;
  Result<std::string> first = client->PutObject("state/object", "one", create);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> again = client->PutObject("state/object", "two", create);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition) << again.status().ToString();

  S3PutOptions replace;
  replace.if_match = *first;  // quoted, as S3 returns it
  Result<std::string> second = client->PutObject("state/object", "two", replace);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*second, *first);
  Result<std::string> stale = client->PutObject("state/object", "three", replace);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(*client->GetObject("state/object"), "two");
}

TEST_F(S3CephTest, FetchReusesAnUnchangedObjectAndSeesChanges) {
  auto client = CreateBucket("gf-fetch");
  Result<std::optional<S3Object>> missing = client->FetchObject("state");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());
  Result<std::string> etag = client->PutObject("state", "version one", {});
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  Result<std::optional<S3Object>> fetched = client->FetchObject("state");
  ASSERT_TRUE(fetched.ok() && fetched->has_value()) << fetched.status().ToString();
  EXPECT_EQ((*fetched)->body, "version one");
  EXPECT_EQ((*fetched)->info.etag, *etag);
  Result<std::optional<S3Object>> unchanged = client->FetchObject("state", *etag);
  ASSERT_TRUE(unchanged.ok() && unchanged->has_value()) << unchanged.status().ToString();
  EXPECT_TRUE((*unchanged)->not_modified);
  EXPECT_EQ((*unchanged)->body, "");
  EXPECT_EQ(UnquotedEtag((*unchanged)->info.etag), UnquotedEtag(*etag));
  ASSERT_TRUE(client->PutObject("state", "version two", {}).ok());
  Result<std::optional<S3Object>> changed = client->FetchObject("state", *etag);
  ASSERT_TRUE(changed.ok() && changed->has_value());
  EXPECT_FALSE((*changed)->not_modified);
  EXPECT_EQ((*changed)->body, "version two");
}

TEST_F(S3CephTest, ListObjectsInKeyOrderAfterAKeyAndDelete) {
  auto client = CreateBucket("gf-list");
  for (std::string key : {"AWSLogs/1/GuardDuty/us-east-1/b.jsonl.gz",
                          "AWSLogs/1/GuardDuty/us-east-1/a b+c.jsonl.gz",
                          "AWSLogs/1/GuardDuty/us-east-1/c.jsonl.gz", "other/x"}) {
    ASSERT_TRUE(client->PutObject(key, key, {}).ok()) << key;
  }
  const std::string prefix = "AWSLogs/1/GuardDuty/";
  Result<S3Listing> all = client->ListObjects(prefix, "", "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> keys;
  for (const S3ListedObject& object : all->objects) keys.push_back(object.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"AWSLogs/1/GuardDuty/us-east-1/a b+c.jsonl.gz",
                                            "AWSLogs/1/GuardDuty/us-east-1/b.jsonl.gz",
                                            "AWSLogs/1/GuardDuty/us-east-1/c.jsonl.gz"}));
  EXPECT_EQ(all->objects[1].size, std::string("AWSLogs/1/GuardDuty/us-east-1/b.jsonl.gz").size());
  EXPECT_TRUE(all->next_continuation_token.empty());
  Result<S3Listing> after = client->ListObjects(prefix, keys[1], "");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->objects.size(), 1u);
  EXPECT_EQ(after->objects[0].key, keys[2]);

  ASSERT_TRUE(client->DeleteObject(keys[0]).ok());
  ASSERT_TRUE(client->DeleteObject(keys[0]).ok());  // already gone: still fine
  Result<std::optional<S3Object>> gone = client->FetchObject(keys[0]);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

// Two runtimes appending to one Lambda state journal: every append lands exactly once, in some
// order, and nobody overwrites anybody (lambda/state_journal.h).
TEST_F(S3CephTest, RacingJournalWritersLoseNothing) {
  CreateBucket("gf-journal");
  constexpr int kPerWriter = 15;
  auto writer = [&](const std::string& name, std::vector<std::string>* errors) {
    std::unique_ptr<S3Client> client = Client("gf-journal");
    lambda::StateJournal journal(client.get(), "state");
    int64_t seq = 1;
    for (int k = 0; k < kPerWriter; ++k) {
      const std::string body = name + "-" + std::to_string(k);
      for (;; ++seq) {
        Status appended = journal.AppendEntry(seq, body);
        if (appended.ok()) break;
        if (appended.code() != Status::Code::kFailedPrecondition) {
          errors->push_back(appended.ToString());
          return;
        }
      }
    }
  };
  std::vector<std::string> errors_a, errors_b;
  std::thread a(writer, "a", &errors_a);
  std::thread b(writer, "b", &errors_b);
  a.join();
  b.join();
  ASSERT_TRUE(errors_a.empty()) << errors_a.front();
  ASSERT_TRUE(errors_b.empty()) << errors_b.front();
  std::unique_ptr<S3Client> client = Client("gf-journal");
  lambda::StateJournal journal(client.get(), "state");
  std::multiset<std::string> seen;
  for (int64_t seq = 1; seq <= 2 * kPerWriter; ++seq) {
    Result<std::optional<std::string>> entry = journal.ReadEntry(seq);
    ASSERT_TRUE(entry.ok() && entry->has_value()) << seq;
    seen.insert(**entry);
  }
  Result<std::optional<std::string>> past = journal.ReadEntry(2 * kPerWriter + 1);
  ASSERT_TRUE(past.ok());
  EXPECT_FALSE(past->has_value());
  EXPECT_EQ(seen.size(), 2u * kPerWriter);
  for (int k = 0; k < kPerWriter; ++k) {
    EXPECT_EQ(seen.count("a-" + std::to_string(k)), 1u);
    EXPECT_EQ(seen.count("b-" + std::to_string(k)), 1u);
  }
  ASSERT_TRUE(journal.DeleteEntries(1, 5).ok());
  Result<std::optional<std::string>> deleted = journal.ReadEntry(3);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->has_value());
}

TEST_F(S3CephTest, JournalSnapshotIsCreatedOnceAndReplacedOnlyFromTheVersionRead) {
  CreateBucket("gf-snapshot");
  std::unique_ptr<S3Client> client = Client("gf-snapshot");
  lambda::StateJournal journal(client.get(), "guardfeed-state");
  Result<std::optional<lambda::StateSnapshot>> none = journal.FetchSnapshot("");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  Result<std::string> first = journal.WriteSnapshot(7, "state at 7", "");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> second_create = journal.WriteSnapshot(8, "state at 8", "");
  ASSERT_FALSE(second_create.ok());
  EXPECT_EQ(second_create.status().code(), Status::Code::kFailedPrecondition);

  Result<std::optional<lambda::StateSnapshot>> read = journal.FetchSnapshot("");
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status().ToString();
  EXPECT_EQ((*read)->seq, 7);
  EXPECT_EQ((*read)->body, "state at 7");
  Result<std::optional<lambda::StateSnapshot>> warm = journal.FetchSnapshot((*read)->etag);
  ASSERT_TRUE(warm.ok() && warm->has_value());
  EXPECT_TRUE((*warm)->unchanged);
  EXPECT_EQ((*warm)->body, "");

  Result<std::string> replaced = journal.WriteSnapshot(9, "state at 9", (*read)->etag);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  Result<std::string> stale = journal.WriteSnapshot(10, "state at 10", (*read)->etag);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Status::Code::kFailedPrecondition);
  Result<std::optional<lambda::StateSnapshot>> newer = journal.FetchSnapshot((*read)->etag);
  ASSERT_TRUE(newer.ok() && newer->has_value());
  EXPECT_FALSE((*newer)->unchanged);
  EXPECT_EQ((*newer)->seq, 9);
  EXPECT_EQ((*newer)->body, "state at 9");
}

TEST_F(S3CephTest, PutOverwriteAndReadBackByteForByte) {
  auto client = CreateBucket("gf-put");
  S3Options options = Options("gf-put");
  options.cache_control = "max-age=60";
  auto publisher = Make(options);
  FeedSet first = JuniperSet(3, "20261122.1");
  Result<PublishReport> report = publisher->Publish(first);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written.size(), 4u);
  ExpectPublished(*client, options, first);
  FeedSet second = JuniperSet(5, "20261122.2");
  report = publisher->Publish(second);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written,
            (std::vector<std::string>{"gd_ip_feed", "fortigate_ip.txt", "manifest.xml"}));
  ExpectPublished(*client, options, second);
  Result<std::optional<S3ObjectInfo>> head = client->HeadObject("gd_ip_feed");
  ASSERT_TRUE(head.ok() && head->has_value()) << head.status().ToString();
  EXPECT_EQ((*head)->metadata["guardfeed-entries"], "5");
}

TEST_F(S3CephTest, KeysWithSpacesPlusUnicodeAndPrefix) {
  auto client = CreateBucket("gf-keys");
  S3Options options = Options("gf-keys");
  options.prefix = "feeds/v1/";
  options.check_manifest_urls = false;  // this test is about keys, not an SRX layout
  options.keys = {{"spaces", "lists/my block list.txt"},
                  {"plus", "lists/a+b=c&d.txt"},
                  {"unicode", "lists/ünïcødé ✓/Ωmega.txt"},
                  {"dots", "lists/./odd/../name~_-.txt"}};
  FeedSet set = JuniperSet(2, "20261122.1");
  for (const char* name : {"spaces", "plus", "unicode", "dots"}) {
    set.files.insert(set.files.begin(), PlainFeed(name, 3));
  }
  Result<PublishReport> report = Make(options)->Publish(set);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written.size(), set.files.size());
  EXPECT_EQ(S3KeyFor(options, *set.files.back()), "feeds/v1/manifest.xml");
  ExpectPublished(*client, options, set);
}

TEST_F(S3CephTest, WrongSecretIsAClearError) {
  CreateBucket("gf-auth");
  Result<PublishReport> report =
      Make(Options("gf-auth", "not-the-secret"))->Publish(FeedSet{{PlainFeed("f", 2)}, 0});
  ASSERT_FALSE(report.ok());
  const std::string& message = report.status().message();
  EXPECT_EQ(report.status().code(), Status::Code::kRemote);
  EXPECT_NE(message.find("s3://gf-auth/f.txt"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << message;
  EXPECT_EQ(message.find("not-the-secret"), std::string::npos) << message;
}

TEST_F(S3CephTest, ServerRestartMidPublishIsRetriedUntilItSucceeds) {
  auto client = CreateBucket("gf-restart");
  S3Options options = Options("gf-restart");
  options.retry.max_attempts = 40;
  options.retry.initial_backoff = milliseconds(200);
  options.retry.max_backoff = milliseconds(2000);
  auto http = std::make_shared<HttpClient>();
  int puts = 0;
  int network_errors = 0;
  std::thread restarter;
  std::string script = CephRgw::Script(), dir = CephRgw::dir;
  options.transport = [&](const HttpRequest& request) {
    if (request.method == "PUT" && ++puts == 2) {
      // Between two objects the gateway goes away; it comes back a second later.
      EXPECT_EQ(Shell(script + " stop-gateway " + dir), 0);
      restarter = std::thread([script, dir] {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        EXPECT_EQ(Shell(script + " start-gateway " + dir + " >/dev/null"), 0);
      });
    }
    Result<HttpResponse> response = http->Send(request);
    if (!response.ok()) ++network_errors;
    return response;
  };
  FeedSet set = JuniperSet(4, "20261122.1");
  Result<PublishReport> report = Make(options)->Publish(set);
  if (restarter.joinable()) restarter.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->written.size(), 4u);
  EXPECT_GT(network_errors, 0) << "the restart did not interrupt the publish";
  EXPECT_GT(puts, 4) << "the interrupted PUT was not retried";
  ExpectPublished(*client, options, set);
}

TEST_F(S3CephTest, UnchangedObjectsAreNotUploadedAgain) {
  CreateBucket("gf-unchanged");
  CountingTransport counting;
  S3Options options = Options("gf-unchanged");
  options.transport = counting.Transport();
  auto publisher = Make(options);
  ASSERT_TRUE(publisher->Publish(JuniperSet(3, "20261122.1")).ok());
  EXPECT_EQ((*counting.counts)["PUT"], 4);
  counting.counts->clear();
  Result<PublishReport> report = publisher->Publish(JuniperSet(3, "20261122.1"));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->unchanged.size(), 4u);
  EXPECT_TRUE(counting.counts->empty());
  // A new publisher without a store finds the objects' metadata and uploads nothing.
  report = Make(options)->Publish(JuniperSet(3, "20261122.1"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ((*counting.counts)["PUT"], 0);
  EXPECT_EQ(report->unchanged.size(), 4u);
}

TEST_F(S3CephTest, ShrinkGuardKeepsThePublishedObject) {
  auto client = CreateBucket("gf-shrink");
  S3Options options = Options("gf-shrink");
  ASSERT_TRUE(Make(options)->Publish(FeedSet{{PlainFeed("fortigate_ip", 10)}, 0}).ok());
  FeedSet shrunk{{PlainFeed("fortigate_ip", 0)}, 0};
  // A fresh publisher: the last count comes from the object's metadata on the server.
  Result<PublishReport> report = Make(options)->Publish(shrunk);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("from 10 to 0"), std::string::npos);
  EXPECT_EQ(*client->GetObject("fortigate_ip.txt"), PlainFeed("fortigate_ip", 10)->body);
  options.force = true;
  ASSERT_TRUE(Make(options)->Publish(shrunk).ok());
  EXPECT_EQ(*client->GetObject("fortigate_ip.txt"), "");
}

}  // namespace
}  // namespace guardfeed

namespace guardfeed {
namespace {

// The "done when": `guardfeed publish`, run as a user runs it with the example
// configuration, pushes every example feed to the gateway; a firewall's independent client reads
// back exactly the files the directory publisher wrote.
TEST_F(S3CephTest, GuardfeedPublishPushesEveryExampleFeed) {
  auto client = CreateBucket("gf-cli");
  char pattern[] = "/tmp/guardfeed-s3-cli-XXXXXX";
  fs::path work = mkdtemp(pattern);
  std::ifstream example(std::string(GUARDFEED_SOURCE_DIR) + "/config/guardfeed.example.toml");
  std::ofstream config(work / "guardfeed.toml");
  config << example.rdbuf() << "\n[publish.s3]\nbucket = \"gf-cli\"\nendpoint = \"" << Endpoint()
         << "\"\npath_style = true\n";
  config.close();
  std::string guardfeed = "cd " + work.string() + " && AWS_ACCESS_KEY_ID=" + kAccessKey +
                          " AWS_SECRET_ACCESS_KEY='" + kSecretKey + "' " + GUARDFEED_BINARY +
                          " -c guardfeed.toml ";
  std::string examples = std::string(GUARDFEED_SOURCE_DIR) + "/examples/findings";
  ASSERT_EQ(Shell(guardfeed + "ingest --seen-at-receipt " + examples + " >/dev/null"), 0);
  ASSERT_EQ(Shell(guardfeed + "publish"), 0);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(work / "guardfeed-data" / "public")) {
    std::string key = entry.path().filename().string();
    if (key.starts_with(".")) continue;  // the directory publisher's record, not a feed file
    Result<std::string> body = CurlGet("gf-cli", key);
    ASSERT_TRUE(body.ok()) << key << ": " << body.status().ToString();
    EXPECT_EQ(*body, ReadFile(entry.path())) << key;
    ++files;
  }
  EXPECT_EQ(files, 9);  // seven feeds, manifest.xml, cc_schema
  // Nothing changed: the second publish uploads nothing and still succeeds.
  ASSERT_EQ(Shell(guardfeed + "publish | grep -q '0 written'"), 0);
  fs::remove_all(work);
}

}  // namespace
}  // namespace guardfeed
