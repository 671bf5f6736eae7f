#include "guardduty/extract.h"

#include <string_view>
#include <utility>

#include "core/special_ranges.h"
#include "core/time_util.h"
#include "guardduty/containment.h"

namespace guardfeed::internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

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

}  // namespace

std::string JsonPath::ToString() const {
  std::string out = parent != nullptr ? parent->ToString() : std::string();
  if (!out.empty() && !key.starts_with('[')) out.push_back('.');
  out += key;
  return out;
}

void Walker::Fail(const JsonPath* at, std::string_view key, std::string message) {
  if (!error_) error_ = FieldError{JsonPath{at, key}.ToString(), std::move(message)};
}

std::optional<element> Walker::Field(object parent, std::string_view key) {
  element value;
  if (key.empty()) return std::nullopt;  // a member this shape does not have
  if (parent[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

std::optional<object> Walker::Object(object parent, std::string_view key, const JsonPath* at) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_object()) {
    Fail(at, key, std::string("expected an object, got ") + TypeName(value->type()));
    return std::nullopt;
  }
  return object(*value);
}

std::optional<array> Walker::Array(object parent, std::string_view key, const JsonPath* at) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_array()) {
    Fail(at, key, std::string("expected an array, got ") + TypeName(value->type()));
    return std::nullopt;
  }
  return array(*value);
}

std::optional<std::string_view> Walker::String(object parent, std::string_view key,
                                               const JsonPath* at) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    Fail(at, key, std::string("expected a string, got ") + TypeName(value->type()));
    return std::nullopt;
  }
  return std::string_view(*value);
}

std::optional<double> Walker::Number(object parent, std::string_view key, const JsonPath* at) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  double number = 0;
  if (value->get_double().get(number) == simdjson::SUCCESS) return number;
  int64_t integer = 0;
  if (value->get_int64().get(integer) == simdjson::SUCCESS) return static_cast<double>(integer);
  Fail(at, key, std::string("expected a number, got ") + TypeName(value->type()));
  return std::nullopt;
}

std::optional<bool> Walker::Bool(object parent, std::string_view key, const JsonPath* at) {
  auto value = Field(parent, key);
  if (!value) return std::nullopt;
  if (value->is_bool()) return bool(*value);
  if (value->is_string() && std::string_view(*value) == "true") return true;
  if (value->is_string() && std::string_view(*value) == "false") return false;
  Fail(at, key, std::string("expected a boolean, got ") + TypeName(value->type()));
  return std::nullopt;
}

UnixSeconds Walker::Time(object parent, std::string_view key, const JsonPath* at) {
  auto text = String(parent, key, at);
  if (!text) return 0;
  auto parsed = ParseIso8601(*text);
  if (!parsed.ok()) {
    Fail(at, key, parsed.status().message());
    return 0;
  }
  return *parsed;
}

std::optional<FieldError> Walker::Run(object root, const MissingIdentity* missing) {
  if (!ReadHeader(root, missing)) return error_;
  if (auto service = Object(root, n_.service, nullptr)) ReadService(*service);
  if (missing != nullptr && missing->derive_type && finding_.type.empty()) {
    // The hand-made test events name no type; say what kind of activity they describe.
    std::string_view action = !finding_.action_type.empty() ? std::string_view(finding_.action_type)
                              : !first_action_.empty()      ? std::string_view(first_action_)
                                                            : std::string_view("UNKNOWN");
    finding_.type = "Unknown:Unknown/" + std::string(action);
  }
  if (finding_.first_seen == 0) finding_.first_seen = Time(root, n_.created_at, nullptr);
  UnixSeconds updated = Time(root, n_.updated_at, nullptr);
  if (finding_.last_seen == 0) finding_.last_seen = updated;
  if (finding_.last_seen == 0) finding_.last_seen = finding_.first_seen;
  if (finding_.first_seen == 0) finding_.first_seen = finding_.last_seen;
  finding_.updated_at = updated != 0 ? updated : finding_.last_seen;
  if (own_hosts_ && !error_) {
    // Our hosts are an addition: a malformed resource must not cost the finding its attacker
    // indicators, so its errors become rejected values instead of rejecting the finding.
    ReadOwnHosts(root);
    if (error_) {
      ++finding_.rejected_count;
      if (finding_.rejected.size() < kMaxListedRejected) {
        finding_.rejected.push_back({error_->field, error_->message});
      }
      error_.reset();
    }
  }
  return error_;
}

