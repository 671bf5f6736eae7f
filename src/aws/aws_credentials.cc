#include "aws/aws_credentials.h"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "core/text.h"
#include "core/time_util.h"

extern char** environ;

namespace guardfeed {
namespace {

using Environment = std::map<std::string, std::string>;
using IniFile = std::map<std::string, std::map<std::string, std::string>>;

Environment ReadProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals != std::string_view::npos) {
      env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
  }
  return env;
}

std::string Get(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

std::string Trim(std::string_view text) { return std::string(TrimSpace(text)); }

// One way of getting credentials. Fetch returns NotFound when the source is not configured.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  virtual Result<AwsCredentials> Fetch() = 0;
  virtual std::string Describe() const = 0;
};

// ---- 1. Environment ----

class EnvironmentSource final : public CredentialSource {
 public:
  explicit EnvironmentSource(const Environment& env) : env_(env) {}

  Result<AwsCredentials> Fetch() override {
    AwsCredentials credentials;
    credentials.access_key_id = Get(env_, "AWS_ACCESS_KEY_ID");
    credentials.secret_access_key = Get(env_, "AWS_SECRET_ACCESS_KEY");
    credentials.session_token = Get(env_, "AWS_SESSION_TOKEN");
    if (credentials.access_key_id.empty() && credentials.secret_access_key.empty()) {
      return Status::NotFound("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    }
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
      return Status::InvalidArgument(
          "AWS credentials from the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
          "must both be set (only one is)");
    }
    return credentials;
  }
  std::string Describe() const override { return "environment variables"; }

 private:
  const Environment& env_;
};

// ---- 2. Shared credentials and config files ----

// The INI dialect of ~/.aws files: [section], key = value, '#'/';' comments. Indented lines
// after a key with an empty value are nested settings (e.g. "s3 =") and are skipped.
IniFile ParseIni(std::istream& in) {
  IniFile ini;
  std::string line, section;
  bool nested = false;
  while (std::getline(in, line)) {
    bool indented = !line.empty() && std::isspace(static_cast<unsigned char>(line[0]));
    std::string text = Trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      section = Trim(std::string_view(text).substr(1, text.size() - 2));
      ini[section];
      nested = false;
      continue;
    }
    if (nested && indented) continue;
    size_t equals = text.find('=');
    if (equals == std::string::npos || section.empty()) continue;
    std::string key = ToLower(TrimSpace(std::string_view(text).substr(0, equals)));
    std::string value = Trim(std::string_view(text).substr(equals + 1));
    nested = value.empty();
    ini[section][key] = value;
  }
  return ini;
}

std::string ExpandHome(const std::string& path, const Environment& env) {
  if (path == "~" || path.starts_with("~/")) return Get(env, "HOME") + path.substr(1);
  return path;
}

class SharedFileSource final : public CredentialSource {
 public:
  explicit SharedFileSource(const Environment& env) : env_(env) {
    profile_ = Get(env, "AWS_PROFILE");
    if (profile_.empty()) profile_ = Get(env, "AWS_DEFAULT_PROFILE");
    explicit_profile_ = !profile_.empty();
    if (profile_.empty()) profile_ = "default";
    credentials_file_ = PathFrom("AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials");
    config_file_ = PathFrom("AWS_CONFIG_FILE", "/.aws/config");
  }

  Result<AwsCredentials> Fetch() override {
    std::map<std::string, std::string> settings;
    // Keys in the credentials file win over the same keys in the config file, where the default
    // profile may be spelled [default] or [profile default].
    bool found = Merge(credentials_file_, profile_, &settings);
    found |= Merge(config_file_, "profile " + profile_, &settings);
    if (profile_ == "default") found |= Merge(config_file_, "default", &settings);
    if (!found) return NotFoundOrError();
    return FromSettings(settings);
  }

  std::string Describe() const override {
    return "profile '" + profile_ + "' in " + credentials_file_ + " / " + config_file_;
  }

 private:
  std::string PathFrom(const std::string& variable, const std::string& default_suffix) const {
    std::string path = Get(env_, variable);
    if (!path.empty()) return ExpandHome(path, env_);
    return Get(env_, "HOME") + default_suffix;
  }

  // Adds the section's keys not already present. False when the file or section is missing.
  static bool Merge(const std::string& path, const std::string& section,
                    std::map<std::string, std::string>* settings) {
    std::ifstream in(path);
    if (!in) return false;
    IniFile ini = ParseIni(in);
    auto it = ini.find(section);
    if (it == ini.end()) return false;
    for (const auto& [key, value] : it->second) settings->try_emplace(key, value);
    return true;
  }

