#include "publish/atp_cloud.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <span>
#include <type_traits>
#include <utility>

#include "feeds/secintel.h"
#include "publish/atp_state.h"
#include "aws/http_client.h"
#include "publish/rate_limiter.h"
#include "aws/retry.h"

namespace guardfeed {
namespace {

// Longest excerpt of a server's error body quoted in an error message.
constexpr size_t kMaxErrorBody = 300;

// "ip/gd_ip_feed": how feeds are named in reports and errors.
std::string Label(const AtpFeed& feed) {
  return std::string(AtpContentTypeName(feed.type)) + "/" + feed.atp_name;
}

std::string StateKey(const AtpFeed& feed) { return "atp:" + Label(feed); }

// `text` with every occurrence of `secret` replaced, control characters flattened and the
// length capped: safe to put in an error message or a log line.
std::string SafeExcerpt(std::string text, std::string_view secret) {
  if (!secret.empty()) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  if (text.size() > kMaxErrorBody) text = text.substr(0, kMaxErrorBody) + "...";
  for (char& c : text) {
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  }
  return text;
}

bool IsHeaderSafe(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    return std::iscntrl(static_cast<unsigned char>(c)) || c == ' ';
  });
}

Status ValidateFeeds(const std::vector<AtpFeed>& feeds) {
  if (feeds.empty()) return Status::InvalidArgument("ATP Cloud: no feeds configured");
  std::set<std::string> seen;
  for (const AtpFeed& feed : feeds) {
    if (feed.feed.empty()) {
      return Status::InvalidArgument("ATP Cloud feed \"" + feed.atp_name +
                                     "\": no guardfeed feed named as its source");
    }
    if (!IsValidSecIntelFeedName(feed.atp_name)) {
      return Status::InvalidArgument("ATP Cloud feed name \"" + feed.atp_name +
                                     "\": expected 8..64 characters of [A-Za-z0-9_]");
    }
    if (!seen.insert(Label(feed)).second) {
      return Status::InvalidArgument("ATP Cloud feed " + Label(feed) + " is configured twice");
    }
  }
  return Status::Ok();
}

Status ValidateLimits(const AtpOptions& options) {
  if (options.requests_per_window < 1 || options.rate_window.count() <= 0) {
    return Status::InvalidArgument("ATP Cloud: the rate limit must allow at least 1 request");
  }
  if (options.max_attempts < 1) {
    return Status::InvalidArgument("ATP Cloud: max_attempts must be at least 1");
  }
  if (options.max_servers_per_request == 0) {
    return Status::InvalidArgument("ATP Cloud: max_servers_per_request must be at least 1");
  }
  if (options.timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return Status::InvalidArgument("ATP Cloud: timeouts must be positive");
  }
  return Status::Ok();
}

Status ValidateOptions(const AtpOptions& options, const Store* store) {
  if (store == nullptr) return Status::InvalidArgument("ATP Cloud: a store is required");
  if (options.token.empty()) {
    return Status::InvalidArgument("ATP Cloud: the application token is empty");
  }
  if (!IsHeaderSafe(options.token)) {  // the message must not quote the token
    return Status::InvalidArgument("ATP Cloud: the token contains spaces or control characters");
  }
  if (!options.base_url.starts_with("https://") || options.base_url.size() <= 8 ||
      options.base_url.find_first_of("?# \r\n") != std::string::npos) {
    return Status::InvalidArgument("ATP Cloud: base_url \"" + options.base_url +
                                   "\" must be an https:// URL without query or fragment "
                                   "(the token is never sent in clear)");
  }
  GF_RETURN_IF_ERROR(ValidateLimits(options));
  return ValidateFeeds(options.feeds);
}

// The per-feed snapshot carrying `feed`'s entries; null when the set does not contain the feed.
Result<SnapshotPtr> FindFeed(const FeedSet& set, const std::string& feed) {
  bool seen = false;
  for (const SnapshotPtr& file : set.files) {
    if (file == nullptr || file->feed != feed) continue;
    if (file->feed_entries != nullptr) return file;
    seen = true;
  }
  if (seen) {
    return Status::Internal("ATP Cloud: the snapshot of feed \"" + feed +
                            "\" carries no entries (Snapshot::feed_entries not filled)");
  }
  return SnapshotPtr();
}

// How one request ended once retries are over, when ATP Cloud answered something expected.
enum class Ack {
  kOk,           // 2xx: accepted
  kFeedMissing,  // 404 to PATCH/DELETE: the feed does not exist
  kFeedExists,   // 409 to POST: the feed already exists
};

// What one feed's sync did, for the report.
struct Tally {
  bool resynced = false;
  bool created = false;
  size_t upserted = 0;
  size_t removed = 0;
  int requests = 0;
};

