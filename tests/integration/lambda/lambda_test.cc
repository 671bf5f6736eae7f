// `guardfeed lambda` end to end: the real binary as a custom runtime, a Runtime API emulator
// written here after the documented protocol (GET .../invocation/next hands out queued events;
// POST .../response and .../error are recorded), and the real S3 (Ceph RGW) for the state and the
// published objects. Lambda itself cannot run here; everything around it does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "aws/aws_credentials.h"
#include "aws/s3_client.h"
#include "common/ceph_rgw.h"
#include "common/ci_skip.h"
#include "common/local_http_server.h"
#include "core/gzip.h"
#include "core/hash.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;
using ::guardfeed::testing::CannedResponse;
using ::guardfeed::testing::CephRgw;
using ::guardfeed::testing::LocalHttpServer;
using ::guardfeed::testing::ReceivedRequest;
using ::testing::HasSubstr;

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new CephRgw);

// The service side of the Runtime API. Events are handed out in order to whichever runtime asks;
// once the queue stays empty for `drain_wait`, "next" answers 500 and the runtimes exit.
class RuntimeEmulator {
 public:
  explicit RuntimeEmulator(std::chrono::milliseconds drain_wait = std::chrono::milliseconds(1500))
      : drain_wait_(drain_wait),
        server_([this](const ReceivedRequest& request) { return Answer(request); }) {}

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(server_.port()); }

  void Enqueue(std::string event) {
    std::lock_guard lock(mu_);
    std::string id = "req-" + std::to_string(++next_id_);
    queue_.push_back({id, std::move(event)});
  }

  // id -> what the runtime posted for it ("response: ..." or "error TYPE: ...").
  std::map<std::string, std::string> Outcomes() const {
    std::lock_guard lock(mu_);
    return outcomes_;
  }

 private:
  CannedResponse Answer(const ReceivedRequest& request) {
    if (request.method == "POST") return Record(request);
    auto deadline = std::chrono::steady_clock::now() + drain_wait_;
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (!queue_.empty()) {
          auto [id, event] = queue_.front();
          queue_.pop_front();
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch() +
                        std::chrono::seconds(60))
                        .count();
          return CannedResponse(200,
                                {{"Lambda-Runtime-Aws-Request-Id", id},
                                 {"Lambda-Runtime-Deadline-Ms", std::to_string(ms)},
                                 {"Lambda-Runtime-Trace-Id", "Root=1-test-" + id}},
                                event);
        }
      }
      if (std::chrono::steady_clock::now() > deadline) return CannedResponse(500, {}, "drained");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  CannedResponse Record(const ReceivedRequest& request) {
    const std::string prefix = "/2018-06-01/runtime/invocation/";
    std::lock_guard lock(mu_);
    if (request.target.starts_with(prefix)) {
      std::string rest = request.target.substr(prefix.size());
      std::string id = rest.substr(0, rest.find('/'));
      if (rest.ends_with("/response")) {
        outcomes_[id] = "response: " + request.body;
      } else {
        auto type = request.headers.find("lambda-runtime-function-error-type");
        outcomes_[id] = "error " + (type != request.headers.end() ? type->second : "?") + ": " +
                        request.body;
      }
    } else {
      outcomes_["init"] = "error: " + request.body;
    }
    return CannedResponse(202, {}, R"({"status":"OK"})");
  }

  const std::chrono::milliseconds drain_wait_;
  mutable std::mutex mu_;
  std::deque<std::pair<std::string, std::string>> queue_;
  std::map<std::string, std::string> outcomes_;
  int next_id_ = 0;
  LocalHttpServer server_;
};

// One `guardfeed lambda` process (or `argv`) with the given environment (nothing inherited).
class RuntimeProcess {
 public:
  explicit RuntimeProcess(std::map<std::string, std::string> env,
                          std::vector<std::string> argv = {GUARDFEED_BINARY, "lambda"}) {
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> envp;
      for (std::string& entry : env_strings) envp.push_back(entry.data());
      envp.push_back(nullptr);
      std::vector<char*> args;
      for (std::string& arg : argv) args.push_back(arg.data());
      args.push_back(nullptr);
      execve(args[0], args.data(), envp.data());
      _exit(127);
    }
  }
  ~RuntimeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Waits for the process (it exits when the emulator drains); its exit status.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

