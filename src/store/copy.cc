// Store copy and its verification. The row serialisation hashed here is specified in
// docs/store.md, "Copying a store between engines": change both together.
#include "store/copy.h"

#include <array>
#include <bit>
#include <chrono>
#include <cstring>
#include <string_view>
#include <utility>

namespace guardfeed {
namespace {

// Export order of the tables (ExportRows' order and StoreRows' fields).
constexpr std::array<std::string_view, 7> kTableNames = {
    "sightings", "indicators", "removals", "allowlist", "audit", "feed_state", "publisher_state"};
enum TableIndex : size_t {
  kSightings,
  kIndicators,
  kRemovals,
  kAllowlist,
  kAudit,
  kFeedState,
  kPublisherState
};

// Canonical row bytes: integers as 8 bytes little-endian, reals as the 8 bytes of their IEEE 754
// bits, flags and kinds as one byte, text as its 8-byte length then its bytes. Every field is
// fixed-size or length-prefixed, so no two different rows serialise alike.
void PutU64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}
void Put(std::string& out, int64_t value) { PutU64(out, static_cast<uint64_t>(value)); }
void Put(std::string& out, double value) { PutU64(out, std::bit_cast<uint64_t>(value)); }
void Put(std::string& out, bool value) { out.push_back(value ? '\1' : '\0'); }
void Put(std::string& out, const std::string& value) {
  PutU64(out, value.size());
  out.append(value);
}
void Put(std::string& out, const Indicator& value) {
  out.push_back(static_cast<char>(value.kind));
  Put(out, value.value);
}

template <typename... Fields>
void PutRow(std::string& out, const Fields&... fields) {
  out.clear();
  (Put(out, fields), ...);
}

void Serialise(const SightingRecord& r, std::string& out) {
  PutRow(out, r.finding_id, r.indicator, r.finding_type, r.severity, r.account_id, r.region,
         r.action_type, r.direction, r.field, r.first_seen, r.last_seen, r.updated_at, r.count,
         r.withdrawn, r.expires_at);
}
void Serialise(const IndicatorRecord& r, std::string& out) {
  PutRow(out, r.indicator, r.first_seen, r.last_seen, r.expires_at, r.max_severity,
         r.finding_count);
}
void Serialise(const RemovalRecord& r, std::string& out) {
  PutRow(out, r.indicator, r.reason, r.actor, r.removed_at);
}
void Serialise(const AllowlistRecord& r, std::string& out) {
  PutRow(out, r.entry, r.comment, r.actor, r.added_at);
}
void Serialise(const AuditRecord& r, std::string& out) {
  PutRow(out, r.at, r.actor, r.action, r.target, r.detail);
}
void Serialise(const FeedState& r, std::string& out) {
  PutRow(out, r.feed, r.content_digest, r.serial, r.version, r.data_ts);
}
void Serialise(const std::pair<std::string, std::string>& r, std::string& out) {
  PutRow(out, r.first, r.second);
}

// The first table whose count or hash differs, as an error naming it; Ok when none does.
Status Compare(const std::vector<TableDigest>& source, const std::vector<TableDigest>& target) {
  for (size_t i = 0; i < source.size(); ++i) {
    const TableDigest& a = source[i];
    const TableDigest& b = target[i];
    if (a.rows != b.rows) {
      return Status::FailedPrecondition("table " + a.table + ": the source has " +
                                        std::to_string(a.rows) + " rows, the target " +
                                        std::to_string(b.rows));
    }
    if (a.sha256 != b.sha256) {
      return Status::FailedPrecondition("table " + a.table + ": contents differ (source sha256 " +
                                        a.sha256 + ", target " + b.sha256 + ")");
    }
  }
  return Status::Ok();
}

constexpr std::string_view kProbeKey = "store-copy:probe";

// Whether `from` and `to` are one store under two names (a symlink, "localhost" and 127.0.0.1):
// a value written through the target that the source then reads. Only called before `to` is
// cleared, which removes the probe; when they are one store it is blanked again.
Result<bool> SameStore(Store& from, Store& to) {
  const std::string token = "probe " + to.Describe() + " " +
                            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  GF_RETURN_IF_ERROR(to.PutPublisherState(kProbeKey, token));
  Result<std::optional<std::string>> seen = from.GetPublisherState(kProbeKey);
  if (!seen.ok()) return seen.status();
  if (!seen->has_value() || **seen != token) return false;
  GF_RETURN_IF_ERROR(to.PutPublisherState(kProbeKey, ""));
  return true;
}

// Empties the target when allowed; refuses it otherwise, and always when it is the source.
Status PrepareTarget(Store& from, Store& to, bool overwrite) {
  Result<bool> empty = to.IsEmpty();
  if (!empty.ok()) return empty.status();
  if (*empty) return Status::Ok();
  if (!overwrite) {
    return Status::FailedPrecondition("target " + to.Describe() +
                                      " is not empty (overwriting replaces its contents)");
  }
  Result<bool> same = SameStore(from, to);
  if (!same.ok()) return same.status();
  if (*same) {
    return Status::InvalidArgument("the source and the target are one store under two names; "
                                   "nothing was changed");
  }
  return to.Clear();
}

}  // namespace