std::string Summary(const AtpFeed& feed, const Tally& tally) {
  std::string text = "atp:" + Label(feed) + " (";
  if (tally.resynced) text += "resync, ";
  if (tally.created) text += "created, ";
  text += "+" + std::to_string(tally.upserted) + " -" + std::to_string(tally.removed) + ", " +
          std::to_string(tally.requests) + " requests)";
  return text;
}

RetryOptions MakeRetryOptions(const AtpOptions& options) {
  RetryOptions retry;
  retry.max_attempts = options.max_attempts;
  retry.initial_backoff = options.retry_base_delay;
  retry.max_backoff = options.retry_max_delay;
  return retry;
}

// Retry waits on the same clock as the rate limiter (the real one when null).
SleepFunction PacingSleep(PacingClock* clock) {
  if (clock == nullptr) return nullptr;
  return [clock](std::chrono::milliseconds wait) { clock->SleepFor(wait); };
}

class AtpCloudPublisher final : public Publisher {
 public:
  AtpCloudPublisher(AtpOptions options, Store* store)
      : options_(std::move(options)),
        store_(store),
        http_(HttpClientOptions{options_.ca_file, false}),
        limiter_(options_.requests_per_window, options_.rate_window, options_.pacing_clock),
        retrier_(MakeRetryOptions(options_), PacingSleep(options_.pacing_clock)) {}

  Result<PublishReport> Publish(const FeedSet& set) override;
  std::string Describe() const override {
    return options_.base_url + " (ATP Cloud, " + std::to_string(options_.feeds.size()) + " feeds)";
  }
  // From the pushed-state record: no record means guardfeed never created the feed (a feed that
  // exists remotely without one is refused by SyncFeed until --resync).
  bool Carries(const Snapshot& snapshot) const override {
    return std::any_of(options_.feeds.begin(), options_.feeds.end(),
                       [&](const AtpFeed& feed) { return feed.feed == snapshot.feed; });
  }

  PreviousEntries Previous(const Snapshot& snapshot) override {
    for (const AtpFeed& feed : options_.feeds) {
      if (feed.feed != snapshot.feed) continue;
      Result<AtpPushed> pushed = LoadState(feed);
      if (!pushed.ok()) return PreviousEntries::Unknown();
      if (!pushed->created) return PreviousEntries::Never();
      return PreviousEntries::Known(pushed->servers.size());
    }
    return PreviousEntries::Never();  // not an ATP feed: nothing of it is pushed
  }

 private:
  Status SyncFeed(const AtpFeed& feed, std::span<const FeedEntry> entries, PublishReport* report);
  Status Converge(const AtpFeed& feed, std::span<const AtpServer> desired, AtpPushed* pushed);
  Status Resync(const AtpFeed& feed, AtpPushed* pushed);
  Status Create(const AtpFeed& feed, std::span<const AtpServer> servers, AtpPushed* pushed);
  Result<Ack> Update(const AtpFeed& feed, const AtpDiff& diff, AtpPushed* pushed);
  template <typename T, typename CsvFn>
  Result<Ack> SendChunks(const AtpFeed& feed, std::span<const T> items, const char* first_method,
                         const char* method, CsvFn csv, size_t* acked);
  Result<Ack> Send(const std::string& method, const AtpFeed& feed, std::string_view csv);
  Result<Ack> Classify(const HttpRequest& request, const Result<HttpResponse>& outcome,
                       int attempts);
  Result<AtpPushed> LoadState(const AtpFeed& feed);
  Status SaveState(const AtpFeed& feed, const AtpPushed& pushed);
  std::string Url(const AtpFeed& feed) const {
    return options_.base_url + "/cc/file/" + std::string(AtpContentTypeName(feed.type)) + "/" +
           feed.atp_name;
  }

  // Constant after construction.
  const AtpOptions options_;
  Store* const store_;
  // Used only from the thread calling Publish.
  HttpClient http_;
  RateLimiter limiter_;
  Retrier retrier_;
  Tally tally_;               // the feed being synced
  bool auth_failed_ = false;  // a 401/403 this Publish: the other feeds would fail the same way
};

Result<PublishReport> AtpCloudPublisher::Publish(const FeedSet& set) {
  PublishReport report;
  Status first_error;
  std::vector<std::string> failed;
  auth_failed_ = false;
  for (const AtpFeed& feed : options_.feeds) {
    if (auth_failed_) break;
    Result<SnapshotPtr> snapshot = FindFeed(set, feed.feed);
    Status status = snapshot.status();
    if (status.ok() && *snapshot == nullptr) continue;  // not part of this build
    if (status.ok()) status = SyncFeed(feed, *(*snapshot)->feed_entries, &report);
    if (status.ok()) continue;
    if (first_error.ok()) first_error = status;
    failed.push_back(Label(feed));
  }
  if (first_error.ok()) return report;
  if (failed.size() == 1) return first_error;
  std::string names;
  for (const std::string& name : failed) names += (names.empty() ? "" : ", ") + name;
  return first_error.WithContext("ATP Cloud feeds " + names + " failed; the first");
}

