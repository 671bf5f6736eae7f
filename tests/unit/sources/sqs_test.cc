// The SQS source against sqs_contract_server.py, a local HTTPS SQS (AWS JSON protocol) that keeps
// a queue with visibility timeouts, receipt handles, long polling and a redrive policy to a
// dead-letter queue, and checks every request: X-Amz-Target, Content-Type, the members of each
// action and the SigV4 signature (verified by botocore, not by our signer). The findings go
// through a real Ingestor into a real SQLite store. Real SQS cannot run here; everything else is
// the real thing.
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/ci_skip.h"
#include "common/process.h"
#include "core/clock.h"
#include "sources/sqs_source.h"
#include "store/ingest.h"
#include "store/store_wrapper.h"

namespace guardfeed {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr UnixSeconds kNow = 1796083200;  // 2026-12-01T00:00:00Z, a day after the events
const std::string kAccessKey = "AKIDSQSCONTRACTTEST";
const std::string kSecretKey = "sqs-contract-secret/0123456789abcdefghij";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

boost::json::object ParseObject(const std::string& text) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error);
  return !error && value.is_object() ? value.as_object() : boost::json::object{};
}

// Starts sqs_contract_server.py (HTTPS, a fresh self-signed certificate, a port of its own) for
// one test and always stops it; the server also exits with the test process.
class SqsContractServer {
 public:
  static Result<std::unique_ptr<SqsContractServer>> Start() {
    std::unique_ptr<SqsContractServer> server(new SqsContractServer());
    std::string pattern =
        (std::filesystem::temp_directory_path() / "guardfeed-sqs-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return Status::FromErrno("mkdtemp", errno);
    server->dir_ = pattern;
    const std::string& dir = server->dir_;
    int made = testing::Shell(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '" +
        dir + "/key.pem' -out '" + dir +
        "/cert.pem' -days 2 -subj /CN=localhost -addext "
        "subjectAltName=DNS:localhost,IP:127.0.0.1 >'" +
        dir + "/openssl.log' 2>&1");
    if (made != 0) return Status::IoError("openssl req failed: " + ReadFile(dir + "/openssl.log"));
    server->client_ = std::make_unique<HttpClient>(HttpClientOptions{dir + "/cert.pem", false});
    GF_RETURN_IF_ERROR(server->Launch());
    GF_RETURN_IF_ERROR(server->WaitReady());
    return server;
  }

  ~SqsContractServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string queue_url() const { return base_url() + "/111122223333/guardfeed-findings"; }
  std::string ca_file() const { return dir_ + "/cert.pem"; }

  boost::json::object State() {
    Result<HttpResponse> response = Test("GET", "/_test/state", "");
    EXPECT_TRUE(response.ok() && response->status == 200);
    return response.ok() ? ParseObject(response->body) : boost::json::object{};
  }
  // Sends each body as a message; returns their MessageIds.
  std::vector<std::string> Send(const std::vector<std::string>& bodies) {
    boost::json::array list(bodies.begin(), bodies.end());
    Result<HttpResponse> response =
        Test("POST", "/_test/send", boost::json::serialize(boost::json::object{{"bodies", list}}));
    std::vector<std::string> ids;
    if (!response.ok() || response->status != 200) return ids;
    boost::json::object answer = ParseObject(response->body);
    for (const auto& id : answer["MessageIds"].as_array()) {
      ids.emplace_back(id.as_string());
    }
    return ids;
  }
  void Post(const std::string& path, const boost::json::object& request) {
    Result<HttpResponse> response = Test("POST", path, boost::json::serialize(request));
    EXPECT_TRUE(response.ok() && response->status == 200) << path;
  }

 private:
  SqsContractServer() = default;

  Status Launch() {
    pid_ = testing::SpawnLogged(
        {GUARDFEED_PYTHON3, SQS_CONTRACT_SERVER, "--cert", dir_ + "/cert.pem", "--key",
         dir_ + "/key.pem", "--access-key", kAccessKey, "--secret-key", kSecretKey, "--region",
         "eu-west-1", "--port-file", dir_ + "/port", "--parent-pid", std::to_string(getpid())},
        dir_ + "/server.log");
    return pid_ < 0 ? Status::FromErrno("fork", errno) : Status::Ok();
  }

  Status WaitReady() {
    testing::ServerStart start = testing::WaitForPortFile(pid_, dir_ + "/port", port_, [this](int) {
      Result<HttpResponse> ping = Test("GET", "/ping", "");
      return ping.ok() && ping->status == 200;
    });
    if (start == testing::ServerStart::kReady) return Status::Ok();
    std::string log = ReadFile(dir_ + "/server.log");
    if (start == testing::ServerStart::kTimedOut) {
      return Status::Unavailable("sqs contract server not ready: " + log);
    }
    return Status::Unavailable("sqs contract server exited: " + log);
  }


  Result<HttpResponse> Test(const std::string& method, const std::string& path,
                            const std::string& body) {
    HttpRequest request;
    request.method = method;
    request.url = base_url() + path;
    request.body = body;
    if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
    return client_->Send(request);
  }

  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<HttpClient> client_;
};

std::string IpOf(int n) { return "45.155.205." + std::to_string(n); }

// An EventBridge "GuardDuty Finding" event in the shape of examples/post/, finding `n` (its own
// finding id) naming 45.155.205.n as the remote address.
std::string Event(int n) {
  static const boost::json::object kExample = ParseObject(
      ReadFile(std::string(GUARDFEED_SOURCE_DIR) + "/examples/post/eventbridge-new-finding.json"));
  boost::json::object event = kExample;
  event["id"] = "3f1d9a52-8c47-4e0b-b6a1-52d7c0e9f8" + std::to_string(10 + n);
  boost::json::object& detail = event["detail"].as_object();
  detail["id"] = "e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5" + std::to_string(10 + n);
  detail["service"]
      .as_object()["action"]
      .as_object()["networkConnectionAction"]
      .as_object()["remoteIpDetails"]
      .as_object()["ipAddressV4"] = IpOf(n);
  return boost::json::serialize(event);
}

// A fault in the store: commits fail while `fail` is set, or take `delay` each.
class FaultyStore : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Result<std::vector<ApplyResult>> ApplyBatches(
      std::span<const std::vector<SightingRecord>* const> batches) override {
    if (fail.load()) return Status::IoError("disk full (injected)");
    std::this_thread::sleep_for(delay);
    if (on_commit) on_commit(batches);
    return StoreWrapper::ApplyBatches(batches);
  }
  std::atomic<bool> fail{false};
  milliseconds delay{0};
  std::function<void(std::span<const std::vector<SightingRecord>* const>)> on_commit;
};

class SqsSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::OnPath("openssl")) GF_SKIP_UNLESS_CI("the openssl tool is missing");
    if (testing::Shell(std::string(GUARDFEED_PYTHON3) + " -c 'import botocore' 2>/dev/null") != 0) {
      GF_SKIP_UNLESS_CI("python3-botocore is missing (scripts/deps.sh test)");
    }
    Result<std::unique_ptr<SqsContractServer>> server = SqsContractServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    db_ = server_->ca_file() + ".db";  // inside the server's directory, removed with it
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + db_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    faulty_ = std::make_unique<FaultyStore>(store_.get());
    ingestor_ = std::make_unique<Ingestor>(faulty_.get(), &policy_, &clock_);
    previous_logger_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "sqs-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override {
    if (previous_logger_) spdlog::set_default_logger(previous_logger_);
  }

  SqsSourceOptions Options(const std::string& secret = kSecretKey) const {
    SqsSourceOptions options;
    options.queue_url = server_->queue_url();
    options.wait_time = seconds(1);
    options.visibility_timeout = seconds(30);
    options.api.region = "eu-west-1";  // 127.0.0.1 names none
    options.api.ca_file = server_->ca_file();
    options.api.credentials = NewStaticAwsCredentials({kAccessKey, secret, "", 0});
    options.api.retry.max_attempts = 2;
    options.api.retry.initial_backoff = milliseconds(10);
    return options;
  }
  SourceContext Context() {
    SourceContext context;
    context.ingest = [this](std::string_view data, std::string_view name) {
      std::lock_guard lock(ingest_mu_);
      return ingestor_->IngestBuffer(data, name);
    };
    context.store = store_.get();
    context.clock = &clock_;
    return context;
  }
  std::unique_ptr<Source> NewSource(const SqsSourceOptions& options) {
    Result<std::unique_ptr<Source>> source = NewSqsSource(options, Context());
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }
  Result<PollResult> Poll(Source& source) {
    std::atomic<bool> stop{false};
    return source.Poll(stop);
  }
  std::set<std::string> StoredIndicators() {
    IndicatorQuery query;
    query.include_expired = true;
    Result<std::vector<IndicatorRecord>> records = store_->ListIndicators(query);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    std::set<std::string> values;
    if (records.ok()) {
      for (const IndicatorRecord& record : *records) values.insert(record.indicator.value);
    }
    return values;
  }
  // The messages of a queue in the server's state: {id: message}.
  static std::map<std::string, boost::json::object> Queue(const boost::json::object& state,
                                                          const std::string& name) {
    std::map<std::string, boost::json::object> messages;
    for (const auto& message : state.at("queues").at(name).as_array()) {
      messages[std::string(message.at("id").as_string())] = message.as_object();
    }
    return messages;
  }
  static std::set<std::string> Deleted(const boost::json::object& state) {
    std::set<std::string> ids;
    for (const auto& entry : state.at("deleted").as_array()) {
      ids.emplace(entry.at("id").as_string());
    }
    return ids;
  }
  static std::vector<boost::json::object> Requests(const boost::json::object& state,
                                                   const std::string& action) {
    std::vector<boost::json::object> requests;
    for (const auto& request : state.at("requests").as_array()) {
      const auto& action_value = request.at("action");
      if (action_value.is_string() && action_value.as_string() == action) {
        requests.push_back(request.as_object());
      }
    }
    return requests;
  }
  std::string Log() const { return log_.str(); }

  std::unique_ptr<SqsContractServer> server_;
  std::string db_;
  ManualClock clock_{kNow};
  Policy policy_{PolicyOptions{}};
  std::unique_ptr<Store> store_;
  std::unique_ptr<FaultyStore> faulty_;
  std::mutex ingest_mu_;
  std::unique_ptr<Ingestor> ingestor_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};

