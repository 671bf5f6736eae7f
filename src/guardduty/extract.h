// Internal to guardduty/: turns one parsed GuardDuty finding object into a Finding. Where each
// indicator lives is documented in docs/guardduty.md.
#pragma once

#include <optional>
#include <set>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "guardduty/finding.h"
#include "guardduty/member_names.h"

namespace guardfeed::internal {

struct FieldError {
  std::string field;  // JSON path relative to the finding, e.g. "service.count"
  std::string message;
};

// What to do when a finding has no id or type. Only the seeds' hand-made test events (an
// `id` and a `detail`, nothing else) are read this way: for every other shape a finding
// without id or type is an error.
struct MissingIdentity {
  std::string id;            // used when the finding has no id, e.g. a hash of the document
  bool derive_type = false;  // "Unknown:Unknown/<ACTION_TYPE>" when the finding has no type
};

// Fills `finding` from `object`, a finding spelled with `names` (kWireNames or kSdkNames).
// Returns an error when a required field (id, type, severity) is missing or any known field has
// the wrong type; indicator values that fail to parse are not errors, they are listed in
// finding.rejected. At most `max_indicators` indicators are kept (de-duplicated in O(n log n));
// the rest are only counted, without being parsed, so a finding with a million addresses costs
// little more than its JSON parse. Indicator fields are named in the wire format's camelCase
// whatever the shape, so a finding explains the same way however it arrived; error paths use
// the shape's own names. With `own_hosts`, a finding of a containment family
// (guardduty/containment.h) also gets its instance's addresses in Finding::own_hosts.
std::optional<FieldError> ExtractFinding(simdjson::dom::object object, const FindingNames& names,
                                         size_t max_indicators, Finding& finding,
                                         const MissingIdentity* missing = nullptr,
                                         bool own_hosts = false);

// A JSON path spelled out only when an error needs it: each level points at its parent, so the
// fields read on the happy path cost no allocation. A key starting with '[' is an array level.
// Borrows its parent and key: they must outlive it (in practice: the caller's stack frame).
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;
  std::string ToString() const;  // "service.action.portProbeAction.portProbeDetails[]"
};

// Walks one finding, remembering the first structural error. Lookups of absent or null fields
// yield nothing; a present field of the wrong type is an error naming its path. Shared by the
// GuardDuty shapes (extract.cc) and Security Hub's ASFF (asff.cc); not thread-safe.
class Walker {
 public:
  // `names` and `finding` must outlive the Walker. `own_hosts`: read Finding::own_hosts too.
  Walker(const FindingNames& names, size_t max_indicators, Finding& finding, bool own_hosts = false)
      : n_(names), max_indicators_(max_indicators), own_hosts_(own_hosts), finding_(finding) {}

  std::optional<FieldError> Run(simdjson::dom::object root, const MissingIdentity* missing);

  // Each reads `key` of `parent`, an object found at path `at` (nullptr: the finding itself).
  std::optional<simdjson::dom::object> Object(simdjson::dom::object parent, std::string_view key,
                                              const JsonPath* at);
  // nullopt when absent. Never iterate a default-constructed simdjson array: it has no document.
  std::optional<simdjson::dom::array> Array(simdjson::dom::object parent, std::string_view key,
                                            const JsonPath* at);
  std::optional<std::string_view> String(simdjson::dom::object parent, std::string_view key,
                                         const JsonPath* at);
  std::optional<double> Number(simdjson::dom::object parent, std::string_view key,
                               const JsonPath* at);
  UnixSeconds Time(simdjson::dom::object parent, std::string_view key, const JsonPath* at);
  // Records the first error, at `key` below `at`.
  void Fail(const JsonPath* at, std::string_view key, std::string message);
  bool failed() const { return error_.has_value(); }
  const std::optional<FieldError>& error() const { return error_; }

  // Reads service.action (or ASFF's Action), found at `at`, spelled with the Walker's names.
  void ReadAction(simdjson::dom::object action, const JsonPath& at);
  // Reads service.detection (or ASFF's Detection), found at `at`, for attack-sequence endpoints.
  void ReadSequence(simdjson::dom::object detection, const JsonPath& at);
  // Reads the JSON text of additionalInfo.value for the sample flag.
  void ReadSampleValue(std::string_view value);
  void AddIp(std::string_view text, std::string field);
  void AddDomain(std::string_view text, std::string field);

 private:
  std::optional<simdjson::dom::element> Field(simdjson::dom::object parent, std::string_view key);
  std::optional<bool> Bool(simdjson::dom::object parent, std::string_view key, const JsonPath* at);
  bool ReadHeader(simdjson::dom::object root, const MissingIdentity* missing);
  void ReadService(simdjson::dom::object service);
  void ReadRemoteIp(simdjson::dom::object parent, const JsonPath& at, std::string_view field);
  void ReadSample(simdjson::dom::object additional_info, const JsonPath& at);
  void AddIndicator(Result<Indicator> parsed, std::string field);
  // Reads resource.instanceDetails for Finding::own_hosts (containment families only).
  void ReadOwnHosts(simdjson::dom::object root);
  void ReadInterface(simdjson::dom::object interface, const JsonPath& at);
  void AddOwnHost(std::string_view text, std::string_view field);
  // True once the indicator cap is reached: counts one more dropped indicator.
  bool DropIfFull();

  // Rejected values listed per finding; the rest are only counted.
  static constexpr size_t kMaxListedRejected = 100;

  const FindingNames& n_;
  const size_t max_indicators_;
  const bool own_hosts_;
  Finding& finding_;
  std::string first_action_;  // ACTION_TYPE of the first action object seen, for derived types
  std::set<std::pair<IndicatorKind, std::string>> seen_;
  std::set<std::string> own_seen_;  // own_hosts values, kept apart from `seen_`
  std::optional<FieldError> error_;
};

}  // namespace guardfeed::internal
