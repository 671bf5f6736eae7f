// What guardfeed must extract from each file of the public GuardDuty corpus, written down by
// reading the JSON against the rules of docs/guardduty.md (not by running the extractor).
#pragma once

#include <string_view>
#include <vector>

#include "core/indicator.h"

namespace guardfeed::conformance {

struct ExpectedIndicator {
  std::string_view value;
  IndicatorKind kind;
  std::string_view field;  // Finding::indicators[].field
};

struct ExpectedFinding {
  std::string_view id;
  std::string_view action_type;  // "" when the finding has no action
  std::string_view direction;    // networkConnectionAction.connectionDirection, else ""
  bool sample;                   // GuardDuty sample finding
  std::vector<ExpectedIndicator> indicators;
  // Indicator-shaped values that must be rejected (by field), e.g. the single-label placeholder
  // "GeneratedFindingDomainName" of sample DNS findings.
  std::vector<std::string_view> rejected_fields;
};

struct ExpectedFile {
  std::string_view path;                  // relative to the corpus directory
  bool sekoia_wrapper;                    // the finding is a JSON string in input.message
  std::vector<ExpectedFinding> findings;  // in file order, one per finding document
};

// Every file of the corpus, each with every finding it holds.
const std::vector<ExpectedFile>& CorpusExpectations();

}  // namespace guardfeed::conformance
