#include "server/fetch_log.h"

#include <algorithm>

namespace guardfeed::server {

std::string SanitizeHeaderText(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char c : text.substr(0, max)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

std::string IdentityEtag(std::string_view etag) {
  constexpr std::string_view kSuffix = "-gzip\"";
  if (etag.size() > kSuffix.size() && etag.ends_with(kSuffix)) {
    return std::string(etag.substr(0, etag.size() - kSuffix.size())) + "\"";
  }
  return std::string(etag);
}

bool FetchLog::Record(std::string_view feed, const FetchEvent& event) {
  std::lock_guard lock(mu_);
  auto feed_it = feeds_.find(feed);
  if (feed_it == feeds_.end()) feed_it = feeds_.try_emplace(std::string(feed)).first;
  Clients& clients = feed_it->second;
  auto it = clients.find(event.client);
  bool changed = it == clients.end();
  if (changed) {
    if (clients.size() >= kMaxClientsPerFeed) {
      auto oldest = std::min_element(clients.begin(), clients.end(),
                                     [](auto& a, auto& b) { return a.second.at < b.second.at; });
      clients.erase(oldest);
    }
    FetchRecord record;
    record.client = std::string(event.client);
    it = clients.emplace(record.client, std::move(record)).first;
  }
  FetchRecord& record = it->second;
  changed = changed || record.consumer != event.consumer;
  record.consumer = std::string(event.consumer);
  record.user = SanitizeHeaderText(event.user, kMaxUser);
  record.user_agent = SanitizeHeaderText(event.user_agent, kMaxUserAgent);
  if (!event.served.empty()) record.served = std::string(event.served);
  if (!event.etag.empty()) {
    record.etag = IdentityEtag(event.etag);
    record.version = std::string(event.version);
  }
  record.at = event.at;
  record.status = event.status;
  ++record.count;
  return changed;
}

void FetchLog::Record(std::string_view feed, std::string_view client, UnixSeconds at,
                      unsigned status) {
  FetchEvent event;
  event.client = client;
  event.served = feed;
  event.at = at;
  event.status = status;
  Record(feed, event);
}

std::vector<FetchRecord> FetchLog::Get(std::string_view feed) const {
  std::vector<FetchRecord> out;
  {
    std::lock_guard lock(mu_);
    auto it = feeds_.find(feed);
    if (it == feeds_.end()) return out;
    for (const auto& [client, record] : it->second) out.push_back(record);
  }
  std::sort(out.begin(), out.end(), [](const FetchRecord& a, const FetchRecord& b) {
    return a.at != b.at ? a.at > b.at : a.client < b.client;
  });
  return out;
}

std::vector<std::pair<std::string, FetchRecord>> FetchLog::All() const {
  std::vector<std::pair<std::string, FetchRecord>> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [feed, clients] : feeds_) {
      for (const auto& [client, record] : clients) out.emplace_back(feed, record);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second.at != b.second.at ? a.second.at > b.second.at
                                      : a.second.client < b.second.client;
  });
  return out;
}

void FetchLog::NoteVersion(std::string_view key, std::string_view etag, std::string_view version,
                           UnixSeconds since) {
  std::lock_guard lock(mu_);
  auto it = versions_.find(key);
  if (it == versions_.end()) it = versions_.try_emplace(std::string(key)).first;
  std::deque<Version>& versions = it->second;
  std::string identity = IdentityEtag(etag);
  if (!versions.empty() && versions.back().etag == identity) return;
  versions.push_back(Version{std::move(identity), std::string(version), since});
  while (versions.size() > kMaxVersionsPerKey) versions.pop_front();
}

std::optional<UnixSeconds> FetchLog::SupersededAt(std::string_view key,
                                                  std::string_view etag) const {
  std::lock_guard lock(mu_);
  auto it = versions_.find(key);
  if (it == versions_.end() || it->second.empty()) return std::nullopt;
  const std::deque<Version>& versions = it->second;
  std::string identity = IdentityEtag(etag);
  // Newest first: a content that came back (the same ETag again) counts from its last return.
  for (size_t i = versions.size(); i-- > 0;) {
    if (versions[i].etag != identity) continue;
    if (i + 1 == versions.size()) return std::nullopt;
    return versions[i + 1].since;
  }
  return versions.front().since;
}

}  // namespace guardfeed::server
