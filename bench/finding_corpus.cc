#include "finding_corpus.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>

#include "corpus_random.h"
#include "finding_writer.h"
#include "json_out.h"

namespace guardfeed::bench {
namespace {

using corpus_internal::Below;
using corpus_internal::Between;
using corpus_internal::Chance;
using corpus_internal::FindingWriter;
using corpus_internal::Hex;
using corpus_internal::IsoTime;
using corpus_internal::Lower;
using corpus_internal::Pick;
using corpus_internal::Random;
using corpus_internal::Uuid;

// --- Address space -------------------------------------------------------------------------

struct Block {
  uint32_t base;
  int bits;
};

// Never-block ranges (core/special_ranges.cc) and the AWS ranges our own instances use.
constexpr Block kNotAttackers[] = {
    {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
    {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0586300, 24}, {0xC0A80000, 16},
    {0xC6120000, 15}, {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 3},  {0x03000000, 8},
    {0x34000000, 8},  {0x12000000, 8},  {0x36000000, 8},
};

bool IsAttackerSpace(uint32_t address) {
  for (const Block& block : kNotAttackers) {
    uint32_t mask = ~uint32_t{0} << (32 - block.bits);
    if ((address & mask) == block.base) return false;
  }
  return true;
}

constexpr uint16_t kIpv6Prefixes[] = {0x2a01, 0x2a02, 0x2a03, 0x2a05, 0x2a0b, 0x2400, 0x2401,
                                      0x2402, 0x2404, 0x2405, 0x2406, 0x2408, 0x2600, 0x2601,
                                      0x2602, 0x2604, 0x2605, 0x2607, 0x2800, 0x2803, 0x2c0f};

constexpr const char* kTlds[] = {"com", "net", "org", "info", "biz", "ru",    "cn",
                                 "top", "xyz", "su",  "pw",   "io",  "online"};
constexpr const char* kWords[] = {"update", "cdn",    "secure", "login",  "mail",  "sync",
                                  "cloud",  "static", "api",    "pool",   "miner", "track",
                                  "verify", "portal", "drive",  "office", "files", "node"};
// Per-mille weights in Shape order.
constexpr int kShapeWeights[kShapeCount] = {160, 130, 50, 150, 120, 40, 120, 70, 60, 70, 30};

}  // namespace

// --- Public helpers --------------------------------------------------------------------------

std::string_view ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kNetworkInbound:
      return "network_inbound";
    case Shape::kNetworkOutbound:
      return "network_outbound";
    case Shape::kNetworkIpv6:
      return "network_ipv6";
    case Shape::kPortProbe:
      return "port_probe";
    case Shape::kApiCallRemote:
      return "api_call_remote";
    case Shape::kApiCallDomain:
      return "api_call_domain";
    case Shape::kDnsRequest:
      return "dns_request";
    case Shape::kKubernetes:
      return "kubernetes";
    case Shape::kRdsLogin:
      return "rds_login";
    case Shape::kRuntime:
      return "runtime";
    case Shape::kAttackSequence:
      return "attack_sequence";
  }
  return "unknown";
}

std::array<Shape, kShapeCount> AllShapes() {
  std::array<Shape, kShapeCount> shapes{};
  for (int i = 0; i < kShapeCount; ++i) shapes[static_cast<size_t>(i)] = static_cast<Shape>(i);
  return shapes;
}

uint32_t RandomPublicIpv4(Random& random) {
  for (;;) {
    auto address = static_cast<uint32_t>(random() >> 32);
    if (IsAttackerSpace(address)) return address;
  }
}

std::string FormatIpv4(uint32_t address) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%u.%u.%u.%u", address >> 24, (address >> 16) & 0xFF,
                (address >> 8) & 0xFF, address & 0xFF);
  return buffer;
}

// Canonical (RFC 5952) text: every written group is non-zero, so "::" appears only where the
// zero run is meant to be.
std::string RandomPublicIpv6(Random& random) {
  char buffer[48];
  auto group = [&random] { return static_cast<unsigned>(1 + Below(random, 0xFFFF)); };
  unsigned prefix = Pick(random, kIpv6Prefixes);
  if (Chance(random, 600)) {
    std::snprintf(buffer, sizeof(buffer), "%x:%x:%x:%x::%x", prefix, group(), group(), group(),
                  group());
  } else {
    std::snprintf(buffer, sizeof(buffer), "%x:%x:%x:%x:%x:%x:%x:%x", prefix, group(), group(),
                  group(), group(), group(), group(), group());
  }
  return buffer;
}

