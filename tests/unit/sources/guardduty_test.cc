// The GuardDuty API source against guardduty_contract_server.py, a local server that implements
// ListDetectors, ListFindings and GetFindings as GuardDuty documents them and checks every
// request's SigV4 signature with botocore. Findings go through a real Ingestor into a real SQLite
// store, where the cursor lives too.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aws/http_client.h"
#include "integration/server/daemon.h"
#include "integration/server/http.h"
#include "common/ci_skip.h"
#include "common/process.h"
#include "core/time_util.h"
#include "policy/policy.h"
#include "sources/guardduty_source.h"
#include "store/ingest.h"
#include "store/store.h"

namespace guardfeed {
namespace {

namespace json = boost::json;

constexpr char kRegion[] = "eu-west-1";
constexpr char kDetector[] = "12abc34d567e8fa901bc2d34e56789f0";
constexpr char kAccessKey[] = "AKIDGUARDFEEDTEST01";
constexpr char kSecretKey[] = "guardfeed/test+secret/key0123456789abcdef";
constexpr char kAdminAccount[] = "111122223333";

// A recorded request's string member, "" when it is not a string.
std::string Text(json::value& request, const char* key) {
  const json::value* value = request.as_object().if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts guardduty_contract_server.py for one test and always stops it. The server writes its
// port to a file, and exits by itself when the test process is gone.
class GuardDutyServer {
 public:
  // NotFound when the server cannot import botocore (python3-botocore is not installed).
  static Result<std::unique_ptr<GuardDutyServer>> Start(const std::string& dir,
                                                        const std::string& findings_file) {
    std::unique_ptr<GuardDutyServer> server(new GuardDutyServer(dir));
    GF_RETURN_IF_ERROR(server->Launch(findings_file));
    GF_RETURN_IF_ERROR(server->WaitReady());
    return server;
  }
  ~GuardDutyServer() {  // SIGTERM, SIGKILL after 5 s
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  GuardDutyServer(const GuardDutyServer&) = delete;
  GuardDutyServer& operator=(const GuardDutyServer&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The API requests the server answered, oldest first, optionally of one operation.
  json::array Requests(const std::string& operation = "") {
    HttpRequest request;
    request.url = endpoint() + "/_test/state";
    Result<HttpResponse> response = client_.Send(request);
    EXPECT_TRUE(response.ok() && response->status == 200) << "GET /_test/state failed";
    if (!response.ok()) return {};
    json::value state = json::parse(response->body);
    json::array out;
    for (json::value& r : state.as_object()["requests"].as_array()) {
      const json::value& name = r.as_object()["operation"];
      if (operation.empty() || (name.is_string() && name.as_string() == operation)) {
        out.push_back(r);
      }
    }
    return out;
  }
  // POST /_test/inject, /_test/reload, /_test/clear, /_test/config.
  void Post(const std::string& path, const std::string& body = "{}") {
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint() + path;
    request.body = body;
    Result<HttpResponse> response = client_.Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    ASSERT_EQ(response->status, 200) << path << ": " << response->body;
  }

 private:
  explicit GuardDutyServer(std::string dir) : dir_(std::move(dir)) {}

  Status Launch(const std::string& findings_file) {
    pid_ = testing::SpawnLogged({GUARDFEED_PYTHON3, GUARDDUTY_CONTRACT_SERVER, "--findings",
                                 findings_file, "--region", kRegion, "--access-key", kAccessKey,
                                 "--secret-key", kSecretKey, "--detectors", kDetector,
                                 "--port-file", dir_ + "/port", "--parent-pid",
                                 std::to_string(getpid())},
                                dir_ + "/server.log");
    return pid_ < 0 ? Status::FromErrno("fork", errno) : Status::Ok();
  }

  Status WaitReady() {
    testing::ServerStart start = testing::WaitForPortFile(pid_, dir_ + "/port", port_, [this](int) {
      HttpRequest ping;
      ping.url = endpoint() + "/_test/state";
      Result<HttpResponse> response = client_.Send(ping);
      return response.ok() && response->status == 200;
    });
    std::string log = ReadFile(dir_ + "/server.log");
    if (start == testing::ServerStart::kReady) return Status::Ok();
    if (start == testing::ServerStart::kMissingDependency) return Status::NotFound(log);
    if (start == testing::ServerStart::kExited) {
      return Status::Unavailable("contract server exited: " + log);
    }
    return Status::Unavailable("contract server not ready: " + log);
  }


  const std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  HttpClient client_;
};

// "2026-11-20T09:45:31.123Z".
std::string IsoMillis(int64_t ms) {
  std::string text = FormatIso8601(ms / 1000);
  char fraction[8];
  std::snprintf(fraction, sizeof(fraction), ".%03dZ", static_cast<int>(ms % 1000));
  return text.substr(0, text.size() - 1) + fraction;
}

struct TestFinding {
  std::string id;
  int64_t updated_ms = 0;
  std::string ip;
  std::string account = kAdminAccount;
  double severity = 8;
};

// A GuardDuty finding as GetFindings returns it (camelCase), with one attacker address.
json::object FindingJson(const TestFinding& f) {
  const std::string seen = FormatIso8601(f.updated_ms / 1000 - 60);
  json::object remote{{"ipAddressV4", f.ip}};
  json::object action{{"actionType", "NETWORK_CONNECTION"},
                      {"networkConnectionAction", json::object{{"connectionDirection", "INBOUND"},
                                                               {"remoteIpDetails", remote}}}};
  return json::object{{"schemaVersion", "2.0"},
                      {"accountId", f.account},
                      {"region", kRegion},
                      {"partition", "aws"},
                      {"id", f.id},
                      {"arn", "arn:aws:guardduty:eu-west-1:" + f.account + ":detector/" +
                                  kDetector + "/finding/" + f.id},
                      {"type", "Recon:EC2/PortProbeUnprotectedPort"},
                      {"severity", f.severity},
                      {"createdAt", seen},
                      {"updatedAt", IsoMillis(f.updated_ms)},
                      {"title", "Unprotected port on EC2 instance is being probed."},
                      {"resource", json::object{{"resourceType", "Instance"}}},
                      {"service", json::object{{"serviceName", "guardduty"},
                                               {"detectorId", kDetector},
                                               {"archived", false},
                                               {"count", 1},
                                               {"eventFirstSeen", seen},
                                               {"eventLastSeen", seen},
                                               {"action", action}}}};
}

class GuardDutySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "guardfeed-gd-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    WriteFindings();
    Result<std::unique_ptr<GuardDutyServer>> server =
        GuardDutyServer::Start(dir_, dir_ + "/findings.json");
    if (!server.ok() && server.status().code() == Status::Code::kNotFound) {
      GF_SKIP_UNLESS_CI("python3-botocore is not installed: " + server.status().message());
    }
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    auto store = OpenStore("sqlite://" + dir_ + "/store.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ingestor_ = std::make_unique<Ingestor>(store_.get(), &policy_, &clock_);
  }
  void TearDown() override {
    server_.reset();
    ingestor_.reset();
    store_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  GuardDutySourceOptions Options() {
    GuardDutySourceOptions options;
    options.region = kRegion;
    options.api.endpoint = server_->endpoint();
    options.api.credentials = NewStaticAwsCredentials({kAccessKey, kSecretKey, "", 0});
    options.api.retry.max_attempts = 4;
    options.api.sleep = [this](std::chrono::milliseconds) { ++retry_sleeps_; };
    return options;
  }
  SourceContext Context() {
    SourceContext context;
    context.ingest = [this](std::string_view data, std::string_view name) {
      ++ingest_calls_;
      if (on_ingest_) on_ingest_();
      return ingestor_->IngestBuffer(data, name);
    };
    context.store = store_.get();
    context.clock = &clock_;
    return context;
  }
  std::unique_ptr<Source> MustCreate(GuardDutySourceOptions options) {
    Result<std::unique_ptr<Source>> source = NewGuardDutySource(std::move(options), Context());
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }

  // Adds `count` findings updated one minute apart, the newest `newest_age_ms` before now, and
  // hands the file to the server.
  void AddFindings(int count, int64_t newest_age_ms, const std::string& account = kAdminAccount,
                   double severity = 8) {
    for (int i = 0; i < count; ++i) {
      TestFinding f;
      const int n = static_cast<int>(findings_.size());
      f.id = "f" + std::to_string(n);
      f.updated_ms =
          now_ms_ - newest_age_ms - static_cast<int64_t>(count - 1 - i) * 60000 + n % 997;
      f.ip = "45.9." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1);
      f.account = account;
      f.severity = severity;
      findings_.push_back(f);
    }
    WriteFindings();
    if (server_ != nullptr) server_->Post("/_test/reload");
  }
  void WriteFindings() {
    json::array all;
    for (const TestFinding& f : findings_) all.push_back(FindingJson(f));
    std::ofstream(dir_ + "/findings.json") << json::serialize(all);
  }

  int64_t IndicatorCount() {
    IndicatorQuery query;
    query.include_expired = true;
    query.limit = 100000;
    Result<std::vector<IndicatorRecord>> indicators = store_->ListIndicators(query);
    EXPECT_TRUE(indicators.ok()) << indicators.status().ToString();
    return indicators.ok() ? static_cast<int64_t>(indicators->size()) : -1;
  }
  int64_t StoredCursor(const std::string& name = std::string("guardduty:") + kRegion) {
    Result<std::optional<std::string>> cursor = LoadCursor(*store_, name);
    EXPECT_TRUE(cursor.ok()) << cursor.status().ToString();
    if (!cursor.ok() || !cursor->has_value()) return -1;
    return json::parse(**cursor).as_object()["updatedAt"].as_int64();
  }
  int64_t NewestUpdate() const {
    int64_t newest = -1;
    for (const TestFinding& f : findings_) newest = std::max(newest, f.updated_ms);
    return newest;
  }
  // The updatedAt criterion of a recorded ListFindings request.
  static int64_t ListedFrom(json::value& request) {
    return request.as_object()["body"]
        .as_object()["findingCriteria"]
        .as_object()["criterion"]
        .as_object()["updatedAt"]
        .as_object()["greaterThanOrEqual"]
        .as_int64();
  }
  static std::vector<std::string> FetchedIds(json::array& requests) {
    std::vector<std::string> ids;
    for (json::value& r : requests) {
      json::array& list = r.as_object()["body"].as_object()["findingIds"].as_array();
      EXPECT_LE(list.size(), 50u);
      for (json::value& id : list) ids.emplace_back(id.as_string());
    }
    return ids;
  }
  static void ExpectAllAnswered(json::array& requests) {
    for (json::value& r : requests) {
      EXPECT_EQ(r.as_object()["status"].as_int64(), 200) << json::serialize(r);
    }
  }

  std::string dir_;
  std::vector<TestFinding> findings_;
  const int64_t now_ms_ = static_cast<int64_t>(std::time(nullptr)) * 1000;
  ManualClock clock_{now_ms_ / 1000};
  Policy policy_{PolicyOptions{}};
  std::unique_ptr<GuardDutyServer> server_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ingestor> ingestor_;
  std::function<void()> on_ingest_;
  int ingest_calls_ = 0;
  int retry_sleeps_ = 0;
  std::atomic<bool> stop_{false};
};

TEST_F(GuardDutySourceTest, ListsTheDetectorWhenNoneIsConfigured) {
  AddFindings(3, 60000);
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Name(), "guardduty:eu-west-1");
  EXPECT_TRUE(source->SingleConsumer());
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->findings, 3);

  json::array requests = server_->Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(Text(requests[0], "operation"), "ListDetectors");
  EXPECT_EQ(Text(requests[0], "method"), "GET");
  EXPECT_EQ(Text(requests[1], "path"), std::string("/detector/") + kDetector + "/findings");
  EXPECT_EQ(Text(requests[2], "path"), std::string("/detector/") + kDetector + "/findings/get");
  ExpectAllAnswered(requests);

  // The detector is remembered: the next poll does not list detectors again.
  server_->Post("/_test/clear");
  ASSERT_TRUE(source->Poll(stop_).ok());
  EXPECT_TRUE(server_->Requests("ListDetectors").empty());
}

TEST_F(GuardDutySourceTest, AConfiguredDetectorIsUsedAsIs) {
  AddFindings(2, 60000);
  GuardDutySourceOptions options = Options();
  options.detector_id = kDetector;
  auto source = MustCreate(options);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Name(), std::string("guardduty:eu-west-1/") + kDetector);
  ASSERT_TRUE(source->Poll(stop_).ok());
  EXPECT_TRUE(server_->Requests("ListDetectors").empty());
  EXPECT_EQ(StoredCursor(std::string("guardduty:eu-west-1/") + kDetector), NewestUpdate());
}

TEST_F(GuardDutySourceTest, IngestsEveryPageInBatchesOfFifty) {
  AddFindings(120, 10 * 60000);
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->documents, 3);
  EXPECT_EQ(polled->findings, 120);
  EXPECT_FALSE(polled->more);
  EXPECT_EQ(IndicatorCount(), 120);

  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 3u);
  const int64_t first_from = now_ms_ - 7 * 86400 * 1000LL;  // initial_lookback
  for (size_t i = 0; i < lists.size(); ++i) {
    json::object& body = lists[i].as_object()["body"].as_object();
    EXPECT_EQ(ListedFrom(lists[i]), first_from);
    EXPECT_EQ(json::serialize(body["sortCriteria"]),
              R"({"attributeName":"updatedAt","orderBy":"ASC"})");
    EXPECT_EQ(body["maxResults"].as_int64(), 50);
    EXPECT_EQ(body.contains("nextToken"), i > 0);
  }
  json::array gets = server_->Requests("GetFindings");
  ASSERT_EQ(gets.size(), 3u);
  std::vector<std::string> ids = FetchedIds(gets);
  EXPECT_EQ(ids.size(), 120u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 120u);
  json::array all = server_->Requests();
  ExpectAllAnswered(all);
  EXPECT_EQ(StoredCursor(), NewestUpdate());
}