TEST_F(SqsSourceTest, IngestsEveryEventAndDeletesOnlyCommittedMessages) {
  std::vector<std::string> bodies;
  std::set<std::string> ips;
  for (int n = 1; n <= 25; ++n) {
    bodies.push_back(Event(n));
    ips.insert(IpOf(n));
  }
  std::vector<std::string> ids = server_->Send(bodies);
  ASSERT_EQ(ids.size(), 25u);
  // At each commit, none of the messages whose findings it holds may be deleted yet.
  std::vector<std::string> early_deletes;
  faulty_->on_commit = [&](std::span<const std::vector<SightingRecord>* const> batches) {
    std::set<std::string> deleted = Deleted(server_->State());
    for (const auto* batch : batches) {
      for (const SightingRecord& sighting : *batch) {
        for (int n = 1; n <= 25; ++n) {
          if (sighting.indicator.value == IpOf(n) && deleted.count(ids[size_t(n - 1)]) > 0) {
            early_deletes.push_back(sighting.indicator.value);
          }
        }
      }
    }
  };
  std::unique_ptr<Source> source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Name(), "sqs:guardfeed-findings");
  EXPECT_FALSE(source->SingleConsumer());
  EXPECT_EQ(source->Interval(), milliseconds(0));

  std::vector<PollResult> polls;
  for (int i = 0; i < 6; ++i) {
    Result<PollResult> polled = Poll(*source);
    ASSERT_TRUE(polled.ok()) << polled.status().ToString();
    polls.push_back(*polled);
    if (!polled->more) break;
  }
  ASSERT_EQ(polls.size(), 4u);  // 10 + 10 + 5, then an empty long poll
  EXPECT_EQ(polls[0].documents, 10);
  EXPECT_EQ(polls[0].findings, 10);
  EXPECT_TRUE(polls[0].more);
  EXPECT_EQ(polls[2].documents, 5);
  EXPECT_EQ(polls[3].documents, 0);
  EXPECT_FALSE(polls[3].more);

  EXPECT_EQ(StoredIndicators(), ips);
  EXPECT_TRUE(early_deletes.empty()) << early_deletes.size() << " deleted before their commit";
  boost::json::object state = server_->State();
  EXPECT_TRUE(Queue(state, "guardfeed-findings").empty());
  EXPECT_TRUE(Queue(state, "guardfeed-findings-dlq").empty());
  EXPECT_EQ(Deleted(state), std::set<std::string>(ids.begin(), ids.end()));
  for (const auto& entry : state.at("deleted").as_array()) {
    EXPECT_FALSE(entry.at("late").as_bool());
    EXPECT_EQ(entry.at("receive_count").as_int64(), 1);
  }
  EXPECT_EQ(state.at("stale_deletes").as_int64(), 0);

  // Every request as the protocol wants it (the server refuses anything else; this checks the
  // members we chose and that the headers that steer the call are signed).
  for (const auto& request : state.at("requests").as_array()) {
    EXPECT_EQ(request.at("status").as_int64(), 200) << boost::json::serialize(request);
    std::set<std::string> signed_headers;
    for (const auto& name : request.at("signed_headers").as_array()) {
      signed_headers.emplace(name.as_string());
    }
    for (const char* name :
         {"content-type", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-target"}) {
      EXPECT_EQ(signed_headers.count(name), 1u) << name;
    }
  }
  std::vector<boost::json::object> receives = Requests(state, "ReceiveMessage");
  ASSERT_EQ(receives.size(), 4u);
  EXPECT_EQ(boost::json::serialize(receives[0].at("body")),
            boost::json::serialize(boost::json::object{
                {"QueueUrl", server_->queue_url()},
                {"MaxNumberOfMessages", 10},
                {"WaitTimeSeconds", 1},
                {"VisibilityTimeout", 30},
                {"MessageSystemAttributeNames", boost::json::array{"ApproximateReceiveCount"}}}));
  std::vector<boost::json::object> deletes = Requests(state, "DeleteMessageBatch");
  ASSERT_EQ(deletes.size(), 3u);  // one per non-empty batch
  for (const auto& request : deletes) {
    EXPECT_EQ(request.at("failed").as_int64(), 0);
    EXPECT_EQ(request.at("body").at("QueueUrl").as_string(), server_->queue_url());
  }
  EXPECT_EQ(deletes[0].at("body").at("Entries").as_array().size(), 10u);
  EXPECT_TRUE(Requests(state, "ChangeMessageVisibilityBatch").empty());
}

