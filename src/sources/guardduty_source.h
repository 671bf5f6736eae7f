// The GuardDuty API poller ([[sources.guardduty]]): ListFindings sorted by updatedAt from a cursor
// kept in the store, then GetFindings in batches of 50, for each region's detector (ListDetectors
// when none is configured). Works for a delegated administrator: its detector lists its members'
// findings too. docs/sources.md, "GuardDuty API".
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_api.h"
#include "sources/source.h"

namespace guardfeed {

struct GuardDutySourceOptions {
  std::string region;       // one source per region; required
  std::string detector_id;  // "" = the region's detector from ListDetectors
  std::chrono::milliseconds interval{60000};
  // Re-read this far before the cursor (findings updated late in the same second, clock skew
  // between GuardDuty's partitions); idempotent ingest absorbs the repeats. Default 5 minutes.
  std::chrono::seconds overlap{300};
  // Extra FindingCriteria.Criterion entries as a JSON object, e.g.
  // {"severity":{"Gte":4}}; "" = none. Merged with the updatedAt criterion of the cursor.
  std::string criteria_json;
  // On the first poll (no cursor): how far back to start. Default 7 days.
  std::chrono::seconds initial_lookback{7 * 86400};
  AwsApiOptions api;  // service "guardduty"; region, endpoint, credentials, retries
};

Result<std::unique_ptr<Source>> NewGuardDutySource(GuardDutySourceOptions options,
                                                   SourceContext context);

}  // namespace guardfeed