TEST_F(GuardDutySourceTest, TheNextPollStartsAtTheCursorLessTheOverlap) {
  AddFindings(120, 10 * 60000);
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  ASSERT_TRUE(source->Poll(stop_).ok());
  const int64_t cursor = StoredCursor();
  ASSERT_EQ(cursor, NewestUpdate());

  AddFindings(3, 60000);
  server_->Post("/_test/clear");
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 1u);
  const int64_t from = cursor - 300 * 1000;  // the default overlap, 5 minutes
  EXPECT_EQ(ListedFrom(lists[0]), from);
  // Exactly what changed since then: the 3 new findings and the old ones inside the overlap.
  std::set<std::string> expected;
  for (const TestFinding& f : findings_) {
    if (f.updated_ms >= from) expected.insert(f.id);
  }
  json::array gets = server_->Requests("GetFindings");
  std::vector<std::string> fetched = FetchedIds(gets);
  EXPECT_EQ(std::set<std::string>(fetched.begin(), fetched.end()), expected);
  EXPECT_EQ(expected.size(), 8u);  // findings 115..119 (5 minutes) and the 3 new ones
  EXPECT_EQ(IndicatorCount(), 123);
  EXPECT_EQ(StoredCursor(), NewestUpdate());
}

TEST_F(GuardDutySourceTest, ANewSourceResumesFromTheStoredCursor) {
  AddFindings(60, 30 * 60000);
  {
    auto first = MustCreate(Options());
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(first->Poll(stop_).ok());
  }
  const int64_t cursor = StoredCursor();
  AddFindings(4, 60000);
  server_->Post("/_test/clear");

  GuardDutySourceOptions options = Options();
  options.overlap = std::chrono::seconds(60);
  auto restarted = MustCreate(options);
  ASSERT_NE(restarted, nullptr);
  Result<PollResult> polled = restarted->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(ListedFrom(lists[0]), cursor - 60 * 1000);
  EXPECT_EQ(polled->findings, 5);  // the newest old one (inside a minute) and the 4 new ones
  EXPECT_EQ(IndicatorCount(), 64);
  EXPECT_EQ(StoredCursor(), NewestUpdate());
}