bool Walker::ReadHeader(object root, const MissingIdentity* missing) {
  auto id = String(root, n_.id, nullptr);
  auto type = String(root, n_.type, nullptr);
  auto severity = Number(root, n_.severity, nullptr);
  if (error_) return false;
  if ((!id || id->empty()) && missing != nullptr && !missing->id.empty()) {
    finding_.id = missing->id;
    finding_.derived_identity = true;
  } else if (!id || id->empty()) {
    Fail(nullptr, n_.id, "missing: a finding needs an id");
    return false;
  } else {
    finding_.id = *id;
  }
  if ((!type || type->empty()) && missing != nullptr && missing->derive_type) {
    finding_.derived_identity = true;  // the type is filled in once the action is known
  } else if (!type || type->empty()) {
    Fail(nullptr, n_.type, "missing: a finding needs a type");
    return false;
  } else {
    finding_.type = *type;
  }
  if (!severity) {
    Fail(nullptr, n_.severity, "missing: a finding needs a severity");
    return false;
  }
  if (!(*severity >= 0 && *severity <= 10)) {
    Fail(nullptr, n_.severity,
         "out of range: expected 0.0 to 10.0, got " + std::to_string(*severity));
    return false;
  }
  finding_.severity = *severity;
  finding_.account_id = String(root, n_.account_id, nullptr).value_or("");
  finding_.region = String(root, n_.region, nullptr).value_or("");
  return true;
}

void Walker::ReadService(object service) {
  const JsonPath at{nullptr, n_.service};
  finding_.archived = Bool(service, n_.archived, &at).value_or(false);
  auto count = Number(service, n_.count, &at);
  if (count && *count >= 1 && *count < 9.2e18) finding_.count = static_cast<int64_t>(*count);
  finding_.first_seen = Time(service, n_.event_first_seen, &at);
  finding_.last_seen = Time(service, n_.event_last_seen, &at);
  if (auto info = Object(service, n_.additional_info, &at)) {
    const JsonPath info_at{&at, n_.additional_info};
    ReadSample(*info, info_at);
    if (auto domain = String(*info, n_.domain, &info_at)) {
      AddDomain(*domain, "service.additionalInfo.domain");
    }
  }
  if (auto action = Object(service, n_.action, &at)) ReadAction(*action, {&at, n_.action});
  if (auto detection = Object(service, n_.detection, &at)) {
    ReadSequence(*detection, {&at, n_.detection});
  }
}

void Walker::ReadSample(object info, const JsonPath& at) {
  if (Bool(info, n_.sample, &at).value_or(false)) {
    finding_.sample = true;
    return;
  }
  // Newer findings, and every finding in the SDK shape, nest the free-form data as a JSON string
  // in additionalInfo.value.
  auto value = String(info, n_.value, &at);
  if (value) ReadSampleValue(*value);
}

void Walker::ReadSampleValue(std::string_view value) {
  if (value.size() > 65536) return;
  thread_local simdjson::dom::parser nested;
  element parsed;
  if (nested.parse(value.data(), value.size()).get(parsed) != simdjson::SUCCESS) return;
  element sample;
  if (parsed.is_object() && parsed["sample"].get(sample) == simdjson::SUCCESS) {
    finding_.sample = (sample.is_bool() && bool(sample)) ||
                      (sample.is_string() && std::string_view(sample) == "true");
  }
}

