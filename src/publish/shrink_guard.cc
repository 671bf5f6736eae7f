#include "publish/shrink_guard.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>

namespace guardfeed {
namespace {

std::string Percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f%%", fraction * 100.0);
  return buffer;
}

}  // namespace

Status CheckShrink(std::string_view feed, uint64_t previous_entries, uint64_t new_entries,
                   const ShrinkGuardOptions& options) {
  double limit = options.max_shrink_fraction;
  if (!(limit >= 0.0 && limit <= 1.0)) {
    return Status::InvalidArgument("max_shrink_fraction must be between 0 and 1, got " +
                                   std::to_string(limit));
  }
  if (options.force || previous_entries == 0 || new_entries >= previous_entries) {
    return Status::Ok();
  }
  std::string counts = "feed '" + std::string(feed) + "' would go from " +
                       std::to_string(previous_entries) + " to " + std::to_string(new_entries) +
                       " entries";
  if (new_entries == 0) {
    return Status::FailedPrecondition(
        counts +
        " (empty); an empty list unblocks everything it blocked. Not published; "
        "publish with force to accept");
  }
  double lost =
      static_cast<double>(previous_entries - new_entries) / static_cast<double>(previous_entries);
  if (lost <= limit) return Status::Ok();
  return Status::FailedPrecondition(counts + ", a loss of " + Percent(lost) + " over the allowed " +
                                    Percent(limit) + " (max_shrink_fraction " +
                                    std::to_string(limit) +
                                    "). Not published; publish with force to accept");
}

Status CheckShrink(std::string_view feed, const PreviousEntries& previous, uint64_t new_entries,
                   const ShrinkGuardOptions& options) {
  switch (previous.kind) {
    case PreviousEntries::Kind::kKnown:
      return CheckShrink(feed, previous.entries, new_entries, options);
    case PreviousEntries::Kind::kNever:
      return CheckShrink(feed, 0, new_entries, options);
    case PreviousEntries::Kind::kUnknown:
      break;
  }
  GF_RETURN_IF_ERROR(CheckShrink(feed, 0, new_entries, options));  // validates the options
  if (options.force || new_entries > 0) return Status::Ok();
  return Status::FailedPrecondition(
      "feed '" + std::string(feed) +
      "' would be published empty where what is there now is unknown (it may be a full list); "
      "an empty list unblocks everything it blocked. Not published; publish with force to "
      "accept");
}

std::string EncodeEntryCounts(const EntryCounts& counts) {
  std::string out;
  for (const auto& [name, entries] : counts) out += name + " " + std::to_string(entries) + "\n";
  return out;
}

EntryCounts DecodeEntryCounts(std::string_view text) {
  EntryCounts counts;
  while (!text.empty()) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    size_t space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    std::string_view number = line.substr(space + 1);
    uint64_t entries = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), entries);
    if (ec == std::errc() && end == number.data() + number.size()) {
      counts[std::string(line.substr(0, space))] = entries;
    }
  }
  return counts;
}

}  // namespace guardfeed
