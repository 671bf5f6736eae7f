// Internal to guardduty/: GuardDuty findings as Security Hub hands them out, in the AWS Security
// Finding Format (ASFF): `aws securityhub get-findings` output and "Security Hub Findings -
// Imported" EventBridge events. How ASFF fields map to a Finding is documented in
// docs/guardduty.md ("Security Hub (ASFF)").
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "guardduty/extract.h"

namespace guardfeed::internal {

// True when `object` is an ASFF finding rather than a GuardDuty one: it has a ProductArn or an
// AwsAccountId, or SchemaVersion "2018-10-08" (GuardDuty's own findings say "2.0").
bool IsAsffFinding(simdjson::dom::object object);

// "" when GuardDuty produced the ASFF finding (ProductName "GuardDuty", a ProductArn of
// product/aws/guardduty, or ProductFields' aws/securityhub/ProductName); otherwise the product's
// name (or ARN) for the count of skipped findings.
std::string OtherAsffProduct(simdjson::dom::object object);

// Fills `finding` from an ASFF finding GuardDuty produced. Errors and indicator limits as for
// ExtractFinding; indicator fields carry the same camelCase names as in GuardDuty's own shape,
// plus "Network.SourceIpV4"-style names for addresses only ASFF's Network object holds.
std::optional<FieldError> ExtractAsffFinding(simdjson::dom::object object, size_t max_indicators,
                                             Finding& finding);

}  // namespace guardfeed::internal
