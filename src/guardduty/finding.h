// Finding: the part of a GuardDuty finding guardfeed acts on, with every attacker indicator it
// carries (shared/formats/guardduty-findings.md and docs/guardduty.md list where they live).
//
// guardduty/ depends only on core/. It never decides what gets blocked (that is policy/); it only
// says what the finding claims, and never reports our own addresses (localIpDetails, resource
// network interfaces) or AWS service domains (callerType "Domain") as indicators. The one place
// our addresses appear is Finding::own_hosts, read only when asked (ReadLimits::own_hosts) and
// only for the containment families (guardduty/containment.h): never among `indicators`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/indicator.h"

namespace guardfeed {

struct ExtractedIndicator {
  Indicator indicator;
  std::string field;  // where it was found, e.g. "networkConnectionAction.remoteIpDetails"
};

struct RejectedValue {
  std::string field;   // e.g. "dnsRequestAction.domain"
  std::string reason;  // why the value is not an indicator
};

struct Finding {
  std::string id;
  std::string type;
  double severity = 0;
  std::string account_id;
  std::string region;
  std::string action_type;  // "" when the finding has no action
  std::string direction;    // INBOUND, OUTBOUND, UNKNOWN or ""
  UnixSeconds first_seen = 0;  // service.eventFirstSeen, else createdAt
  UnixSeconds last_seen = 0;   // service.eventLastSeen, else updatedAt
  UnixSeconds updated_at = 0;  // updatedAt, else last_seen: orders re-deliveries of one finding
  int64_t count = 1;           // service.count
  bool archived = false;
  bool sample = false;  // GuardDuty sample finding (additionalInfo.sample)
  // The id or type was made up by the reader: a hand-made test event named none (the id is then
  // a hash of the finding's JSON, the type "Unknown:Unknown/<ACTION_TYPE>").
  bool derived_identity = false;
  std::vector<ExtractedIndicator> indicators;  // deduplicated, in order of appearance
  // Indicators past ReadLimits::max_indicators_per_finding (not extracted, not listed).
  int64_t indicators_dropped = 0;
  std::vector<RejectedValue> rejected;         // indicator-shaped values that failed to parse
  int64_t rejected_count = 0;  // all of them; `rejected` lists the first few

  // service.resourceRole ("ACTOR", "TARGET" or ""); read only with ReadLimits::own_hosts.
  std::string resource_role;
  // Containment (docs/containment.md): for a finding of a containment family whose resource is an
  // EC2 instance, and only when ReadLimits::own_hosts asks for them, the instance's addresses
  // (plain IPs, deduplicated, at most ReadLimits::max_indicators_per_finding; the rest count in
  // indicators_dropped) with the field each came from
  // ("resource.instanceDetails.networkInterfaces[].publicIp"), and the instance id ("" if none).
  std::vector<ExtractedIndicator> own_hosts;
  std::string instance_id;
};

}  // namespace guardfeed
