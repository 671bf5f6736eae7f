#include "guardduty/extract.h"

#include <set>
#include <string_view>
#include <utility>

#include "core/special_ranges.h"
#include "core/time_util.h"

namespace guardfeed::internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Walks one finding, remembering the first structural error. Lookups of absent or null fields
// yield nothing; a present field of the wrong type is an error naming its path.
class Walker {
 public:
  Walker(size_t max_indicators, Finding& finding)
      : max_indicators_(max_indicators), finding_(finding) {}

  std::optional<FieldError> Run(object root);

 private:
  std::optional<element> Field(object parent, std::string_view key);
  std::optional<object> Object(object parent, std::string_view key, std::string_view path);
  // nullopt when absent. Never iterate a default-constructed simdjson array: it has no document.
  std::optional<array> Array(object parent, std::string_view key, std::string_view path);
  std::optional<std::string_view> String(object parent, std::string_view key,
                                         std::string_view path);
  std::optional<double> Number(object parent, std::string_view key, std::string_view path);
  std::optional<bool> Bool(object parent, std::string_view key, std::string_view path);
  UnixSeconds Time(object parent, std::string_view key, std::string_view path);
  void Fail(std::string_view path, std::string message);

  void ReadHeader(object root);
  void ReadService(object service);
  void ReadAction(object action);
  void ReadRemoteIp(object parent, std::string path);
  void ReadSequence(object detection);
  void ReadSample(object additional_info);
  void AddIp(std::string_view text, std::string field);
  void AddDomain(std::string_view text, std::string field);
  void AddIndicator(Result<Indicator> parsed, std::string field);
  // True once the indicator cap is reached: counts one more dropped indicator.
  bool DropIfFull();

  // Rejected values listed per finding; the rest are only counted.
  static constexpr size_t kMaxListedRejected = 100;

  const size_t max_indicators_;
  Finding& finding_;
  std::set<std::pair<IndicatorKind, std::string>> seen_;
  std::optional<FieldError> error_;
};

std::string Join(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty()) out.push_back('.');
  out += b;
  return out;
}

const char* TypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    default: return "a number";
  }
}

void Walker::Fail(std::string_view path, std::string message) {
  if (!error_) error_ = FieldError{std::string(path), std::move(message)};
}

std::optional<element> Walker::Field(object parent, std::string_view key) {
  element value;
  if (parent[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

std::optional<object> Walker::Object(object parent, std::string_view key, std::string_view path) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_object()) {
    Fail(path, std::string("expected an object, got ") + TypeName(value->type()));
    return std::nullopt;
  }
  return object(*value);
}

std::optional<array> Walker::Array(object parent, std::string_view key, std::string_view path) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_array()) {
    Fail(path, std::string("expected an array, got ") + TypeName(value->type()));
    return std::nullopt;
  }
  return array(*value);
}

std::optional<std::string_view> Walker::String(object parent, std::string_view key,
                                               std::string_view path) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    Fail(path, std::string("expected a string, got ") + TypeName(value->type()));
    return std::nullopt;
  }
  return std::string_view(*value);
}

std::optional<double> Walker::Number(object parent, std::string_view key, std::string_view path) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  double number = 0;
  if (value->get_double().get(number) == simdjson::SUCCESS) return number;
  int64_t integer = 0;
  if (value->get_int64().get(integer) == simdjson::SUCCESS) return static_cast<double>(integer);
  Fail(path, std::string("expected a number, got ") + TypeName(value->type()));
  return std::nullopt;
}

std::optional<bool> Walker::Bool(object parent, std::string_view key, std::string_view path) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (value->is_bool()) return bool(*value);
  if (value->is_string() && std::string_view(*value) == "true") return true;
  if (value->is_string() && std::string_view(*value) == "false") return false;
  Fail(path, std::string("expected a boolean, got ") + TypeName(value->type()));
  return std::nullopt;
}

UnixSeconds Walker::Time(object parent, std::string_view key, std::string_view path) {
  auto text = String(parent, key, path);
  if (!text) return 0;
  auto parsed = ParseIso8601(*text);
  if (!parsed.ok()) {
    Fail(path, parsed.status().message());
    return 0;
  }
  return *parsed;
}