TEST_F(GuardDutySourceTest, RetriesThrottlingAndServerErrors) {
  AddFindings(10, 60000);
  server_->Post(
      "/_test/inject",
      R"({"status":400,"code":"ThrottlingException","count":2,"operation":"ListFindings"})");
  server_->Post("/_test/inject", R"({"status":500,"code":"InternalServerErrorException",)"
                                 R"("count":1,"operation":"GetFindings"})");
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->findings, 10);
  EXPECT_EQ(IndicatorCount(), 10);
  EXPECT_EQ(retry_sleeps_, 3);

  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(Text(lists[0], "error"), "ThrottlingException");
  EXPECT_EQ(Text(lists[1], "error"), "ThrottlingException");
  EXPECT_EQ(lists[2].as_object()["status"].as_int64(), 200);
  json::array gets = server_->Requests("GetFindings");
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[0].as_object()["status"].as_int64(), 500);
  EXPECT_EQ(gets[1].as_object()["status"].as_int64(), 200);
}

TEST_F(GuardDutySourceTest, ALastFailureNamesTheRegionDetectorAndAwsError) {
  AddFindings(60, 60 * 60000);
  GuardDutySourceOptions options = Options();
  options.detector_id = kDetector;
  auto source = MustCreate(options);
  ASSERT_NE(source, nullptr);
  // The first GetFindings succeeds, the second fails on every attempt.
  on_ingest_ = [this] {
    if (ingest_calls_ == 1) {
      server_->Post("/_test/inject", R"({"status":500,"code":"InternalServerErrorException",)"
                                     R"("count":4,"operation":"GetFindings"})");
    }
  };
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(polled.status().code(), Status::Code::kUnavailable);
  const std::string& message = polled.status().message();
  EXPECT_NE(message.find("eu-west-1"), std::string::npos) << message;
  EXPECT_NE(message.find(kDetector), std::string::npos) << message;
  EXPECT_NE(message.find("GetFindings"), std::string::npos) << message;
  EXPECT_NE(message.find("InternalServerErrorException"), std::string::npos) << message;
  // The first page stays committed, with the cursor at its newest finding.
  EXPECT_EQ(IndicatorCount(), 50);
  EXPECT_EQ(StoredCursor(std::string("guardduty:eu-west-1/") + kDetector),
            findings_[49].updated_ms);

  on_ingest_ = nullptr;
  server_->Post("/_test/clear");
  ASSERT_TRUE(source->Poll(stop_).ok());
  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(ListedFrom(lists[0]), findings_[49].updated_ms - 300 * 1000);
  EXPECT_EQ(IndicatorCount(), 60);
}

