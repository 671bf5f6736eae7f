#include "publish/aws_credentials.h"

#include <boost/json.hpp>
#include <cctype>
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

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

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
    std::string key = Lower(Trim(std::string_view(text).substr(0, equals)));
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
Result<AwsCredentials> ParseCredentialDocument(std::string_view body, const std::string& where) {
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

// The URL host, lowercased, without brackets or port ("169.254.170.2", "::1").
std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return Lower(std::string(rest.substr(1, rest.find(']') - 1)));
  return Lower(std::string(rest.substr(0, rest.find(':'))));
}

// Plain-HTTP full URIs must point at loopback or the ECS/EKS agent addresses, as in the AWS
// tools, so a poisoned variable cannot send the authorization token elsewhere in clear text.
bool AllowedFullUri(std::string_view url) {
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  std::string host = UrlHost(url);
  return host == "localhost" || host.starts_with("127.") || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

class ContainerSource final : public CredentialSource {
 public:
  ContainerSource(const Environment& env, const AwsCredentialOptions& options)
      : env_(env), options_(options) {
    std::string relative = Get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    url_ = relative.empty() ? Get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
                            : options.container_base_url + relative;
    full_uri_ = relative.empty();
  }

  Result<AwsCredentials> Fetch() override {
    if (url_.empty()) return Status::NotFound("no AWS_CONTAINER_CREDENTIALS_*_URI set");
    if (full_uri_ && !AllowedFullUri(url_)) {
      return Status::InvalidArgument("AWS_CONTAINER_CREDENTIALS_FULL_URI " + url_ +
                                     ": plain http is only allowed to loopback or the "
                                     "ECS/EKS agent addresses");
    }
    Result<std::string> token = AuthorizationToken();
    if (!token.ok()) return token.status();
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token->empty()) headers.emplace_back("Authorization", *token);
    HttpClient http;
    Result<HttpResponse> response = Call(http, "GET", url_, headers, options_.endpoint_timeout);
    if (!response.ok()) return response.status().WithContext("container credentials");
    if (response->status != 200) {
      return Status::Remote("container credentials endpoint " + url_ + " answered HTTP " +
                            std::to_string(response->status));
    }
    return ParseCredentialDocument(response->body, "container credentials endpoint " + url_);
  }

  std::string Describe() const override { return "container credentials endpoint " + url_; }

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
    if (token.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("container authorization token contains a line break");
    }
    return token;
  }

  const Environment& env_;
  const AwsCredentialOptions& options_;
  std::string url_;
  bool full_uri_ = false;
};

class InstanceMetadataSource final : public CredentialSource {
 public:
  InstanceMetadataSource(const Environment& env, const AwsCredentialOptions& options)
      : options_(options) {
    disabled_ = Lower(Get(env, "AWS_EC2_METADATA_DISABLED")) == "true";
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
    return ParseCredentialDocument(*document, "instance metadata role '" + role + "'");
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

std::unique_ptr<AwsCredentialProvider> NewAwsCredentialChain(AwsCredentialOptions options) {
  return std::make_unique<CredentialChain>(std::move(options));
}

std::unique_ptr<AwsCredentialProvider> NewStaticAwsCredentials(AwsCredentials credentials) {
  return std::make_unique<StaticCredentials>(std::move(credentials));
}

}  // namespace guardfeed
