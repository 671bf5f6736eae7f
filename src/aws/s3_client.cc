#include "aws/s3_client.h"

#include "aws/aws_api.h"

#include <boost/url/parse.hpp>
#include <charconv>
#include <pugixml.hpp>

#include "aws/sigv4.h"
#include "core/hash.h"

namespace guardfeed {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";
constexpr const char* kCreateBucketXmlHead =
    "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<LocationConstraint>";
constexpr const char* kCreateBucketXmlTail = "</LocationConstraint></CreateBucketConfiguration>";

using Headers = std::vector<std::pair<std::string, std::string>>;
using Query = std::vector<std::pair<std::string, std::string>>;

// ---- Addressing ----

struct Endpoint {
  std::string scheme;  // "https" or "http"
  std::string host;
  std::string port;  // "" when the scheme's default
};

Result<Endpoint> ParseEndpoint(const S3ClientOptions& options) {
  if (options.endpoint.empty()) {
    return Endpoint{"https", "s3." + options.region + ".amazonaws.com", ""};
  }
  Status invalid = Status::InvalidArgument("S3 endpoint '" + options.endpoint +
                                           "': expected http://HOST[:PORT] or https://HOST[:PORT]");
  std::string_view text = options.endpoint;
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return invalid;
  Endpoint endpoint;
  endpoint.scheme = std::string(text.substr(0, scheme_end));
  text.remove_prefix(scheme_end + 3);
  while (text.ends_with('/')) text.remove_suffix(1);
  if ((endpoint.scheme != "http" && endpoint.scheme != "https") || text.empty() ||
      text.find_first_of("/?#@") != std::string_view::npos) {
    return invalid;
  }
  size_t colon = text.rfind(':');
  bool has_port =
      colon != std::string_view::npos && text.find(']', colon) == std::string_view::npos;
  endpoint.host = std::string(has_port ? text.substr(0, colon) : text);
  if (has_port) endpoint.port = std::string(text.substr(colon + 1));
  return endpoint;
}

Status ValidateOptions(const S3ClientOptions& options, const Endpoint& endpoint) {
  const std::string& bucket = options.bucket;
  if (bucket.empty()) return Status::InvalidArgument("S3: bucket is required");
  if (bucket.find_first_of("/ ?#%") != std::string::npos) {
    return Status::InvalidArgument("S3 bucket '" + bucket + "': not a valid bucket name");
  }
  if (options.region.empty()) return Status::InvalidArgument("S3: region is required");
  if (!options.path_style && endpoint.scheme == "https" && bucket.find('.') != std::string::npos) {
    return Status::InvalidArgument(
        "S3 bucket '" + bucket +
        "': names with dots do not match the TLS certificate with virtual-hosted addressing; "
        "set path_style = true");
  }
  return Status::Ok();
}

// ---- Errors ----

// S3 error bodies: <Error><Code>NoSuchBucket</Code><Message>...</Message></Error>.
std::string S3ErrorText(const HttpResponse& response) {
  pugi::xml_document document;
  std::string code, message;
  if (document.load_buffer(response.body.data(), response.body.size())) {
    pugi::xml_node error = document.child("Error");
    code = error.child_value("Code");
    message = error.child_value("Message");
  }
  std::string text = "HTTP " + std::to_string(response.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  auto region = response.headers.find("x-amz-bucket-region");
  if (region != response.headers.end()) text += " (the bucket is in region " + region->second + ")";
  return text;
}

Status RequestError(const std::string& what, const Result<HttpResponse>& outcome, int attempts) {
  std::string tries =
      " (after " + std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
  if (!outcome.ok() && outcome.status().code() != Status::Code::kUnavailable) {
    return outcome.status().WithContext(what);  // e.g. no credentials: not a network problem
  }
  if (!outcome.ok()) return Status::Unavailable(what + ": " + outcome.status().message() + tries);
  std::string text = what + ": " + S3ErrorText(*outcome) + tries;
  if (outcome->status == 412) return Status::FailedPrecondition(text);
  if (IsRetryable(outcome)) return Status::Unavailable(text);
  return Status::Remote(text);
}

S3ObjectInfo InfoFrom(const HttpResponse& response) {
  S3ObjectInfo info;
  for (const auto& [name, value] : response.headers) {
    if (name == "etag") info.etag = value;
    if (name == "content-length") {
      std::from_chars(value.data(), value.data() + value.size(), info.size);
    }
    if (name.starts_with(kMetaPrefix)) info.metadata[name.substr(kMetaPrefix.size())] = value;
  }
  return info;
}

Result<S3Listing> ParseListing(const std::string& body) {
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) {
    return Status::Remote("ListObjectsV2: the answer is not XML");
  }
  pugi::xml_node result = document.child("ListBucketResult");
  if (!result) return Status::Remote("ListObjectsV2: no ListBucketResult in the answer");
  S3Listing listing;
  for (pugi::xml_node contents : result.children("Contents")) {
    S3ListedObject object;
    object.key = contents.child_value("Key");
    object.etag = contents.child_value("ETag");
    std::string_view size = contents.child_value("Size");
    std::from_chars(size.data(), size.data() + size.size(), object.size);
    listing.objects.push_back(std::move(object));
  }
  if (std::string_view(result.child_value("IsTruncated")) == "true") {
    listing.next_continuation_token = result.child_value("NextContinuationToken");
    if (listing.next_continuation_token.empty()) {
      return Status::Remote("ListObjectsV2: truncated answer without a continuation token");
    }
  }
  return listing;
}

// ---- Client ----

class S3ClientImpl final : public S3Client {
 public:
  S3ClientImpl(S3ClientOptions options, Endpoint endpoint)
      : options_(std::move(options)),
        endpoint_(std::move(endpoint)),
        clock_(options_.clock != nullptr ? options_.clock : SystemClock()),
        retrier_(options_.retry, options_.sleep) {
    if (!options_.credentials) options_.credentials = NewAwsCredentialChain();
    transport_ = options_.transport;
    if (!transport_) {
      http_ = std::make_unique<HttpClient>(HttpClientOptions{options_.ca_file, false});
      transport_ = [this](const HttpRequest& request) { return http_->Send(request); };
    }
    signing_.region = options_.region;
    signing_.service = "s3";
  }

