// The sighting the store tests build on: an IPv4 address in a port-probe finding, seen one hour
// before `updated_at`, expiring 30 days after it.
#pragma once

#include <string>

#include "store/store.h"

namespace guardfeed::testing {

inline constexpr UnixSeconds kT0 = 1'700'000'000;
inline constexpr int64_t kDay = 86'400;

inline SightingRecord Sighting(const std::string& finding, const std::string& ip,
                               UnixSeconds updated_at = kT0, double severity = 5.0) {
  SightingRecord s;
  s.finding_id = finding;
  s.indicator = Indicator{IndicatorKind::kIpv4, ip};
  s.finding_type = "Recon:EC2/PortProbeUnprotectedPort";
  s.severity = severity;
  s.account_id = "123456789012";
  s.region = "us-east-1";
  s.action_type = "PORT_PROBE";
  s.direction = "INBOUND";
  s.field = "service.action.portProbeAction.portProbeDetails[0].remoteIpDetails";
  s.first_seen = updated_at - 3600;
  s.last_seen = updated_at;
  s.updated_at = updated_at;
  s.expires_at = updated_at + 30 * kDay;
  return s;
}

}  // namespace guardfeed::testing