std::string RandomDomain(Random& random) {
  switch (Below(random, 3)) {
    case 0:  // DGA-looking
      return Lower(random, static_cast<size_t>(Between(random, 10, 18))) + "." +
             Pick(random, kTlds);
    case 1:
      return std::string(Pick(random, kWords)) + "-" + Pick(random, kWords) +
             std::to_string(Below(random, 1000)) + "." + Pick(random, kTlds);
    default:
      return Hex(random, 6) + "." + Pick(random, kWords) + "-" + Lower(random, 5) + "." +
             Pick(random, kTlds);
  }
}

bool GzipCompress(std::string_view data, std::string& out) {
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return rc == Z_STREAM_END;
}

// --- FindingGenerator ------------------------------------------------------------------------

FindingGenerator::FindingGenerator(GeneratorOptions options)
    : options_(options), random_(options.seed) {
  hot_pool_.reserve(static_cast<size_t>(options_.hot_pool_size));
  for (int i = 0; i < options_.hot_pool_size; ++i) hot_pool_.push_back(RandomPublicIpv4(random_));
}

Shape FindingGenerator::DrawShape() {
  int roll = static_cast<int>(Below(random_, 1000));
  for (int i = 0; i < kShapeCount; ++i) {
    roll -= kShapeWeights[i];
    if (roll < 0) return static_cast<Shape>(i);
  }
  return Shape::kNetworkInbound;
}

FindingGenerator::Spec FindingGenerator::NewSpec(Shape shape) {
  Spec spec{shape, Hex(random_, 32), random_(), random_(), 0, 0, 1};
  const int64_t end_ms = options_.end_time * 1000;
  spec.created_at = end_ms - static_cast<int64_t>(
                                 Below(random_, static_cast<uint64_t>(options_.time_span) * 1000));
  spec.updated_at =
      std::min(end_ms, spec.created_at + static_cast<int64_t>(Below(random_, 3'600'000)));
  spec.count = 1 + static_cast<int64_t>(Below(random_, 4));
  return spec;
}

void FindingGenerator::Write(const Spec& spec, std::string& out) {
  FindingWriter writer(spec.body_seed, spec.ioc_seed, hot_pool_, options_.hot_pool_per_mille, out);
  writer.Finding(spec.shape, spec.id, spec.created_at, spec.updated_at, spec.count);
}

Shape FindingGenerator::AppendFinding(std::string& out) {
  constexpr size_t kRecent = 20000;
  if (!recent_.empty() && Chance(random_, static_cast<uint64_t>(options_.repeat_per_mille))) {
    Spec& spec = recent_[Below(random_, recent_.size())];
    // Strictly later, as GuardDuty's own updates are: with equal updatedAt the store keeps
    // whichever delivery came last, and re-reading the file would then flip between them.
    spec.updated_at += 1000 + static_cast<int64_t>(Below(random_, 1'800'000));
    spec.count += 1 + static_cast<int64_t>(Below(random_, 20));
    if (Chance(random_, 250)) spec.ioc_seed = random_();  // the latest occurrence, a new address
    Write(spec, out);
    return spec.shape;
  }
  Spec spec = NewSpec(DrawShape());
  Write(spec, out);
  if (recent_.size() < kRecent) {
    recent_.push_back(spec);
  } else {
    recent_[recent_next_++ % kRecent] = spec;
  }
  return spec.shape;
}

void FindingGenerator::AppendFinding(Shape shape, std::string& out) { Write(NewSpec(shape), out); }

void FindingGenerator::AppendEvent(std::string& out) {
  std::string finding;
  bool health = Chance(random_, 5);
  if (!health) AppendFinding(finding);
  // The envelope's account and region come from the finding's own header fields.
  auto header_value = [&finding](std::string_view key) {
    size_t at = finding.find(key);
    size_t start = at + key.size();
    return finding.substr(start, finding.find('"', start) - start);
  };
  const std::string account = health ? "123456710000" : header_value("\"accountId\":\"");
  const std::string region = health ? "us-east-1" : header_value("\"region\":\"");
  const std::string time =
      health ? IsoTime(options_.end_time * 1000, false) : header_value("\"updatedAt\":\"");
  JsonOut json(out);
  json.Begin().Field("version", "0").Field("id", Uuid(random_));
  json.Field("detail-type", health ? "GuardDuty Runtime Protection Health" : "GuardDuty Finding");
  json.Field("source", "aws.guardduty")
      .Field("account", account)
      .Field("time", time.substr(0, 19) + "Z");
  json.Field("region", region).Key("resources").BeginArray().EndArray().Key("detail");
  if (health) {
    json.Begin().Field("schemaVersion", "1.0").Field("resourceType", "EC2");
    json.Field("resourceId", "i-0" + Hex(random_, 16)).Field("previousStatus", "HEALTHY");
    json.Field("currentStatus", "UNHEALTHY").Field("issue", "Runtime agent not reporting").End();
  } else {
    json.Raw(finding);
  }
  json.End();
}

}  // namespace guardfeed::bench