  Status NotFoundOrError() const {
    if (explicit_profile_) {
      return Status::InvalidArgument("AWS profile '" + profile_ + "' (AWS_PROFILE) not found in " +
                                     credentials_file_ + " or " + config_file_);
    }
    return Status::NotFound("no [default] profile in " + credentials_file_ + " or " + config_file_);
  }

  Result<AwsCredentials> FromSettings(const std::map<std::string, std::string>& settings) const {
    auto value = [&](const char* key) {
      auto it = settings.find(key);
      return it == settings.end() ? std::string() : it->second;
    };
    AwsCredentials credentials{value("aws_access_key_id"), value("aws_secret_access_key"),
                               value("aws_session_token"), 0};
    if (!credentials.access_key_id.empty() && !credentials.secret_access_key.empty()) {
      return credentials;
    }
    for (const char* unsupported : {"role_arn", "credential_process", "sso_session",
                                    "sso_start_url", "web_identity_token_file"}) {
      if (settings.contains(unsupported)) {
        return Status::InvalidArgument("AWS profile '" + profile_ + "' uses " + unsupported +
                                       ", which guardfeed does not support; give the profile "
                                       "keys or use the environment, a container or an "
                                       "instance role");
      }
    }
    return Status::InvalidArgument("AWS profile '" + profile_ + "' in " + credentials_file_ +
                                   " has no aws_access_key_id and aws_secret_access_key");
  }

  const Environment& env_;
  std::string profile_;
  bool explicit_profile_ = false;
  std::string credentials_file_;
  std::string config_file_;
};

// ---- 3 and 4: HTTP endpoints (container, instance metadata) ----

std::string JsonString(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return "";
  return std::string(value->get_string());
}

// {"AccessKeyId": ..., "SecretAccessKey": ..., "Token": ..., "Expiration": "...Z"} (both the
// container endpoint and IMDS answer this shape; IMDS adds "Code": "Success").
Result<AwsCredentials> CredentialDocument(std::string_view body, const std::string& where) {
  boost::system::error_code error;
  boost::json::value document = boost::json::parse(body, error);
  if (error || !document.is_object()) {
    return Status::Remote(where + ": credentials answer is not a JSON object");
  }
  const boost::json::object& object = document.get_object();
  std::string code = JsonString(object, "Code");
  if (!code.empty() && code != "Success") {
    return Status::Remote(where + ": credentials answer has Code '" + code + "'");
  }
  AwsCredentials credentials{JsonString(object, "AccessKeyId"),
                             JsonString(object, "SecretAccessKey"), JsonString(object, "Token"), 0};
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::Remote(where + ": credentials answer lacks AccessKeyId or SecretAccessKey");
  }
  std::string expiration = JsonString(object, "Expiration");
  if (!expiration.empty()) {
    Result<UnixSeconds> parsed = ParseIso8601(expiration);
    if (!parsed.ok()) return Status::Remote(where + ": bad Expiration '" + expiration + "'");
    credentials.expiration = *parsed;
  }
  return credentials;
}

Result<HttpResponse> Call(HttpClient& http, std::string method, std::string url,
                          std::vector<std::pair<std::string, std::string>> headers,
                          std::chrono::milliseconds timeout) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.timeout = timeout;
  request.connect_timeout = timeout;
  return http.Send(request);
}

// ---- 3. Container endpoint URLs (docs/s3.md#credentials) ----

namespace urls = boost::urls;

// Plain http may reach only what the AWS SDKs allow, so a poisoned variable cannot send the
// authorization token elsewhere in clear text: loopback (127.0.0.0/8, ::1, and "localhost",
// which libcurl resolves to loopback itself, never through DNS), the ECS agent 169.254.170.2
// and the EKS Pod Identity agent 169.254.170.23 / fd00:ec2::23. Other names are refused (the
// SDKs would resolve them; we do not trust a resolver here).
bool AllowedPlainHttpHost(const urls::url_view& url) {
  constexpr uint32_t kEcsAgent = 0xA9FEAA02;    // 169.254.170.2
  constexpr uint32_t kEksAgentV4 = 0xA9FEAA17;  // 169.254.170.23
  switch (url.host_type()) {
    case urls::host_type::ipv4: {
      const uint32_t address = url.host_ipv4_address().to_uint();
      return (address >> 24) == 127 || address == kEcsAgent || address == kEksAgentV4;
    }
    case urls::host_type::ipv6: {
      static const urls::ipv6_address kEksAgentV6 =
          urls::parse_ipv6_address("fd00:ec2::23").value();
      const urls::ipv6_address address = url.host_ipv6_address();
      return address.is_loopback() || address == kEksAgentV6;
    }
    case urls::host_type::name:
      return EqualsIgnoreCase(url.encoded_host(), "localhost");
    default:
      return false;
  }
}

