// fuzz_aws_config: the AWS settings guardfeed reads from files and the environment
// (aws/aws_credentials.h).
//
// Input: up to five parts separated by NUL bytes, a missing part being empty:
//   credentials file \0 config file \0 AWS_PROFILE \0 FULL_URI \0 RELATIVE_URI
// The two files (held in memory, named by /proc/self/fd paths) are read by the credential chain
// with only the shared-file source configured: no environment keys, no container variables,
// instance metadata disabled, so nothing is ever contacted. The two URI parts, and the whole
// input, go through ContainerCredentialsUrl as AWS_CONTAINER_CREDENTIALS_FULL_URI and
// _RELATIVE_URI.
//
// Checked: the chain answers with keys or with NotFound / InvalidArgument, and never quotes a
// secret from the files in an error or Describe(); an accepted container URL is http(s) without
// user information, and a plain-http one names an allowed host (loopback, 169.254.170.2,
// 169.254.170.23, fd00:ec2::23) both as Boost.URL and as libcurl (which makes the request) read
// it; a RELATIVE_URI never moves away from the base URL's host.
//
// The JSON answer of the container and instance-metadata endpoints is parsed by a function that
// is not public (ParseCredentialDocument in aws_credentials.cc), so it is not reached here.
#include <curl/curl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/indicator.h"
#include "core/text.h"
#include "fuzz_check.h"
#include "aws/aws_credentials.h"

namespace {

namespace urls = boost::urls;
using Environment = std::map<std::string, std::string>;

// ---- The shared files, in memory ----

class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : fd_(memfd_create(name, MFD_CLOEXEC)) {
    GF_FUZZ_CHECK(fd_ >= 0, "memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { close(fd_); }

  void Write(std::string_view text) {
    GF_FUZZ_CHECK(ftruncate(fd_, 0) == 0, "ftruncate failed");
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
      GF_FUZZ_CHECK(n > 0, "pwrite failed");
      done += static_cast<size_t>(n);
    }
  }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

std::vector<std::string_view> SplitParts(std::string_view bytes, size_t count) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < count) {
    const size_t nul = bytes.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(bytes.substr(0, nul));
    bytes.remove_prefix(nul + 1);
  }
  parts.push_back(bytes);
  parts.resize(count);
  return parts;
}