Status AtpCloudPublisher::SyncFeed(const AtpFeed& feed, std::span<const FeedEntry> entries,
                                   PublishReport* report) {
  tally_ = Tally{};
  AtpPushed pushed;
  if (!options_.resync) {  // a resync replaces everything: a damaged record must not block it
    Result<AtpPushed> loaded = LoadState(feed);
    if (!loaded.ok()) return loaded.status();
    pushed = std::move(loaded).value();
  }
  const std::vector<AtpServer> desired = DesiredAtpServers(feed.type, entries);
  Status status = options_.resync ? Resync(feed, &pushed) : Status::Ok();
  if (status.ok()) status = Converge(feed, desired, &pushed);
  if (tally_.requests > 0) {
    // Whatever was acknowledged is recorded, also when a later request failed.
    Status saved = SaveState(feed, pushed);
    if (status.ok()) status = saved;
  }
  if (!status.ok()) return status.WithContext("ATP Cloud feed " + Label(feed));
  if (tally_.requests == 0) {
    report->unchanged.push_back("atp:" + Label(feed));
  } else {
    report->written.push_back(Summary(feed, tally_));
  }
  return Status::Ok();
}

Status AtpCloudPublisher::Converge(const AtpFeed& feed, std::span<const AtpServer> desired,
                                   AtpPushed* pushed) {
  if (!pushed->created) return Create(feed, desired, pushed);
  AtpDiff diff = DiffAtpServers(pushed->servers, desired);
  if (diff.empty()) return Status::Ok();
  Result<Ack> ack = Update(feed, diff, pushed);
  if (!ack.ok()) return ack.status();
  if (*ack == Ack::kFeedMissing) {
    // Deleted outside guardfeed (portal, another tool): its content is gone, so start over.
    *pushed = AtpPushed{};
    return Create(feed, desired, pushed);
  }
  return Status::Ok();
}

Status AtpCloudPublisher::Resync(const AtpFeed& feed, AtpPushed* pushed) {
  Result<Ack> ack = Send("DELETE", feed, "");  // no file: the whole feed
  if (!ack.ok()) return ack.status();
  // Deleted now, or it did not exist (404): either way nothing of it is left.
  tally_.resynced = true;
  *pushed = AtpPushed{};
  // Recorded at once: if the POST below fails, the next publish knows it must create the feed.
  return SaveState(feed, *pushed);
}

Status AtpCloudPublisher::Create(const AtpFeed& feed, std::span<const AtpServer> servers,
                                 AtpPushed* pushed) {
  if (servers.empty()) return Status::Ok();  // created with its first server, not before
  size_t acked = 0;
  Result<Ack> ack = SendChunks(feed, servers, "POST", "PATCH", AtpUpsertCsv, &acked);
  if (acked > 0) {
    pushed->created = true;
    tally_.created = true;
    pushed->servers = ApplyAtpChanges(pushed->servers, servers.first(acked), {});
  }
  if (!ack.ok()) return ack.status();
  if (*ack == Ack::kFeedExists) {
    return Status::FailedPrecondition(
        "the feed already exists on ATP Cloud but this store has no record of what it holds "
        "(created by another tool, or the store was replaced); run `guardfeed publish --resync` "
        "to replace its content");
  }
  if (*ack == Ack::kFeedMissing) {
    *pushed = AtpPushed{};  // re-created from scratch at the next publish
    return Status::Remote("the feed disappeared from ATP Cloud while it was being uploaded");
  }
  return Status::Ok();
}

Result<Ack> AtpCloudPublisher::Update(const AtpFeed& feed, const AtpDiff& diff, AtpPushed* pushed) {
  const std::span<const AtpServer> upserts(diff.upserts);
  const std::span<const std::string> removals(diff.removals);
  size_t upserted = 0;
  size_t removed = 0;
  // Adds first: a firewall never has fewer entries than it should while the change is applied.
  Result<Ack> ack = SendChunks(feed, upserts, "PATCH", "PATCH", AtpUpsertCsv, &upserted);
  if (ack.ok() && *ack == Ack::kOk) {
    ack = SendChunks(feed, removals, "DELETE", "DELETE", AtpRemovalCsv, &removed);
  }
  pushed->servers =
      ApplyAtpChanges(pushed->servers, upserts.first(upserted), removals.first(removed));
  return ack;
}

