// AwsApiClient: one signed, retried call to an AWS service API other than S3: GuardDuty's
// REST-JSON API and SQS's JSON protocol (sources/). The endpoint comes from the options, else the
// AWS SDKs' variables AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL, else
// https://PREFIX.REGION.amazonaws.com. Requests are signed with SigV4 for generic services
// (normalised, double-encoded path) and retried on network errors, 5xx, 429 and the services'
// throttling errors, signed afresh per attempt.
//
// Thread safety: one thread at a time per client (it owns an HttpClient).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/aws_credentials.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/s3_client.h"
#include "core/clock.h"
#include "core/status.h"

namespace guardfeed {

struct AwsApiOptions {
  std::string service;          // SigV4 signing name, e.g. "guardduty", "sqs"; required
  std::string endpoint_prefix;  // host prefix of the default endpoint; default: `service`
  std::string region = "us-east-1";
  // "scheme://host[:port]"; "" = AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, or AWS's own.
  std::string endpoint;
  RetryOptions retry;
  std::string ca_file;  // CA bundle for TLS; "" = system store
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // Credentials; null = the default AWS chain (aws_credentials.h).
  std::shared_ptr<AwsCredentialProvider> credentials;
  // Test seams: null = real sleep, system clock, libcurl, the process environment.
  SleepFunction sleep;
  const Clock* clock = nullptr;
  HttpTransport transport;
  std::function<const char*(const char*)> getenv;
};

struct AwsApiRequest {
  std::string method = "POST";
  std::string path = "/";                                    // decoded; the client encodes it
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. X-Amz-Target, Content-Type
  std::string body;
  std::string action;  // for messages: "ListFindings", "ReceiveMessage"
};

class AwsApiClient {
 public:
  // InvalidArgument for a missing service or an endpoint that is not http(s)://host[:port].
  static Result<std::unique_ptr<AwsApiClient>> Create(AwsApiOptions options);
  virtual ~AwsApiClient() = default;

  // The response of the last attempt when it is 2xx; otherwise a Status naming the service,
  // action, HTTP status and the AWS error code and message (Remote; Unavailable when the last
  // attempt failed on the network or was throttled). Never quotes credentials.
  virtual Result<HttpResponse> Call(const AwsApiRequest& request) = 0;
  // "guardduty.us-east-1 at https://guardduty.us-east-1.amazonaws.com".
  virtual std::string Describe() const = 0;
};

// The endpoint variables for `service` ("guardduty" reads AWS_ENDPOINT_URL_GUARDDUTY, then
// AWS_ENDPOINT_URL), "" when neither is set.
std::string AwsEndpointFromEnvironment(const std::string& service,
                                       const std::function<const char*(const char*)>& getenv);

// An AWS JSON error body's code ("__type" or "code", without any "namespace#" prefix) and
// message; empty strings when the body is not one.
std::pair<std::string, std::string> AwsJsonError(const std::string& body);

}  // namespace guardfeed
