#include "sources/sqs_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "core/text.h"

namespace guardfeed {
namespace {

// The AWS JSON 1.0 protocol: POST / with the operation in X-Amz-Target (SQS's targetPrefix is
// "AmazonSQS") and a JSON body. docs/sources.md, "SQS".
constexpr std::string_view kContentType = "application/x-amz-json-1.0";
constexpr std::string_view kTargetPrefix = "AmazonSQS.";
constexpr std::chrono::seconds kMaxWaitTime{20};
constexpr std::chrono::seconds kMaxVisibility{43200};  // 12 hours, SQS's limit
constexpr int kMaxBatch = 10;                          // messages per receive, entries per batch
// SQS asks for an HTTP timeout longer than WaitTimeSeconds: a long poll may use all of it.
constexpr std::chrono::seconds kReceiveTimeoutMargin{10};

struct QueueUrl {
  std::string endpoint;  // scheme://host[:port]
  std::string host;      // without the port
  std::string name;      // the last path segment
};

Result<QueueUrl> ParseQueueUrl(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("sqs source: queue_url \"" + text + "\" " + why);
  };
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || !url->has_authority() ||
      url->encoded_host().empty() || url->has_userinfo() || url->has_query() ||
      url->has_fragment()) {
    return bad("is not http(s)://host[:port]/ACCOUNT/NAME");
  }
  std::string path(url->path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty()) return bad("has no queue name (its last path segment)");
  return QueueUrl{std::string(url->scheme()) + "://" + std::string(url->encoded_host_and_port()),
                  ToLower(url->encoded_host()), name};
}

// "us-east-1", "eu-central-2", "us-gov-west-1": letters, then words and a number joined by '-'.
bool IsRegionName(std::string_view label) {
  size_t hyphens = 0;
  for (char c : label) {
    if (c == '-') {
      ++hyphens;
    } else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
      return false;
    }
  }
  return hyphens >= 2 && label.front() >= 'a' && label.front() <= 'z' && label.back() >= '0' &&
         label.back() <= '9' && label.find("--") == std::string_view::npos;
}