TEST_F(SqsSourceTest, PoisonedMessagesStayAndEndInTheDeadLetterQueue) {
  const std::string not_json = "this is not JSON {";
  const std::string not_a_finding = R"({"greeting":"hello"})";
  const std::string health =  // an EventBridge event that is not a finding: skipped, deleted
      R"({"version":"0","id":"0b8c","detail-type":"GuardDuty Runtime Protection Health",)"
      R"("source":"aws.guardduty","account":"111122223333","region":"eu-west-1","detail":{}})";
  std::vector<std::string> ids =
      server_->Send({Event(1), not_json, not_a_finding, health, Event(2)});
  ASSERT_EQ(ids.size(), 5u);
  SqsSourceOptions options = Options();
  options.visibility_timeout = seconds(1);
  options.wait_time = seconds(2);
  std::unique_ptr<Source> source = NewSource(options);
  ASSERT_NE(source, nullptr);

  Result<PollResult> first = Poll(*source);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->documents, 3);
  EXPECT_EQ(first->findings, 2);
  boost::json::object state = server_->State();
  EXPECT_EQ(Deleted(state), (std::set<std::string>{ids[0], ids[3], ids[4]}));
  EXPECT_EQ(Queue(state, "guardfeed-findings").size(), 2u);

  // Each redelivery is left again, until the third receipt's timeout: SQS then moves them.
  for (int i = 0; i < 8 && Queue(state, "guardfeed-findings-dlq").size() < 2; ++i) {
    Result<PollResult> polled = Poll(*source);
    ASSERT_TRUE(polled.ok()) << polled.status().ToString();
    EXPECT_EQ(polled->documents, 0);
    state = server_->State();
  }
  EXPECT_TRUE(Queue(state, "guardfeed-findings").empty());
  std::map<std::string, boost::json::object> dlq = Queue(state, "guardfeed-findings-dlq");
  ASSERT_EQ(dlq.size(), 2u);
  EXPECT_EQ(dlq[ids[1]].at("body").as_string(), not_json);
  EXPECT_EQ(dlq[ids[2]].at("body").as_string(), not_a_finding);
  EXPECT_EQ(dlq[ids[1]].at("receive_count").as_int64(), 3);
  EXPECT_EQ(Deleted(state).size(), 3u);
  EXPECT_EQ(StoredIndicators(), (std::set<std::string>{IpOf(1), IpOf(2)}));

  std::string log = Log();
  for (const std::string& id : {ids[1], ids[2]}) {
    for (int count = 1; count <= 3; ++count) {
      std::string line = "source name=sqs:guardfeed-findings message=" + id + " poisoned reason=";
      EXPECT_NE(log.find(line), std::string::npos) << log;
      EXPECT_NE(log.find("receive_count=" + std::to_string(count)), std::string::npos) << log;
    }
  }
  // The reason is the reader's error, naming the message.
  EXPECT_NE(log.find("sqs:guardfeed-findings/" + ids[1] + ":1"), std::string::npos) << log;
  EXPECT_EQ(log.find("message=" + ids[3] + " poisoned"), std::string::npos) << log;
}

