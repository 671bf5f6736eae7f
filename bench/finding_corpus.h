// Synthetic GuardDuty findings for the benchmarks (bench/README.md): every action type
// shared/formats/guardduty-findings.md lists, with field sizes modelled on shared/corpus/guardduty
// (2-4 KB of compact JSON per finding), public attacker addresses spread over the whole IPv4 and
// 2000::/3 space plus a small pool of repeat offenders, and a few re-deliveries of earlier
// finding ids (later updatedAt, higher count, sometimes a new remote address).
//
// Deterministic: the same seed gives the same bytes on every platform (only std::mt19937_64,
// whose output the standard fixes, and our own range reductions; no std::*_distribution).
//
// Benchmark support code: never linked into guardfeed itself.
// Thread safety: a FindingGenerator is not thread-safe; use one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace guardfeed::bench {

// The finding shapes the generator writes, one per place an indicator can live.
enum class Shape : int {
  kNetworkInbound,   // NETWORK_CONNECTION INBOUND, IPv4 remote
  kNetworkOutbound,  // NETWORK_CONNECTION OUTBOUND, IPv4 remote (C&C, mining, Tor)
  kNetworkIpv6,      // NETWORK_CONNECTION either direction, ipAddressV6 remote
  kPortProbe,        // PORT_PROBE with 1-5 portProbeDetails
  kApiCallRemote,    // AWS_API_CALL, callerType "Remote IP"
  kApiCallDomain,    // AWS_API_CALL, callerType "Domain" (an AWS service: no indicator)
  kDnsRequest,       // DNS_REQUEST domain (some DGA findings with additionalInfo.domain)
  kKubernetes,       // KUBERNETES_API_CALL with remoteIpDetails and sourceIPs (public + private)
  kRdsLogin,         // RDS_LOGIN_ATTEMPT
  kRuntime,          // Runtime Monitoring, "action": {} and runtimeDetails
  kAttackSequence,   // AttackSequence, service.detection.sequence.endpoints (ip and domain)
};
inline constexpr int kShapeCount = 11;

// "network_inbound", "port_probe", ...
std::string_view ShapeName(Shape shape);
// All shapes in enum order.
std::array<Shape, kShapeCount> AllShapes();

struct GeneratorOptions {
  uint64_t seed = 1;
  // Per mille of findings that re-deliver an earlier finding id. Default 50 (5%).
  int repeat_per_mille = 50;
  // Per mille of attacker addresses drawn from a pool of repeat offenders. Default 150 (15%).
  int hot_pool_per_mille = 150;
  // Size of that pool. Default 4096.
  int hot_pool_size = 4096;
  // Findings are dated within this many seconds before `end_time`. Default 7 days.
  int64_t time_span = 7 * 86400;
  // Unix time of the newest first delivery (re-deliveries may come up to a few hours later).
  // Default 2026-11-22T00:00:00Z.
  int64_t end_time = 1795305600;
};

class FindingGenerator {
 public:
  explicit FindingGenerator(GeneratorOptions options);

  // Appends one raw finding (compact JSON, no newline) of a shape drawn by weight, or a
  // re-delivery of an earlier one. Returns the shape written.
  Shape AppendFinding(std::string& out);
  // Appends one new finding of the given shape (never a re-delivery).
  void AppendFinding(Shape shape, std::string& out);
  // Appends one EventBridge event ("detail-type": "GuardDuty Finding") wrapping AppendFinding's
  // output. About one event in 200 is another aws.guardduty detail-type instead (a Runtime
  // Protection health event), as a real EventBridge rule on source aws.guardduty delivers them.
  void AppendEvent(std::string& out);

 private:
  // What identifies one finding across deliveries.
  struct Spec {
    Shape shape;
    std::string id;
    uint64_t body_seed;  // resource, type, metadata
    uint64_t ioc_seed;   // attacker addresses and domains (changes on some re-deliveries)
    int64_t created_at;  // ms
    int64_t updated_at;  // ms
    int64_t count;
  };

  Spec NewSpec(Shape shape);
  void Write(const Spec& spec, std::string& out);
  Shape DrawShape();

  GeneratorOptions options_;
  std::mt19937_64 random_;
  std::vector<uint32_t> hot_pool_;
  std::vector<Spec> recent_;  // ring of specs that may be re-delivered
  size_t recent_next_ = 0;
};

// Random attacker values, shared with the render harness: IPv4 addresses uniform over the space
// outside every never-block range (and outside the AWS ranges the corpus uses for our own
// instances), IPv6 under common RIR allocations of 2000::/3, DGA-like and word-based domains.
uint32_t RandomPublicIpv4(std::mt19937_64& random);
std::string FormatIpv4(uint32_t address);
std::string RandomPublicIpv6(std::mt19937_64& random);
std::string RandomDomain(std::mt19937_64& random);

// Writes `data` gzip-compressed (level 6, like the S3 export). False on a zlib failure.
bool GzipCompress(std::string_view data, std::string& out);

}  // namespace guardfeed::bench
