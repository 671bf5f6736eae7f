#include "feeds/suppressions.h"

namespace guardfeed {

Result<Allowlist> LoadStoredAllowlist(Store& store) {
  auto records = store.ListAllowlist();
  if (!records.ok()) return records.status();
  Allowlist allowlist;
  for (const AllowlistRecord& record : *records) {
    Status added = allowlist.Add(record.entry);
    if (!added.ok()) return added.WithContext("stored allowlist entry '" + record.entry + "'");
  }
  return allowlist;
}

Result<Suppressions> Suppressions::Load(const Policy& policy, Store& store) {
  auto stored = LoadStoredAllowlist(store);
  if (!stored.ok()) return stored.status();
  return Suppressions(&policy, std::move(*stored));
}

}  // namespace guardfeed
