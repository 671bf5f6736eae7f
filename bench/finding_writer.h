// Internal to the benchmark corpus: FindingWriter writes one GuardDuty finding of a given shape
// as compact JSON (the field layout of shared/corpus/guardduty, with realistic values).
//
// Thread safety: one writer per finding; it borrows `hot_pool` and `out`, which must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corpus_random.h"
#include "finding_corpus.h"
#include "json_out.h"

namespace guardfeed::bench::corpus_internal {

struct TypeInfo;  // a finding type and its severities (finding_writer.cc)

// Everything one finding needs: two streams (the body's and the attacker indicators'), so a
// re-delivery can keep the body and change only the addresses.
class FindingWriter {
 public:
  FindingWriter(uint64_t body_seed, uint64_t ioc_seed, const std::vector<uint32_t>& hot_pool,
                int hot_per_mille, std::string& out);

  // Appends the finding (compact JSON, no newline) to `out`. Call once per writer.
  void Finding(Shape shape, const std::string& id, int64_t created_ms, int64_t updated_ms,
               int64_t count);

 private:
  const TypeInfo& TypeFor(Shape shape);
  std::string AttackerIpv4();
  void RemoteIpDetails(const std::string& address, bool v6);
  void InstanceResource(bool with_ipv6);
  void AccessKeyResource(bool with_bucket);
  void EksResource();
  void RdsResource();
  void NetworkAction(bool inbound, bool v6);
  void PortProbeAction();
  void ApiCallAction(bool remote);
  void DnsAction();
  void KubernetesAction();
  void RdsAction();
  void RuntimeDetails();
  void Sequence(int64_t created_ms);
  void AdditionalInfo(Shape shape);
  void Evidence();
  void Tags(int count);

  Random body_;
  Random ioc_;
  const std::vector<uint32_t>& hot_pool_;
  const int hot_per_mille_;
  JsonOut json_;
  Random detector_random_;
  std::string account_;
  std::string region_;
  std::string primary_;  // the first attacker indicator, for the description
  std::string dga_domain_;
  bool sample_ = false;
};

}  // namespace guardfeed::bench::corpus_internal
