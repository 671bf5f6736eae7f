// fuzz_reader: any bytes through FindingReader::ReadBuffer (every shape: EventBridge event, raw
// finding, GetFindings response, JSON array, JSON Lines, gzip), with every callback set. Besides
// "no crash, no sanitizer report", it checks what the reader promises about each Finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/indicator.h"
#include "fuzz_check.h"
#include "guardduty/reader.h"

namespace {

using guardfeed::ExtractedIndicator;
using guardfeed::Finding;
using guardfeed::IndicatorKind;

void CheckIndicator(const ExtractedIndicator& extracted) {
  const auto& indicator = extracted.indicator;
  GF_FUZZ_CHECK(!extracted.field.empty(), "indicator without a field");
  auto again = indicator.kind == IndicatorKind::kDomain
                   ? guardfeed::NormalizeDomain(indicator.value)
                   : guardfeed::NormalizeIp(indicator.value);
  GF_FUZZ_CHECK(again.ok(), "an extracted indicator does not parse again");
  GF_FUZZ_CHECK(*again == indicator, "an extracted indicator is not in canonical form");
}

void CheckFinding(const Finding& finding) {
  GF_FUZZ_CHECK(!finding.id.empty(), "finding without id");
  GF_FUZZ_CHECK(!finding.type.empty(), "finding without type");
  GF_FUZZ_CHECK(finding.severity >= 0 && finding.severity <= 10, "severity out of range");
  GF_FUZZ_CHECK(finding.count >= 1, "count below 1");
  for (size_t i = 0; i < finding.indicators.size(); ++i) {
    CheckIndicator(finding.indicators[i]);
    for (size_t j = 0; j < i; ++j) {
      GF_FUZZ_CHECK(!(finding.indicators[j].indicator == finding.indicators[i].indicator),
                    "duplicate indicator in one finding");
    }
  }
  for (const auto& rejected : finding.rejected) {
    GF_FUZZ_CHECK(!rejected.field.empty() && !rejected.reason.empty(), "rejection without reason");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  guardfeed::ReadCallbacks callbacks;
  callbacks.on_finding = [](Finding&& finding) { CheckFinding(finding); };
  callbacks.on_error = [](const guardfeed::ReadError& error) {
    GF_FUZZ_CHECK(!error.message.empty(), "error without message");
    GF_FUZZ_CHECK(error.line >= 1, "error without line");
    (void)error.ToString();
  };
  callbacks.on_skipped_event = [](std::string_view detail_type) { (void)detail_type.size(); };
  callbacks.on_progress = [](uint64_t done, uint64_t total) {
    GF_FUZZ_CHECK(done <= total, "progress beyond the total");
  };
  guardfeed::FindingReader reader;
  reader.ReadBuffer(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", callbacks);
  return 0;
}
