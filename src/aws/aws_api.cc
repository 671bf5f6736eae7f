#include "aws/aws_api.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cstdlib>

#include "core/hash.h"
#include "core/text.h"

namespace guardfeed {
namespace {

// Throttling answers that are not 429 or 5xx (GuardDuty and SQS send 400 with these codes).
bool Throttled(const HttpResponse& response) {
  if (response.status != 400) return false;
  std::string code = AwsJsonError(response.body).first;
  return code == "ThrottlingException" || code == "Throttling" || code == "RequestThrottled" ||
         code == "TooManyRequestsException" || code == "RequestLimitExceeded";
}

struct Endpoint {
  std::string base;  // scheme://host[:port], no trailing slash
  std::string host;  // host[:port] as the Host header
};

Result<Endpoint> ParseEndpoint(const std::string& endpoint) {
  auto url = boost::urls::parse_absolute_uri(endpoint);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || !url->has_authority() ||
      url->encoded_host().empty() || (!url->encoded_path().empty() && url->encoded_path() != "/") ||
      url->has_query() || url->has_userinfo()) {
    return Status::InvalidArgument("endpoint \"" + endpoint +
                                   "\" is not http(s)://host[:port]");
  }
  std::string host(url->encoded_host_and_port());
  return Endpoint{std::string(url->scheme()) + "://" + host, host};
}

class Client final : public AwsApiClient {
 public:
  Client(AwsApiOptions options, Endpoint endpoint)
      : options_(std::move(options)),
        endpoint_(std::move(endpoint)),
        clock_(options_.clock != nullptr ? options_.clock : SystemClock()),
        retrier_(options_.retry, options_.sleep) {
    signing_.region = options_.region;
    signing_.service = options_.service;
    signing_.normalize_path = true;
    signing_.double_encode_path = true;
    if (options_.credentials == nullptr) options_.credentials = NewAwsCredentialChain();
    if (!options_.transport) {
      HttpClientOptions http;
      http.ca_file = options_.ca_file;
      http_ = std::make_unique<HttpClient>(http);
      options_.transport = [this](const HttpRequest& r) { return http_->Send(r); };
    }
  }

  Result<HttpResponse> Call(const AwsApiRequest& call) override {
    HttpRequest request;
    request.method = call.method;
    request.url = endpoint_.base + AwsUriEncode(call.path, true);
    for (size_t i = 0; i < call.query.size(); ++i) {
      request.url += (i == 0 ? "?" : "&") + AwsUriEncode(call.query[i].first, false) + "=" +
                     AwsUriEncode(call.query[i].second, false);
    }
    request.body = call.body;
    request.timeout = options_.timeout;
    request.connect_timeout = options_.connect_timeout;
    SigV4Request signing{call.method, call.path, call.query, {}, Sha256Hex(call.body)};
    Result<HttpResponse> outcome = retrier_.Run([&]() -> Result<HttpResponse> {
      Result<AwsCredentials> credentials = options_.credentials->Get();
      if (!credentials.ok()) return credentials.status();
      signing.headers = call.headers;
      signing.headers.emplace_back("Host", endpoint_.host);
      GF_RETURN_IF_ERROR(SignSigV4(&signing, *credentials, signing_, clock_->Now()));
      request.headers = signing.headers;
      Result<HttpResponse> response = options_.transport(request);
      // A throttled answer is retried like a 503.
      if (response.ok() && Throttled(*response)) response->status = 503;
      return response;
    });
    std::string what = options_.service + " " + call.action;
    if (!outcome.ok()) return outcome.status().WithContext(what);
    if (outcome->status >= 200 && outcome->status < 300) return outcome;
    auto [code, message] = AwsJsonError(outcome->body);
    std::string text = what + ": HTTP " + std::to_string(outcome->status);
    if (!code.empty()) text += " " + code;
    if (!message.empty()) text += ": " + message;
    if (outcome->status >= 500 || outcome->status == 429) return Status::Unavailable(text);
    return Status::Remote(text);
  }

  std::string Describe() const override {
    return options_.service + "." + options_.region + " at " + endpoint_.base;
  }

 private:
  AwsApiOptions options_;
  const Endpoint endpoint_;
  const Clock* const clock_;
  SigV4Options signing_;
  std::unique_ptr<HttpClient> http_;
  Retrier retrier_;
};

}  // namespace

std::string AwsEndpointFromEnvironment(const std::string& service,
                                       const std::function<const char*(const char*)>& getenv) {
  std::string specific = "AWS_ENDPOINT_URL_";
  for (char c : service) specific += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  for (const std::string& name : {specific, std::string("AWS_ENDPOINT_URL")}) {
    const char* value = getenv(name.c_str());
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

std::pair<std::string, std::string> AwsJsonError(const std::string& body) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(body, error);
  if (error || !parsed.is_object()) return {};
  const boost::json::object& object = parsed.as_object();
  std::string code, message;
  for (const char* key : {"__type", "code", "Code"}) {
    if (const auto* v = object.if_contains(key); v != nullptr && v->is_string()) {
      code = std::string(v->as_string());
      break;
    }
  }
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  for (const char* key : {"message", "Message"}) {
    if (const auto* v = object.if_contains(key); v != nullptr && v->is_string()) {
      message = std::string(v->as_string());
      break;
    }
  }
  return {code, message};
}

Result<std::unique_ptr<AwsApiClient>> AwsApiClient::Create(AwsApiOptions options) {
  if (options.service.empty()) return Status::InvalidArgument("AWS API client: no service");
  if (options.endpoint_prefix.empty()) options.endpoint_prefix = options.service;
  if (options.endpoint.empty()) {
    auto getenv = options.getenv ? options.getenv : [](const char* name) { return std::getenv(name); };
    options.endpoint = AwsEndpointFromEnvironment(options.service, getenv);
  }
  if (options.endpoint.empty()) {
    options.endpoint = "https://" + options.endpoint_prefix + "." + options.region + ".amazonaws.com";
  }
  Result<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint.ok()) return endpoint.status().WithContext(options.service);
  return std::unique_ptr<AwsApiClient>(std::make_unique<Client>(std::move(options), *endpoint));
}

}  // namespace guardfeed
