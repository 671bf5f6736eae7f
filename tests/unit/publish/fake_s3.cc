#include "fake_s3.h"

#include <cctype>

#include "core/hash.h"

namespace guardfeed::testing {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// "scheme://host/path" -> (host, decoded path).
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  size_t start = url.find("://") + 3;
  size_t slash = url.find('/', start);
  if (slash == std::string::npos) return {url.substr(start), "/"};
  return {url.substr(start, slash - start), PercentDecode(url.substr(slash))};
}

}  // namespace

HttpResponse S3ErrorResponse(long status, const std::string& code) {
  HttpResponse response;
  response.status = status;
  response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                  "</Code><Message>fake " + code + "</Message></Error>";
  return response;
}

std::vector<std::string> FakeS3::Keys(const std::string& method) const {
  std::vector<std::string> keys;
  for (const SeenRequest& request : requests_) {
    if (request.method == method) keys.push_back(request.key);
  }
  return keys;
}

Result<HttpResponse> FakeS3::Handle(const HttpRequest& request) {
  SeenRequest seen{request.method, request.url, "", {}};
  for (const auto& [name, value] : request.headers) seen.headers[Lower(name)] = value;
  auto [host, path] = SplitUrl(request.url);
  if (host.starts_with(bucket_ + ".")) {
    seen.key = path.substr(1);  // virtual-hosted
  } else if (path.starts_with("/" + bucket_)) {
    seen.key = path.size() > bucket_.size() + 2 ? path.substr(bucket_.size() + 2) : "";
  } else {
    return S3ErrorResponse(404, "NoSuchBucket");
  }
  requests_.push_back(seen);
  if (fault_) {
    if (std::optional<Result<HttpResponse>> injected = fault_(seen)) return *injected;
  }
  if (!seen.headers["authorization"].starts_with("AWS4-HMAC-SHA256 Credential=")) {
    return S3ErrorResponse(403, "AccessDenied");
  }
  if (seen.headers["x-amz-content-sha256"] != Sha256Hex(request.body)) {
    return S3ErrorResponse(400, "XAmzContentSHA256Mismatch");
  }
  HttpResponse response;
  response.status = 200;
  if (request.method == "PUT") {
    objects_[seen.key] = FakeObject{request.body, seen.headers};
    return response;
  }
  auto it = objects_.find(seen.key);
  if (it == objects_.end()) return S3ErrorResponse(404, "NoSuchKey");
  for (const auto& [name, value] : it->second.headers) {
    if (name.starts_with("x-amz-meta-")) response.headers[name] = value;
  }
  if (request.method == "GET") response.body = it->second.body;
  return response;
}

}  // namespace guardfeed::testing