bool IsSecretLike(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Values of secret keys in `file`, read loosely (any line "key = value" whose key is a secret's
// name), keeping those long and random-looking enough that no message could contain them by
// accident: at least 16 characters of the base64 alphabet AWS secrets use.
std::vector<std::string> SecretsIn(std::string_view file) {
  std::vector<std::string> secrets;
  while (!file.empty()) {
    const size_t newline = file.find('\n');
    const std::string_view line = file.substr(0, newline);
    file = newline == std::string_view::npos ? std::string_view() : file.substr(newline + 1);
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string key = guardfeed::ToLower(guardfeed::TrimSpace(line.substr(0, equals)));
    if (key != "aws_secret_access_key" && key != "aws_session_token") continue;
    const std::string_view value = guardfeed::TrimSpace(line.substr(equals + 1));
    bool secret_like = value.size() >= 16;
    for (char c : value) secret_like = secret_like && IsSecretLike(c);
    if (secret_like) secrets.emplace_back(value);
  }
  return secrets;
}

void CheckNoSecret(const std::string& text, const std::vector<std::string>& secrets,
                   std::string_view profile, const char* what) {
  for (const std::string& secret : secrets) {
    // The profile name (which a message quotes) or a file path may legitimately hold it.
    if (profile.find(secret) != std::string_view::npos) continue;
    if (std::string_view("/proc/self/fd/").find(secret) != std::string_view::npos) continue;
    GF_FUZZ_CHECK(text.find(secret) == std::string::npos, what);
  }
}

void CheckSharedFiles(std::string_view credentials, std::string_view config,
                      std::string_view profile) {
  static MemoryFile credentials_file("guardfeed-fuzz-credentials");
  static MemoryFile config_file("guardfeed-fuzz-config");
  credentials_file.Write(credentials);
  config_file.Write(config);

  Environment env{{"HOME", "/nonexistent/guardfeed-fuzz"},
                  {"AWS_SHARED_CREDENTIALS_FILE", credentials_file.path()},
                  {"AWS_CONFIG_FILE", config_file.path()},
                  {"AWS_EC2_METADATA_DISABLED", "true"}};
  if (!profile.empty()) env.emplace("AWS_PROFILE", std::string(profile));
  guardfeed::AwsCredentialOptions options;
  options.environment = env;
  auto chain = guardfeed::NewAwsCredentialChain(std::move(options));
  guardfeed::Result<guardfeed::AwsCredentials> got = chain->Get();

  std::vector<std::string> secrets = SecretsIn(credentials);
  for (std::string& secret : SecretsIn(config)) secrets.push_back(std::move(secret));
  if (got.ok()) {
    GF_FUZZ_CHECK(!got->access_key_id.empty() && !got->secret_access_key.empty(),
                  "credentials without a key");
    for (const std::string* value :
         {&got->access_key_id, &got->secret_access_key, &got->session_token}) {
      GF_FUZZ_CHECK(guardfeed::TrimSpace(*value) == *value, "a key is not trimmed");
      GF_FUZZ_CHECK(value->find('\n') == std::string::npos, "a key spans lines");
    }
    GF_FUZZ_CHECK(got->expiration == 0, "keys from a file expire");
    const std::string describe = chain->Describe();
    GF_FUZZ_CHECK(describe.starts_with("profile '"), "keys not from the shared files");
    CheckNoSecret(describe, secrets, profile, "Describe() quotes a secret");
    return;
  }
  const auto code = got.status().code();
  GF_FUZZ_CHECK(code == guardfeed::Status::Code::kNotFound ||
                    code == guardfeed::Status::Code::kInvalidArgument,
                "the shared-file chain failed with an unexpected code");
  CheckNoSecret(got.status().message(), secrets, profile, "an error quotes a secret");
  CheckNoSecret(chain->Describe(), secrets, profile, "Describe() quotes a secret");
}

// ---- Container endpoint URLs ----

constexpr std::array<std::string_view, 2> kRelativeBases = {"http://169.254.170.2",
                                                            "http://127.0.0.1:8080/prefix/"};

// Plain http may reach loopback, the ECS agent and the EKS Pod Identity agent only
// (docs/s3.md#credentials). `host` is a host as written in a URL (IPv6 in brackets).
bool IsAllowedPlainHttpHost(std::string_view host) {
  if (guardfeed::EqualsIgnoreCase(host, "localhost")) return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto address = guardfeed::ParseIpAddress(host);
  if (!address.ok()) return false;
  const std::string text = guardfeed::FormatIpAddress(*address);
  return (!address->v6 && address->bytes[0] == 127) || text == "169.254.170.2" ||
         text == "169.254.170.23" || text == "::1" || text == "fd00:ec2::23";
}

struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

struct CurlView {
  std::string scheme, host, port;
  bool user = false;
};

std::string CurlPart(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, 0) != CURLUE_OK || text == nullptr) return "";
  std::string out(text);
  curl_free(text);
  return out;
}