// Distinct public addresses for i up to 3,000,000: 45.a.b.c, never a network or broadcast address.
std::string AttackerIp(int i) {
  return "45." + std::to_string(33 + i / 62500) + "." + std::to_string(i / 250 % 250) + "." +
         std::to_string(i % 250 + 1);
}

std::string GuardDutyEvent(int i) {
  const std::string id = "lambda-test-finding-" + std::to_string(i);
  const std::string now = "2026-11-30T12:00:00.000Z";
  return R"({"version":"0","id":"ev-)" + std::to_string(i) +
         R"(","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"123456789012",)"
         R"("time":"2026-11-30T12:00:00Z","region":"us-east-1","resources":[],"detail":{)"
         R"("schemaVersion":"2.0","accountId":"123456789012","region":"us-east-1","id":")" +
         id +
         R"(","type":"UnauthorizedAccess:EC2/SSHBruteForce","severity":8,"createdAt":")" + now +
         R"(","updatedAt":")" + now +
         R"(","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":)"
         R"({"connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV4":")" +
         AttackerIp(i) + R"("}}},"eventFirstSeen":")" + now + R"(","eventLastSeen":")" + now +
         R"(","archived":false,"count":1}}})";
}

class LambdaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GF_REQUIRE_CEPH();
    char pattern[] = "/tmp/guardfeed-lambda-test-XXXXXX";
    work_ = mkdtemp(pattern);
  }
  void TearDown() override {
    std::error_code ec;
    if (!work_.empty()) fs::remove_all(work_, ec);
  }

  std::unique_ptr<S3Client> Bucket(const std::string& bucket) {
    S3ClientOptions options;
    options.bucket = bucket;
    options.endpoint = CephRgw::Endpoint();
    options.path_style = true;
    options.credentials =
        NewStaticAwsCredentials({CephRgw::kAccessKey, CephRgw::kSecretKey, "", 0});
    auto client = NewS3Client(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    EXPECT_TRUE((*client)->CreateBucket().ok());
    return std::move(*client);
  }

  // The environment a deployment gives the function: the seeds' variables plus AWS's own.
  std::map<std::string, std::string> Env(const RuntimeEmulator& emulator,
                                         const std::string& bucket, const std::string& state_dir) {
    return {{"AWS_LAMBDA_RUNTIME_API", emulator.endpoint()},
            {"AWS_ENDPOINT_URL_S3", CephRgw::Endpoint()},
            {"AWS_ACCESS_KEY_ID", CephRgw::kAccessKey},
            {"AWS_SECRET_ACCESS_KEY", CephRgw::kSecretKey},
            {"AWS_REGION", "us-east-1"},
            {"S3_BUCKET", bucket},
            {"S3_BLOCKLIST_KEY", "ip_blocklist"},
            {"GUARDFEED_STATE_DIR", state_dir},
            {"HOME", work_}};
  }

  // The addresses of the Fortinet list as published (one per CRLF line).
  static std::set<std::string> Blocklist(S3Client& bucket) {
    Result<std::string> body = bucket.GetObject("ip_blocklist");
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    std::set<std::string> lines;
    std::string text = body.ok() ? *body : "";
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find("\r\n", start);
      if (end == std::string::npos) end = text.size();
      if (end > start) lines.insert(text.substr(start, end - start));
      start = end + 2;
    }
    return lines;
  }

  std::string work_;
};