  Status CreateBucket() override {
    // us-east-1 is the default location and must not be named.
    std::string body;
    if (options_.region != "us-east-1") {
      body = std::string(kCreateBucketXmlHead) + options_.region + kCreateBucketXmlTail;
    }
    int attempts = 0;
    Result<HttpResponse> outcome = Call("PUT", "", {}, body, {}, &attempts);
    if (outcome.ok() && outcome->status == 200) return Status::Ok();
    if (outcome.ok() && outcome->status == 409 &&
        outcome->body.find("BucketAlreadyOwnedByYou") != std::string::npos) {
      return Status::Ok();
    }
    return RequestError("create bucket s3://" + options_.bucket, outcome, attempts);
  }

  Result<std::string> PutObject(const std::string& key, std::string_view body,
                                const S3PutOptions& put) override {
    Headers headers = {{"Content-Type", put.content_type}};
    if (!put.cache_control.empty()) headers.emplace_back("Cache-Control", put.cache_control);
    if (!put.if_match.empty()) headers.emplace_back("If-Match", UnquotedEtag(put.if_match));
    if (put.if_none_match) headers.emplace_back("If-None-Match", "*");
    for (const auto& [name, value] : put.metadata) {
      headers.emplace_back(std::string(kMetaPrefix) + name, value);
    }
    int attempts = 0;
    Result<HttpResponse> outcome = Call("PUT", key, {}, std::string(body), headers, &attempts);
    if (outcome.ok() && outcome->status == 200) return InfoFrom(*outcome).etag;
    return RequestError("PUT " + Where(key), outcome, attempts);
  }

  Result<std::string> GetObject(const std::string& key) override {
    int attempts = 0;
    Result<HttpResponse> outcome = Call("GET", key, {}, "", {}, &attempts);
    if (outcome.ok() && outcome->status == 200) return std::move(outcome->body);
    return RequestError("GET " + Where(key), outcome, attempts);
  }

  Result<std::optional<S3Object>> FetchObject(const std::string& key,
                                              const std::string& if_none_match) override {
    Headers headers;
    if (!if_none_match.empty()) headers.emplace_back("If-None-Match", if_none_match);
    int attempts = 0;
    Result<HttpResponse> outcome = Call("GET", key, {}, "", headers, &attempts);
    if (outcome.ok() && outcome->status == 404) return std::optional<S3Object>();
    if (outcome.ok() && outcome->status == 304) {
      S3Object unchanged{InfoFrom(*outcome), "", true};
      if (unchanged.info.etag.empty()) unchanged.info.etag = if_none_match;
      return std::optional<S3Object>(std::move(unchanged));
    }
    if (!outcome.ok() || outcome->status != 200) {
      return RequestError("GET " + Where(key), outcome, attempts);
    }
    S3Object object{InfoFrom(*outcome), std::move(outcome->body), false};
    return std::optional<S3Object>(std::move(object));
  }

  Result<std::optional<S3ObjectInfo>> HeadObject(const std::string& key) override {
    int attempts = 0;
    Result<HttpResponse> outcome = Call("HEAD", key, {}, "", {}, &attempts);
    if (outcome.ok() && outcome->status == 404) return std::optional<S3ObjectInfo>();
    if (!outcome.ok() || outcome->status != 200) {
      return RequestError("HEAD " + Where(key), outcome, attempts);
    }
    return std::optional<S3ObjectInfo>(InfoFrom(*outcome));
  }