// No port, an empty one (the scheme's default) or 1..65535 (Boost's port_number() wraps larger
// numbers around).
bool ValidPort(const urls::url_view& url) {
  const std::string_view port = url.port();
  if (port.empty()) return true;
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  return error == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

// AWS_CONTAINER_CREDENTIALS_FULL_URI: an absolute http(s) URL without user information or
// fragment; https may name any host, plain http only the hosts above. The value is not quoted in
// errors, as a URL with user information may carry a password.
Result<std::string> FullUriEndpoint(std::string_view text) {
  const std::string what = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  urls::result<urls::url_view> parsed = urls::parse_absolute_uri(text);
  if (!parsed) {
    return Status::InvalidArgument(what + " is not an absolute URL without fragment (RFC 3986)");
  }
  const urls::url_view& url = *parsed;
  const urls::scheme scheme = url.scheme_id();
  if (scheme != urls::scheme::http && scheme != urls::scheme::https) {
    return Status::InvalidArgument(what + " must be an http:// or https:// URL");
  }
  if (url.has_userinfo()) {
    return Status::InvalidArgument(what + " must not contain user information ('user@host')");
  }
  if (!url.has_authority() || url.encoded_host().empty() ||
      url.host_type() == urls::host_type::ipvfuture) {
    return Status::InvalidArgument(what + " has no usable host");
  }
  // Boost 1.81 reads "http://127.0.0.1.evil.example/" as host 127.0.0.1 and path ".evil.example/"
  // (boostorg/url#755), where libcurl would ask DNS for the whole name; a path after an
  // authority must start with '/'.
  if (!url.encoded_path().empty() && !url.encoded_path().starts_with('/')) {
    return Status::InvalidArgument(what +
                                   " has a host name that is not a plain IP address or "
                                   "name, or a path not starting with '/'");
  }
  if (!ValidPort(url)) {
    return Status::InvalidArgument(what + " has an invalid port '" + std::string(url.port()) + "'");
  }
  if (scheme == urls::scheme::http && !AllowedPlainHttpHost(url)) {
    return Status::InvalidArgument(
        what + " host '" + std::string(url.encoded_host()) +
        "': plain http is only allowed to loopback (127.0.0.0/8, ::1, localhost), the ECS agent "
        "169.254.170.2 or the EKS Pod Identity agent 169.254.170.23 / fd00:ec2::23; use https");
  }
  return std::string(url.buffer());
}

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: a path and optional query ("/v2/credentials/ID")
// appended to `base` (http://169.254.170.2). Nothing in it can change the host: it must start
// with one '/' and be an RFC 3986 origin-form (no scheme, authority, '@' before a path, or
// fragment), and the URL is built with Boost.URL and checked to keep the base's authority.
Result<std::string> RelativeUriEndpoint(std::string_view base, std::string_view relative) {
  const std::string what = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
  urls::result<urls::url_view> origin = urls::parse_origin_form(relative);
  if (!relative.starts_with('/') || relative.starts_with("//") || !origin) {
    return Status::InvalidArgument(what + " \"" + std::string(relative) +
                                   "\" must be a path such as /v2/credentials/ID (with an "
                                   "optional query), never a host");
  }
  urls::result<urls::url_view> base_url = urls::parse_absolute_uri(base);
  if (!base_url || !base_url->has_authority() || base_url->has_query()) {
    return Status::InvalidArgument("container credentials base URL \"" + std::string(base) +
                                   "\" is not an http URL without query");
  }
  urls::url url(*base_url);
  std::string path(base_url->encoded_path());
  while (path.ends_with('/')) path.pop_back();
  path += origin->encoded_path();
  url.set_encoded_path(path);
  if (origin->has_query()) url.set_encoded_query(origin->encoded_query());
  if (url.encoded_authority() != base_url->encoded_authority()) {
    return Status::InvalidArgument(what + " would change the host");
  }
  return std::string(url.buffer());
}

// The token is sent as a header: control characters (a line break would inject headers, a NUL
// would cut it short) are refused.
bool IsHeaderValueSafe(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

class ContainerSource final : public CredentialSource {
 public:
  ContainerSource(const Environment& env, const AwsCredentialOptions& options)
      : env_(env),
        options_(options),
        url_(ContainerCredentialsUrl(env, options.container_base_url)) {}

  Result<AwsCredentials> Fetch() override {
    if (!url_.ok()) return url_.status();
    Result<std::string> token = AuthorizationToken();
    if (!token.ok()) return token.status();
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token->empty()) headers.emplace_back("Authorization", *token);
    HttpClient http;
    Result<HttpResponse> response = Call(http, "GET", *url_, headers, options_.endpoint_timeout);
    if (!response.ok()) return response.status().WithContext("container credentials");
    if (response->status != 200) {
      return Status::Remote("container credentials endpoint " + *url_ + " answered HTTP " +
                            std::to_string(response->status));
    }
    return CredentialDocument(response->body, "container credentials endpoint " + *url_);
  }

  std::string Describe() const override {
    return url_.ok() ? "container credentials endpoint " + *url_
                     : "container credentials endpoint (misconfigured)";
  }

 private:
  // The file wins over the variable (EKS Pod Identity rotates the file).
  Result<std::string> AuthorizationToken() const {
    std::string token = Get(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    std::string file = Get(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (!file.empty()) {
      std::ifstream in(file);
      if (!in)
        return Status::IoError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file +
                               ": cannot be read");
      std::stringstream buffer;
      buffer << in.rdbuf();
      token = Trim(buffer.str());
    }
    if (!IsHeaderValueSafe(token)) {
      return Status::InvalidArgument("container authorization token contains a control character");
    }
    return token;
  }

  const Environment& env_;
  const AwsCredentialOptions& options_;
  const Result<std::string> url_;  // the endpoint, or why there is none
};

class InstanceMetadataSource final : public CredentialSource {
 public:
  InstanceMetadataSource(const Environment& env, const AwsCredentialOptions& options)
      : options_(options) {
    disabled_ = EqualsIgnoreCase(TrimSpace(Get(env, "AWS_EC2_METADATA_DISABLED")), "true");
    base_ = Get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (base_.empty()) base_ = options.imds_base_url;
    while (base_.ends_with('/')) base_.pop_back();
  }

  Result<AwsCredentials> Fetch() override {
    if (disabled_)
      return Status::NotFound("instance metadata disabled (AWS_EC2_METADATA_DISABLED)");
    HttpClient http;
    Result<std::string> token = SessionToken(http);
    if (!token.ok()) return token.status();
    std::string listing = base_ + "/latest/meta-data/iam/security-credentials/";
    Result<std::string> roles = GetText(http, listing, *token);
    if (!roles.ok()) return roles.status();
    std::string role = Trim(std::string_view(*roles).substr(0, roles->find('\n')));
    if (role.empty()) return Status::NotFound("instance metadata: no IAM role attached");
    role_ = role;
    Result<std::string> document = GetText(http, listing + role, *token);
    if (!document.ok()) return document.status();
    return CredentialDocument(*document, "instance metadata role '" + role + "'");
  }

  std::string Describe() const override {
    return "EC2 instance metadata " + base_ + (role_.empty() ? "" : " (role '" + role_ + "')");
  }

 private:
  // IMDSv2: a PUT for a session token before any read. No IMDSv1 fallback.
  Result<std::string> SessionToken(HttpClient& http) const {
    Result<HttpResponse> response =
        Call(http, "PUT", base_ + "/latest/api/token",
             {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, options_.endpoint_timeout);
    if (!response.ok()) {
      return Status::NotFound("no instance metadata service (" + response.status().message() + ")");
    }
    if (response->status != 200 || response->body.empty()) {
      return Status::Remote("instance metadata " + base_ + ": token request answered HTTP " +
                            std::to_string(response->status));
    }
    return Trim(response->body);
  }

  Result<std::string> GetText(HttpClient& http, const std::string& url,
                              const std::string& token) const {
    Result<HttpResponse> response =
        Call(http, "GET", url, {{"X-aws-ec2-metadata-token", token}}, options_.endpoint_timeout);
    if (!response.ok()) return response.status().WithContext("instance metadata");
    if (response->status == 404) {
      return Status::NotFound("instance metadata: no IAM role attached (" + url + " is 404)");
    }
    if (response->status != 200) {
      return Status::Remote("instance metadata " + url + " answered HTTP " +
                            std::to_string(response->status));
    }
    return response->body;
  }

  const AwsCredentialOptions& options_;
  bool disabled_ = false;
  std::string base_;
  std::string role_;  // guarded by the chain's mutex
};

// ---- The chain ----

class CredentialChain final : public AwsCredentialProvider {
 public:
  explicit CredentialChain(AwsCredentialOptions options) : options_(std::move(options)) {
    env_ = options_.environment ? *options_.environment : ReadProcessEnvironment();
    clock_ = options_.clock != nullptr ? options_.clock : SystemClock();
    sources_.push_back(std::make_unique<EnvironmentSource>(env_));
    sources_.push_back(std::make_unique<SharedFileSource>(env_));
    sources_.push_back(std::make_unique<ContainerSource>(env_, options_));
    sources_.push_back(std::make_unique<InstanceMetadataSource>(env_, options_));
  }

  Result<AwsCredentials> Get() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (chosen_ != nullptr && Fresh(cached_)) return cached_;
    if (chosen_ != nullptr) return Refresh();
    return Resolve();
  }

  std::string Describe() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return chosen_ != nullptr ? chosen_->Describe() : "AWS credential chain (not resolved yet)";
  }

 private:
  bool Fresh(const AwsCredentials& credentials) const {
    return credentials.expiration == 0 ||
           clock_->Now() < credentials.expiration - options_.refresh_margin.count();
  }

  Result<AwsCredentials> Resolve() {
    std::string tried;
    for (const auto& source : sources_) {
      Result<AwsCredentials> credentials = source->Fetch();
      if (credentials.ok()) {
        chosen_ = source.get();
        cached_ = *credentials;
        return cached_;
      }
      if (credentials.status().code() != Status::Code::kNotFound) {
        return credentials.status().WithContext("AWS credentials from " + source->Describe());
      }
      tried += "; " + credentials.status().message();
    }
    return Status::NotFound(
        "no AWS credentials found (environment, shared files, container "
        "endpoint, instance metadata)" +
        tried);
  }

  // Keeps using still-valid credentials when a refresh fails, so a short endpoint outage inside
  // the refresh margin costs nothing.
  Result<AwsCredentials> Refresh() {
    Result<AwsCredentials> credentials = chosen_->Fetch();
    if (credentials.ok()) {
      cached_ = *credentials;
      return cached_;
    }
    if (clock_->Now() < cached_.expiration) return cached_;
    return credentials.status().WithContext("refreshing AWS credentials from " +
                                            chosen_->Describe());
  }

  const AwsCredentialOptions options_;
  Environment env_;  // constant after construction
  const Clock* clock_ = nullptr;
  std::vector<std::unique_ptr<CredentialSource>> sources_;

  mutable std::mutex mu_;
  CredentialSource* chosen_ = nullptr;  // guarded by mu_
  AwsCredentials cached_;               // guarded by mu_
};

class StaticCredentials final : public AwsCredentialProvider {
 public:
  explicit StaticCredentials(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  Result<AwsCredentials> Get() override { return credentials_; }
  std::string Describe() const override { return "configured keys"; }

 private:
  const AwsCredentials credentials_;
};

}  // namespace

// RELATIVE_URI wins over FULL_URI, as in the AWS SDKs.
Result<std::string> ContainerCredentialsUrl(const std::map<std::string, std::string>& environment,
                                            std::string_view relative_base) {
  std::string relative = Get(environment, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (!relative.empty()) return RelativeUriEndpoint(relative_base, relative);
  std::string full = Get(environment, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!full.empty()) return FullUriEndpoint(full);
  return Status::NotFound("no AWS_CONTAINER_CREDENTIALS_*_URI set");
}

std::unique_ptr<AwsCredentialProvider> NewAwsCredentialChain(AwsCredentialOptions options) {
  return std::make_unique<CredentialChain>(std::move(options));
}

std::unique_ptr<AwsCredentialProvider> NewStaticAwsCredentials(AwsCredentials credentials) {
  return std::make_unique<StaticCredentials>(std::move(credentials));
}

Result<AwsCredentials> ParseCredentialDocument(std::string_view body, const std::string& where) {
  return CredentialDocument(body, where);
}

}  // namespace guardfeed
