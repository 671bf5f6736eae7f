// Suppressions: everything that keeps an indicator out of every feed whatever its findings say:
// the configured allowlist ([policy] allowlist), the run-time allowlist kept in the store
// (`guardfeed allow`, POST /v1/allowlist) and the never-block special ranges, less the range
// classes policy allows. The feed builder and Explain both load it here, so what `indicators
// show` says and what the feeds carry cannot disagree.
//
// Thread safety: immutable after Load; share freely.
#pragma once

#include <optional>
#include <string>

#include "policy/policy.h"
#include "store/store.h"

namespace guardfeed {

// The store's allowlist as an Allowlist. Fails when the store fails, or when a stored entry no
// longer parses: such an entry must not silently let its addresses into a block list, and
// explain must fail the same way the render does.
Result<Allowlist> LoadStoredAllowlist(Store& store);

class Suppressions {
 public:
  // Reads the stored allowlist (LoadStoredAllowlist). `policy` must outlive the result.
  static Result<Suppressions> Load(const Policy& policy, Store& store);

  // Why `indicator` is never blocked ("allowlist 10.0.0.0/8" for a configured or stored entry,
  // "private range 10.0.0.0/8"), or nullopt when a finding may list it.
  std::optional<std::string> Why(const Indicator& indicator) const {
    return policy_->Suppression(indicator, &stored_);
  }
  const Allowlist& stored() const { return stored_; }

 private:
  Suppressions(const Policy* policy, Allowlist stored)
      : policy_(policy), stored_(std::move(stored)) {}

  const Policy* policy_;
  Allowlist stored_;
};

}  // namespace guardfeed
