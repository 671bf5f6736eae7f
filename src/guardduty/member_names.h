// Internal to guardduty/: the member names one finding shape spells the fields the extractor
// reads with. GuardDuty's own wire format (the API, the S3 export, EventBridge) is camelCase; the
// AWS SDKs' model, which the AWS CLI and boto3 print, names the same members in PascalCase, with
// spellings of its own (`SourceIps` for `sourceIPs`). Hand-written from the model of
// @aws-sdk/client-guardduty (its `jsonName` traits); tests/unit/guardduty/member_names_test.cc
// checks every pair against tests/golden/shapes/member-names.json, which
// scripts/golden-shapes.mjs generates from that model.
#pragma once

#include <string_view>

namespace guardfeed::internal {

// An empty name marks a member the shape does not have: lookups of it find nothing.
struct FindingNames {
  std::string_view id, type, severity, account_id, region, created_at, updated_at;
  std::string_view service, archived, count, event_first_seen, event_last_seen;
  // service.additionalInfo: free-form in the wire format (sample, domain, ...); the model has
  // only value (JSON text) and type, so the SDK shape carries `sample` inside the value.
  std::string_view additional_info, sample, domain, value;
  std::string_view action, action_type;
  std::string_view network_connection_action, connection_direction;
  std::string_view aws_api_call_action, rds_login_attempt_action;
  std::string_view dns_request_action, dns_domain;
  std::string_view port_probe_action, port_probe_details;
  std::string_view kubernetes_api_call_action, source_ips;
  std::string_view remote_ip_details, ip_address_v4, ip_address_v6;
  std::string_view detection, sequence, endpoints, endpoint_ip, endpoint_domain;
  // Containment only (Finding::own_hosts): service.resourceRole and our instance's addresses in
  // resource.instanceDetails.networkInterfaces[].
  std::string_view resource_role, resource, instance_details, instance_id, network_interfaces;
  std::string_view private_ip_address, private_ip_addresses, public_ip, ipv6_addresses;
};

// The wire format: GetFindings ({"findings":[...]}), the S3 export, EventBridge detail.
inline constexpr FindingNames kWireNames{
    .id = "id",
    .type = "type",
    .severity = "severity",
    .account_id = "accountId",
    .region = "region",
    .created_at = "createdAt",
    .updated_at = "updatedAt",
    .service = "service",
    .archived = "archived",
    .count = "count",
    .event_first_seen = "eventFirstSeen",
    .event_last_seen = "eventLastSeen",
    .additional_info = "additionalInfo",
    .sample = "sample",
    .domain = "domain",
    .value = "value",
    .action = "action",
    .action_type = "actionType",
    .network_connection_action = "networkConnectionAction",
    .connection_direction = "connectionDirection",
    .aws_api_call_action = "awsApiCallAction",
    .rds_login_attempt_action = "rdsLoginAttemptAction",
    .dns_request_action = "dnsRequestAction",
    .dns_domain = "domain",
    .port_probe_action = "portProbeAction",
    .port_probe_details = "portProbeDetails",
    .kubernetes_api_call_action = "kubernetesApiCallAction",
    .source_ips = "sourceIPs",
    .remote_ip_details = "remoteIpDetails",
    .ip_address_v4 = "ipAddressV4",
    .ip_address_v6 = "ipAddressV6",
    .detection = "detection",
    .sequence = "sequence",
    .endpoints = "endpoints",
    .endpoint_ip = "ip",
    .endpoint_domain = "domain",
    .resource_role = "resourceRole",
    .resource = "resource",
    .instance_details = "instanceDetails",
    .instance_id = "instanceId",
    .network_interfaces = "networkInterfaces",
    .private_ip_address = "privateIpAddress",
    .private_ip_addresses = "privateIpAddresses",
    .public_ip = "publicIp",
    .ipv6_addresses = "ipv6Addresses",
};

// The SDK model's member names: `aws guardduty get-findings`, boto3 ({"Findings":[...]}).
// Security Hub's ASFF `Action` object uses the same names for the four action types it has.
inline constexpr FindingNames kSdkNames{
    .id = "Id",
    .type = "Type",
    .severity = "Severity",
    .account_id = "AccountId",
    .region = "Region",
    .created_at = "CreatedAt",
    .updated_at = "UpdatedAt",
    .service = "Service",
    .archived = "Archived",
    .count = "Count",
    .event_first_seen = "EventFirstSeen",
    .event_last_seen = "EventLastSeen",
    .additional_info = "AdditionalInfo",
    .sample = "",  // not in the model: inside AdditionalInfo.Value
    .domain = "",  // not in the model
    .value = "Value",
    .action = "Action",
    .action_type = "ActionType",
    .network_connection_action = "NetworkConnectionAction",
    .connection_direction = "ConnectionDirection",
    .aws_api_call_action = "AwsApiCallAction",
    .rds_login_attempt_action = "RdsLoginAttemptAction",
    .dns_request_action = "DnsRequestAction",
    .dns_domain = "Domain",
    .port_probe_action = "PortProbeAction",
    .port_probe_details = "PortProbeDetails",
    .kubernetes_api_call_action = "KubernetesApiCallAction",
    .source_ips = "SourceIps",
    .remote_ip_details = "RemoteIpDetails",
    .ip_address_v4 = "IpAddressV4",
    .ip_address_v6 = "IpAddressV6",
    .detection = "Detection",
    .sequence = "Sequence",
    .endpoints = "Endpoints",
    .endpoint_ip = "Ip",
    .endpoint_domain = "Domain",
    .resource_role = "ResourceRole",
    .resource = "Resource",
    .instance_details = "InstanceDetails",
    .instance_id = "InstanceId",
    .network_interfaces = "NetworkInterfaces",
    .private_ip_address = "PrivateIpAddress",
    .private_ip_addresses = "PrivateIpAddresses",
    .public_ip = "PublicIp",
    .ipv6_addresses = "Ipv6Addresses",
};

}  // namespace guardfeed::internal
