// S3 publisher: uploads the changed files of a FeedSet to an S3 bucket or an S3-compatible server,
// signed with the project's SigV4 (docs/s3.md). Objects go up in FeedSet order (SecIntel data
// before manifest.xml), never with an ACL; an unchanged object is not re-uploaded; a feed that
// would shrink too much is held back (shrink_guard.h); failures leave earlier objects in place and
// are retried at the next publish. S3Client is the small object API underneath, also used by
// tests and setup tools.
//
// Thread safety: one thread at a time per publisher or client (they own an HttpClient).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "aws/aws_credentials.h"
#include "aws/http_client.h"
#include "publish/publisher.h"
#include "aws/retry.h"
#include "store/store.h"

namespace guardfeed {

// Sends one HTTP request; the default is a libcurl HttpClient. Tests inject fakes and faults.
using HttpTransport = std::function<Result<HttpResponse>(const HttpRequest&)>;

struct S3Options {
  std::string bucket;  // required
  // Region the bucket lives in (signing scope and default endpoint). Default "us-east-1".
  std::string region = "us-east-1";
  // Key prefix ("feeds/srx"); leading and trailing '/' are dropped. Default "" (bucket root).
  std::string prefix;
  // "scheme://host[:port]" of an S3-compatible server. Default "": https://s3.REGION.amazonaws.com.
  std::string endpoint;
  // https://ENDPOINT/BUCKET/KEY instead of https://BUCKET.ENDPOINT/KEY. Default false; required
  // for bucket names with dots over TLS and for most S3-compatible servers.
  bool path_style = false;
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
  RetryOptions retry;
  std::string ca_file;  // CA bundle for TLS; "" = system store
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds connect_timeout{5000};
  // Credentials; null = the default AWS chain (aws_credentials.h).
  std::shared_ptr<AwsCredentialProvider> credentials;
  // Test seams: null = real sleep, system clock, libcurl.
  SleepFunction sleep;
  const Clock* clock = nullptr;
  HttpTransport transport;
};

struct S3PutOptions {
  std::string content_type = "application/octet-stream";
  std::string cache_control;                    // "" = none
  std::map<std::string, std::string> metadata;  // x-amz-meta-NAME: value
};

struct S3ObjectInfo {
  std::string etag;
  uint64_t size = 0;
  std::map<std::string, std::string> metadata;  // x-amz-meta-* without the prefix
};

class S3Client {
 public:
  S3Client() = default;
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;
  virtual ~S3Client() = default;

  // Creates the bucket (private, no ACL); OK when it already exists and is ours.
  virtual Status CreateBucket() = 0;
  // Errors name the bucket, key, HTTP status and S3 error code ("SignatureDoesNotMatch").
  virtual Status PutObject(const std::string& key, std::string_view body,
                           const S3PutOptions& options) = 0;
  virtual Result<std::string> GetObject(const std::string& key) = 0;
  // nullopt when the object does not exist.
  virtual Result<std::optional<S3ObjectInfo>> HeadObject(const std::string& key) = 0;
  // "s3://bucket/prefix" plus the endpoint when not AWS; never credentials.
  virtual std::string Describe() const = 0;
};

Result<std::unique_ptr<S3Client>> NewS3Client(const S3Options& options);

// The key `snapshot` is published under: an explicit key, else PREFIX/PATH.
std::string S3KeyFor(const S3Options& options, const Snapshot& snapshot);

// `store` may be null (state kept in memory: the first publish after a start compares with the
// objects' own metadata instead); otherwise it must outlive the publisher.
Result<std::unique_ptr<Publisher>> NewS3Publisher(S3Options options, Store* store);

}  // namespace guardfeed
