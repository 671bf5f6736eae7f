// SigV4: AWS Signature Version 4 request signing (HMAC-SHA256), written here because curl 7.88's
// built-in signer mis-signs encoded keys and queries. docs/s3.md#signing describes the algorithm
// and the two path rules: S3 signs the path exactly as sent (encoded once, never normalised);
// other services normalise it and encode it twice.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace guardfeed {

// One set of AWS credentials. Secrets never appear in logs, errors or Describe() strings.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;   // "" for long-term keys
  UnixSeconds expiration = 0;  // 0 = does not expire
};

struct SigV4Options {
  std::string region = "us-east-1";
  std::string service = "s3";
  // Remove "." and ".." segments and empty segments from the path before signing (generic
  // services). S3 must not: its keys may contain them. Default false.
  bool normalize_path = false;
  // Encode the (already encoded) path a second time (generic services). Default false (S3).
  bool double_encode_path = false;
};

// What the signature covers. `path` and `query` are decoded text; the signer encodes them.
struct SigV4Request {
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  // Every header here is signed. Must contain Host and X-Amz-Date (SignSigV4 adds the latter).
  std::vector<std::pair<std::string, std::string>> headers;
  // Lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_hash;
};

struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // the Authorization header value
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else
// (including UTF-8 bytes) as %XX with uppercase hex; '/' kept when `keep_slash`.
std::string AwsUriEncode(std::string_view text, bool keep_slash);

// "20150830T123600Z" for the given time.
std::string AmzDate(UnixSeconds time);

// Computes the signature of `request` as it stands. InvalidArgument when X-Amz-Date is missing
// or malformed, or the credentials are empty.
Result<SigV4Signature> ComputeSigV4(const SigV4Request& request, const AwsCredentials& credentials,
                                    const SigV4Options& options);

// Adds X-Amz-Date (from `now`), X-Amz-Content-Sha256, X-Amz-Security-Token (temporary
// credentials only) and Authorization to request->headers, replacing earlier values of those.
Status SignSigV4(SigV4Request* request, const AwsCredentials& credentials,
                 const SigV4Options& options, UnixSeconds now);

}  // namespace guardfeed
