// S3Client: the small S3 object API every AWS-facing module uses (publish/ uploads feeds, lambda/
// keeps its state, sources/ reads GuardDuty's findings export): signed with the project's SigV4,
// retried on network errors, 5xx and 429, against AWS or any S3-compatible server (docs/s3.md).
// Conditional requests (If-Match, If-None-Match) make read-modify-write safe between processes.
//
// Thread safety: one thread at a time per client (it owns an HttpClient).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_credentials.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "core/clock.h"
#include "core/status.h"

namespace guardfeed {

// Sends one HTTP request; the default is a libcurl HttpClient. Tests inject fakes and faults.
using HttpTransport = std::function<Result<HttpResponse>(const HttpRequest&)>;

struct S3ClientOptions {
  std::string bucket;  // required
  // Region the bucket lives in (signing scope and default endpoint). Default "us-east-1".
  std::string region = "us-east-1";
  // "scheme://host[:port]" of an S3-compatible server. Default "": https://s3.REGION.amazonaws.com.
  std::string endpoint;
  // https://ENDPOINT/BUCKET/KEY instead of https://BUCKET.ENDPOINT/KEY. Default false; required
  // for bucket names with dots over TLS and for most S3-compatible servers.
  bool path_style = false;
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

// The AWS SDKs' endpoint variables for S3: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else "".
// `getenv` is a seam.
std::string S3EndpointFromEnvironment(const std::function<const char*(const char*)>& getenv);
// Uses `endpoint` unless `options.endpoint` is already set, with path-style addressing when its
// host is an IP literal or localhost (virtual-hosted bucket names cannot resolve there).
void UseS3EndpointUnlessSet(S3ClientOptions& options, const std::string& endpoint);

struct S3PutOptions {
  std::string content_type = "application/octet-stream";
  std::string cache_control;                    // "" = none
  std::map<std::string, std::string> metadata;  // x-amz-meta-NAME: value
  // Conditional writes: replace only the object with this ETag (quotes optional), or create only
  // when no object exists. A failed condition is FailedPrecondition.
  std::string if_match;
  bool if_none_match = false;
};

struct S3ObjectInfo {
  std::string etag;  // as S3 returns it, quotes included
  uint64_t size = 0;
  std::map<std::string, std::string> metadata;  // x-amz-meta-* without the prefix
};

struct S3Object {
  S3ObjectInfo info;
  std::string body;
  bool not_modified = false;  // a conditional fetch found the ETag asked with: no body
};

struct S3ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

struct S3Listing {
  std::vector<S3ListedObject> objects;  // in key order
  std::string next_continuation_token;  // "" when this was the last page
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
  // Returns the new object's ETag.
  virtual Result<std::string> PutObject(const std::string& key, std::string_view body,
                                        const S3PutOptions& options) = 0;
  virtual Result<std::string> GetObject(const std::string& key) = 0;
  // nullopt when the object does not exist. With `if_none_match` (an ETag) an unchanged object
  // comes back marked not_modified, without a body.
  virtual Result<std::optional<S3Object>> FetchObject(const std::string& key,
                                                      const std::string& if_none_match = "") = 0;
  // nullopt when the object does not exist.
  virtual Result<std::optional<S3ObjectInfo>> HeadObject(const std::string& key) = 0;
  // One page (at most 1000 keys) of ListObjectsV2 under `prefix`, after `start_after` or from a
  // continuation token of the previous page.
  virtual Result<S3Listing> ListObjects(const std::string& prefix, const std::string& start_after,
                                        const std::string& continuation_token) = 0;
  // OK also when the object did not exist.
  virtual Status DeleteObject(const std::string& key) = 0;
  // "s3://bucket" plus the endpoint when not AWS; never credentials.
  virtual std::string Describe() const = 0;
};

Result<std::unique_ptr<S3Client>> NewS3Client(const S3ClientOptions& options);

// An ETag without its quotes (Ceph RGW refuses a quoted If-Match; AWS accepts both forms).
std::string UnquotedEtag(std::string_view etag);

}  // namespace guardfeed