template <typename T, typename CsvFn>
Result<Ack> AtpCloudPublisher::SendChunks(const AtpFeed& feed, std::span<const T> items,
                                          const char* first_method, const char* method, CsvFn csv,
                                          size_t* acked) {
  *acked = 0;
  while (*acked < items.size()) {
    const size_t count = std::min(options_.max_servers_per_request, items.size() - *acked);
    const std::span<const T> chunk = items.subspan(*acked, count);
    Result<Ack> ack = Send(*acked == 0 ? first_method : method, feed, csv(chunk));
    if (!ack.ok() || *ack != Ack::kOk) return ack;
    *acked += count;
    if constexpr (std::is_same_v<T, AtpServer>) {
      tally_.upserted += count;
    } else {
      tally_.removed += count;
    }
  }
  return Ack::kOk;
}

Result<Ack> AtpCloudPublisher::Send(const std::string& method, const AtpFeed& feed,
                                    std::string_view csv) {
  HttpRequest request;
  request.method = method;
  request.url = Url(feed);
  request.timeout = options_.timeout;
  request.connect_timeout = options_.connect_timeout;
  request.headers = {{"Authorization", "Bearer " + options_.token}, {"Accept", "application/json"}};
  if (!csv.empty()) {
    request.form = {FormPart{"file", "servers.csv", "text/csv", std::string(csv)}};
  }
  int attempts = 0;
  Result<HttpResponse> outcome = retrier_.Run(
      [&]() -> Result<HttpResponse> {
        limiter_.Acquire();
        ++tally_.requests;
        return http_.Send(request);
      },
      &attempts);
  return Classify(request, outcome, attempts);
}

Result<Ack> AtpCloudPublisher::Classify(const HttpRequest& request,
                                        const Result<HttpResponse>& outcome, int attempts) {
  const std::string what = request.method + " " + request.url;
  const std::string tries = " (after " + std::to_string(attempts) + " attempts)";
  if (!outcome.ok()) {
    return Status::Unavailable(SafeExcerpt(outcome.status().message(), options_.token) + tries);
  }
  const long code = outcome->status;
  if (code >= 200 && code < 300) return Ack::kOk;
  if (code == 404 && request.method != "POST") return Ack::kFeedMissing;
  if (code == 409 && request.method == "POST") return Ack::kFeedExists;
  const std::string body = SafeExcerpt(outcome->body, options_.token);
  if (code == 401 || code == 403) {
    auth_failed_ = true;
    return Status::Remote("ATP Cloud rejected the application token (HTTP " + std::to_string(code) +
                          ") for " + what +
                          "; check the token and its expiry in the ATP Cloud portal: " + body);
  }
  std::string status = "HTTP " + std::to_string(code);
  if (code == 429 || code >= 500) status += tries;
  return Status::Remote(what + ": " + status + ": " + body);
}

Result<AtpPushed> AtpCloudPublisher::LoadState(const AtpFeed& feed) {
  const std::string key = StateKey(feed);
  Result<std::optional<std::string>> stored = store_->GetPublisherState(key);
  if (!stored.ok()) return stored.status().WithContext("reading publish state " + key);
  if (!stored->has_value()) return AtpPushed{};
  Result<AtpPushed> pushed = ParseAtpPushed(**stored);
  if (!pushed.ok()) {
    return pushed.status().WithContext("store key " + key +
                                       " (run `guardfeed publish --resync` to rebuild it)");
  }
  return pushed;
}

Status AtpCloudPublisher::SaveState(const AtpFeed& feed, const AtpPushed& pushed) {
  const std::string key = StateKey(feed);
  return store_->PutPublisherState(key, SerializeAtpPushed(pushed))
      .WithContext("recording publish state " + key);
}

}  // namespace

std::string_view AtpContentTypeName(AtpContentType type) {
  switch (type) {
    case AtpContentType::kIp:
      return "ip";
    case AtpContentType::kDomain:
      return "domain";
    case AtpContentType::kUrl:
      return "url";
  }
  return "ip";
}

Result<AtpContentType> ParseAtpContentType(std::string_view name) {
  if (name == "ip") return AtpContentType::kIp;
  if (name == "domain") return AtpContentType::kDomain;
  if (name == "url") return AtpContentType::kUrl;
  return Status::InvalidArgument("ATP Cloud content type \"" + std::string(name) +
                                 "\": expected ip, domain or url");
}

Result<std::unique_ptr<Publisher>> NewAtpCloudPublisher(AtpOptions options, Store* store) {
  while (options.base_url.ends_with('/')) options.base_url.pop_back();
  GF_RETURN_IF_ERROR(ValidateOptions(options, store));
  ShrinkGuardOptions guard = options.shrink_guard;
  return NewShrinkGuardedPublisher(std::make_unique<AtpCloudPublisher>(std::move(options), store),
                                   store, guard);
}

}  // namespace guardfeed
