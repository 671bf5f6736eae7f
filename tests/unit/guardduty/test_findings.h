// Small GuardDuty findings for the reader and extractor tests, built as JSON text.
#pragma once

#include <zlib.h>

#include <string>

namespace guardfeed::testing {

// A raw finding with the given action object (JSON text) and optional extra service fields.
inline std::string RawFinding(const std::string& id, const std::string& action,
                              double severity = 8, const std::string& extra_service = "") {
  return R"({"schemaVersion":"2.0","accountId":"111122223333","region":"eu-west-1","id":")" + id +
         R"(","type":"Backdoor:EC2/C&CActivity.B","resource":{"resourceType":"Instance",)"
         R"("instanceDetails":{"networkInterfaces":[{"privateIpAddress":"10.0.0.5",)"
         R"("publicIp":"54.1.2.3"}]}},"service":{"action":)" +
         action + extra_service +
         R"(,"eventFirstSeen":"2026-11-20T08:00:00.000Z","eventLastSeen":"2026-11-20T09:00:00Z",)"
         R"("archived":false,"count":4},"severity":)" +
         std::to_string(severity) +
         R"(,"createdAt":"2026-11-20T08:05:00.000Z","updatedAt":"2026-11-20T09:05:00.000Z"})";
}

inline std::string NetworkAction(const std::string& ip_field = R"("ipAddressV4":"185.220.101.47")",
                                 const std::string& direction = "OUTBOUND") {
  return R"({"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":")" +
         direction + R"(","localIpDetails":{"ipAddressV4":"10.0.0.5"},"remoteIpDetails":{)" +
         ip_field + "}}}";
}

// One gzip member holding `data` (RFC 1952 framing), as the S3 export and gzip bodies carry.
inline std::string Gzip(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

inline std::string EventBridge(const std::string& finding,
                               const std::string& detail_type = "GuardDuty Finding") {
  return R"({"version":"0","id":"e-1","detail-type":")" + detail_type +
         R"(","source":"aws.guardduty","account":"111122223333","region":"eu-west-1",)"
         R"("resources":[],"detail":)" +
         finding + "}";
}

}  // namespace guardfeed::testing