TEST_F(GuardDutySourceTest, AWrongSecretKeyIsRefused) {
  AddFindings(5, 60000);
  GuardDutySourceOptions options = Options();
  options.api.credentials =
      NewStaticAwsCredentials({kAccessKey, "not-the-secret-key-at-all", "", 0});
  auto source = MustCreate(options);
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(polled.status().code(), Status::Code::kRemote);
  const std::string& message = polled.status().message();
  EXPECT_NE(message.find("HTTP 403 InvalidSignatureException"), std::string::npos) << message;
  EXPECT_NE(message.find("ListDetectors"), std::string::npos) << message;
  EXPECT_NE(message.find("eu-west-1"), std::string::npos) << message;
  EXPECT_EQ(message.find("not-the-secret"), std::string::npos) << message;
  json::array requests = server_->Requests();
  ASSERT_EQ(requests.size(), 1u);  // a 403 is not retried
  EXPECT_EQ(requests[0].as_object()["status"].as_int64(), 403);
  EXPECT_EQ(IndicatorCount(), 0);
  EXPECT_EQ(StoredCursor(), -1);
}

TEST_F(GuardDutySourceTest, IncludesMemberAccountFindings) {
  // A delegated administrator's detector lists its members' findings with their own accountId.
  AddFindings(2, 30 * 60000, kAdminAccount);
  AddFindings(2, 20 * 60000, "444455556666");
  AddFindings(2, 10 * 60000, "777788889999");
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->findings, 6);
  std::set<std::string> accounts;
  for (const TestFinding& f : findings_) {
    Result<std::vector<SightingRecord>> sightings =
        store_->SightingsOf({IndicatorKind::kIpv4, f.ip});
    ASSERT_TRUE(sightings.ok()) << sightings.status().ToString();
    ASSERT_EQ(sightings->size(), 1u) << f.ip;
    accounts.insert((*sightings)[0].account_id);
  }
  EXPECT_EQ(accounts, (std::set<std::string>{kAdminAccount, "444455556666", "777788889999"}));
}