std::optional<FieldError> Walker::Run(object root) {
  ReadHeader(root);
  if (auto service = Object(root, "service", "service")) ReadService(*service);
  if (finding_.first_seen == 0) finding_.first_seen = Time(root, "createdAt", "createdAt");
  UnixSeconds updated = Time(root, "updatedAt", "updatedAt");
  if (finding_.last_seen == 0) finding_.last_seen = updated;
  if (finding_.last_seen == 0) finding_.last_seen = finding_.first_seen;
  if (finding_.first_seen == 0) finding_.first_seen = finding_.last_seen;
  finding_.updated_at = updated != 0 ? updated : finding_.last_seen;
  return error_;
}

void Walker::ReadHeader(object root) {
  auto id = String(root, "id", "id");
  auto type = String(root, "type", "type");
  auto severity = Number(root, "severity", "severity");
  if (error_) return;
  if (!id || id->empty()) return Fail("id", "missing: a finding needs an id");
  if (!type || type->empty()) return Fail("type", "missing: a finding needs a type");
  if (!severity) return Fail("severity", "missing: a finding needs a severity");
  if (!(*severity >= 0 && *severity <= 10)) {
    return Fail("severity", "out of range: expected 0.0 to 10.0, got " + std::to_string(*severity));
  }
  finding_.id = *id;
  finding_.type = *type;
  finding_.severity = *severity;
  finding_.account_id = String(root, "accountId", "accountId").value_or("");
  finding_.region = String(root, "region", "region").value_or("");
}

void Walker::ReadService(object service) {
  finding_.archived = Bool(service, "archived", "service.archived").value_or(false);
  auto count = Number(service, "count", "service.count");
  if (count && *count >= 1 && *count < 9.2e18) finding_.count = static_cast<int64_t>(*count);
  finding_.first_seen = Time(service, "eventFirstSeen", "service.eventFirstSeen");
  finding_.last_seen = Time(service, "eventLastSeen", "service.eventLastSeen");
  if (auto info = Object(service, "additionalInfo", "service.additionalInfo")) {
    ReadSample(*info);
    if (auto domain = String(*info, "domain", "service.additionalInfo.domain")) {
      AddDomain(*domain, "service.additionalInfo.domain");
    }
  }
  if (auto action = Object(service, "action", "service.action")) ReadAction(*action);
  if (auto detection = Object(service, "detection", "service.detection")) ReadSequence(*detection);
}

void Walker::ReadSample(object info) {
  if (Bool(info, "sample", "service.additionalInfo.sample").value_or(false)) {
    finding_.sample = true;
    return;
  }
  // Newer findings nest the free-form data as a JSON string in additionalInfo.value.
  auto value = String(info, "value", "service.additionalInfo.value");
  if (!value || value->size() > 65536) return;
  thread_local simdjson::dom::parser nested;
  element parsed;
  if (nested.parse(value->data(), value->size()).get(parsed) != simdjson::SUCCESS) return;
  element sample;
  if (parsed.is_object() && parsed["sample"].get(sample) == simdjson::SUCCESS) {
    finding_.sample = (sample.is_bool() && bool(sample)) ||
                      (sample.is_string() && std::string_view(sample) == "true");
  }
}

