// The findings export poller and `guardfeed ingest s3://` against a real S3: a single-node Ceph
// RADOS Gateway (scripts/s3-server.sh) holding gzip JSON Lines objects under GuardDuty's layout,
// AWSLogs/ACCOUNT/GuardDuty/REGION/YYYY/MM/DD/UUID.jsonl.gz. Findings go through the real Ingestor
// into a real SQLite store, which also keeps the cursor. Object GETs are counted (and refused on
// demand) by a transport in front of the real HTTP client.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aws/http_client.h"
#include "common/ceph_rgw.h"
#include "common/ci_skip.h"
#include "core/clock.h"
#include "core/gzip.h"
#include "core/time_util.h"
#include "policy/policy.h"
#include "sources/s3_export_source.h"
#include "store/ingest.h"
#include "store/store.h"
#include "unit/store/temp_dir.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;
using ::guardfeed::testing::CephRgw;
using ::guardfeed::testing::Shell;
using ::guardfeed::testing::StoreTempDir;

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new CephRgw);

constexpr const char* kEast = "AWSLogs/123456789012/GuardDuty/us-east-1/";
constexpr const char* kWest = "AWSLogs/123456789012/GuardDuty/us-west-2/";
constexpr const char* kDay = "2026/11/30/";

// One GuardDuty finding naming `ip` as the remote address of an inbound connection.
std::string Finding(const std::string& id, const std::string& ip) {
  return R"({"schemaVersion":"2.0","accountId":"123456789012","region":"us-east-1","id":")" + id +
         R"(","type":"Recon:EC2/Portscan","severity":8,"updatedAt":"2026-11-30T09:00:00Z",)"
         R"("service":{"eventFirstSeen":"2026-11-30T08:00:00Z","eventLastSeen":)"
         R"("2026-11-30T09:00:00Z","action":{"actionType":"NETWORK_CONNECTION",)"
         R"("networkConnectionAction":{"connectionDirection":"INBOUND","remoteIpDetails":)"
         R"({"ipAddressV4":")" +
         ip + R"("}}}}})";
}

// An export object as GuardDuty writes it: gzip JSON Lines.
std::string ExportObject(const std::vector<std::string>& findings) {
  std::string lines;
  for (const std::string& finding : findings) lines += finding + "\n";
  Result<std::string> gz = GzipCompress(lines);
  EXPECT_TRUE(gz.ok()) << gz.status().ToString();
  return gz.ok() ? *gz : "";
}

// The real HTTP client, counting object GETs and answering 403 for the keys in `forbidden`.
struct Transport {
  HttpClient http;
  std::vector<std::string> gets;  // keys fetched
  int lists = 0;
  std::set<std::string> forbidden;

  Result<HttpResponse> Send(const HttpRequest& request, const std::string& bucket) {
    const std::string marker = "/" + bucket + "/";
    size_t at = request.url.find(marker);
    bool list = request.url.find("list-type=2") != std::string::npos;
    if (request.method == "GET" && list) ++lists;
    if (request.method == "GET" && !list && at != std::string::npos) {
      std::string key = request.url.substr(at + marker.size());
      gets.push_back(key);
      if (forbidden.contains(key)) {
        return HttpResponse{403,
                            {{"content-type", "application/xml"}},
                            "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>"
                            "Access Denied</Message></Error>"};
      }
    }
    return http.Send(request);
  }
};