TEST_F(SqsSourceTest, StoreFailureDeletesNothingAndFailsThePoll) {
  std::vector<std::string> ids = server_->Send({Event(1), Event(2), Event(3)});
  SqsSourceOptions options = Options();
  options.visibility_timeout = seconds(1);
  options.wait_time = seconds(2);
  std::unique_ptr<Source> source = NewSource(options);
  ASSERT_NE(source, nullptr);
  faulty_->fail = true;

  Result<PollResult> failed = Poll(*source);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("disk full (injected)"), std::string::npos)
      << failed.status().ToString();
  EXPECT_NE(failed.status().message().find(ids[0]), std::string::npos);
  boost::json::object state = server_->State();
  EXPECT_TRUE(Requests(state, "DeleteMessageBatch").empty());
  EXPECT_TRUE(Deleted(state).empty());
  EXPECT_EQ(Queue(state, "guardfeed-findings").size(), 3u);
  EXPECT_TRUE(StoredIndicators().empty());
  EXPECT_EQ(Log().find("poisoned"), std::string::npos) << "a store failure is not poison";

  // The store recovers: the messages come back after their visibility timeout and go through.
  faulty_->fail = false;
  for (int i = 0; i < 4 && !Queue(server_->State(), "guardfeed-findings").empty(); ++i) {
    Result<PollResult> polled = Poll(*source);
    ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  }
  state = server_->State();
  EXPECT_TRUE(Queue(state, "guardfeed-findings").empty());
  EXPECT_EQ(Deleted(state), std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(StoredIndicators(), (std::set<std::string>{IpOf(1), IpOf(2), IpOf(3)}));
}

TEST_F(SqsSourceTest, SlowBatchKeepsItsMessagesInvisible) {
  std::vector<std::string> ids = server_->Send({Event(1), Event(2), Event(3), Event(4), Event(5)});
  SqsSourceOptions options = Options();
  options.visibility_timeout = seconds(2);
  std::unique_ptr<Source> source = NewSource(options);
  ASSERT_NE(source, nullptr);
  faulty_->delay = milliseconds(700);  // 5 commits: 3.5 s, well past the 2 s timeout

  Result<PollResult> polled = Poll(*source);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->documents, 5);
  boost::json::object state = server_->State();
  // Never visible again while worked on: each received once, deleted before its timeout ran out.
  EXPECT_EQ(Deleted(state), std::set<std::string>(ids.begin(), ids.end()));
  for (const auto& entry : state.at("deleted").as_array()) {
    EXPECT_FALSE(entry.at("late").as_bool()) << boost::json::serialize(entry);
    EXPECT_EQ(entry.at("receive_count").as_int64(), 1);
  }
  EXPECT_EQ(Log().find("not extended"), std::string::npos) << Log();
  // Extended every second (half the timeout): all five each time, as committed messages stay
  // held until the batch's one DeleteMessageBatch.
  std::vector<boost::json::object> extensions = Requests(state, "ChangeMessageVisibilityBatch");
  ASSERT_GE(extensions.size(), 2u) << Log();
  for (const auto& request : extensions) {
    EXPECT_EQ(request.at("status").as_int64(), 200);
    EXPECT_EQ(request.at("failed").as_int64(), 0);
    for (const auto& entry : request.at("body").at("Entries").as_array()) {
      EXPECT_EQ(entry.at("VisibilityTimeout").as_int64(), 2);
    }
  }
  EXPECT_EQ(extensions[0].at("body").at("Entries").as_array().size(), 5u);
}