int64_t CopyReport::rows() const {
  int64_t total = 0;
  for (const TableDigest& table : tables) total += table.rows;
  return total;
}

StoreDigester::StoreDigester() : tables_(kTableNames.size()) {}

void StoreDigester::Add(const StoreRows& rows) {
  auto add = [this](TableIndex index, const auto& table_rows) {
    Table& table = tables_[index];
    for (const auto& row : table_rows) {
      Serialise(row, buffer_);
      table.hash.Update(buffer_);
      ++table.rows;
    }
  };
  add(kSightings, rows.sightings);
  add(kIndicators, rows.indicators);
  add(kRemovals, rows.removals);
  add(kAllowlist, rows.allowlist);
  add(kAudit, rows.audit);
  add(kFeedState, rows.feed_states);
  add(kPublisherState, rows.publisher_states);
}

std::vector<TableDigest> StoreDigester::Digests() const {
  std::vector<TableDigest> out;
  for (size_t i = 0; i < tables_.size(); ++i) {
    out.push_back({std::string(kTableNames[i]), tables_[i].rows, tables_[i].hash.HexDigest()});
  }
  return out;
}

Result<std::vector<TableDigest>> DigestStore(Store& store, size_t chunk_rows, int64_t* counter) {
  StoreDigester digester;
  int64_t snapshot = 0;
  GF_RETURN_IF_ERROR(store.ExportRows(chunk_rows, snapshot, [&](const StoreRows& rows) {
    digester.Add(rows);
    return Status::Ok();
  }));
  if (counter != nullptr) *counter = snapshot;
  return digester.Digests();
}

Result<CopyReport> CopyStore(Store& from, Store& to, const CopyOptions& options) {
  const std::string what = "copy " + from.Describe() + " to " + to.Describe();
  if (options.chunk_rows == 0) return Status::InvalidArgument(what + ": chunk size is 0");
  // The same object would deadlock (the sink writing into the store exporting) and empty itself
  // first. Two objects on one database are the caller's to rule out: only it knows the URLs.
  if (&from == &to) return Status::InvalidArgument(what + ": source and target are the same store");
  GF_RETURN_IF_ERROR(PrepareTarget(from, to, options.overwrite).WithContext(what));
  StoreDigester source;
  CopyReport report;
  int64_t copied = 0;
  // ExportRows sets the counter before its first chunk, so every ImportRows carries it.
  Status status = from.ExportRows(options.chunk_rows, report.counter, [&](const StoreRows& rows) {
    source.Add(rows);
    GF_RETURN_IF_ERROR(to.ImportRows(rows, report.counter));
    copied += static_cast<int64_t>(rows.size());
    if (options.progress) options.progress(copied);
    return Status::Ok();
  });
  GF_RETURN_IF_ERROR(status.WithContext(what));
  report.tables = source.Digests();
  Result<std::vector<TableDigest>> target = DigestStore(to, options.chunk_rows);
  if (!target.ok()) return target.status().WithContext(what + ": verify");
  GF_RETURN_IF_ERROR(Compare(report.tables, *target).WithContext(what + ": verify"));
  return report;
}

}  // namespace guardfeed
