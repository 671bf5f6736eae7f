#include "publish/shrink_guard.h"

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

}  // namespace guardfeed