TEST_F(SqsSourceTest, WrongSecretIsRefusedWithAClearError) {
  server_->Send({Event(1)});
  std::unique_ptr<Source> source = NewSource(Options("not-the-secret"));
  ASSERT_NE(source, nullptr);
  Result<PollResult> polled = Poll(*source);
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(polled.status().code(), Status::Code::kRemote);
  const std::string& message = polled.status().message();
  for (const char* part : {"sqs:guardfeed-findings", "ReceiveMessage", "HTTP 403",
                           "SignatureDoesNotMatch", "signature we calculated does not match"}) {
    EXPECT_NE(message.find(part), std::string::npos) << part << " in " << message;
  }
  EXPECT_EQ(message.find("not-the-secret"), std::string::npos);
  boost::json::object state = server_->State();
  ASSERT_EQ(state.at("requests").as_array().size(), 1u);  // a 403 is not retried
  EXPECT_EQ(state.at("requests").as_array()[0].at("code").as_string(), "SignatureDoesNotMatch");
  EXPECT_EQ(Queue(state, "guardfeed-findings").begin()->second.at("receive_count").as_int64(), 0);
}

TEST_F(SqsSourceTest, BodyThatFailsItsMd5IsLeftForRedelivery) {
  std::vector<std::string> ids = server_->Send({Event(1), Event(2)});
  server_->Post("/_test/inject", {{"action", "ReceiveMessage"}, {"corrupt_md5", ids[0]}});
  SqsSourceOptions options = Options();
  options.visibility_timeout = seconds(1);
  options.wait_time = seconds(2);
  std::unique_ptr<Source> source = NewSource(options);
  ASSERT_NE(source, nullptr);

  Result<PollResult> first = Poll(*source);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->documents, 1);
  EXPECT_EQ(Deleted(server_->State()), std::set<std::string>{ids[1]});
  EXPECT_EQ(StoredIndicators(), std::set<std::string>{IpOf(2)});
  EXPECT_NE(Log().find("message=" + ids[0] + " poisoned reason=\"MD5OfBody"), std::string::npos)
      << Log();

  Result<PollResult> second = Poll(*source);  // redelivered intact after its timeout
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->documents, 1);
  EXPECT_EQ(Deleted(server_->State()), (std::set<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(StoredIndicators(), (std::set<std::string>{IpOf(1), IpOf(2)}));
}

TEST_F(SqsSourceTest, FailedDeleteEntriesAreLoggedAndComeBack) {
  std::vector<std::string> ids = server_->Send({Event(1), Event(2)});
  server_->Post("/_test/inject", {{"action", "DeleteMessageBatch"}, {"fail_entries", 1}});
  SqsSourceOptions options = Options();
  options.visibility_timeout = seconds(1);
  options.wait_time = seconds(2);
  std::unique_ptr<Source> source = NewSource(options);
  ASSERT_NE(source, nullptr);

  Result<PollResult> first = Poll(*source);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->documents, 2);
  EXPECT_EQ(Deleted(server_->State()), std::set<std::string>{ids[1]});
  EXPECT_NE(Log().find("message=" + ids[0] +
                       " committed but not deleted (it will come back) "
                       "code=InternalError"),
            std::string::npos)
      << Log();

  // Redelivered, ingested again (idempotent) and deleted.
  Result<PollResult> second = Poll(*source);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->documents, 1);
  boost::json::object state = server_->State();
  EXPECT_TRUE(Queue(state, "guardfeed-findings").empty());
  EXPECT_EQ(StoredIndicators(), (std::set<std::string>{IpOf(1), IpOf(2)}));
  Result<std::vector<SightingRecord>> sightings =
      store_->SightingsOf(Indicator{IndicatorKind::kIpv4, IpOf(1)});
  ASSERT_TRUE(sightings.ok());
  EXPECT_EQ(sightings->size(), 1u);
}

