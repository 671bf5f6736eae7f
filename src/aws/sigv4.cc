#include "aws/sigv4.h"

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <ctime>
#include <map>

#include "core/hash.h"
#include "core/text.h"

namespace guardfeed {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Trims the value and folds runs of spaces into one, as the canonical header form requires.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Removes empty, "." and ".." segments (generic services only; S3 keys keep them).
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  bool directory = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
  if (out.empty() || directory) out += '/';
  return out;
}

std::string CanonicalUri(std::string_view path, const SigV4Options& options) {
  std::string uri = options.normalize_path ? NormalizePath(path) : std::string(path);
  if (uri.empty()) uri = "/";
  uri = AwsUriEncode(uri, true);
  if (options.double_encode_path) uri = AwsUriEncode(uri, true);
  return uri;
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(AwsUriEncode(name, false), AwsUriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" lines
  std::string signed_names;  // "host;x-amz-date"
  std::string amz_date;
};

CanonicalHeaders BuildCanonicalHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::map<std::string, std::string> merged;  // sorted by lowercase name
  for (const auto& [name, value] : headers) {
    std::string key = ToLower(name);
    auto [it, inserted] = merged.try_emplace(key, CanonicalHeaderValue(value));
    if (!inserted) it->second += "," + CanonicalHeaderValue(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name + ':' + value + '\n';
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
    if (name == "x-amz-date") out.amz_date = value;
  }
  return out;
}

bool IsAmzDate(std::string_view date) {
  if (date.size() != 16 || date[8] != 'T' || date[15] != 'Z') return false;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(date[i]))) return false;
  }
  return true;
}

std::string SigningKey(const AwsCredentials& credentials, std::string_view day,
                       const SigV4Options& options) {
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, day);
  key = HmacSha256(key, options.region);
  key = HmacSha256(key, options.service);
  return HmacSha256(key, "aws4_request");
}

void SetHeader(std::vector<std::pair<std::string, std::string>>* headers, std::string_view name,
               std::string value) {
  std::erase_if(*headers, [&](const auto& header) { return ToLower(header.first) == name; });
  headers->emplace_back(std::string(name), std::move(value));
}

}  // namespace

std::string AwsUriEncode(std::string_view text, bool keep_slash) {
  // Boost.URL writes uppercase hex escapes by default, as SigV4 requires.
  if (keep_slash) return boost::urls::encode(text, boost::urls::unreserved_chars + '/');
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string AmzDate(UnixSeconds time) {
  std::time_t t = static_cast<std::time_t>(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

Result<SigV4Signature> ComputeSigV4(const SigV4Request& request, const AwsCredentials& credentials,
                                    const SigV4Options& options) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("SigV4: empty access key id or secret access key");
  }
  CanonicalHeaders headers = BuildCanonicalHeaders(request.headers);
  if (!IsAmzDate(headers.amz_date)) {
    return Status::InvalidArgument("SigV4: missing or malformed X-Amz-Date header");
  }
  SigV4Signature out;
  out.canonical_request = request.method + '\n' + CanonicalUri(request.path, options) + '\n' +
                          CanonicalQuery(request.query) + '\n' + headers.block + '\n' +
                          headers.signed_names + '\n' + request.payload_hash;
  std::string day = headers.amz_date.substr(0, 8);
  std::string scope = day + '/' + options.region + '/' + options.service + "/aws4_request";
  out.string_to_sign = std::string(kAlgorithm) + '\n' + headers.amz_date + '\n' + scope + '\n' +
                       Sha256Hex(out.canonical_request);
  std::string signature =
      HexEncode(HmacSha256(SigningKey(credentials, day, options), out.string_to_sign));
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + '/' +
                      scope + ", SignedHeaders=" + headers.signed_names +
                      ", Signature=" + signature;
  return out;
}

Status SignSigV4(SigV4Request* request, const AwsCredentials& credentials,
                 const SigV4Options& options, UnixSeconds now) {
  auto& headers = request->headers;
  SetHeader(&headers, "x-amz-date", AmzDate(now));
  SetHeader(&headers, "x-amz-content-sha256", request->payload_hash);
  std::erase_if(headers, [](const auto& h) { return ToLower(h.first) == "x-amz-security-token"; });
  if (!credentials.session_token.empty()) {
    headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::erase_if(headers, [](const auto& h) { return ToLower(h.first) == "authorization"; });
  Result<SigV4Signature> signature = ComputeSigV4(*request, credentials, options);
  if (!signature.ok()) return signature.status();
  headers.emplace_back("Authorization", std::move(signature->authorization));
  return Status::Ok();
}

}  // namespace guardfeed