class S3ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GF_REQUIRE_CEPH();
    auto store = OpenStore(dir_.File("store.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ingestor_ = std::make_unique<Ingestor>(store_.get(), &policy_, &clock_);
  }

  S3ClientOptions ClientOptions(const std::string& bucket) {
    S3ClientOptions options;
    options.bucket = bucket;
    options.endpoint = CephRgw::Endpoint();
    options.path_style = true;
    options.credentials =
        NewStaticAwsCredentials({CephRgw::kAccessKey, CephRgw::kSecretKey, "", 0});
    options.retry.initial_backoff = std::chrono::milliseconds(50);
    return options;
  }

  // Creates the bucket; objects are put and read through the counting transport.
  void CreateBucket(const std::string& bucket) {
    bucket_ = bucket;
    auto client = NewS3Client(ClientOptions(bucket));
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    Status created = client_->CreateBucket();
    ASSERT_TRUE(created.ok()) << created.ToString();
  }

  void Put(const std::string& key, const std::string& body) {
    Result<std::string> put = client_->PutObject(key, body, {});
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  // An object with one finding naming 45.33.N.N.
  void PutFinding(const std::string& key, int n) {
    std::string ip = "45.33." + std::to_string(n) + "." + std::to_string(n);
    Put(key, ExportObject({Finding("finding-" + std::to_string(n), ip)}));
  }

  S3ExportSourceOptions Options(const std::string& prefix = "AWSLogs/") {
    S3ExportSourceOptions options;
    options.s3 = ClientOptions(bucket_);
    Transport* transport = &transport_;
    std::string bucket = bucket_;
    options.s3.transport = [transport, bucket](const HttpRequest& request) {
      return transport->Send(request, bucket);
    };
    options.prefix = prefix;
    return options;
  }

  SourceContext Context() {
    SourceContext context;
    context.ingest = [this](std::string_view data, std::string_view name) {
      ingested_.emplace_back(name);
      Result<IngestSummary> summary = ingestor_->IngestBuffer(data, name);
      if (summary.ok()) errors_ += summary->error_count;
      return summary;
    };
    context.store = store_.get();
    context.clock = &clock_;
    return context;
  }

  std::unique_ptr<Source> NewSource(const S3ExportSourceOptions& options) {
    auto source = NewS3ExportSource(options, Context());
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }

  PollResult MustPoll(Source& source) {
    Result<PollResult> polled = source.Poll(stop_);
    EXPECT_TRUE(polled.ok()) << polled.status().ToString();
    return polled.ok() ? *polled : PollResult{};
  }

  std::string StoredCursor(const Source& source) {
    auto cursor = LoadCursor(*store_, source.Name());
    EXPECT_TRUE(cursor.ok() && cursor->has_value());
    return cursor.ok() && cursor->has_value() ? **cursor : "";
  }

  bool Sighted(int n) {
    std::string ip = "45.33." + std::to_string(n) + "." + std::to_string(n);
    auto sightings = store_->SightingsOf({IndicatorKind::kIpv4, ip});
    return sightings.ok() && !sightings->empty();
  }

  std::vector<std::string> TakeIngested() { return std::exchange(ingested_, {}); }
  std::vector<std::string> TakeGets() { return std::exchange(transport_.gets, {}); }
  std::string Url(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  StoreTempDir dir_;
  std::unique_ptr<Store> store_;
  Policy policy_{PolicyOptions{}};
  ManualClock clock_{*ParseIso8601("2026-11-30T12:00:00Z")};
  std::unique_ptr<Ingestor> ingestor_;
  std::string bucket_;
  std::unique_ptr<S3Client> client_;
  Transport transport_;
  std::vector<std::string> ingested_;  // names passed to context.ingest
  int64_t errors_ = 0;                 // content errors the ingest reported
  std::atomic<bool> stop_{false};
};

TEST_F(S3ExportTest, FirstPollIngestsEveryObjectAndTheSecondNothing) {
  CreateBucket("gf-src-first");
  const std::string day = std::string(kEast) + kDay;
  PutFinding(day + "5a2b8c4e-0d1f-3a6b-9c7e-2f4a6b8c0d1e.jsonl.gz", 1);
  PutFinding(day + "c3d4e5f6-a7b8-3c9d-8e0f-1a2b3c4d5e6f.jsonl.gz", 2);
  PutFinding(std::string(kEast) + "2026/11/29/7e8f9a0b-1c2d-3e4f-9a0b-1c2d3e4f5a6b.jsonl.gz", 3);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Name(), "s3:gf-src-first/AWSLogs/");
  EXPECT_TRUE(source->SingleConsumer());

  PollResult first = MustPoll(*source);
  EXPECT_EQ(first.documents, 3);
  EXPECT_EQ(first.findings, 3);
  EXPECT_FALSE(first.more);
  // In key order, each named by its URL.
  EXPECT_EQ(
      TakeIngested(),
      (std::vector<std::string>{
          Url(std::string(kEast) + "2026/11/29/7e8f9a0b-1c2d-3e4f-9a0b-1c2d3e4f5a6b.jsonl.gz"),
          Url(day + "5a2b8c4e-0d1f-3a6b-9c7e-2f4a6b8c0d1e.jsonl.gz"),
          Url(day + "c3d4e5f6-a7b8-3c9d-8e0f-1a2b3c4d5e6f.jsonl.gz")}));
  EXPECT_TRUE(Sighted(1) && Sighted(2) && Sighted(3));
  TakeGets();

  PollResult second = MustPoll(*source);
  EXPECT_EQ(second.documents, 0);
  EXPECT_TRUE(TakeIngested().empty());
  EXPECT_TRUE(TakeGets().empty()) << "an ingested object was fetched again";
}

// The pitfall of a plain "StartAfter = last key" cursor: export object names are random UUIDs,
// so an object written later the same day can sort before the last one read.
TEST_F(S3ExportTest, ObjectWrittenLaterWithASmallerNameTheSameDayIsIngested) {
  CreateBucket("gf-src-pitfall");
  const std::string day = std::string(kEast) + kDay;
  PutFinding(day + "7b1e2d3c-4f5a-3b6c-8d7e-9f0a1b2c3d4e.jsonl.gz", 1);
  PutFinding(day + "e9f8a7b6-c5d4-3e2f-8a1b-0c9d8e7f6a5b.jsonl.gz", 2);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(MustPoll(*source).documents, 2);
  TakeIngested();

  const std::string earlier_name = day + "0c4d5e6f-7a8b-3c9d-8e0f-1a2b3c4d5e6f.jsonl.gz";
  PutFinding(earlier_name, 3);
  clock_.Advance(300);
  PollResult polled = MustPoll(*source);
  EXPECT_EQ(polled.documents, 1);
  EXPECT_EQ(TakeIngested(), std::vector<std::string>{Url(earlier_name)});
  EXPECT_TRUE(Sighted(3));
  EXPECT_EQ(MustPoll(*source).documents, 0);
}

// A region (or account) whose folder sorts before one already read is found too, and each
// folder keeps its own StartAfter.
TEST_F(S3ExportTest, NewFolderSortingBeforeTheLastOneIsIngested) {
  CreateBucket("gf-src-folders");
  PutFinding(std::string(kWest) + kDay + "8a9b0c1d-2e3f-3a4b-9c5d-6e7f8a9b0c1d.jsonl.gz", 1);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(MustPoll(*source).documents, 1);
  TakeIngested();

  const std::string east =
      std::string(kEast) + kDay + "f1e2d3c4-b5a6-3978-8a6b-5c4d3e2f1a0b.jsonl.gz";
  const std::string west =
      std::string(kWest) + kDay + "1a2b3c4d-5e6f-3a7b-8c9d-0e1f2a3b4c5d.jsonl.gz";
  PutFinding(east, 2);
  PutFinding(west, 3);
  EXPECT_EQ(MustPoll(*source).documents, 2);
  EXPECT_EQ(TakeIngested(), (std::vector<std::string>{Url(east), Url(west)}));
}

TEST_F(S3ExportTest, RestartResumesFromTheStoredCursor) {
  CreateBucket("gf-src-restart");
  const std::string day = std::string(kEast) + kDay;
  PutFinding(day + "2b3c4d5e-6f7a-3b8c-9d0e-1f2a3b4c5d6e.jsonl.gz", 1);
  PutFinding(day + "9d0e1f2a-3b4c-3d5e-8f6a-7b8c9d0e1f2a.jsonl.gz", 2);
  {
    auto source = NewSource(Options());
    ASSERT_NE(source, nullptr);
    EXPECT_EQ(MustPoll(*source).documents, 2);
  }
  TakeIngested();
  TakeGets();

  // A new process: nothing is fetched again; what is new since is.
  auto restarted = NewSource(Options());
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(MustPoll(*restarted).documents, 0);
  EXPECT_TRUE(TakeGets().empty());
  const std::string later = day + "0a1b2c3d-4e5f-3a6b-8c7d-8e9f0a1b2c3d.jsonl.gz";
  PutFinding(later, 3);
  EXPECT_EQ(MustPoll(*restarted).documents, 1);
  EXPECT_EQ(TakeIngested(), std::vector<std::string>{Url(later)});
  EXPECT_EQ(TakeGets(), std::vector<std::string>{later});
}

TEST_F(S3ExportTest, MaxObjectsPerPollYieldsWithMore) {
  CreateBucket("gf-src-max");
  for (int i = 1; i <= 5; ++i) {
    PutFinding(std::string(kEast) + kDay + std::to_string(i) +
                   "0000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz",
               i);
  }
  S3ExportSourceOptions options = Options();
  options.max_objects_per_poll = 2;
  auto source = NewSource(options);
  ASSERT_NE(source, nullptr);
  std::vector<PollResult> polls;
  for (int i = 0; i < 4; ++i) polls.push_back(MustPoll(*source));
  EXPECT_EQ(polls[0].documents, 2);
  EXPECT_TRUE(polls[0].more);
  EXPECT_EQ(polls[1].documents, 2);
  EXPECT_TRUE(polls[1].more);
  EXPECT_EQ(polls[2].documents, 1);
  EXPECT_FALSE(polls[2].more);
  EXPECT_EQ(polls[3].documents, 0);
  std::vector<std::string> names = TakeIngested();
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 5u) << "an object twice";
}

