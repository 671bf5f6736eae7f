#include "server/fetch_log.h"

#include <algorithm>

namespace guardfeed::server {

void FetchLog::Record(std::string_view feed, std::string_view client, UnixSeconds at,
                      unsigned status) {
  std::lock_guard lock(mu_);
  auto feed_it = feeds_.find(feed);
  if (feed_it == feeds_.end()) feed_it = feeds_.try_emplace(std::string(feed)).first;
  auto& clients = feed_it->second;
  auto it = clients.find(client);
  if (it == clients.end()) {
    if (clients.size() >= kMaxClientsPerFeed) {
      auto oldest = std::min_element(clients.begin(), clients.end(),
                                     [](auto& a, auto& b) { return a.second.at < b.second.at; });
      clients.erase(oldest);
    }
    it = clients.emplace(std::string(client), FetchRecord{std::string(client), 0, 0, 0}).first;
  }
  it->second.at = at;
  it->second.status = status;
  ++it->second.count;
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

}  // namespace guardfeed::server
