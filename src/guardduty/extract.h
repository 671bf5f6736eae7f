// Internal to guardduty/: turns one parsed GuardDuty finding object into a Finding. Where each
// indicator lives is documented in docs/guardduty.md.
#pragma once

#include <optional>
#include <simdjson.h>
#include <string>

#include "guardduty/finding.h"

namespace guardfeed::internal {

struct FieldError {
  std::string field;  // JSON path relative to the finding, e.g. "service.count"
  std::string message;
};

// Fills `finding` from `object`. Returns an error when a required field (id, type, severity) is
// missing or any known field has the wrong type; indicator values that fail to parse are not
// errors, they are listed in finding.rejected. At most `max_indicators` indicators are kept
// (de-duplicated in O(n log n)); the rest are only counted, without being parsed, so a finding
// with a million addresses costs little more than its JSON parse.
std::optional<FieldError> ExtractFinding(simdjson::dom::object object, size_t max_indicators,
                                         Finding& finding);

}  // namespace guardfeed::internal