// An object whose content is not findings (corrupt gzip, other JSON) is ingested with its errors
// counted and passed: the cursor moves on and it is not fetched again.
TEST_F(S3ExportTest, CorruptObjectIsCountedAndPassed) {
  CreateBucket("gf-src-corrupt");
  const std::string day = std::string(kEast) + kDay;
  PutFinding(day + "10000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 1);
  Put(day + "20000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz",
      std::string("\x1f\x8b\x08\x00garbage", 11));
  Put(day + "30000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", ExportObject({"{\"hello\":1}"}));
  PutFinding(day + "40000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 4);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  PollResult polled = MustPoll(*source);
  EXPECT_EQ(polled.documents, 4);
  EXPECT_EQ(polled.findings, 2);
  EXPECT_GE(errors_, 2);
  EXPECT_TRUE(Sighted(1) && Sighted(4));
  TakeGets();
  EXPECT_EQ(MustPoll(*source).documents, 0);
  EXPECT_TRUE(TakeGets().empty());
}

// An object that cannot be fetched (403: the KMS key or bucket policy refuses it) fails the poll
// and is retried by the next one; the objects before it stay committed and are not read again.
TEST_F(S3ExportTest, UnreadableObjectFailsThePollAndIsRetried) {
  CreateBucket("gf-src-denied");
  const std::string day = std::string(kEast) + kDay;
  const std::string first = day + "10000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz";
  const std::string denied = day + "20000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz";
  const std::string third = day + "30000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz";
  PutFinding(first, 1);
  PutFinding(denied, 2);
  PutFinding(third, 3);
  transport_.forbidden.insert(denied);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  Result<PollResult> failed = source->Poll(stop_);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("AccessDenied"), std::string::npos)
      << failed.status().ToString();
  EXPECT_NE(failed.status().message().find(denied), std::string::npos);
  EXPECT_EQ(TakeIngested(), std::vector<std::string>{Url(first)});
  EXPECT_FALSE(Sighted(3));

  transport_.forbidden.clear();
  TakeGets();
  PollResult polled = MustPoll(*source);
  EXPECT_EQ(polled.documents, 2);
  EXPECT_EQ(TakeGets(), (std::vector<std::string>{denied, third}));
  EXPECT_TRUE(Sighted(2) && Sighted(3));
}

// Once a day has settled its keys leave the cursor (bounded), its folder is not listed again, and
// the next day's objects are read.
TEST_F(S3ExportTest, SettledDaysLeaveTheCursor) {
  CreateBucket("gf-src-settle");
  const std::string day = std::string(kEast) + kDay;
  PutFinding(day + "10000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 1);
  PutFinding(day + "20000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 2);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(MustPoll(*source).documents, 2);
  // 2026-11-30 is open (settle_window 2 days): both keys are remembered above the floor.
  std::string open = StoredCursor(*source);
  EXPECT_NE(open.find("\"" + std::string(kEast) + "2026/11/28\""), std::string::npos) << open;
  EXPECT_NE(open.find("10000000-aaaa"), std::string::npos) << open;

  clock_.Set(*ParseIso8601("2026-12-03T06:00:00Z"));
  const std::string next_day =
      std::string(kEast) + "2026/12/03/05000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz";
  PutFinding(next_day, 3);
  TakeGets();
  TakeIngested();
  EXPECT_EQ(MustPoll(*source).documents, 1);
  EXPECT_EQ(TakeIngested(), std::vector<std::string>{Url(next_day)});
  std::string settled = StoredCursor(*source);
  EXPECT_NE(settled.find("\"" + std::string(kEast) + "2026/12/01\""), std::string::npos) << settled;
  EXPECT_EQ(settled.find("10000000-aaaa"), std::string::npos) << "settled keys kept: " << settled;
  EXPECT_NE(settled.find("05000000-aaaa"), std::string::npos) << settled;
}

// Keys without the date layout fall back to a plain StartAfter on the last one read.
TEST_F(S3ExportTest, KeysWithoutTheDateLayoutUseTheLastKey) {
  CreateBucket("gf-src-flat");
  PutFinding("flat/b.jsonl.gz", 1);
  PutFinding("flat/c.jsonl.gz", 2);
  auto source = NewSource(Options("flat/"));
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(MustPoll(*source).documents, 2);
  TakeIngested();
  PutFinding("flat/d.jsonl.gz", 3);
  PutFinding("flat/a.jsonl.gz", 4);  // before the last key: not read (documented)
  EXPECT_EQ(MustPoll(*source).documents, 1);
  EXPECT_EQ(TakeIngested(), std::vector<std::string>{Url("flat/d.jsonl.gz")});
  EXPECT_NE(StoredCursor(*source).find("\"after\":\"flat/d.jsonl.gz\""), std::string::npos);
}

// Other logs in the same bucket (CloudTrail's .json.gz next to GuardDuty's .jsonl.gz) are not
// fetched.
TEST_F(S3ExportTest, OtherObjectsAreNotRead) {
  CreateBucket("gf-src-other");
  const std::string trail =
      "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/30/123456789012_CloudTrail_x.json.gz";
  Put(trail, ExportObject({"{\"Records\":[]}"}));
  PutFinding(std::string(kEast) + kDay + "10000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 1);
  auto source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(MustPoll(*source).documents, 1);
  for (const std::string& key : TakeGets()) EXPECT_NE(key, trail);
  EXPECT_EQ(errors_, 0);
}

TEST_F(S3ExportTest, BackfillIngestsEveryObjectWithProgress) {
  CreateBucket("gf-src-backfill");
  PutFinding(std::string(kEast) + kDay + "10000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 1);
  PutFinding(std::string(kEast) + "2026/11/01/20000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 2);
  PutFinding(std::string(kWest) + kDay + "30000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 3);
  std::vector<std::pair<int64_t, int64_t>> progress;
  Result<IngestSummary> summary = BackfillS3Export(
      Options(), Context(),
      [&](int64_t objects, int64_t bytes) { progress.emplace_back(objects, bytes); });
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->findings_read, 3);
  EXPECT_EQ(summary->error_count, 0);
  ASSERT_EQ(progress.size(), 3u);
  for (size_t i = 0; i < progress.size(); ++i) {
    EXPECT_EQ(progress[i].first, static_cast<int64_t>(i + 1));
    if (i > 0) {
      EXPECT_GT(progress[i].second, progress[i - 1].second);
    }
  }
  EXPECT_TRUE(Sighted(1) && Sighted(2) && Sighted(3));
  // No cursor: a backfill leaves the poller's position alone.
  EXPECT_FALSE(LoadCursor(*store_, "s3:gf-src-backfill/AWSLogs/")->has_value());
}

// `guardfeed ingest s3://BUCKET/PREFIX` as a user runs it: credentials and endpoint from the
// environment, progress on a terminal (`script` gives it one), the summary, the exit codes.
TEST_F(S3ExportTest, GuardfeedIngestS3BackfillsTheBucket) {
  CreateBucket("gf-src-cli");
  PutFinding(std::string(kEast) + kDay + "10000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 1);
  PutFinding(std::string(kWest) + kDay + "20000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz", 2);
  const fs::path work = dir_.File("cli");
  fs::create_directories(work);
  const std::string out = (work / "out.txt").string();
  const std::string guardfeed =
      "cd " + work.string() + " && AWS_ACCESS_KEY_ID=" + CephRgw::kAccessKey +
      " AWS_SECRET_ACCESS_KEY='" + CephRgw::kSecretKey +
      "' AWS_ENDPOINT_URL_S3=" + CephRgw::Endpoint() + " " + GUARDFEED_BINARY + " --store " +
      (work / "cli.db").string() + " ingest ";
  auto read = [&out] {
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };

  ASSERT_EQ(Shell(guardfeed + "s3://gf-src-cli/AWSLogs/ >" + out + " 2>&1"), 0) << read();
  EXPECT_NE(read().find("findings read:        2"), std::string::npos) << read();

  // On a terminal the progress line shows the objects read.
  if (::guardfeed::testing::OnPath("script")) {
    const std::string command = guardfeed + "s3://gf-src-cli/AWSLogs/";
    ASSERT_EQ(Shell("script -qec \"" + command + "\" /dev/null >" + out), 0) << read();
    EXPECT_NE(read().find("reading s3://gf-src-cli/AWSLogs/: 1 objects"), std::string::npos)
        << read();
  }

  // Content errors: exit code 3, each named by its object.
  const std::string bad =
      std::string(kEast) + kDay + "30000000-aaaa-3bbb-8ccc-dddddddddddd.jsonl.gz";
  Put(bad, ExportObject({"not json"}));
  EXPECT_EQ(Shell(guardfeed + "s3://gf-src-cli/AWSLogs/ >" + out + " 2>&1"), 3) << read();
  EXPECT_NE(read().find("s3://gf-src-cli/" + bad + ":1"), std::string::npos) << read();
  // No bucket: usage (2); a bucket that does not exist: runtime failure (1).
  EXPECT_EQ(Shell(guardfeed + "s3:///AWSLogs/ >" + out + " 2>&1"), 2) << read();
  EXPECT_EQ(Shell(guardfeed + "s3://gf-src-missing/ >" + out + " 2>&1"), 1) << read();
  EXPECT_NE(read().find("NoSuchBucket"), std::string::npos) << read();
}

// An in-memory bucket behind the transport, for listings too long to build in the gateway:
// ListObjectsV2 in pages of 1000 keys with start-after and continuation tokens, as S3 pages them,
// and GETs. Keys must be plain ASCII without XML metacharacters.
struct FakeBucket {
  std::map<std::string, std::string> objects;
  int lists = 0;
  std::vector<std::string> gets;

  static std::string Decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '%' && i + 2 < text.size()) {
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  Result<HttpResponse> Send(const HttpRequest& request) {
    const std::string marker = "/fake-bucket";
    std::string rest = request.url.substr(request.url.find(marker) + marker.size());
    std::string path = rest.substr(0, rest.find('?'));
    std::map<std::string, std::string> query;
    if (rest.find('?') != std::string::npos) {
      std::stringstream params(rest.substr(rest.find('?') + 1));
      for (std::string item; std::getline(params, item, '&');) {
        size_t eq = item.find('=');
        query[Decode(item.substr(0, eq))] = Decode(item.substr(eq + 1));
      }
    }
    if (!query.contains("list-type")) {
      std::string key = Decode(path.substr(1));
      gets.push_back(key);
      auto it = objects.find(key);
      if (it == objects.end()) return HttpResponse{404, {}, ""};
      return HttpResponse{200, {{"etag", "\"e\""}}, it->second};
    }
    ++lists;
    const std::string& prefix = query["prefix"];
    std::string after =
        query.contains("continuation-token") ? query["continuation-token"] : query["start-after"];
    std::string xml = "<?xml version=\"1.0\"?><ListBucketResult>";
    int count = 0;
    auto it = objects.upper_bound(after);
    for (; it != objects.end() && count < 1000; ++it) {
      if (!it->first.starts_with(prefix)) continue;
      xml += "<Contents><Key>" + it->first + "</Key><Size>" + std::to_string(it->second.size()) +
             "</Size><ETag>\"e\"</ETag></Contents>";
      after = it->first;
      ++count;
    }
    bool truncated = count == 1000 && it != objects.end();
    xml += truncated ? "<IsTruncated>true</IsTruncated><NextContinuationToken>" + after +
                           "</NextContinuationToken>"
                     : "<IsTruncated>false</IsTruncated>";
    return HttpResponse{200, {}, xml + "</ListBucketResult>"};
  }
};

std::string Numbered(const std::string& folder, int i, const std::string& suffix) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d", i);
  return folder + name + "0000-aaaa-3bbb-8ccc-dddddddddddd" + suffix;
}

// Settled days are not listed again even when they fill many pages: a listing that meets a
// folder's keys below its floor starts again from the floor instead of paging through them, here
// past a bucket-sharing CloudTrail folder and GuardDuty's own old days. A poll cut by
// max_objects_per_poll resumes inside a folder without reading anything twice.
TEST(S3ExportPagingTest, SettledDaysAreSkippedAcrossPages) {
  FakeBucket bucket;
  const std::string trail = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/01/";
  const std::string old_day = std::string(kEast) + "2026/11/01/";
  const std::string today = std::string(kEast) + kDay;
  for (int i = 0; i < 2500; ++i) bucket.objects[Numbered(trail, i, ".json.gz")] = "x";
  for (int i = 0; i < 1500; ++i) bucket.objects[Numbered(old_day, i, ".jsonl.gz")] = "{}";
  bucket.objects[Numbered(today, 5, ".jsonl.gz")] = "{}";

  StoreTempDir dir;
  auto store = OpenStore(dir.File("store.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ManualClock clock(*ParseIso8601("2026-11-30T12:00:00Z"));
  std::set<std::string> ingested;
  int64_t twice = 0;
  SourceContext context;
  context.ingest = [&](std::string_view, std::string_view name) -> Result<IngestSummary> {
    twice += ingested.insert(std::string(name)).second ? 0 : 1;
    return IngestSummary{};
  };
  context.store = store->get();
  context.clock = &clock;
  S3ExportSourceOptions options;
  options.s3.bucket = "fake-bucket";
  options.s3.endpoint = "http://127.0.0.1:9";
  options.s3.path_style = true;
  options.s3.credentials = NewStaticAwsCredentials({"AKID", "secret", "", 0});
  options.s3.transport = [&bucket](const HttpRequest& request) { return bucket.Send(request); };
  options.prefix = "AWSLogs/";
  auto source = NewS3ExportSource(options, context);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::atomic<bool> stop{false};

  Result<PollResult> first = (*source)->Poll(stop);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->documents, 1000);
  EXPECT_TRUE(first->more);
  Result<PollResult> rest = (*source)->Poll(stop);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->documents, 501);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(ingested.size(), 1501u);
  EXPECT_EQ(twice, 0);
  for (const std::string& key : bucket.gets) EXPECT_TRUE(key.ends_with(".jsonl.gz")) << key;
  // 4,001 keys, one remembered: the cursor stays small.
  auto cursor = LoadCursor(**store, (*source)->Name());
  ASSERT_TRUE(cursor.ok() && cursor->has_value());
  EXPECT_LT((*cursor)->size(), 600u) << **cursor;

  bucket.lists = 0;
  bucket.gets.clear();
  const std::string late = Numbered(today, 1, ".jsonl.gz");  // sorts before the one read
  bucket.objects[late] = "{}";
  Result<PollResult> next = (*source)->Poll(stop);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->documents, 1);
  EXPECT_EQ(bucket.gets, std::vector<std::string>{late});
  // The first page, a new listing from CloudTrail's floor, one from GuardDuty's: not 5 pages.
  EXPECT_EQ(bucket.lists, 3);
}

}  // namespace
}  // namespace guardfeed
