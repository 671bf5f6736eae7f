#include "aws/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "core/text.h"

namespace guardfeed {
namespace {

// Answers larger than this are cut off with an error: nothing we call sends more.
constexpr size_t kMaxResponseBytes = 64u << 20;

// libcurl's compiled-in CA bundle (Debian: /etc/ssl/certs/ca-certificates.crt), or, when that
// file is missing (Amazon Linux: a Lambda runtime running the packaged binary), the first bundle
// found where other distributions keep theirs. "" leaves libcurl's default.
const std::string& SystemCaBundle() {
  static const std::string bundle = [] {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    std::vector<std::string> candidates;
    if (info->age >= CURLVERSION_NINTH && info->cainfo != nullptr) candidates.push_back(info->cainfo);
    for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                             "/etc/ssl/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}) {
      candidates.emplace_back(path);
    }
    for (const std::string& path : candidates) {
      if (access(path.c_str(), R_OK) == 0) return path;
    }
    return std::string();
  }();
  return bundle;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  size_t bytes = size * count;
  if (response->body.size() + bytes > kMaxResponseBytes) return 0;  // aborts the transfer
  response->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string name = ToLower(TrimSpace(line.substr(0, colon)));
  std::string value(TrimSpace(line.substr(colon + 1)));
  auto [it, inserted] = response->headers.try_emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return bytes;
}

bool HasHeader(const HttpRequest& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

bool SendsBody(const HttpRequest& request) {
  return request.method != "GET" && request.method != "HEAD";
}

// Owns a curl header list.
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void Add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

void BuildHeaders(const HttpRequest& request, HeaderList* headers) {
  for (const auto& [name, value] : request.headers) {
    // "Name;" sends a header with an empty value; "Name:" would remove it.
    headers->Add(value.empty() ? name + ";" : name + ": " + value);
  }
  // curl would add these on its own: a form Content-Type for raw bodies and Expect:
  // 100-continue for large ones. Neither is ours to send. A multipart form keeps curl's
  // Content-Type, which carries the boundary.
  const bool form = !request.form.empty() && SendsBody(request);
  if (!form && !HasHeader(request, "content-type")) headers->Add("Content-Type:");
  if (!HasHeader(request, "expect")) headers->Add("Expect:");
}

// Owns a curl MIME structure (multipart/form-data body).
struct MimeForm {
  curl_mime* mime = nullptr;
  ~MimeForm() { curl_mime_free(mime); }
};

// Builds `form` from the request's parts; curl copies the data and picks the boundary.
Status BuildForm(CURL* curl, const HttpRequest& request, MimeForm* form) {
  if (HasHeader(request, "content-type")) {
    return Status::InvalidArgument(request.method + " " + request.url +
                                   ": a multipart form sets its own Content-Type");
  }
  form->mime = curl_mime_init(curl);
  if (form->mime == nullptr) return Status::Internal("HTTP client: curl_mime_init failed");
  for (const FormPart& part : request.form) {
    if (part.name.empty()) {
      return Status::InvalidArgument(request.method + " " + request.url + ": unnamed form part");
    }
    curl_mimepart* field = curl_mime_addpart(form->mime);
    if (field == nullptr) return Status::Internal("HTTP client: curl_mime_addpart failed");
    CURLcode code = curl_mime_name(field, part.name.c_str());
    if (code == CURLE_OK) code = curl_mime_data(field, part.data.data(), part.data.size());
    if (code == CURLE_OK && !part.filename.empty()) {
      code = curl_mime_filename(field, part.filename.c_str());
    }
    if (code == CURLE_OK && !part.content_type.empty()) {
      code = curl_mime_type(field, part.content_type.c_str());
    }
    if (code != CURLE_OK) {
      return Status::Internal(std::string("HTTP client: form part: ") + curl_easy_strerror(code));
    }
  }
  return Status::Ok();
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  CURL* curl = nullptr;

  // `form` is null or the request's built form; it must outlive the transfer.
  void SetMethod(const HttpRequest& request, curl_mime* form) const {
    if (request.method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (form != nullptr) {
      curl_easy_setopt(curl, CURLOPT_MIMEPOST, form);
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else {
      // Every other method carries the body, even an empty one, so Content-Length is sent.
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }

  void SetTransport(const HttpRequest& request) const {
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    // Send the path exactly as given: S3 keys may contain "./" and "../", which curl would
    // otherwise squash (and the signature covers the path as given).
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    const std::string& ca_file = options.ca_file.empty() ? SystemCaBundle() : options.ca_file;
    if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->options = std::move(options);
  impl_->curl = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  CURL* curl = impl_->curl;
  if (curl == nullptr) return Status::Internal("HTTP client: curl_easy_init failed");
  curl_easy_reset(curl);
  MimeForm form;  // declared before the transfer it must outlive
  if (!request.form.empty() && SendsBody(request)) {
    GF_RETURN_IF_ERROR(BuildForm(curl, request, &form));
  }
  HttpResponse response;
  HeaderList headers;
  BuildHeaders(request, &headers);
  char error[CURL_ERROR_SIZE] = {0};
  impl_->SetTransport(request);
  impl_->SetMethod(request, form.mime);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    std::string detail = error[0] != '\0' ? error : curl_easy_strerror(code);
    if (code == CURLE_WRITE_ERROR) detail = "response larger than 64 MiB";
    return Status::Unavailable(request.method + " " + request.url + ": " + detail);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace guardfeed
