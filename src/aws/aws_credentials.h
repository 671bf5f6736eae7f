// AWS credentials for SigV4, found the way the AWS CLI and SDKs find them (docs/s3.md#credentials):
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   2. shared files: ~/.aws/credentials then ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,
//      AWS_CONFIG_FILE), profile AWS_PROFILE (or AWS_DEFAULT_PROFILE, else "default");
//   3. the container endpoint (ECS, EKS Pod Identity, Lambda):
//      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (a path appended to http://169.254.170.2, never
//      another host) or _FULL_URI (https to any host; plain http only to loopback,
//      169.254.170.2, 169.254.170.23 or fd00:ec2::23; never with user information), with
//      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN. URLs are parsed with Boost.URL; a value
//      breaking these rules is an error;
//   4. EC2 instance metadata, IMDSv2 only (session token first), unless
//      AWS_EC2_METADATA_DISABLED=true.
// A source that is not configured passes to the next; a configured source that fails is an
// error (never a silent fall-through to other credentials). Temporary credentials are cached
// and refreshed before they expire. Secrets never appear in errors or Describe().
//
// Thread safety: Get() may be called from several threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"

namespace guardfeed {

struct AwsCredentialOptions {
  // Variables to read instead of the process environment (tests). Default: the process's.
  std::optional<std::map<std::string, std::string>> environment;
  // Base of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (scheme, host, port; the relative path is
  // appended to its path). Default "http://169.254.170.2".
  std::string container_base_url = "http://169.254.170.2";
  // Instance metadata service; AWS_EC2_METADATA_SERVICE_ENDPOINT overrides it, as in the AWS
  // tools. Default "http://169.254.169.254".
  std::string imds_base_url = "http://169.254.169.254";
  // Refresh temporary credentials this long before their Expiration. Default 5 minutes.
  std::chrono::seconds refresh_margin{300};
  // Timeout of each call to the container or metadata endpoint. Default 2 s.
  std::chrono::milliseconds endpoint_timeout{2000};
  // Clock for expiry decisions; null = SystemClock(). Must outlive the provider.
  const Clock* clock = nullptr;
};

class AwsCredentialProvider {
 public:
  AwsCredentialProvider() = default;
  AwsCredentialProvider(const AwsCredentialProvider&) = delete;
  AwsCredentialProvider& operator=(const AwsCredentialProvider&) = delete;
  virtual ~AwsCredentialProvider() = default;

  // Credentials valid for at least the refresh margin (or long-term ones). NotFound when no
  // source is configured; the source's error when the configured one fails.
  virtual Result<AwsCredentials> Get() = 0;
  // Which source supplied the credentials ("environment", "profile 'x' in FILE", ...), never
  // a secret.
  virtual std::string Describe() const = 0;
};

// Parses the credentials JSON a container endpoint or the instance metadata service answers
// ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}); errors name `where` and never quote
// a secret. Public for the fuzz target.
Result<AwsCredentials> ParseCredentialDocument(std::string_view body, const std::string& where);

// The container endpoint that `environment` names (source 3 above), checked and without any
// I/O: the URL to GET; NotFound when neither variable is set; InvalidArgument when a value
// breaks the rules (the message never quotes a FULL_URI, which may carry a password).
// `relative_base` is AwsCredentialOptions::container_base_url.
Result<std::string> ContainerCredentialsUrl(const std::map<std::string, std::string>& environment,
                                            std::string_view relative_base);

// The default chain above. Contacts nothing until the first Get().
std::unique_ptr<AwsCredentialProvider> NewAwsCredentialChain(AwsCredentialOptions options = {});
// Always returns `credentials` (configuration with explicit keys, tests).
std::unique_ptr<AwsCredentialProvider> NewStaticAwsCredentials(AwsCredentials credentials);

}  // namespace guardfeed