TEST_F(GuardDutySourceTest, StopsBetweenRequestsWhenAsked) {
  AddFindings(120, 10 * 60000);
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  on_ingest_ = [this] { stop_.store(true); };
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->documents, 1);
  EXPECT_EQ(server_->Requests("GetFindings").size(), 1u);
  EXPECT_EQ(server_->Requests("ListFindings").size(), 1u);
  EXPECT_EQ(IndicatorCount(), 50);
  EXPECT_EQ(StoredCursor(), findings_[49].updated_ms);

  // Set before a poll, nothing is asked at all.
  server_->Post("/_test/clear");
  on_ingest_ = nullptr;
  ASSERT_TRUE(source->Poll(stop_).ok());
  EXPECT_TRUE(server_->Requests().empty());

  stop_.store(false);
  ASSERT_TRUE(source->Poll(stop_).ok());
  EXPECT_EQ(IndicatorCount(), 120);
}

TEST_F(GuardDutySourceTest, ALongListingGoesOnInTheNextPoll) {
  AddFindings(5020, 60000);
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_TRUE(polled->more);
  EXPECT_EQ(polled->documents, 100);
  EXPECT_EQ(polled->findings, 5000);
  EXPECT_EQ(StoredCursor(), findings_[4999].updated_ms);
  json::array first = server_->Requests("ListFindings");
  ASSERT_EQ(first.size(), 100u);

  server_->Post("/_test/clear");
  polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_FALSE(polled->more);
  EXPECT_EQ(polled->findings, 20);
  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 1u);
  // The same listing, continued with its token (not restarted at the cursor).
  EXPECT_EQ(ListedFrom(lists[0]), ListedFrom(first[0]));
  EXPECT_TRUE(lists[0].as_object()["body"].as_object().contains("nextToken"));
  EXPECT_EQ(IndicatorCount(), 5020);
  EXPECT_EQ(StoredCursor(), NewestUpdate());
}