void Walker::ReadAction(object action) {
  finding_.action_type = String(action, "actionType", "service.action.actionType").value_or("");
  const std::string base = "service.action";
  if (auto net = Object(action, "networkConnectionAction", base + ".networkConnectionAction")) {
    finding_.direction = String(*net, "connectionDirection",
                                base + ".networkConnectionAction.connectionDirection")
                             .value_or("");
    ReadRemoteIp(*net, "networkConnectionAction");
  }
  if (auto api = Object(action, "awsApiCallAction", base + ".awsApiCallAction")) {
    // callerType "Domain" means an AWS service called on our behalf; its domainDetails name an
    // AWS endpoint, never an attacker, so only a remote IP counts.
    ReadRemoteIp(*api, "awsApiCallAction");
  }
  if (auto rds = Object(action, "rdsLoginAttemptAction", base + ".rdsLoginAttemptAction")) {
    ReadRemoteIp(*rds, "rdsLoginAttemptAction");
  }
  if (auto dns = Object(action, "dnsRequestAction", base + ".dnsRequestAction")) {
    if (auto domain = String(*dns, "domain", base + ".dnsRequestAction.domain")) {
      AddDomain(*domain, "dnsRequestAction.domain");
    }
  }
  if (auto probe = Object(action, "portProbeAction", base + ".portProbeAction")) {
    if (auto details =
            Array(*probe, "portProbeDetails", base + ".portProbeAction.portProbeDetails")) {
      for (element detail : *details) {
        if (DropIfFull()) continue;
        if (detail.is_object()) ReadRemoteIp(object(detail), "portProbeAction.portProbeDetails[]");
      }
    }
  }
  if (auto k8s = Object(action, "kubernetesApiCallAction", base + ".kubernetesApiCallAction")) {
    ReadRemoteIp(*k8s, "kubernetesApiCallAction");
    if (auto sources = Array(*k8s, "sourceIPs", base + ".kubernetesApiCallAction.sourceIPs")) {
      for (element source : *sources) {
        // sourceIPs often hold private proxy or load balancer addresses: only public ones count.
        if (!source.is_string() || DropIfFull()) continue;
        auto address = ParseIpAddress(std::string_view(source));
        if (address.ok() && FindSpecialRange(*address) != nullptr) continue;
        AddIp(std::string_view(source), "kubernetesApiCallAction.sourceIPs[]");
      }
    }
  }
}

void Walker::ReadRemoteIp(object parent, std::string path) {
  auto details = Object(parent, "remoteIpDetails", "service.action." + path + ".remoteIpDetails");
  if (!details) return;
  std::string field = path + ".remoteIpDetails";
  if (auto v4 = String(*details, "ipAddressV4", "service.action." + field + ".ipAddressV4")) {
    AddIp(*v4, field + ".ipAddressV4");
  }
  if (auto v6 = String(*details, "ipAddressV6", "service.action." + field + ".ipAddressV6")) {
    AddIp(*v6, field + ".ipAddressV6");
  }
}

void Walker::ReadSequence(object detection) {
  auto sequence = Object(detection, "sequence", "service.detection.sequence");
  if (!sequence) return;
  auto endpoints = Array(*sequence, "endpoints", "service.detection.sequence.endpoints");
  if (!endpoints) return;
  for (element endpoint : *endpoints) {
    if (!endpoint.is_object() || DropIfFull()) continue;
    std::string_view path = "service.detection.sequence.endpoints[]";
    if (auto ip = String(object(endpoint), "ip", Join(path, "ip"))) {
      AddIp(*ip, "detection.sequence.endpoints[].ip");
    }
    if (auto domain = String(object(endpoint), "domain", Join(path, "domain"))) {
      AddDomain(*domain, "detection.sequence.endpoints[].domain");
    }
  }
}

bool Walker::DropIfFull() {
  if (finding_.indicators.size() < max_indicators_) return false;
  ++finding_.indicators_dropped;
  return true;
}

void Walker::AddIp(std::string_view text, std::string field) {
  if (text.empty() || DropIfFull()) return;
  AddIndicator(NormalizeIp(text), std::move(field));
}

void Walker::AddDomain(std::string_view text, std::string field) {
  if (text.empty() || DropIfFull()) return;
  AddIndicator(NormalizeDomain(text), std::move(field));
}

void Walker::AddIndicator(Result<Indicator> parsed, std::string field) {
  if (!parsed.ok()) {
    ++finding_.rejected_count;
    if (finding_.rejected.size() < kMaxListedRejected) {
      finding_.rejected.push_back({std::move(field), parsed.status().message()});
    }
    return;
  }
  if (!seen_.emplace(parsed->kind, parsed->value).second) return;
  finding_.indicators.push_back({std::move(*parsed), std::move(field)});
}

}  // namespace

std::optional<FieldError> ExtractFinding(object root, size_t max_indicators, Finding& finding) {
  return Walker(max_indicators, finding).Run(root);
}

}  // namespace guardfeed::internal
