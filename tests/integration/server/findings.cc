#include "findings.h"

#include <ctime>

namespace guardfeed::testing {

namespace {

std::string NowIso() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buffer;
}

std::string Envelope(const std::string& finding_id, double severity, const std::string& type,
                     const std::string& action) {
  std::string now = NowIso();
  return R"({"schemaVersion":"2.0","accountId":"444455556666","region":"us-east-2",)"
         R"("partition":"aws","id":")" +
         finding_id +
         R"(",)"
         R"("arn":"arn:aws:guardduty:us-east-2:444455556666:detector/d0/finding/)" +
         finding_id + R"(","type":")" + type +
         R"(",)"
         R"("resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-0fedcba987",)"
         R"("networkInterfaces":[{"privateIpAddress":"10.9.8.7"}]}},)"
         R"("service":{"serviceName":"guardduty","detectorId":"d0","action":)" +
         action +
         R"(,"resourceRole":"TARGET","additionalInfo":{"value":"{}","type":"default"},)"
         R"("eventFirstSeen":")" +
         now + R"(","eventLastSeen":")" + now + R"(","archived":false,"count":1},"severity":)" +
         std::to_string(severity) + R"(,"createdAt":")" + now + R"(","updatedAt":")" + now +
         R"(","title":"test finding","description":"written for guardfeed's daemon tests"})";
}

}  // namespace

std::string AttackerIp(uint32_t i) {
  // Octets 1..250 only: never a network or broadcast-looking address, unique below 15.6 M.
  return "45." + std::to_string(1 + (i / 62500) % 250) + "." + std::to_string(1 + (i / 250) % 250) +
         "." + std::to_string(1 + i % 250);
}

std::string RawIpFinding(const std::string& finding_id, const std::string& ip, double severity) {
  std::string action =
      R"({"actionType":"NETWORK_CONNECTION","networkConnectionAction":{)"
      R"("connectionDirection":"INBOUND","protocol":"TCP","blocked":false,)"
      R"("localIpDetails":{"ipAddressV4":"10.9.8.7"},"localPortDetails":{"port":22},)"
      R"("remoteIpDetails":{"ipAddressV4":")" +
      ip +
      R"(","country":{"countryName":"X"}},)"
      R"("remotePortDetails":{"port":51515}}})";
  return Envelope(finding_id, severity, "UnauthorizedAccess:EC2/SSHBruteForce", action);
}

std::string RawDnsFinding(const std::string& finding_id, const std::string& domain,
                          double severity) {
  std::string action = R"({"actionType":"DNS_REQUEST","dnsRequestAction":{"domain":")" + domain +
                       R"(","protocol":"UDP","blocked":false}})";
  return Envelope(finding_id, severity, "Backdoor:EC2/C&CActivity.B!DNS", action);
}

std::string EventBridge(const std::string& raw_finding, const std::string& event_id) {
  return R"({"version":"0","id":")" + event_id +
         R"(","detail-type":"GuardDuty Finding","source":"aws.guardduty",)"
         R"("account":"444455556666","time":")" +
         NowIso() + R"(","region":"us-east-2","resources":[],"detail":)" + raw_finding + "}";
}

std::string IpEvent(uint32_t i, double severity) {
  return EventBridge(RawIpFinding("f-" + std::to_string(i), AttackerIp(i), severity),
                     "e-" + std::to_string(i));
}

}  // namespace guardfeed::testing
