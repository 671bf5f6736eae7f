// S3 publisher: uploads the changed files of a FeedSet to an S3 bucket or an S3-compatible server,
// signed with the project's SigV4 (docs/s3.md). Objects go up in FeedSet order (SecIntel data
// before manifest.xml), never with an ACL; an unchanged object is not re-uploaded; a feed that
// would shrink too much is held back (shrink_guard.h); failures leave earlier objects in place and
// are retried at the next publish. aws/s3_client.h is the object API underneath.
//
// Thread safety: one thread at a time per publisher or client (they own an HttpClient).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/s3_client.h"
#include "core/status.h"
#include "publish/publisher.h"
#include "store/store.h"

namespace guardfeed {

// The client's options (bucket, region, endpoint, credentials, retry, test seams) and what the
// publisher adds.
struct S3Options : S3ClientOptions {
  // Key prefix ("feeds/srx"); leading and trailing '/' are dropped. Default "" (bucket root).
  std::string prefix;
  // Explicit keys by feed name or file path ("fortigate_ip" -> "blocklist.txt", the Fortinet
  // Lambda's S3_BLOCKLIST_KEY). Used as given: the prefix is not added. Default: PREFIX/PATH.
  std::map<std::string, std::string> keys;
  // Feed names (or file paths) to publish; empty = every file. manifest.xml and cc_schema follow
  // when a listed feed is in the manifest. Default empty.
  std::vector<std::string> feeds;
  // Cache-Control header for every object ("max-age=60"). Default "": none.
  std::string cache_control;
  // Publish even what the shrink guard would hold back. Default false.
  bool force = false;
  // Largest fraction of its last published entries a feed may lose in one publish. Default 0.5.
  double max_shrink_fraction = 0.5;
  // Refuse a manifest.xml whose URLs ("/NAME", relative to the bucket root as an SRX reading
  // https://BUCKET.s3.REGION.amazonaws.com/... resolves them) are not the keys published here.
  // Turn off only when a CDN maps them (CloudFront origin path). Default true.
  bool check_manifest_urls = true;
};

// The key `snapshot` is published under: an explicit key, else PREFIX/PATH.
std::string S3KeyFor(const S3Options& options, const Snapshot& snapshot);

// `store` may be null (state kept in memory: the first publish after a start compares with the
// objects' own metadata instead); otherwise it must outlive the publisher.
Result<std::unique_ptr<Publisher>> NewS3Publisher(S3Options options, Store* store);

}  // namespace guardfeed