TEST_F(GuardDutySourceTest, SendsTheConfiguredCriteria) {
  AddFindings(4, 20 * 60000, kAdminAccount, 5.0);
  AddFindings(3, 10 * 60000, kAdminAccount, 8.0);
  GuardDutySourceOptions options = Options();
  options.criteria_json =
      R"({"Criterion":{"severity":{"Gte":7},"service.archived":{"Eq":["false"]}}})";
  auto source = MustCreate(options);
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->findings, 3);
  json::array lists = server_->Requests("ListFindings");
  ASSERT_EQ(lists.size(), 1u);
  json::object& criterion = lists[0]
                                .as_object()["body"]
                                .as_object()["findingCriteria"]
                                .as_object()["criterion"]
                                .as_object();
  EXPECT_EQ(json::serialize(criterion["severity"]), R"({"greaterThanOrEqual":7})");
  EXPECT_EQ(json::serialize(criterion["service.archived"]), R"({"equals":["false"]})");
  EXPECT_TRUE(criterion.contains("updatedAt"));
}

TEST_F(GuardDutySourceTest, RefusesBadOptions) {
  struct Case {
    std::function<void(GuardDutySourceOptions&)> change;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](GuardDutySourceOptions& o) { o.region.clear(); }, "no region"},
      {[](GuardDutySourceOptions& o) { o.interval = std::chrono::milliseconds(0); }, "interval"},
      {[](GuardDutySourceOptions& o) { o.overlap = std::chrono::seconds(-1); }, "overlap"},
      {[](GuardDutySourceOptions& o) { o.criteria_json = "[1]"; }, "not a JSON object"},
      {[](GuardDutySourceOptions& o) { o.criteria_json = R"({"updatedAt":{"gte":1}})"; }, "cursor"},
      {[](GuardDutySourceOptions& o) { o.criteria_json = R"({"severity":{"above":7}})"; },
       "unknown condition \"above\""},
      {[](GuardDutySourceOptions& o) { o.criteria_json = R"({"type":{"equals":"x"}})"; },
       "list of strings"},
      {[](GuardDutySourceOptions& o) { o.criteria_json = R"({"severity":{"gte":"7"}})"; },
       "whole number"},
      {[](GuardDutySourceOptions& o) { o.api.endpoint = "ftp://example.com"; }, "endpoint"},
  };
  for (const Case& c : cases) {
    GuardDutySourceOptions options = Options();
    c.change(options);
    Result<std::unique_ptr<Source>> source = NewGuardDutySource(options, Context());
    ASSERT_FALSE(source.ok()) << c.expected;
    EXPECT_EQ(source.status().code(), Status::Code::kInvalidArgument) << c.expected;
    EXPECT_NE(source.status().message().find(c.expected), std::string::npos)
        << source.status().message();
  }
}