TEST_F(LambdaTest, OneEventPerInvocationBuildsTheSeedsObjects) {
  auto bucket = Bucket("gf-lambda-events");
  RuntimeEmulator emulator;
  constexpr int kEvents = 30;
  for (int i = 0; i < kEvents; ++i) emulator.Enqueue(GuardDutyEvent(i));
  emulator.Enqueue(R"({"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2"})");
  emulator.Enqueue(GuardDutyEvent(kEvents));  // the loop goes on after a refused event
  RuntimeProcess runtime(Env(emulator, "gf-lambda-events", work_ + "/a"));
  EXPECT_EQ(runtime.Wait(), 1);  // the emulator drained: the runtime loop ended

  std::map<std::string, std::string> outcomes = emulator.Outcomes();
  ASSERT_EQ(outcomes.size(), kEvents + 2u);
  EXPECT_THAT(outcomes["req-1"], HasSubstr(R"("status":"committed")"));
  EXPECT_THAT(outcomes["req-" + std::to_string(kEvents + 1)],
              HasSubstr("error guardfeed.InvalidEvent"));
  EXPECT_THAT(outcomes["req-" + std::to_string(kEvents + 2)], HasSubstr("committed"));

  std::set<std::string> listed = Blocklist(*bucket);
  EXPECT_EQ(listed.size(), kEvents + 1u);
  for (int i = 0; i <= kEvents; ++i) EXPECT_TRUE(listed.contains(AttackerIp(i))) << i;
  // The SRX side: manifest.xml and cc_schema at the bucket root, the feed it names beside them.
  Result<std::string> manifest = bucket->GetObject("manifest.xml");
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_THAT(*manifest, HasSubstr(R"(name="gd_ip_feed")"));
  EXPECT_THAT(*manifest, HasSubstr("objects=\"" + std::to_string(kEvents + 1) + "\""));
  EXPECT_TRUE(bucket->GetObject("cc_schema").ok());
  EXPECT_TRUE(bucket->GetObject("gd_ip_feed").ok());
  // Exactly the seeds' objects beside the private state: nothing else lands in their bucket.
  Result<S3Listing> listing = bucket->ListObjects("", "", "");
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  std::set<std::string> published;
  for (const S3ListedObject& object : listing->objects) {
    if (!object.key.starts_with("guardfeed-state/")) published.insert(object.key);
  }
  EXPECT_EQ(published, (std::set<std::string>{"cc_schema", "gd_dns_feed", "gd_ip_feed",
                                               "ip_blocklist", "manifest.xml"}));
}

TEST_F(LambdaTest, AColdStartResumesFromTheStateInS3) {
  auto bucket = Bucket("gf-lambda-cold");
  {
    RuntimeEmulator emulator;
    for (int i = 0; i < 5; ++i) emulator.Enqueue(GuardDutyEvent(i));
    RuntimeProcess first(Env(emulator, "gf-lambda-cold", work_ + "/first"));
    first.Wait();
  }
  RuntimeEmulator emulator;
  emulator.Enqueue(GuardDutyEvent(100));
  RuntimeProcess second(Env(emulator, "gf-lambda-cold", work_ + "/second"));  // a fresh /tmp
  second.Wait();
  EXPECT_THAT(emulator.Outcomes()["req-1"], HasSubstr("committed"));
  std::set<std::string> listed = Blocklist(*bucket);
  EXPECT_EQ(listed.size(), 6u);
  for (int i : {0, 1, 2, 3, 4, 100}) EXPECT_TRUE(listed.contains(AttackerIp(i))) << i;
}

TEST_F(LambdaTest, TwoRuntimesRacingOnOneStateLoseNoSighting) {
  auto bucket = Bucket("gf-lambda-race");
  RuntimeEmulator emulator;
  constexpr int kEvents = 40;
  for (int i = 0; i < kEvents; ++i) emulator.Enqueue(GuardDutyEvent(i));
  RuntimeProcess a(Env(emulator, "gf-lambda-race", work_ + "/a"));
  RuntimeProcess b(Env(emulator, "gf-lambda-race", work_ + "/b"));
  a.Wait();
  b.Wait();
  std::map<std::string, std::string> outcomes = emulator.Outcomes();
  ASSERT_EQ(outcomes.size(), static_cast<size_t>(kEvents));
  for (const auto& [id, outcome] : outcomes) EXPECT_THAT(outcome, HasSubstr("committed")) << id;
  // Whichever runtime published last, a third one that reads the state lists every address.
  RuntimeEmulator check;
  check.Enqueue(R"({"detail-type":"Scheduled Event","source":"aws.events","detail":{}})");
  RuntimeProcess c(Env(check, "gf-lambda-race", work_ + "/c"));
  c.Wait();
  EXPECT_THAT(check.Outcomes()["req-1"], HasSubstr("committed"));
  std::set<std::string> listed = Blocklist(*bucket);
  EXPECT_EQ(listed.size(), static_cast<size_t>(kEvents));
}

