// Reading the publishers' configuration sections ([publish.s3], [publish.atp]) and the reference
// Lambdas' variables into the publishers' option structs.
#pragma once

#include <optional>

#include <memory>
#include <vector>

#include "cli/runtime.h"
#include "publish/atp_cloud.h"
#include "publish/s3.h"

namespace guardfeed {

// The ATP Cloud options when [publish.atp] exists or SKY_APPLICATION_TOKEN is set with IP_FEED or
// DNS_FEED feeds; nullopt when ATP Cloud publishing is not configured. The token comes from
// `token`, `token_file` or SKY_APPLICATION_TOKEN, in that order.
Result<std::optional<AtpOptions>> ReadAtpOptions(const Config& config);

// The S3 options when [publish.s3] exists or S3_BUCKET is set (the reference Lambdas' way);
// nullopt when S3 publishing is not configured. Keys are listed in docs/s3.md.
Result<std::optional<S3Options>> ReadS3Options(const Config& config);

struct PublishFlags {
  bool force = false;   // S3: publish what the shrink guard would hold back
  bool resync = false;  // ATP Cloud: replace whole feeds instead of sending differences
};

// Every publisher the configuration enables, in a stable order: directory, S3, ATP Cloud. Empty
// when none is configured.
Result<std::vector<std::unique_ptr<Publisher>>> ConfiguredPublishers(const Runtime& runtime,
                                                                     const PublishFlags& flags);

}  // namespace guardfeed
