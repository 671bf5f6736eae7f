#include "publish/atp_state.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "publish/atp_cloud.h"

namespace guardfeed {
namespace {

constexpr std::string_view kCreatedHeader = "guardfeed-atp 1 created";
constexpr std::string_view kAbsentHeader = "guardfeed-atp 1 absent";

bool Carries(AtpContentType type, IndicatorKind kind) {
  if (type == AtpContentType::kIp) {
    return kind == IndicatorKind::kIpv4 || kind == IndicatorKind::kIpv6;
  }
  return kind == IndicatorKind::kDomain;
}

bool ByServer(const AtpServer& a, const AtpServer& b) { return a.server < b.server; }

Result<AtpServer> ParseServerLine(std::string_view line, size_t line_number) {
  const size_t comma = line.rfind(',');
  int level = 0;
  if (comma != std::string_view::npos && comma > 0) {
    const char* first = line.data() + comma + 1;
    const char* last = line.data() + line.size();
    auto [end, error] = std::from_chars(first, last, level);
    if (error == std::errc() && end == last && level >= 1 && level <= 10) {
      return AtpServer{std::string(line.substr(0, comma)), level};
    }
  }
  return Status::InvalidArgument("ATP publisher state line " + std::to_string(line_number) +
                                 ": expected \"server,threat_level\" with a level 1..10");
}

}  // namespace

std::string SerializeAtpPushed(const AtpPushed& pushed) {
  std::string out(pushed.created ? kCreatedHeader : kAbsentHeader);
  out += '\n';
  for (const AtpServer& server : pushed.servers) {
    out += server.server;
    out += ',';
    out += std::to_string(server.threat_level);
    out += '\n';
  }
  return out;
}

Result<AtpPushed> ParseAtpPushed(std::string_view text) {
  AtpPushed pushed;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      return Status::InvalidArgument("ATP publisher state is truncated (no final newline)");
    }
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (++line_number == 1) {
      if (line != kCreatedHeader && line != kAbsentHeader) {
        return Status::InvalidArgument("ATP publisher state has an unknown header");
      }
      pushed.created = line == kCreatedHeader;
      continue;
    }
    Result<AtpServer> server = ParseServerLine(line, line_number);
    if (!server.ok()) return server.status();
    if (!pushed.servers.empty() && !(pushed.servers.back().server < server->server)) {
      return Status::InvalidArgument("ATP publisher state line " + std::to_string(line_number) +
                                     ": servers are not sorted and unique");
    }
    pushed.servers.push_back(std::move(server).value());
  }
  if (line_number == 0) return Status::InvalidArgument("ATP publisher state is empty");
  return pushed;
}

std::vector<AtpServer> DesiredAtpServers(AtpContentType type, std::span<const FeedEntry> entries) {
  std::vector<AtpServer> servers;
  servers.reserve(entries.size());
  for (const FeedEntry& entry : entries) {
    if (!Carries(type, entry.indicator.kind)) continue;
    servers.push_back({entry.indicator.value, std::clamp(entry.threat_level, 1, 10)});
  }
  // Highest level first among equal servers, so unique() keeps it.
  std::sort(servers.begin(), servers.end(), [](const AtpServer& a, const AtpServer& b) {
    return a.server != b.server ? a.server < b.server : a.threat_level > b.threat_level;
  });
  auto same = [](const AtpServer& a, const AtpServer& b) { return a.server == b.server; };
  servers.erase(std::unique(servers.begin(), servers.end(), same), servers.end());
  return servers;
}

AtpDiff DiffAtpServers(std::span<const AtpServer> pushed, std::span<const AtpServer> desired) {
  AtpDiff diff;
  auto old_it = pushed.begin();
  auto new_it = desired.begin();
  while (old_it != pushed.end() || new_it != desired.end()) {
    if (new_it == desired.end() || (old_it != pushed.end() && old_it->server < new_it->server)) {
      diff.removals.push_back((old_it++)->server);
    } else if (old_it == pushed.end() || new_it->server < old_it->server) {
      diff.upserts.push_back(*new_it++);
    } else {
      if (old_it->threat_level != new_it->threat_level) diff.upserts.push_back(*new_it);
      ++old_it;
      ++new_it;
    }
  }
  return diff;
}

std::vector<AtpServer> ApplyAtpChanges(std::span<const AtpServer> pushed,
                                       std::span<const AtpServer> upserts,
                                       std::span<const std::string> removals) {
  std::vector<AtpServer> merged;
  merged.reserve(pushed.size() + upserts.size());
  // Upserts win over the old entry for the same server.
  std::set_union(upserts.begin(), upserts.end(), pushed.begin(), pushed.end(),
                 std::back_inserter(merged), ByServer);
  std::vector<AtpServer> out;
  out.reserve(merged.size());
  auto removed = removals.begin();
  for (AtpServer& server : merged) {
    while (removed != removals.end() && *removed < server.server) ++removed;
    if (removed != removals.end() && *removed == server.server) continue;
    out.push_back(std::move(server));
  }
  return out;
}

std::string AtpUpsertCsv(std::span<const AtpServer> servers) {
  std::string csv;
  for (const AtpServer& server : servers) {
    csv += server.server;
    csv += ',';
    csv += std::to_string(server.threat_level);
    csv += '\n';
  }
  return csv;
}

std::string AtpRemovalCsv(std::span<const std::string> servers) {
  std::string csv;
  for (const std::string& server : servers) {
    csv += server;
    csv += '\n';
  }
  return csv;
}

}  // namespace guardfeed