// The URL as libcurl reads it for a request (the flags its easy interface uses); false when it
// cannot.
bool CurlRead(const std::string& url_text, CurlView* view) {
  std::unique_ptr<CURLU, CurlUrlDeleter> url(curl_url());
  GF_FUZZ_CHECK(url != nullptr, "curl_url failed");
  if (curl_url_set(url.get(), CURLUPART_URL, url_text.c_str(),
                   CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return false;
  }
  view->scheme = guardfeed::ToLower(CurlPart(url.get(), CURLUPART_SCHEME));
  view->host = CurlPart(url.get(), CURLUPART_HOST);
  view->port = CurlPart(url.get(), CURLUPART_PORT);
  char* user = nullptr;
  view->user = curl_url_get(url.get(), CURLUPART_USER, &user, 0) == CURLUE_OK;
  curl_free(user);
  return true;
}

void CheckAcceptedUrl(const std::string& url_text) {
  auto url = urls::parse_absolute_uri(url_text);
  GF_FUZZ_CHECK(url.has_value(), "accepted URL does not parse");
  const urls::scheme scheme = url->scheme_id();
  GF_FUZZ_CHECK(scheme == urls::scheme::http || scheme == urls::scheme::https,
                "accepted URL is not http(s)");
  GF_FUZZ_CHECK(!url->has_userinfo(), "accepted URL has user information");
  GF_FUZZ_CHECK(!url->has_fragment(), "accepted URL has a fragment");
  if (scheme == urls::scheme::http) {
    GF_FUZZ_CHECK(IsAllowedPlainHttpHost(url->encoded_host()),
                  "plain-http URL to a host that is not allowed (Boost.URL)");
  }
  GF_FUZZ_CHECK(url_text.find('\0') == std::string::npos, "accepted URL contains NUL");
  CurlView curl;
  if (!CurlRead(url_text, &curl)) return;  // libcurl refuses it: the request fails, no harm
  GF_FUZZ_CHECK(curl.scheme == "http" || curl.scheme == "https", "libcurl sees another scheme");
  GF_FUZZ_CHECK(!curl.user, "libcurl sees user information");
  if (curl.scheme == "http") {
    GF_FUZZ_CHECK(IsAllowedPlainHttpHost(curl.host),
                  "plain-http URL to a host that is not allowed (libcurl)");
  }
}

void CheckContainerUrl(std::string_view full, std::string_view relative) {
  for (std::string_view base : kRelativeBases) {
    Environment env;
    if (!full.empty()) env.emplace("AWS_CONTAINER_CREDENTIALS_FULL_URI", std::string(full));
    if (!relative.empty()) {
      env.emplace("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", std::string(relative));
    }
    guardfeed::Result<std::string> url = guardfeed::ContainerCredentialsUrl(env, base);
    if (!url.ok()) {
      const auto code = url.status().code();
      GF_FUZZ_CHECK(code == guardfeed::Status::Code::kNotFound ||
                        code == guardfeed::Status::Code::kInvalidArgument,
                    "unexpected error code");
      GF_FUZZ_CHECK((code == guardfeed::Status::Code::kNotFound) == env.empty(),
                    "NotFound although a variable is set, or the reverse");
      continue;
    }
    CheckAcceptedUrl(*url);
    if (relative.empty()) continue;
    // RELATIVE_URI wins, and stays on the base's host and port.
    auto base_url = urls::parse_absolute_uri(base);
    auto built = urls::parse_absolute_uri(*url);
    GF_FUZZ_CHECK(built && built->encoded_authority() == base_url->encoded_authority(),
                  "RELATIVE_URI changed the authority (Boost.URL)");
    CurlView from_base, from_url;
    GF_FUZZ_CHECK(CurlRead(std::string(base), &from_base), "libcurl refuses the base URL");
    if (CurlRead(*url, &from_url)) {
      GF_FUZZ_CHECK(from_url.host == from_base.host && from_url.port == from_base.port &&
                        from_url.scheme == from_base.scheme && !from_url.user,
                    "RELATIVE_URI changed the host (libcurl)");
    }
  }
}

}  // namespace

// The JSON a container endpoint or IMDS answers: parsed or refused, never a crash; an accepted
// document has both halves of the key.
void CheckCredentialDocument(std::string_view body) {
  guardfeed::Result<guardfeed::AwsCredentials> parsed =
      guardfeed::ParseCredentialDocument(body, "fuzz");
  if (parsed.ok()) {
    GF_FUZZ_CHECK(!parsed->access_key_id.empty() && !parsed->secret_access_key.empty(),
                  "accepted credentials without a key");
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts = SplitParts(bytes, 5);
  CheckSharedFiles(parts[0], parts[1], parts[2]);
  CheckContainerUrl(parts[3], parts[4]);
  CheckContainerUrl(bytes, "");
  CheckContainerUrl("", bytes);
  CheckCredentialDocument(bytes);
  return 0;
}