TEST_F(SqsSourceTest, ServerErrorsAreRetriedAndStopEndsThePollAtOnce) {
  server_->Send({Event(1)});
  server_->Post("/_test/inject", {{"action", "ReceiveMessage"}, {"status", 503}});
  std::unique_ptr<Source> source = NewSource(Options());
  ASSERT_NE(source, nullptr);
  std::atomic<bool> stop{true};
  Result<PollResult> stopped = source->Poll(stop);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->documents, 0);
  EXPECT_TRUE(server_->State().at("requests").as_array().empty());

  Result<PollResult> polled = Poll(*source);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->documents, 1);
  std::vector<boost::json::object> receives = Requests(server_->State(), "ReceiveMessage");
  ASSERT_EQ(receives.size(), 2u);
  EXPECT_EQ(receives[0].at("status").as_int64(), 503);
  EXPECT_EQ(receives[1].at("status").as_int64(), 200);
}

// Where requests go and how they are signed, seen by a transport that records them (no SQS
// behind it: it answers an empty receive).
struct Recorded {
  std::vector<HttpRequest> requests;
};

Result<std::unique_ptr<Source>> RecordingSource(SqsSourceOptions options, Recorded* recorded,
                                                std::map<std::string, std::string> env = {}) {
  options.api.credentials = NewStaticAwsCredentials({"AKIDEXAMPLE", "secret", "", 0});
  options.api.transport = [recorded](const HttpRequest& request) -> Result<HttpResponse> {
    recorded->requests.push_back(request);
    return HttpResponse{200, {}, "{}"};
  };
  options.api.getenv = [env](const char* name) -> const char* {
    auto found = env.find(name);
    return found == env.end() ? nullptr : found->second.c_str();
  };
  SourceContext context;
  context.ingest = [](std::string_view, std::string_view) -> Result<IngestSummary> {
    return IngestSummary{};
  };
  return NewSqsSource(std::move(options), std::move(context));
}

std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(SqsSourceOptions, EndpointAndRegionComeFromTheQueueUrl) {
  struct Case {
    std::string queue_url, region, endpoint_option;
    std::map<std::string, std::string> env;
    std::string want_url, want_scope;
  };
  const std::vector<Case> cases = {
      {"https://sqs.eu-central-2.amazonaws.com/111122223333/findings",
       "",
       "",
       {},
       "https://sqs.eu-central-2.amazonaws.com/",
       "/eu-central-2/sqs/aws4_request"},
      {"https://vpce-0a1b2c3d-e4f5.sqs.us-west-2.vpce.amazonaws.com/111122223333/findings",
       "",
       "",
       {},
       "https://vpce-0a1b2c3d-e4f5.sqs.us-west-2.vpce.amazonaws.com/",
       "/us-west-2/sqs/aws4_request"},
      {"https://ap-southeast-2.queue.amazonaws.com/111122223333/findings",
       "",
       "",
       {},
       "https://ap-southeast-2.queue.amazonaws.com/",
       "/ap-southeast-2/sqs/aws4_request"},
      {"https://sqs.us-gov-west-1.amazonaws.com/111122223333/findings",
       "",
       "",
       {},
       "https://sqs.us-gov-west-1.amazonaws.com/",
       "/us-gov-west-1/sqs/aws4_request"},
      // A configured region wins over the host's.
      {"https://sqs.eu-west-1.amazonaws.com/111122223333/findings",
       "eu-north-1",
       "",
       {},
       "https://sqs.eu-west-1.amazonaws.com/",
       "/eu-north-1/sqs/aws4_request"},
      // The SDKs' endpoint variables win over the queue URL's host; the option over both.
      {"https://sqs.eu-west-1.amazonaws.com/111122223333/findings",
       "",
       "",
       {{"AWS_ENDPOINT_URL", "http://localhost:4566"}},
       "http://localhost:4566/",
       "/eu-west-1/sqs/aws4_request"},
      {"https://sqs.eu-west-1.amazonaws.com/111122223333/findings",
       "",
       "",
       {{"AWS_ENDPOINT_URL", "http://other:1"}, {"AWS_ENDPOINT_URL_SQS", "http://sqs.local:9324"}},
       "http://sqs.local:9324/",
       "/eu-west-1/sqs/aws4_request"},
      {"https://sqs.eu-west-1.amazonaws.com/111122223333/findings",
       "",
       "https://proxy:8443",
       {{"AWS_ENDPOINT_URL_SQS", "http://sqs.local:9324"}},
       "https://proxy:8443/",
       "/eu-west-1/sqs/aws4_request"},
      {"http://localhost:9324/000000000000/findings",
       "us-east-1",
       "",
       {},
       "http://localhost:9324/",
       "/us-east-1/sqs/aws4_request"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.queue_url);
    SqsSourceOptions options;
    options.queue_url = c.queue_url;
    options.api.region = c.region;
    options.api.endpoint = c.endpoint_option;
    options.api.timeout = seconds(5);
    Recorded recorded;
    Result<std::unique_ptr<Source>> source = RecordingSource(options, &recorded, c.env);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    EXPECT_EQ((*source)->Name(), "sqs:findings");
    std::atomic<bool> stop{false};
    Result<PollResult> polled = (*source)->Poll(stop);
    ASSERT_TRUE(polled.ok()) << polled.status().ToString();
    EXPECT_FALSE(polled->more);
    ASSERT_EQ(recorded.requests.size(), 1u);
    const HttpRequest& request = recorded.requests[0];
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.url, c.want_url);
    EXPECT_NE(HeaderOf(request, "Authorization").find(c.want_scope), std::string::npos)
        << HeaderOf(request, "Authorization");
    EXPECT_EQ(HeaderOf(request, "X-Amz-Target"), "AmazonSQS.ReceiveMessage");
    EXPECT_EQ(HeaderOf(request, "Content-Type"), "application/x-amz-json-1.0");
    EXPECT_EQ(ParseObject(request.body).at("QueueUrl").as_string(), c.queue_url);
    EXPECT_EQ(request.timeout, seconds(30));  // raised to the 20 s long poll + 10 s
  }
}