TEST_F(GuardDutySourceTest, ARegionWithoutADetectorIsAClearError) {
  server_->Post("/_test/config", R"({"detectors":[]})");
  auto source = MustCreate(Options());
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = source->Poll(stop_);
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(polled.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(polled.status().message().find("no detector in eu-west-1"), std::string::npos)
      << polled.status().message();
}

// End to end as docs/sources.md deploys it: `guardfeed serve` with [[sources.guardduty]] pointed at
// the contract server, credentials from the environment; the findings' addresses are served.
TEST_F(GuardDutySourceTest, TheDaemonPullsFindingsIntoItsFeeds) {
  AddFindings(60, 10 * 60000);
  setenv("AWS_ACCESS_KEY_ID", kAccessKey, 1);
  setenv("AWS_SECRET_ACCESS_KEY", kSecretKey, 1);
  testing::DaemonOptions options;
  options.extra_toml = "[[sources.guardduty]]\nregions = [\"" + std::string(kRegion) +
                       "\"]\nendpoint = \"" + server_->endpoint() + "\"\ninterval = \"1s\"\n";
  testing::Daemon daemon(options);
  ASSERT_TRUE(daemon.Start()) << daemon.Stderr();
  std::string list;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        list = testing::Get(daemon.url() + "/feeds/fortigate_ip").body;
        for (const TestFinding& f : findings_) {
          if (list.find(f.ip + "\r\n") == std::string::npos) return false;
        }
        return true;
      },
      30))
      << list << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("source name=guardduty:" + std::string(kRegion)),
            std::string::npos)
      << daemon.Stderr();
  // Its state: the admin API, /metrics and `guardfeed sources status` (the cursor in the store).
  const std::string name = "guardduty:" + std::string(kRegion);
  testing::HttpResult sources = testing::Admin("GET", daemon.url() + "/v1/sources");
  ASSERT_EQ(sources.status, 200) << sources.body;
  json::object first = json::parse(sources.body).as_object()["sources"].as_array().at(0).as_object();
  EXPECT_EQ(first["name"].as_string(), name);
  EXPECT_NE(std::string(first["cursor"].as_string()).find("updatedAt"), std::string::npos);
  EXPECT_TRUE(first["last_success"].is_string());
  EXPECT_GE(first["findings_total"].to_number<int64_t>(), 60);
  std::string metrics = testing::Get(daemon.url() + "/metrics").body;
  EXPECT_NE(metrics.find("guardfeed_source_last_success_timestamp_seconds{source=\"" + name + "\"}"),
            std::string::npos);
  EXPECT_NE(metrics.find("guardfeed_source_consecutive_failures{source=\"" + name + "\"} 0"),
            std::string::npos);
  std::string command =
      std::string(GUARDFEED_EXE) + " -c " + daemon.config_path() + " sources status 2>&1";
  std::string status;
  if (FILE* out = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, out)) status.append(buffer, n);
    EXPECT_EQ(pclose(out), 0) << status;
  }
  EXPECT_NE(status.find(name), std::string::npos) << status;
  EXPECT_NE(status.find("cursor {\"updatedAt\""), std::string::npos) << status;
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
}

}  // namespace
}  // namespace guardfeed