TEST_F(LambdaTest, AnSqsBatchReportsOnlyThePoisonedRecord) {
  Bucket("gf-lambda-sqs");
  RuntimeEmulator emulator;
  boost::json::array records;
  for (int i = 0; i < 3; ++i) {
    std::string body = i == 1 ? "this is not a finding" : GuardDutyEvent(200 + i);
    records.push_back(boost::json::object{{"messageId", "m-" + std::to_string(i)},
                                          {"receiptHandle", "h"},
                                          {"body", body},
                                          {"eventSource", "aws:sqs"}});
  }
  emulator.Enqueue(boost::json::serialize(boost::json::object{{"Records", records}}));
  RuntimeProcess runtime(Env(emulator, "gf-lambda-sqs", work_ + "/sqs"));
  runtime.Wait();
  EXPECT_EQ(emulator.Outcomes()["req-1"],
            R"(response: {"batchItemFailures":[{"itemIdentifier":"m-1"}]})");
}

// The zip as Lambda gets it, run in a root holding nothing but its files and a /tmp: the packaged
// loader and libraries are all it needs (provided.al2023 has another glibc than Debian).
TEST_F(LambdaTest, ThePackageRunsInAnEmptyRoot) {
  if (geteuid() != 0) GF_SKIP_UNLESS_CI("chroot needs root");
  const std::string zip = work_ + "/guardfeed-lambda.zip", root = work_ + "/root";
  ASSERT_EQ(testing::Shell(std::string(GUARDFEED_SOURCE_DIR) + "/scripts/package-lambda --build-dir " +
                           GUARDFEED_BUILD_DIR + " --out " + zip + " >" + work_ + "/package.log 2>&1"),
            0)
      << "see " << work_ << "/package.log";
  ASSERT_EQ(testing::Shell("unzip -q " + zip + " -d " + root), 0);
  fs::create_directories(root + "/tmp");
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(root)) entries.push_back(entry.path().filename());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries,
            (std::vector<std::string>{"bootstrap", "guardfeed", "lib", "locale", "tmp"}));
  EXPECT_TRUE(fs::exists(root + "/locale/C.utf8/LC_CTYPE"));  // domain lowercasing's tables

  auto bucket = Bucket("gf-lambda-package");
  RuntimeEmulator emulator;
  constexpr int kEvents = 50;
  for (int i = 0; i < kEvents; ++i) emulator.Enqueue(GuardDutyEvent(300 + i));
  std::map<std::string, std::string> env = Env(emulator, "gf-lambda-package", "/tmp/state");
  env["LAMBDA_TASK_ROOT"] = "/";
  env["HOME"] = "/tmp";
  RuntimeProcess runtime(env, {"/usr/sbin/chroot", root, "/bootstrap"});
  EXPECT_EQ(runtime.Wait(), 1);
  std::map<std::string, std::string> outcomes = emulator.Outcomes();
  ASSERT_EQ(outcomes.size(), static_cast<size_t>(kEvents));
  for (const auto& [id, outcome] : outcomes) EXPECT_THAT(outcome, HasSubstr("committed")) << id;
  std::set<std::string> listed = Blocklist(*bucket);
  EXPECT_EQ(listed.size(), static_cast<size_t>(kEvents));
  // The SRX reads the feed through the manifest: its MD5 trailer must check out.
  Result<std::string> feed = bucket->GetObject("gd_ip_feed");
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  size_t end = feed->rfind("#end\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(feed->substr(end + 5), Md5Hex(feed->substr(0, end + 5)) + "\n");
  EXPECT_EQ(std::count(feed->begin(), feed->end(), '\n'), kEvents + 5);  // header, #del, #add, #end, md5
}

