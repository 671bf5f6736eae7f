// FakeS3: an in-memory S3 behind the HttpTransport seam, for publisher unit tests. Path-style
// and virtual-hosted URLs, PUT/GET/HEAD of objects with metadata, and the checks a real server
// makes that matter here (a SigV4 Authorization header, x-amz-content-sha256 equal to the body's
// hash). A fault hook answers instead of the store (503 SlowDown, network errors, 403).
//
// Thread safety: none; one publisher thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "publish/s3.h"

namespace guardfeed::testing {

struct FakeObject {
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names, as sent
};

struct SeenRequest {
  std::string method;
  std::string url;
  std::string key;                             // decoded
  std::map<std::string, std::string> headers;  // lowercase names
};

class FakeS3 {
 public:
  // Returns a response (or error) to use instead of the normal handling, or nullopt.
  using Fault = std::function<std::optional<Result<HttpResponse>>(const SeenRequest&)>;

  explicit FakeS3(std::string bucket) : bucket_(std::move(bucket)) {}

  HttpTransport Transport() {
    return [this](const HttpRequest& request) { return Handle(request); };
  }
  void set_fault(Fault fault) { fault_ = std::move(fault); }

  std::map<std::string, FakeObject>& objects() { return objects_; }
  const std::vector<SeenRequest>& requests() const { return requests_; }
  void ClearRequests() { requests_.clear(); }
  // Keys of the requests with `method`, in order.
  std::vector<std::string> Keys(const std::string& method) const;

 private:
  Result<HttpResponse> Handle(const HttpRequest& request);

  std::string bucket_;
  Fault fault_;
  std::map<std::string, FakeObject> objects_;
  std::vector<SeenRequest> requests_;
};

HttpResponse S3ErrorResponse(long status, const std::string& code);

}  // namespace guardfeed::testing
