#include "server/consumers.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "core/cidr.h"
#include "server/auth.h"
#include "server/http_util.h"

namespace guardfeed::server {

namespace {

constexpr char kVariantMark = '@';

struct Presented {
  std::optional<std::string> token;
  std::optional<BasicCredentials> basic;
  bool any() const { return token || basic; }
};

Presented PresentedCredentials(const RequestHead& head) {
  Presented presented;
  auto it = head.find(boost::beast::http::field::authorization);
  if (it == head.end()) return presented;
  std::string_view header = it->value();
  if (auto token = BearerToken(header)) presented.token = std::string(*token);
  presented.basic = ParseBasic(header);
  return presented;
}

bool CredentialsMatch(const ConsumerOptions& c, const Presented& p) {
  if (p.token && !c.token.empty() && ConstantTimeEquals(*p.token, c.token)) return true;
  if (p.basic && !c.user.empty()) {
    // Both compared every time so a wrong user takes as long as a wrong password.
    bool user_ok = ConstantTimeEquals(p.basic->user, c.user);
    bool password_ok = ConstantTimeEquals(p.basic->password, c.password);
    return user_ok && password_ok;
  }
  return false;
}

// The longest prefix of `c`'s source_cidrs holding `address`; -1 when none does.
int LongestMatch(const ConsumerOptions& c, const std::optional<IpAddress>& address) {
  if (!address) return -1;
  int best = -1;
  for (const Cidr& cidr : c.source_cidrs) {
    if (cidr.Contains(*address)) best = std::max(best, cidr.prefix_len);
  }
  return best;
}

// The address-only consumer (no credentials configured) for `address`: one that may fetch
// `feed` first, then the longest prefix, then configuration order.
const ConsumerOptions* MatchByAddress(const ServerOptions& options, std::string_view feed,
                                      const std::optional<IpAddress>& address) {
  const ConsumerOptions* best = nullptr;
  std::pair<bool, int> best_rank{false, -1};
  for (const ConsumerOptions& c : options.consumers) {
    if (c.has_credentials()) continue;
    int prefix = LongestMatch(c, address);
    if (prefix < 0) continue;
    std::pair<bool, int> rank{feed.empty() || c.MayFetch(feed), prefix};
    if (best == nullptr || rank > best_rank) {
      best = &c;
      best_rank = rank;
    }
  }
  return best;
}

bool Restricted(const ServerOptions& options, std::string_view feed) {
  if (feed.empty()) return false;
  return std::any_of(options.consumers.begin(), options.consumers.end(),
                     [feed](const ConsumerOptions& c) {
                       return std::find(c.feeds.begin(), c.feeds.end(), feed) != c.feeds.end();
                     });
}

const FeedAuth* LegacyAuth(const ServerOptions& options, std::string_view feed) {
  if (feed.empty()) return options.secintel_auth ? &*options.secintel_auth : nullptr;
  auto it = options.feed_auth.find(std::string(feed));
  return it == options.feed_auth.end() ? nullptr : &it->second;
}

// The schemes that could admit a request for `feed`: the feed's own auth and every consumer
// with credentials that may fetch it. Only basic()/bearer() of the result mean anything.
FeedAuth Schemes(const ServerOptions& options, std::string_view feed, const FeedAuth* legacy) {
  FeedAuth schemes;
  auto add = [&schemes](bool basic, bool bearer) {
    if (basic) schemes.user = "-";
    if (bearer) schemes.token = "-";
  };
  if (legacy != nullptr) add(legacy->basic(), legacy->bearer());
  for (const ConsumerOptions& c : options.consumers) {
    if (feed.empty() || c.MayFetch(feed)) add(!c.user.empty(), !c.token.empty());
  }
  return schemes;
}

FeedAccess Allow(const ConsumerOptions* consumer, const Presented& presented) {
  FeedAccess access;
  access.allowed = true;
  access.consumer = consumer;
  if (presented.basic) access.user = presented.basic->user;
  return access;
}

FeedAccess Refuse(HttpResponse refusal, const Presented& presented) {
  FeedAccess access;
  access.refusal = std::move(refusal);
  if (presented.basic) access.user = presented.basic->user;
  return access;
}

// `feed` in another format: what it holds (kinds, threshold, cap, containment) with the other
// format's own defaults, never options meant for the feed's format (aggregation, CRLF, a
// header, Check Point columns).
FeedConfig Converted(const FeedConfig& feed, FeedFormat format) {
  FeedConfig converted;
  converted.format = format;
  converted.kinds = feed.kinds;
  converted.min_threat_level = feed.min_threat_level;
  converted.max_entries = feed.max_entries;
  converted.containment = feed.containment;
  return converted;
}

std::string Quoted(std::string_view feed) { return "\"" + std::string(feed) + "\""; }

}  // namespace

ConsumerServing ServingFor(const ConsumerOptions& consumer, const FeedConfig& feed) {
  ConsumerServing serving{feed.format, 0};
  if (!consumer.MayFetch(feed.name)) return serving;
  serving.format = consumer.FormatOf(feed);
  size_t cap = consumer.EffectiveMaxEntries();
  if (serving.format == FeedFormat::kSecIntel || cap == 0 ||
      (feed.max_entries != 0 && cap >= feed.max_entries)) {
    return serving;
  }
  serving.cap = cap;
  return serving;
}

bool IsVariantOf(const ConsumerServing& serving, const FeedConfig& feed) {
  return serving.cap > 0 || serving.format != feed.format;
}

std::string VariantName(const FeedConfig& feed, const ConsumerServing& serving) {
  std::string name = feed.name;
  if (serving.format != feed.format) {
    name += kVariantMark;
    name += FormatName(serving.format);
  }
  if (serving.cap > 0) {
    name += kVariantMark;
    name += std::to_string(serving.cap);
  }
  return name;
}

bool IsConsumerVariant(std::string_view feed_name) {
  return feed_name.find(kVariantMark) != std::string_view::npos;
}

std::string_view VariantParent(std::string_view feed_name) {
  return feed_name.substr(0, feed_name.find(kVariantMark));
}

std::vector<FeedConfig> ConsumerVariants(const std::vector<ConsumerOptions>& consumers,
                                         const std::vector<FeedConfig>& feeds) {
  std::vector<FeedConfig> variants;
  for (const FeedConfig& feed : feeds) {
    std::vector<std::pair<FeedFormat, size_t>> needed;
    for (const ConsumerOptions& consumer : consumers) {
      ConsumerServing serving = ServingFor(consumer, feed);
      if (IsVariantOf(serving, feed)) needed.emplace_back(serving.format, serving.cap);
    }
    std::sort(needed.begin(), needed.end());
    needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
    for (const auto& [format, cap] : needed) {
      FeedConfig variant = format == feed.format ? feed : Converted(feed, format);
      variant.name = VariantName(feed, ConsumerServing{format, cap});
      if (cap > 0) variant.max_entries = cap;
      variants.push_back(std::move(variant));
    }
  }
  return variants;
}

FeedAccess DecideFeedAccess(const ServerOptions& options, std::string_view feed,
                            const RequestHead& head, std::string_view client,
                            std::string_view realm) {
  const FeedAuth* legacy = LegacyAuth(options, feed);
  if (options.consumers.empty()) {
    // No profiles: server.feed_auth alone, as before consumers existed (the serving fast path).
    if (legacy == nullptr || CheckFeedAuth(head, *legacy) == AuthResult::kOk) {
      FeedAccess access = Allow(nullptr, Presented{});
      if (legacy != nullptr && legacy->basic()) {
        auto it = head.find(boost::beast::http::field::authorization);
        if (it != head.end()) {
          if (auto basic = ParseBasic(it->value())) access.user = basic->user;
        }
      }
      return access;
    }
    return Refuse(FeedAuthChallenge(*legacy, realm), Presented{});
  }
  Presented presented = PresentedCredentials(head);
  std::optional<IpAddress> address;
  if (Result<IpAddress> parsed = ParseIpAddress(client); parsed.ok()) address = *parsed;
  const ConsumerOptions* consumer = nullptr;
  bool by_credentials = false;
  if (presented.any()) {
    for (const ConsumerOptions& c : options.consumers) {
      if (!c.has_credentials() || !CredentialsMatch(c, presented)) continue;
      if (!c.source_cidrs.empty() && LongestMatch(c, address) < 0) {
        return Refuse(Refusal(403, "forbidden",
                              "consumer " + c.name + ": client address " + std::string(client) +
                                  " is not in its source_cidrs"),
                      presented);
      }
      consumer = &c;
      by_credentials = true;
      break;
    }
  }
  if (consumer == nullptr) consumer = MatchByAddress(options, feed, address);
  bool legacy_ok = legacy != nullptr && CheckFeedAuth(head, *legacy) == AuthResult::kOk;
  if (consumer != nullptr && (feed.empty() || consumer->MayFetch(feed))) {
    // An address never stands in for a password the operator configured on the feed.
    if (by_credentials || legacy == nullptr || legacy_ok) return Allow(consumer, presented);
  } else if (by_credentials && Restricted(options, feed) && !legacy_ok) {
    return Refuse(Refusal(403, "forbidden",
                          "consumer " + consumer->name + " may not fetch feed " + Quoted(feed)),
                  presented);
  }
  if (legacy_ok || (legacy == nullptr && !Restricted(options, feed))) {
    return Allow(nullptr, presented);
  }
  FeedAuth schemes = Schemes(options, feed, legacy);
  if (schemes.basic() || schemes.bearer()) {
    HttpResponse challenge = FeedAuthChallenge(schemes, realm);
    challenge.reason = "unauthorized";
    return Refuse(std::move(challenge), presented);
  }
  return Refuse(Refusal(403, "forbidden",
                        "feed " + Quoted(feed) + " is restricted to its consumers; client " +
                            std::string(client) + " is not one of them"),
                presented);
}

namespace {

const ServedFile* CurrentFile(const ServedSet* set, const std::string& served) {
  if (set == nullptr || served.empty()) return nullptr;
  const ServedFile* file = set->FindFeed(served);
  return file != nullptr ? file : set->FindPath(served);
}

ConsumerView ViewOf(const std::string& feed, const FetchRecord& record, const ServedSet* set,
                    const FetchLog& log, UnixSeconds now, int64_t stale_after) {
  ConsumerView view;
  view.feed = feed;
  view.client = record.client;
  view.consumer = record.consumer;
  view.user = record.user;
  view.user_agent = record.user_agent;
  view.version = record.version;
  view.etag = record.etag;
  view.last_fetch = record.at;
  view.last_status = record.status;
  view.fetches = record.count;
  view.since_fetch_seconds = std::max<int64_t>(0, now - record.at);
  if (const ServedFile* file = CurrentFile(set, record.served)) {
    view.current_version = file->snapshot->version;
    view.current_etag = file->snapshot->etag;
    if (!record.etag.empty() && record.etag != view.current_etag) {
      std::optional<UnixSeconds> superseded = log.SupersededAt(record.served, record.etag);
      UnixSeconds since = superseded.value_or(file->modified);
      view.staleness_seconds = std::max<int64_t>(0, now - since);
    }
  }
  view.stale = view.staleness_seconds > stale_after || view.since_fetch_seconds > stale_after;
  return view;
}

void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

void AppendSample(std::string& out, std::string_view name, const ConsumerView& view,
                  int64_t value) {
  out += name;
  out += "{feed=\"";
  AppendLabelValue(out, view.feed);
  out += "\",client=\"";
  AppendLabelValue(out, view.client);
  out += "\",consumer=\"";
  AppendLabelValue(out, view.consumer);
  out += "\"} ";
  out += std::to_string(value);
  out += "\n";
}

}  // namespace

std::vector<ConsumerView> ConsumerViews(const ServerContext& ctx, UnixSeconds now) {
  std::shared_ptr<const ServedSet> set = ctx.snapshots.Current();
  std::shared_ptr<const Generation> generation = ctx.generation();
  int64_t stale_after =
      std::chrono::duration_cast<std::chrono::seconds>(generation->options.consumer_stale_after)
          .count();
  std::vector<ConsumerView> views;
  for (const auto& [feed, record] : ctx.fetches.All()) {
    views.push_back(ViewOf(feed, record, set.get(), ctx.fetches, now, stale_after));
  }
  std::stable_sort(views.begin(), views.end(), [](const ConsumerView& a, const ConsumerView& b) {
    if (a.stale != b.stale) return a.stale;
    if (a.staleness_seconds != b.staleness_seconds) {
      return a.staleness_seconds > b.staleness_seconds;
    }
    return a.feed != b.feed ? a.feed < b.feed : a.client < b.client;
  });
  return views;
}

std::string ConsumerMetricsText(const ServerContext& ctx, UnixSeconds now) {
  std::vector<ConsumerView> views = ConsumerViews(ctx, now);
  std::string out;
  out +=
      "# HELP guardfeed_consumer_staleness_seconds Seconds since the feed version a client holds "
      "was superseded (0: it holds the current one)\n"
      "# TYPE guardfeed_consumer_staleness_seconds gauge\n";
  for (const ConsumerView& view : views) {
    AppendSample(out, "guardfeed_consumer_staleness_seconds", view, view.staleness_seconds);
  }
  out +=
      "# HELP guardfeed_consumer_stale 1 when a client's feed version or last fetch is older "
      "than server.consumer_stale_after\n"
      "# TYPE guardfeed_consumer_stale gauge\n";
  for (const ConsumerView& view : views) {
    AppendSample(out, "guardfeed_consumer_stale", view, view.stale ? 1 : 0);
  }
  return out;
}

}  // namespace guardfeed::server