  Result<S3Listing> ListObjects(const std::string& prefix, const std::string& start_after,
                                const std::string& continuation_token) override {
    Query query = {{"list-type", "2"}, {"prefix", prefix}};
    if (!continuation_token.empty()) {
      query.emplace_back("continuation-token", continuation_token);
    } else if (!start_after.empty()) {
      query.emplace_back("start-after", start_after);
    }
    int attempts = 0;
    Result<HttpResponse> outcome = Call("GET", "", query, "", {}, &attempts);
    if (!outcome.ok() || outcome->status != 200) {
      return RequestError("LIST " + Where(prefix), outcome, attempts);
    }
    return ParseListing(outcome->body);
  }

  Status DeleteObject(const std::string& key) override {
    int attempts = 0;
    Result<HttpResponse> outcome = Call("DELETE", key, {}, "", {}, &attempts);
    if (outcome.ok() && (outcome->status == 204 || outcome->status == 200 ||
                         outcome->status == 404)) {
      return Status::Ok();
    }
    return RequestError("DELETE " + Where(key), outcome, attempts);
  }

  std::string Describe() const override {
    std::string out = "s3://" + options_.bucket;
    if (!options_.endpoint.empty()) out += " at " + options_.endpoint;
    return out;
  }

 private:
  struct Target {
    std::string url;
    std::string host;  // Host header: host[:port]
    std::string signed_path;
  };

  std::string Where(const std::string& key) const { return "s3://" + options_.bucket + "/" + key; }

  // The key is percent-encoded once, exactly as the signer encodes it (S3 does not normalise).
  Target TargetFor(const std::string& key, const Query& query) const {
    Target target;
    std::string host =
        options_.path_style ? endpoint_.host : options_.bucket + "." + endpoint_.host;
    target.host = endpoint_.port.empty() ? host : host + ":" + endpoint_.port;
    std::string path = options_.path_style ? "/" + options_.bucket : "";
    if (!key.empty() || !options_.path_style) path += "/" + key;
    target.signed_path = path;
    target.url = endpoint_.scheme + "://" + target.host + AwsUriEncode(path, true);
    for (size_t i = 0; i < query.size(); ++i) {
      target.url += (i == 0 ? "?" : "&") + AwsUriEncode(query[i].first, false) + "=" +
                    AwsUriEncode(query[i].second, false);
    }
    return target;
  }

  // One signed request, retried on network errors, 5xx and 429; signed afresh per attempt (the
  // date moves, temporary credentials may rotate).
  Result<HttpResponse> Call(const std::string& method, const std::string& key, const Query& query,
                            std::string body, const Headers& headers, int* attempts) {
    Target target = TargetFor(key, query);
    HttpRequest request;
    request.method = method;
    request.url = target.url;
    request.body = std::move(body);
    request.timeout = options_.timeout;
    request.connect_timeout = options_.connect_timeout;
    SigV4Request signing{method, target.signed_path, query, {}, Sha256Hex(request.body)};
    return retrier_.Run(
        [&]() -> Result<HttpResponse> {
          Result<AwsCredentials> credentials = options_.credentials->Get();
          if (!credentials.ok()) return credentials.status();
          signing.headers = headers;
          signing.headers.emplace_back("Host", target.host);
          GF_RETURN_IF_ERROR(SignSigV4(&signing, *credentials, signing_, clock_->Now()));
          request.headers = signing.headers;
          return transport_(request);
        },
        attempts);
  }

  S3ClientOptions options_;
  const Endpoint endpoint_;
  const Clock* const clock_;
  SigV4Options signing_;
  std::unique_ptr<HttpClient> http_;
  HttpTransport transport_;
  Retrier retrier_;
};

// Hosts a virtual-hosted bucket name cannot be put in front of.
bool NeedsPathStyle(const std::string& endpoint) {
  boost::system::result<boost::urls::url_view> url = boost::urls::parse_absolute_uri(endpoint);
  if (!url) return false;
  auto kind = url->host_type();
  if (kind == boost::urls::host_type::ipv4 || kind == boost::urls::host_type::ipv6) return true;
  return url->encoded_host() == "localhost";
}

}  // namespace

std::string S3EndpointFromEnvironment(const std::function<const char*(const char*)>& getenv) {
  return AwsEndpointFromEnvironment("s3", getenv);
}

void UseS3EndpointUnlessSet(S3ClientOptions& options, const std::string& endpoint) {
  if (!options.endpoint.empty() || endpoint.empty()) return;
  options.endpoint = endpoint;
  if (NeedsPathStyle(endpoint)) options.path_style = true;
}

std::string UnquotedEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

Result<std::unique_ptr<S3Client>> NewS3Client(const S3ClientOptions& options) {
  Result<Endpoint> endpoint = ParseEndpoint(options);
  if (!endpoint.ok()) return endpoint.status();
  GF_RETURN_IF_ERROR(ValidateOptions(options, *endpoint));
  return std::unique_ptr<S3Client>(std::make_unique<S3ClientImpl>(options, std::move(*endpoint)));
}

}  // namespace guardfeed
