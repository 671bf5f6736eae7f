// Reading [[sources.guardduty]], [[sources.s3]] and [[sources.sqs]] (docs/sources.md) into the
// sources' option structs through the same TomlReader as every other section: a wrong type, an
// out-of-range value or an unknown key is an InvalidArgument naming file:line:key.
// `guardfeed config check` runs the reader; `guardfeed serve` starts what it returns.
#pragma once

#include <memory>
#include <vector>

#include "cli/config.h"
#include "sources/guardduty_source.h"
#include "sources/s3_export_source.h"
#include "sources/sqs_source.h"

namespace guardfeed {

struct SourceConfigs {
  std::vector<GuardDutySourceOptions> guardduty;  // one per configured region
  std::vector<S3ExportSourceOptions> s3;
  std::vector<SqsSourceOptions> sqs;

  size_t size() const { return guardduty.size() + s3.size() + sqs.size(); }
};

// Bounds: interval 1 s to 1 d; guardduty overlap 0 to 1 d and initial_lookback 0 to 90 d;
// s3 max_objects_per_poll 1 to 100,000; sqs wait_time 0 to 20 s, max_messages 1 to 10,
// visibility_timeout 1 s to 12 h; max_attempts 1 to 20; timeout 1 s to 1 h.
Result<SourceConfigs> ReadSourceConfigs(const Config& config);

// The sources `configs` describes, ingesting through `context`.
Result<std::vector<std::unique_ptr<Source>>> NewSources(const SourceConfigs& configs,
                                                        const SourceContext& context);

}  // namespace guardfeed