// Not a test: the issue 9 budget, run by hand (docs/performance.md, "Lambda"):
//   lambda_integration_test --gtest_also_run_disabled_tests --gtest_filter='*WarmInvocation*'
// 100,000 active indicators arrive through one S3 export object, then single findings follow,
// one per invocation; the runtime's own log gives each invocation's duration (event handed out
// to response, S3 round trips to the loopback RGW included).
TEST_F(LambdaTest, DISABLED_WarmInvocationAt100kIndicators) {
  auto bucket = Bucket("gf-lambda-bench");
  auto exports = Bucket("gf-lambda-export");
  constexpr int kIndicators = 100000, kProbes = 100;
  std::string lines;
  for (int i = 0; i < kIndicators; ++i) {
    std::string event = GuardDutyEvent(10000 + i);
    std::string detail = event.substr(event.find("\"detail\":") + 9);
    detail.pop_back();  // the event's closing brace
    lines += detail + "\n";
  }
  Result<std::string> compressed = GzipCompress(lines);
  ASSERT_TRUE(compressed.ok());
  const std::string key = "AWSLogs/123456789012/GuardDuty/us-east-1/2026/11/30/bench.jsonl.gz";
  ASSERT_TRUE(exports->PutObject(key, *compressed, {}).ok());
  RuntimeEmulator emulator(std::chrono::milliseconds(3000));
  emulator.Enqueue(R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":)"
                   R"("ObjectCreated:Put","s3":{"bucket":{"name":"gf-lambda-export"},"object":)"
                   R"({"key":")" + key + R"(","size":1}}}]})");
  for (int i = 0; i < kProbes; ++i) emulator.Enqueue(GuardDutyEvent(500000 + i));
  std::map<std::string, std::string> env = Env(emulator, "gf-lambda-bench", work_ + "/bench");
  RuntimeProcess runtime(env, {"/bin/sh", "-c", std::string(GUARDFEED_BINARY) +
                                                    " lambda > " + work_ + "/bench.log 2>&1"});
  runtime.Wait();
  std::ifstream log(work_ + "/bench.log");
  std::vector<double> durations;
  for (std::string line; std::getline(log, line);) {
    size_t at = line.find("invocation done duration_ms=");
    if (at != std::string::npos) durations.push_back(std::stod(line.substr(at + 28)));
  }
  ASSERT_EQ(durations.size(), kProbes + 1u);
  std::printf("[ BENCH    ] first invocation (S3 export, %d findings): %.1f ms\n", kIndicators,
              durations.front());
  std::vector<double> warm(durations.begin() + 1, durations.end());
  std::sort(warm.begin(), warm.end());
  std::printf("[ BENCH    ] warm single-finding invocations at %d indicators: p50 %.1f ms, "
              "p99 %.1f ms, max %.1f ms\n",
              kIndicators, warm[warm.size() / 2], warm[warm.size() * 99 / 100], warm.back());
  EXPECT_EQ(Blocklist(*bucket).size(), static_cast<size_t>(kIndicators + kProbes));
}

TEST_F(LambdaTest, AStatePrefixOverAPublishedKeyIsRefusedAtInit) {
  RuntimeEmulator emulator(std::chrono::milliseconds(200));
  std::map<std::string, std::string> env = Env(emulator, "gf-lambda-init", work_ + "/collide");
  env["S3_BLOCKLIST_KEY"] = "guardfeed-state/ip_blocklist";
  RuntimeProcess runtime(env);
  EXPECT_EQ(runtime.Wait(), 2);
  EXPECT_THAT(emulator.Outcomes()["init"], HasSubstr("collides with the published key"));
}

TEST_F(LambdaTest, AConfigurationErrorIsReportedAsAnInitError) {
  RuntimeEmulator emulator(std::chrono::milliseconds(200));
  std::map<std::string, std::string> env = Env(emulator, "gf-lambda-init", work_ + "/init");
  env["SEVERITY_LEVEL"] = "42";
  RuntimeProcess runtime(env);
  EXPECT_EQ(runtime.Wait(), 2);
  EXPECT_THAT(emulator.Outcomes()["init"], HasSubstr("SEVERITY_LEVEL"));
}

}  // namespace
}  // namespace guardfeed
