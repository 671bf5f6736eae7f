#include "guardduty/asff.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace guardfeed::internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// GuardDuty flattens its finding's service object into ProductFields under this prefix
// ("aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4").
constexpr std::string_view kServicePrefix = "aws/guardduty/service/";

std::optional<std::string_view> StringMember(object parent, std::string_view key) {
  std::string_view value;
  if (parent[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// ProductFields values are all strings; absent or not a string reads as nothing.
std::optional<std::string_view> ProductField(const std::optional<object>& fields,
                                             std::string_view service_path) {
  if (!fields) return std::nullopt;
  std::string key(kServicePrefix);
  key += service_path;
  return StringMember(*fields, key);
}

// Addresses ASFF's Action object cannot hold (RDS logins and Kubernetes API calls have no ASFF
// action) or that only ProductFields carry: ProductFields key below kServicePrefix, field name.
struct FlatIndicator {
  std::string_view key;
  std::string_view field;
  bool domain;
};
constexpr FlatIndicator kFlatIndicators[] = {
    {"action/networkConnectionAction/remoteIpDetails/ipAddressV4",
     "networkConnectionAction.remoteIpDetails.ipAddressV4", false},
    {"action/networkConnectionAction/remoteIpDetails/ipAddressV6",
     "networkConnectionAction.remoteIpDetails.ipAddressV6", false},
    {"action/awsApiCallAction/remoteIpDetails/ipAddressV4",
     "awsApiCallAction.remoteIpDetails.ipAddressV4", false},
    {"action/awsApiCallAction/remoteIpDetails/ipAddressV6",
     "awsApiCallAction.remoteIpDetails.ipAddressV6", false},
    {"action/rdsLoginAttemptAction/remoteIpDetails/ipAddressV4",
     "rdsLoginAttemptAction.remoteIpDetails.ipAddressV4", false},
    {"action/rdsLoginAttemptAction/remoteIpDetails/ipAddressV6",
     "rdsLoginAttemptAction.remoteIpDetails.ipAddressV6", false},
    {"action/dnsRequestAction/domain", "dnsRequestAction.domain", true},
    {"action/kubernetesApiCallAction/remoteIpDetails/ipAddressV4",
     "kubernetesApiCallAction.remoteIpDetails.ipAddressV4", false},
    {"action/kubernetesApiCallAction/remoteIpDetails/ipAddressV6",
     "kubernetesApiCallAction.remoteIpDetails.ipAddressV6", false},
};

// The GuardDuty type inside one ASFF type: Security Hub writes "Namespace/Category/Classifier"
// with the GuardDuty type as the classifier and its '/' written as '-'
// ("TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"); a few keep the '/'
// ("TTPs/PenTest:S3/KaliLinux"). "" when the entry holds no GuardDuty type.
std::string GuardDutyType(std::string_view asff_type) {
  size_t colon = asff_type.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  size_t start = asff_type.rfind('/', colon);
  std::string type(asff_type.substr(start == std::string_view::npos ? 0 : start + 1));
  colon = type.find(':');
  if (type.find('/', colon) == std::string::npos) {
    size_t dash = type.find('-', colon);
    if (dash != std::string::npos) type[dash] = '/';
  }
  return type;
}

// The finding id is the last part of the finding ARN in Id (".../finding/<id>").
std::string_view FindingId(std::string_view asff_id) {
  constexpr std::string_view kMarker = "/finding/";
  size_t at = asff_id.rfind(kMarker);
  if (at == std::string_view::npos || at + kMarker.size() == asff_id.size()) return asff_id;
  return asff_id.substr(at + kMarker.size());
}

// arn:PARTITION:guardduty:REGION:ACCOUNT:...: the region, or "".
std::string_view RegionOfArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return "";
  size_t service = arn.find(':', 4);
  size_t region = service == std::string_view::npos ? service : arn.find(':', service + 1);
  size_t end = region == std::string_view::npos ? region : arn.find(':', region + 1);
  if (end == std::string_view::npos) return "";
  return arn.substr(region + 1, end - region - 1);
}

std::optional<double> ParseSeverity(std::string_view text) {
  std::string copy(text);  // strtod needs a terminated string
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

class AsffReader {
 public:
  AsffReader(size_t max_indicators, Finding& finding)
      : w_(kSdkNames, max_indicators, finding), finding_(finding) {}

  std::optional<FieldError> Run(object root) {
    fields_ = w_.Object(root, "ProductFields", nullptr);
    if (!ReadIdentity(root) || !ReadSeverity(root)) return w_.error();
    ReadState(root);
    ReadIndicators(root);
    ReadTimes(root);
    return w_.error();
  }

 private:
  bool ReadIdentity(object root) {
    auto id = w_.String(root, "Id", nullptr);
    if (w_.failed()) return false;
    if (!id || id->empty()) {
      w_.Fail(nullptr, "Id", "missing: a finding needs an id");
      return false;
    }
    finding_.id = FindingId(*id);
    // The provider's types first: customers may rewrite the top-level Types in Security Hub.
    const JsonPath provider_at{nullptr, "FindingProviderFields"};
    if (auto provider = w_.Object(root, "FindingProviderFields", nullptr)) {
      ReadType(*provider, &provider_at);
    }
    if (finding_.type.empty()) ReadType(root, nullptr);
    if (w_.failed()) return false;
    if (finding_.type.empty()) {
      w_.Fail(nullptr, "Types",
              "missing: no GuardDuty finding type (expected e.g. "
              "\"TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce\")");
      return false;
    }
    finding_.account_id = w_.String(root, "AwsAccountId", nullptr).value_or("");
    finding_.region = w_.String(root, "Region", nullptr).value_or(RegionOfArn(*id));
    return !w_.failed();
  }

  // The first GuardDuty type in `parent`'s Types.
  void ReadType(object parent, const JsonPath* at) {
    auto types = w_.Array(parent, "Types", at);
    if (!types) return;
    for (element type : *types) {
      if (type.is_string()) finding_.type = GuardDutyType(std::string_view(type));
      if (!finding_.type.empty()) return;
    }
  }

  // GuardDuty's own severity is Severity.Original (as text) in current findings and
  // Severity.Product in older ones; Normalized (0-100) is only a fallback.
  bool ReadSeverity(object root) {
    std::optional<double> severity;
    const JsonPath provider_at{nullptr, "FindingProviderFields"};
    const JsonPath provider_severity_at{&provider_at, "Severity"};
    const JsonPath severity_at{nullptr, "Severity"};
    if (auto provider = w_.Object(root, "FindingProviderFields", nullptr)) {
      if (auto provided = w_.Object(*provider, "Severity", &provider_at)) {
        auto original = w_.String(*provided, "Original", &provider_severity_at);
        if (original) severity = ParseSeverity(*original);
      }
    }
    auto top = w_.Object(root, "Severity", nullptr);
    if (!severity && top) {
      auto original = w_.String(*top, "Original", &severity_at);
      if (original) severity = ParseSeverity(*original);
      if (!severity) severity = w_.Number(*top, "Product", &severity_at);
      if (!severity) {
        auto normalized = w_.Number(*top, "Normalized", &severity_at);
        if (normalized) severity = *normalized / 10;
      }
    }
    if (w_.failed()) return false;
    if (!severity) {
      w_.Fail(nullptr, "Severity",
              "missing: a finding needs a severity (Original, Product or Normalized)");
      return false;
    }
    if (!(*severity >= 0 && *severity <= 10)) {
      w_.Fail(nullptr, "Severity",
              "out of range: expected 0.0 to 10.0, got " + std::to_string(*severity));
      return false;
    }
    finding_.severity = *severity;
    return true;
  }

  void ReadState(object root) {
    if (auto count = ProductField(fields_, "count")) {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(count->data(), count->data() + count->size(), value);
      if (ec == std::errc() && end == count->data() + count->size() && value >= 1) {
        finding_.count = value;
      }
    }
    // Security Hub archives a finding (RecordState) when GuardDuty archives or stops updating
    // it; a finding suppressed in Security Hub's workflow was judged not worth acting on.
    finding_.archived = ProductField(fields_, "archived") == "true" ||
                        StringMember(root, "RecordState") == "ARCHIVED";
    element workflow;
    if (root["Workflow"].get(workflow) == simdjson::SUCCESS && workflow.is_object() &&
        StringMember(object(workflow), "Status") == "SUPPRESSED") {
      finding_.archived = true;
    }
    bool sample = false;
    finding_.sample = (root["Sample"].get(sample) == simdjson::SUCCESS && sample) ||
                      ProductField(fields_, "additionalInfo/sample") == "true";
    if (auto value = ProductField(fields_, "additionalInfo/value"); value && !finding_.sample) {
      w_.ReadSampleValue(*value);
    }
  }

  // Same order as a GuardDuty finding: additionalInfo.domain, the action, attack-sequence
  // endpoints, then what only ProductFields and Network carry. The first field an indicator is
  // found in names it.
  void ReadIndicators(object root) {
    if (auto domain = ProductField(fields_, "additionalInfo/domain")) {
      w_.AddDomain(*domain, "service.additionalInfo.domain");
    }
    if (auto action = w_.Object(root, "Action", nullptr))
      w_.ReadAction(*action, {nullptr, "Action"});
    if (auto detection = w_.Object(root, "Detection", nullptr)) {
      w_.ReadSequence(*detection, {nullptr, "Detection"});
    }
    if (finding_.action_type.empty()) {
      finding_.action_type = ProductField(fields_, "action/actionType").value_or("");
    }
    if (finding_.direction.empty()) {
      finding_.direction =
          ProductField(fields_, "action/networkConnectionAction/connectionDirection").value_or("");
    }
    for (const FlatIndicator& flat : kFlatIndicators) {
      auto value = ProductField(fields_, flat.key);
      if (!value) continue;
      if (flat.domain) {
        w_.AddDomain(*value, std::string(flat.field));
      } else {
        w_.AddIp(*value, std::string(flat.field));
      }
    }
    ReadNetwork(root);
  }

  // Network.Direction says which end is the remote one: the source of an inbound connection,
  // the destination of an outbound one. The other end is our own resource, never an indicator.
  void ReadNetwork(object root) {
    auto network = w_.Object(root, "Network", nullptr);
    if (!network) return;
    const JsonPath network_at{nullptr, "Network"};
    auto direction = w_.String(*network, "Direction", &network_at);
    std::string_view end = direction == "IN" ? "Source" : direction == "OUT" ? "Destination" : "";
    if (end.empty()) return;
    for (std::string_view version : {"IpV4", "IpV6"}) {
      std::string key = std::string(end) + std::string(version);
      if (auto ip = w_.String(*network, key, &network_at)) w_.AddIp(*ip, "Network." + key);
    }
  }

  void ReadTimes(object root) {
    finding_.first_seen = w_.Time(root, "FirstObservedAt", nullptr);
    finding_.last_seen = w_.Time(root, "LastObservedAt", nullptr);
    if (finding_.first_seen == 0) finding_.first_seen = w_.Time(root, "CreatedAt", nullptr);
    UnixSeconds updated = w_.Time(root, "UpdatedAt", nullptr);
    if (finding_.last_seen == 0) finding_.last_seen = updated;
    if (finding_.last_seen == 0) finding_.last_seen = finding_.first_seen;
    if (finding_.first_seen == 0) finding_.first_seen = finding_.last_seen;
    finding_.updated_at = updated != 0 ? updated : finding_.last_seen;
  }

  Walker w_;
  Finding& finding_;
  std::optional<object> fields_;
};

}  // namespace

bool IsAsffFinding(object doc) {
  element ignored;
  return doc["ProductArn"].get(ignored) == simdjson::SUCCESS ||
         doc["AwsAccountId"].get(ignored) == simdjson::SUCCESS ||
         StringMember(doc, "SchemaVersion") == "2018-10-08";
}

std::string OtherAsffProduct(object doc) {
  auto name = StringMember(doc, "ProductName");
  if (name == "GuardDuty") return "";
  auto arn = StringMember(doc, "ProductArn");
  if (arn && arn->ends_with("product/aws/guardduty")) return "";
  element fields;
  if (doc["ProductFields"].get(fields) == simdjson::SUCCESS && fields.is_object() &&
      StringMember(object(fields), "aws/securityhub/ProductName") == "GuardDuty") {
    return "";
  }
  if (name && !name->empty()) return std::string(*name);
  if (arn && !arn->empty()) return std::string(*arn);
  return "an unnamed product";
}

std::optional<FieldError> ExtractAsffFinding(object doc, size_t max_indicators, Finding& finding) {
  return AsffReader(max_indicators, finding).Run(doc);
}

}  // namespace guardfeed::internal
