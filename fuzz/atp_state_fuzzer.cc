// fuzz_atp_state: any bytes as the ATP Cloud publisher state kept in the store
// (publish/atp_state.h). Whatever ParseAtpPushed accepts must serialise to text that parses back
// to the same state. An input holding two states separated by an empty line (a state never
// contains one) is also read as "pushed" and "desired": DiffAtpServers and ApplyAtpChanges must
// turn the first into the second.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "publish/atp_state.h"

namespace {

using guardfeed::AtpPushed;
using guardfeed::AtpServer;

void CheckServers(const std::vector<AtpServer>& servers) {
  for (size_t i = 0; i < servers.size(); ++i) {
    GF_FUZZ_CHECK(!servers[i].server.empty(), "empty server accepted");
    GF_FUZZ_CHECK(servers[i].server.find('\n') == std::string::npos, "server with a newline");
    GF_FUZZ_CHECK(servers[i].threat_level >= 1 && servers[i].threat_level <= 10,
                  "threat level out of 1..10");
    if (i > 0) {
      GF_FUZZ_CHECK(servers[i - 1].server < servers[i].server, "servers not sorted and unique");
    }
  }
}

size_t Lines(std::string_view text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  return lines;
}

// Checks `text` and returns what it parsed to, when it did.
guardfeed::Result<AtpPushed> CheckState(std::string_view text) {
  guardfeed::Result<AtpPushed> parsed = guardfeed::ParseAtpPushed(text);
  if (!parsed.ok()) {
    GF_FUZZ_CHECK(!parsed.status().message().empty(), "refusal without a message");
    return parsed;
  }
  CheckServers(parsed->servers);
  const std::string serialized = guardfeed::SerializeAtpPushed(*parsed);
  GF_FUZZ_CHECK(Lines(serialized) == parsed->servers.size() + 1, "one line per server expected");
  guardfeed::Result<AtpPushed> again = guardfeed::ParseAtpPushed(serialized);
  GF_FUZZ_CHECK(again.ok(), "a serialised state does not parse");
  GF_FUZZ_CHECK(*again == *parsed, "state does not round-trip");
  GF_FUZZ_CHECK(guardfeed::SerializeAtpPushed(*again) == serialized,
                "serialisation is not a fixed point");
  GF_FUZZ_CHECK(Lines(guardfeed::AtpUpsertCsv(parsed->servers)) == parsed->servers.size(),
                "upsert CSV is not one line per server");
  return parsed;
}

void CheckDiff(const std::vector<AtpServer>& pushed, const std::vector<AtpServer>& desired) {
  const guardfeed::AtpDiff diff = guardfeed::DiffAtpServers(pushed, desired);
  CheckServers(diff.upserts);
  for (size_t i = 1; i < diff.removals.size(); ++i) {
    GF_FUZZ_CHECK(diff.removals[i - 1] < diff.removals[i], "removals not sorted and unique");
  }
  GF_FUZZ_CHECK(diff.empty() == (pushed == desired), "empty diff between different states");
  GF_FUZZ_CHECK(guardfeed::ApplyAtpChanges(pushed, diff.upserts, diff.removals) == desired,
                "applying the diff does not give the desired state");
  GF_FUZZ_CHECK(Lines(guardfeed::AtpRemovalCsv(diff.removals)) == diff.removals.size(),
                "removal CSV is not one line per server");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)CheckState(text);
  const size_t blank = text.find("\n\n");
  if (blank == std::string_view::npos) return 0;
  auto pushed = CheckState(text.substr(0, blank + 1));
  auto desired = CheckState(text.substr(blank + 2));
  if (pushed.ok() && desired.ok()) {
    CheckDiff(pushed->servers, desired->servers);
    CheckDiff(desired->servers, pushed->servers);
  }
  return 0;
}