void Walker::ReadAction(object action, const JsonPath& at) {
  finding_.action_type = String(action, n_.action_type, &at).value_or("");
  auto seen = [this](const char* action_type) {
    if (first_action_.empty()) first_action_ = action_type;
  };
  if (auto net = Object(action, n_.network_connection_action, &at)) {
    seen("NETWORK_CONNECTION");
    const JsonPath net_at{&at, n_.network_connection_action};
    finding_.direction = String(*net, n_.connection_direction, &net_at).value_or("");
    ReadRemoteIp(*net, net_at, "networkConnectionAction");
  }
  if (auto api = Object(action, n_.aws_api_call_action, &at)) {
    seen("AWS_API_CALL");
    // callerType "Domain" means an AWS service called on our behalf; its domainDetails name an
    // AWS endpoint, never an attacker, so only a remote IP counts.
    ReadRemoteIp(*api, {&at, n_.aws_api_call_action}, "awsApiCallAction");
  }
  if (auto rds = Object(action, n_.rds_login_attempt_action, &at)) {
    seen("RDS_LOGIN_ATTEMPT");
    ReadRemoteIp(*rds, {&at, n_.rds_login_attempt_action}, "rdsLoginAttemptAction");
  }
  if (auto dns = Object(action, n_.dns_request_action, &at)) {
    seen("DNS_REQUEST");
    const JsonPath dns_at{&at, n_.dns_request_action};
    if (auto domain = String(*dns, n_.dns_domain, &dns_at)) {
      AddDomain(*domain, "dnsRequestAction.domain");
    }
  }
  if (auto probe = Object(action, n_.port_probe_action, &at)) {
    seen("PORT_PROBE");
    const JsonPath probe_at{&at, n_.port_probe_action};
    if (auto details = Array(*probe, n_.port_probe_details, &probe_at)) {
      const JsonPath details_at{&probe_at, n_.port_probe_details};
      const JsonPath item_at{&details_at, "[]"};
      for (element detail : *details) {
        if (DropIfFull()) continue;
        if (detail.is_object()) {
          ReadRemoteIp(object(detail), item_at, "portProbeAction.portProbeDetails[]");
        }
      }
    }
  }
  if (auto k8s = Object(action, n_.kubernetes_api_call_action, &at)) {
    seen("KUBERNETES_API_CALL");
    const JsonPath k8s_at{&at, n_.kubernetes_api_call_action};
    ReadRemoteIp(*k8s, k8s_at, "kubernetesApiCallAction");
    if (auto sources = Array(*k8s, n_.source_ips, &k8s_at)) {
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

// `at` is the parent's path in this shape (for errors); `field` its canonical name.
void Walker::ReadRemoteIp(object parent, const JsonPath& at, std::string_view field) {
  auto details = Object(parent, n_.remote_ip_details, &at);
  if (!details) return;
  const JsonPath details_at{&at, n_.remote_ip_details};
  if (auto v4 = String(*details, n_.ip_address_v4, &details_at)) {
    AddIp(*v4, std::string(field) + ".remoteIpDetails.ipAddressV4");
  }
  if (auto v6 = String(*details, n_.ip_address_v6, &details_at)) {
    AddIp(*v6, std::string(field) + ".remoteIpDetails.ipAddressV6");
  }
}

void Walker::ReadSequence(object detection, const JsonPath& at) {
  auto sequence = Object(detection, n_.sequence, &at);
  if (!sequence) return;
  const JsonPath sequence_at{&at, n_.sequence};
  auto endpoints = Array(*sequence, n_.endpoints, &sequence_at);
  if (!endpoints) return;
  const JsonPath endpoints_at{&sequence_at, n_.endpoints};
  const JsonPath item_at{&endpoints_at, "[]"};
  for (element endpoint : *endpoints) {
    if (!endpoint.is_object() || DropIfFull()) continue;
    if (auto ip = String(object(endpoint), n_.endpoint_ip, &item_at)) {
      AddIp(*ip, "detection.sequence.endpoints[].ip");
    }
    if (auto domain = String(object(endpoint), n_.endpoint_domain, &item_at)) {
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

// Our instance's addresses, for containment only: every interface's private addresses (the
// primary and the secondary ones), public IP and IPv6 addresses. Field names are the wire
// format's, like the indicators'.
void Walker::ReadOwnHosts(object root) {
  if (auto service = Object(root, n_.service, nullptr)) {
    const JsonPath at{nullptr, n_.service};
    finding_.resource_role = String(*service, n_.resource_role, &at).value_or("");
  }
  // A derived type ("Unknown:Unknown/...") never names a containment family.
  if (error_ || !FindContainmentFamily(finding_.type, finding_.resource_role)) return;
  auto resource = Object(root, n_.resource, nullptr);
  if (!resource) return;
  const JsonPath resource_at{nullptr, n_.resource};
  auto instance = Object(*resource, n_.instance_details, &resource_at);
  if (!instance) return;
  const JsonPath instance_at{&resource_at, n_.instance_details};
  finding_.instance_id = String(*instance, n_.instance_id, &instance_at).value_or("");
  auto interfaces = Array(*instance, n_.network_interfaces, &instance_at);
  if (!interfaces) return;
  const JsonPath interfaces_at{&instance_at, n_.network_interfaces};
  const JsonPath item_at{&interfaces_at, "[]"};
  for (element interface : *interfaces) {
    if (interface.is_object()) ReadInterface(object(interface), item_at);
  }
}

void Walker::ReadInterface(object interface, const JsonPath& at) {
  if (auto address = String(interface, n_.private_ip_address, &at)) {
    AddOwnHost(*address, "privateIpAddress");
  }
  if (auto secondary = Array(interface, n_.private_ip_addresses, &at)) {
    const JsonPath list_at{&at, n_.private_ip_addresses};
    const JsonPath entry_at{&list_at, "[]"};
    for (element entry : *secondary) {
      if (!entry.is_object()) continue;
      if (auto address = String(object(entry), n_.private_ip_address, &entry_at)) {
        AddOwnHost(*address, "privateIpAddresses[].privateIpAddress");
      }
    }
  }
  if (auto address = String(interface, n_.public_ip, &at)) AddOwnHost(*address, "publicIp");
  if (auto v6 = Array(interface, n_.ipv6_addresses, &at)) {
    for (element address : *v6) {
      if (address.is_string()) AddOwnHost(std::string_view(address), "ipv6Addresses[]");
    }
  }
}

void Walker::AddOwnHost(std::string_view text, std::string_view field) {
  static constexpr std::string_view kPrefix = "resource.instanceDetails.networkInterfaces[].";
  if (text.empty()) return;
  auto parsed = NormalizeIp(text);
  if (!parsed.ok()) {
    ++finding_.rejected_count;
    if (finding_.rejected.size() < kMaxListedRejected) {
      finding_.rejected.push_back(
          {std::string(kPrefix) + std::string(field), parsed.status().message()});
    }
    return;
  }
  if (!own_seen_.insert(parsed->value).second) return;
  if (finding_.own_hosts.size() >= max_indicators_) {
    ++finding_.indicators_dropped;
    return;
  }
  finding_.own_hosts.push_back({std::move(*parsed), std::string(kPrefix) + std::string(field)});
}

std::optional<FieldError> ExtractFinding(object root, const FindingNames& names,
                                         size_t max_indicators, Finding& finding,
                                         const MissingIdentity* missing, bool own_hosts) {
  return Walker(names, max_indicators, finding, own_hosts).Run(root, missing);
}

}  // namespace guardfeed::internal
