// Reading the publishers' configuration sections ([publish.s3], [publish.atp]) and the reference
// Lambdas' variables into the publishers' option structs, through the same TomlReader as every
// other section: a wrong type, an out-of-range number or an unknown key is an InvalidArgument
// naming file:line:key, never a silent default. `guardfeed config check` runs both readers.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "cli/runtime.h"
#include "publish/atp_cloud.h"
#include "publish/s3.h"

namespace guardfeed {

// The ATP Cloud options when [publish.atp] exists or SKY_APPLICATION_TOKEN is set with IP_FEED or
// DNS_FEED feeds; nullopt when ATP Cloud publishing is not configured. The token comes from
// `token`, `token_file` or SKY_APPLICATION_TOKEN, in that order. Every feeds[].feed must name a
// configured feed. Bounds: requests_per_minute 1-6000, max_attempts 1-20, timeout_seconds 1-3600.
Result<std::optional<AtpOptions>> ReadAtpOptions(const Config& config);

// The S3 options when [publish.s3] exists or S3_BUCKET is set (the reference Lambdas' way);
// nullopt when S3 publishing is not configured. Keys are listed in docs/s3.md. Bounds:
// max_shrink_fraction 0-1, max_attempts 1-20, timeout and connect_timeout 1 s to 1 h (seconds or
// text like "30s").
Result<std::optional<S3Options>> ReadS3Options(const Config& config);

struct PublishFlags {
  bool force = false;   // every target: publish what the shrink guard would hold back
  bool resync = false;  // ATP Cloud: replace whole feeds instead of sending differences
};

// Every publisher the configuration enables, in a stable order: directory, S3, ATP Cloud, each
// keeping its state in `store` (which must outlive them). Empty when none is configured.
Result<std::vector<std::unique_ptr<Publisher>>> ConfiguredPublishers(const Config& config,
                                                                     Store* store,
                                                                     const PublishFlags& flags);

}  // namespace guardfeed
