// The GuardDuty API poller ([[sources.guardduty]]): ListFindings sorted by updatedAt from a cursor
// kept in the store, then GetFindings in batches of 50, for one region's detector (ListDetectors
// when none is configured). Works for a delegated administrator: its detector lists its members'
// findings too. Each poll lists from the cursor minus `overlap` (the first from now minus
// `initial_lookback`), ingests page by page and moves the cursor after each committed page; a
// poll reads at most 100 pages (5,000 findings) and returns more=true, and the next poll goes on
// with the same listing. docs/sources.md, "GuardDuty API", has the protocol and the cursor rules.
//
// Thread safety: like every Source, polled by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_api.h"
#include "sources/source.h"

namespace guardfeed {

struct GuardDutySourceOptions {
  std::string region;       // one source per region; required. Also sets api.region.
  std::string detector_id;  // "" = the region's detector from ListDetectors (exactly one)
  // Time between polls that finished their work. Must be positive. Default 60 s.
  std::chrono::milliseconds interval{60000};
  // Re-read this far before the cursor (findings that become visible late, clock skew between
  // GuardDuty and us); idempotent ingest absorbs the repeats. At least 0. Default 5 minutes.
  std::chrono::seconds overlap{300};
  // Extra FindingCriteria criterion entries as a JSON object, ANDed with the cursor's updatedAt
  // criterion; "" = none. Field names as GuardDuty documents them ("severity", "accountId",
  // "type", "service.archived"); conditions in the REST API's spelling or the SDKs':
  // {"severity":{"greaterThanOrEqual":7}} or {"Criterion":{"severity":{"GreaterThanOrEqual":7}}}
  // (the AWS CLI's --finding-criteria). Deprecated eq/neq/gt/gte/lt/lte are sent as
  // equals/notEquals/greaterThan/... "updatedAt" is refused: the cursor owns it.
  std::string criteria_json;
  // On the first poll (no cursor in the store): how far back to start; 0 = from the first poll's
  // time on. At least 0. Default 7 days.
  std::chrono::seconds initial_lookback{7 * 86400};
  // Endpoint, credentials, retries, CA file, timeouts. `service` is set to "guardduty" and
  // `region` to the region above.
  AwsApiOptions api;
};

// Checks the options (InvalidArgument naming the bad one) and builds the client; contacts
// nothing. Name() is "guardduty:REGION", or "guardduty:REGION/DETECTOR" with a configured
// detector; the cursor is stored under "source:" + Name(). `context.store` and `context.ingest`
// are required and must outlive the source; `context.clock` null = the system clock.
Result<std::unique_ptr<Source>> NewGuardDutySource(GuardDutySourceOptions options,
                                                   SourceContext context);

// What NewGuardDutySource says of `criteria_json` (GuardDutySourceOptions::criteria_json), without
// building a source: for the configuration reader.
Status CheckGuardDutyCriteria(const std::string& criteria_json);

}  // namespace guardfeed