TEST(SqsSourceOptions, BadValuesAreRefused) {
  auto refused = [](SqsSourceOptions options, const std::string& why) {
    Recorded recorded;
    Result<std::unique_ptr<Source>> source = RecordingSource(std::move(options), &recorded);
    EXPECT_FALSE(source.ok()) << why;
    if (source.ok()) return;
    EXPECT_EQ(source.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(source.status().message().find(why), std::string::npos) << source.status().message();
  };
  SqsSourceOptions good;
  good.queue_url = "https://sqs.eu-west-1.amazonaws.com/111122223333/findings";
  for (const char* url : {"", "sqs.eu-west-1.amazonaws.com/1/q", "ftp://sqs.eu-west-1.x/1/q",
                          "https://sqs.eu-west-1.amazonaws.com/1/q?Action=x",
                          "https://user@sqs.eu-west-1.amazonaws.com/1/q"}) {
    SqsSourceOptions options = good;
    options.queue_url = url;
    refused(options, "is not http(s)://host[:port]/ACCOUNT/NAME");
  }
  SqsSourceOptions no_name = good;
  no_name.queue_url = "https://sqs.eu-west-1.amazonaws.com/";
  refused(no_name, "has no queue name");
  SqsSourceOptions no_region = good;
  no_region.queue_url = "http://127.0.0.1:9324/000000000000/findings";
  refused(no_region, "set the region");
  SqsSourceOptions wait = good;
  wait.wait_time = seconds(21);
  refused(wait, "wait_time must be 0-20 s");
  SqsSourceOptions busy = good;
  busy.wait_time = seconds(0);
  refused(busy, "wait_time 0 (short polling) needs an interval");
  busy.interval = milliseconds(500);
  Recorded recorded;
  EXPECT_TRUE(RecordingSource(busy, &recorded).ok());
  for (int count : {0, 11}) {
    SqsSourceOptions messages = good;
    messages.max_messages = count;
    refused(messages, "max_messages must be 1-10");
  }
  for (seconds timeout : {seconds(0), seconds(43201)}) {
    SqsSourceOptions visibility = good;
    visibility.visibility_timeout = timeout;
    refused(visibility, "visibility_timeout must be 1 s - 12 h");
  }
  Result<std::unique_ptr<Source>> no_ingest = NewSqsSource(good, SourceContext{});
  ASSERT_FALSE(no_ingest.ok());
  EXPECT_NE(no_ingest.status().message().find("no ingest function"), std::string::npos);
}

}  // namespace
}  // namespace guardfeed
