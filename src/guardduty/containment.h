// Containment families: the GuardDuty finding types in which the resource, one of our own EC2
// instances, is the attacker (compromised), not the victim. A finding of one of these types
// names the instance in resource.instanceDetails; its addresses become containment entries when
// a containment feed is configured (docs/containment.md, which repeats this table).
//
// resourceRole is not a reliable "compromised" flag on its own: GuardDuty sets "TARGET" on
// Trojan, Spambot and Tor relay findings whose instance is plainly the one misbehaving (the public
// sample findings in tests/corpus/guardduty/ do). It decides only for the brute-force types,
// where the same type covers both directions: "ACTOR" (our instance attacks) is contained,
// "TARGET" (our instance is attacked) is not.
//
// guardduty/ depends only on core/. Thread safety: constant data and pure functions.
#pragma once

#include <span>
#include <string_view>

namespace guardfeed {

struct ContainmentFamily {
  // An exact finding type, or a prefix ending in '*' ("Backdoor:EC2/*").
  std::string_view type;
  // Only findings whose service.resourceRole is "ACTOR" count. False: any role (or none).
  bool actor_only = false;
  // What the type says our instance did (docs and explain).
  std::string_view meaning;
};

// The table, in the order docs/containment.md lists it.
std::span<const ContainmentFamily> ContainmentFamilies();

// The family a finding of `type` with `resource_role` (service.resourceRole, "" when absent)
// belongs to, or null when such a finding does not make our instance a containment candidate.
const ContainmentFamily* FindContainmentFamily(std::string_view type,
                                               std::string_view resource_role);

}  // namespace guardfeed