// The region an SQS host names: sqs.REGION.amazonaws.com, sqs-fips.REGION..., REGION.queue...,
// vpce-ID.sqs.REGION.vpce.amazonaws.com, sqs.REGION.api.aws; "" for any other host.
std::string RegionFromHost(const std::string& host) {
  std::vector<std::string> labels;
  for (size_t start = 0;;) {
    size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (host == "queue.amazonaws.com") return "us-east-1";  // the oldest URLs
  for (size_t i = 0; i < labels.size(); ++i) {
    bool after_sqs = i > 0 && (labels[i - 1] == "sqs" || labels[i - 1] == "sqs-fips");
    bool before_queue = i + 1 < labels.size() && labels[i + 1] == "queue";
    if ((after_sqs || before_queue) && IsRegionName(labels[i])) return labels[i];
  }
  return "";
}

struct Message {
  size_t index = 0;  // in its batch; names its batch entries
  std::string id;
  std::string receipt_handle;
  std::string body;
  std::string md5;            // MD5OfBody; "" when the answer had none
  std::string receive_count;  // ApproximateReceiveCount; "" when absent
};

std::string StringMember(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

// The messages of a ReceiveMessage answer ({"Messages": [...]}, no member when there are none).
// A message without an id, receipt handle or body is logged and dropped: it cannot be deleted.
std::vector<Message> ParseMessages(const boost::json::object& answer, const std::string& source) {
  std::vector<Message> messages;
  const boost::json::value* list = answer.if_contains("Messages");
  if (list == nullptr || !list->is_array()) return messages;
  for (const boost::json::value& item : list->as_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& object = item.as_object();
    Message message{messages.size(),
                    StringMember(object, "MessageId"),
                    StringMember(object, "ReceiptHandle"),
                    StringMember(object, "Body"),
                    StringMember(object, "MD5OfBody"),
                    ""};
    const boost::json::value* body = object.if_contains("Body");
    if (message.id.empty() || message.receipt_handle.empty() || body == nullptr ||
        !body->is_string()) {
      spdlog::warn(
          "source name={} message={} ignored reason=\"no MessageId, ReceiptHandle or "
          "Body in the answer\"",
          source, message.id);
      continue;
    }
    if (const auto* attributes = object.if_contains("Attributes");
        attributes != nullptr && attributes->is_object()) {
      message.receive_count = StringMember(attributes->as_object(), "ApproximateReceiveCount");
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

// A batch request's entries for `messages`. Ids are unique within the request and use only the
// characters SQS allows (letters, digits, '-', '_'): "m" and the message's place in its batch.
std::pair<boost::json::array, std::vector<std::string>> BatchEntries(
    const std::vector<const Message*>& messages) {
  std::pair<boost::json::array, std::vector<std::string>> entries;
  for (const Message* message : messages) {
    std::string id = "m" + std::to_string(message->index);
    entries.first.push_back({{"Id", id}, {"ReceiptHandle", message->receipt_handle}});
    entries.second.push_back(std::move(id));
  }
  return entries;
}

// Logs the Failed entries of a batch answer and the entries it does not mention; returns how many
// succeeded.
size_t LogBatchFailures(const boost::json::object& answer, const std::vector<std::string>& ids,
                        const std::vector<const Message*>& messages, const std::string& source,
                        std::string_view what) {
  std::vector<bool> settled(ids.size(), false);
  size_t successful = 0;
  auto index_of = [&](const boost::json::value& item) {
    std::string id = item.is_object() ? StringMember(item.as_object(), "Id") : "";
    return static_cast<size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
  };
  if (const auto* list = answer.if_contains("Successful"); list != nullptr && list->is_array()) {
    for (const auto& item : list->as_array()) {
      size_t i = index_of(item);
      if (i >= ids.size() || settled[i]) continue;
      settled[i] = true;
      ++successful;
    }
  }
  if (const auto* list = answer.if_contains("Failed"); list != nullptr && list->is_array()) {
    for (const auto& item : list->as_array()) {
      size_t i = index_of(item);
      if (i >= ids.size() || settled[i]) continue;
      settled[i] = true;
      const boost::json::object& entry = item.as_object();
      spdlog::warn("source name={} message={} {} code={} reason=\"{}\"", source, messages[i]->id,
                   what, StringMember(entry, "Code"), StringMember(entry, "Message"));
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!settled[i]) {
      spdlog::warn("source name={} message={} {} reason=\"not in the answer\"", source,
                   messages[i]->id, what);
    }
  }
  return successful;
}

// Why a message whose ingest went through is poisoned, or "" when it is done with: findings were
// read (and committed), or it is an EventBridge event that is not a finding (counted, skipped).
std::string PoisonReason(const IngestSummary& summary) {
  if (summary.findings_read > 0) return "";
  if (!summary.errors.empty()) return summary.errors.front().ToString();
  if (summary.error_count > 0) return std::to_string(summary.error_count) + " read errors";
  if (!summary.stopped_by_limit.ok()) return summary.stopped_by_limit.ToString();
  if (summary.events_skipped > 0) return "";
  return "no finding and no EventBridge event in the body";
}

class SqsSource;

// Keeps the messages of one batch invisible while the poll works on them: every half visibility
// timeout it sets the timeout of those still held anew (ChangeMessageVisibilityBatch). A thread
// of its own, so one slow commit is covered as well as many messages.
class VisibilityKeeper {
 public:
  // `source` and `messages` must outlive the keeper.
  VisibilityKeeper(SqsSource* source, const std::vector<Message>& messages,
                   std::chrono::seconds visibility)
      : source_(source),
        messages_(messages),
        period_(std::chrono::duration_cast<std::chrono::milliseconds>(visibility) / 2),
        held_(messages.size(), true),
        thread_([this] { Run(); }) {}
  ~VisibilityKeeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();  // waits for an extension in flight
  }
  VisibilityKeeper(const VisibilityKeeper&) = delete;
  VisibilityKeeper& operator=(const VisibilityKeeper&) = delete;

  // Extends message `index` no more: it is left to reappear (poisoned).
  void Release(size_t index) {
    std::lock_guard lock(mu_);
    held_[index] = false;
  }

 private:
  void Run();

  SqsSource* const source_;
  const std::vector<Message>& messages_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;       // guarded by mu_
  std::vector<bool> held_;  // guarded by mu_
  std::thread thread_;      // last: starts once the members above exist
};

class SqsSource final : public Source {
 public:
  SqsSource(SqsSourceOptions options, SourceContext context, QueueUrl queue,
            std::unique_ptr<AwsApiClient> client)
      : options_(std::move(options)),
        context_(std::move(context)),
        name_("sqs:" + queue.name),
        client_(std::move(client)) {}

  std::string Name() const override { return name_; }
  std::chrono::milliseconds Interval() const override { return options_.interval; }
  bool SingleConsumer() const override { return false; }
  Result<PollResult> Poll(const std::atomic<bool>& stop) override;

  // Sets the visibility timeout of `held` anew; failures are logged (the next period retries).
  void ExtendVisibility(const std::vector<const Message*>& held);

 private:
  struct Outcome {
    bool committed = false;  // delete it; otherwise it stays for redelivery (poisoned)
    int64_t findings = 0;
  };

  // One call of the JSON protocol: the request's members in, the answer's object out. Errors
  // name the source, the action, the HTTP status and SQS's error code. Thread-safe.
  Result<boost::json::object> Call(const std::string& action, const boost::json::object& request);
  Result<std::vector<Message>> Receive();
  // Ingests one message; an error only when the store failed.
  Result<Outcome> Process(const Message& message);
  // DeleteMessageBatch for `committed`; entries SQS fails are logged, not errors.
  Status Delete(const std::vector<const Message*>& committed);
  void LogPoisoned(const Message& message, const std::string& reason) const;

  const SqsSourceOptions options_;
  const SourceContext context_;
  const std::string name_;
  std::mutex client_mu_;
  const std::unique_ptr<AwsApiClient> client_;  // guarded by client_mu_ (one call at a time)
};

void VisibilityKeeper::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
    std::vector<const Message*> held;
    for (size_t i = 0; i < messages_.size(); ++i) {
      if (held_[i]) held.push_back(&messages_[i]);
    }
    if (held.empty()) continue;
    lock.unlock();
    source_->ExtendVisibility(held);
    lock.lock();
  }
}

Result<boost::json::object> SqsSource::Call(const std::string& action,
                                            const boost::json::object& request) {
  AwsApiRequest call;
  call.headers = {{"X-Amz-Target", std::string(kTargetPrefix) + action},
                  {"Content-Type", std::string(kContentType)}};
  call.body = boost::json::serialize(request);
  call.action = action;
  Result<HttpResponse> response = [&] {
    std::lock_guard lock(client_mu_);
    return client_->Call(call);
  }();
  if (!response.ok()) return response.status().WithContext(name_);
  boost::system::error_code error;
  boost::json::value answer = boost::json::parse(response->body, error);
  if (error || !answer.is_object()) {
    return Status::Remote(name_ + ": sqs " + action + ": the answer is not a JSON object");
  }
  return std::move(answer.as_object());
}

Result<std::vector<Message>> SqsSource::Receive() {
  boost::json::object request{
      {"QueueUrl", options_.queue_url},
      {"MaxNumberOfMessages", options_.max_messages},
      {"WaitTimeSeconds", options_.wait_time.count()},
      {"VisibilityTimeout", options_.visibility_timeout.count()},
      {"MessageSystemAttributeNames", boost::json::array{"ApproximateReceiveCount"}}};
  Result<boost::json::object> answer = Call("ReceiveMessage", request);
  if (!answer.ok()) return answer.status();
  return ParseMessages(*answer, name_);
}

void SqsSource::LogPoisoned(const Message& message, const std::string& reason) const {
  spdlog::warn("source name={} message={} poisoned reason=\"{}\" receive_count={}", name_,
               message.id, reason, message.receive_count.empty() ? "?" : message.receive_count);
}

Result<SqsSource::Outcome> SqsSource::Process(const Message& message) {
  std::string md5 = Md5Hex(message.body);
  if (!message.md5.empty() && !EqualsIgnoreCase(md5, message.md5)) {
    LogPoisoned(message, "MD5OfBody " + message.md5 + " is not the body's MD5 " + md5);
    return Outcome{};
  }
  Result<IngestSummary> summary = context_.ingest(message.body, name_ + "/" + message.id);
  if (!summary.ok()) {
    return summary.status().WithContext(name_ + ": message " + message.id + " not committed");
  }
  if (std::string reason = PoisonReason(*summary); !reason.empty()) {
    LogPoisoned(message, reason);
    return Outcome{};
  }
  if (summary->error_count > 0) {
    spdlog::warn("source name={} message={} findings={} errors={} first_error=\"{}\"", name_,
                 message.id, summary->findings_read, summary->error_count,
                 summary->errors.empty() ? "" : summary->errors.front().ToString());
  }
  return Outcome{true, summary->findings_read};
}

void SqsSource::ExtendVisibility(const std::vector<const Message*>& held) {
  auto [entries, ids] = BatchEntries(held);
  for (boost::json::value& entry : entries) {
    entry.as_object()["VisibilityTimeout"] = options_.visibility_timeout.count();
  }
  Result<boost::json::object> answer = Call(
      "ChangeMessageVisibilityBatch", {{"QueueUrl", options_.queue_url}, {"Entries", entries}});
  if (!answer.ok()) {
    spdlog::warn("source name={} visibility not extended messages={} error=\"{}\"", name_,
                 held.size(), answer.status().ToString());
    return;
  }
  size_t extended = LogBatchFailures(*answer, ids, held, name_, "visibility not extended");
  spdlog::debug("source name={} visibility extended messages={} timeout_s={}", name_, extended,
                options_.visibility_timeout.count());
}

Status SqsSource::Delete(const std::vector<const Message*>& committed) {
  if (committed.empty()) return Status::Ok();
  auto [entries, ids] = BatchEntries(committed);
  Result<boost::json::object> answer =
      Call("DeleteMessageBatch", {{"QueueUrl", options_.queue_url}, {"Entries", entries}});
  if (!answer.ok()) {
    return answer.status().WithContext(std::to_string(committed.size()) +
                                       " committed messages not deleted (they will come back)");
  }
  LogBatchFailures(*answer, ids, committed, name_, "committed but not deleted (it will come back)");
  return Status::Ok();
}

Result<PollResult> SqsSource::Poll(const std::atomic<bool>& stop) {
  PollResult result;
  if (stop.load()) return result;
  Result<std::vector<Message>> received = Receive();
  if (!received.ok()) return received.status();
  const std::vector<Message>& messages = *received;
  result.more = !messages.empty();  // a batch came: ask again at once, the queue may hold more
  std::vector<const Message*> committed;
  Status failure;
  {
    VisibilityKeeper keeper(this, messages, options_.visibility_timeout);
    for (size_t i = 0; i < messages.size() && !stop.load(); ++i) {
      Result<Outcome> outcome = Process(messages[i]);
      if (!outcome.ok()) {
        failure = outcome.status();
        break;
      }
      if (!outcome->committed) {
        keeper.Release(i);
        continue;
      }
      committed.push_back(&messages[i]);
      ++result.documents;
      result.findings += outcome->findings;
    }
  }
  // What was committed is deleted even when the store failed later in the batch or we stop.
  Status deleted = Delete(committed);
  if (!failure.ok()) return failure;
  if (!deleted.ok()) return deleted;
  return result;
}

Status CheckOptions(const SqsSourceOptions& options) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("sqs source " + options.queue_url + ": " + what);
  };
  if (options.wait_time.count() < 0 || options.wait_time > kMaxWaitTime) {
    return bad("wait_time must be 0-20 s");
  }
  if (options.max_messages < 1 || options.max_messages > kMaxBatch) {
    return bad("max_messages must be 1-10");
  }
  if (options.visibility_timeout.count() < 1 || options.visibility_timeout > kMaxVisibility) {
    return bad("visibility_timeout must be 1 s - 12 h");
  }
  if (options.interval.count() < 0) return bad("interval must not be negative");
  if (options.wait_time.count() == 0 && options.interval.count() == 0) {
    return bad("wait_time 0 (short polling) needs an interval, or it polls without pause");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Source>> NewSqsSource(SqsSourceOptions options, SourceContext context) {
  if (!context.ingest) return Status::InvalidArgument("sqs source: no ingest function");
  Result<QueueUrl> queue = ParseQueueUrl(options.queue_url);
  if (!queue.ok()) return queue.status();
  GF_RETURN_IF_ERROR(CheckOptions(options));
  options.api.service = "sqs";
  options.api.endpoint_prefix = "sqs";
  if (options.api.region.empty()) options.api.region = RegionFromHost(queue->host);
  if (options.api.region.empty()) {
    return Status::InvalidArgument("sqs source " + options.queue_url +
                                   ": the host names no region (sqs.REGION.amazonaws.com); set "
                                   "the region");
  }
  if (options.api.endpoint.empty()) {
    std::function<const char*(const char*)> getenv = options.api.getenv;
    if (!getenv) getenv = [](const char* name) -> const char* { return std::getenv(name); };
    options.api.endpoint = AwsEndpointFromEnvironment("sqs", getenv);
  }
  if (options.api.endpoint.empty()) options.api.endpoint = queue->endpoint;
  options.api.timeout = std::max<std::chrono::milliseconds>(
      options.api.timeout, options.wait_time + kReceiveTimeoutMargin);
  Result<std::unique_ptr<AwsApiClient>> client = AwsApiClient::Create(options.api);
  if (!client.ok()) return client.status().WithContext("sqs source " + options.queue_url);
  return std::unique_ptr<Source>(std::make_unique<SqsSource>(
      std::move(options), std::move(context), std::move(*queue), std::move(*client)));
}

}  // namespace guardfeed
