#include "server/options.h"

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <string>

namespace guardfeed {

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

namespace {

Status CheckAuth(const std::string& key, const FeedAuth& auth) {
  if (!auth.basic() && !auth.bearer()) {
    return Status::InvalidArgument(key + ": set user and password (HTTP basic) or token (bearer)");
  }
  if (auth.basic() && auth.password.empty()) {
    return Status::InvalidArgument(key + ".password: required when user is set");
  }
  if (!auth.basic() && !auth.password.empty()) {
    return Status::InvalidArgument(key + ".user: required when password is set");
  }
  if (auth.user.find(':') != std::string::npos) {
    return Status::InvalidArgument(key + ".user: HTTP basic user names cannot contain ':'");
  }
  return Status::Ok();
}

Status CheckHeaderName(const std::string& name) {
  if (name.empty()) {
    return Status::InvalidArgument("server.ingest_api_key_header: must not be empty");
  }
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument("server.ingest_api_key_header: \"" + name +
                                     "\" is not an HTTP header name (letters, digits, '-')");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateServerOptions(const ServerOptions& options) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(options.host, ec);
  if (ec && options.host != "localhost") {
    return Status::InvalidArgument("server.listen: \"" + options.host +
                                   "\" is not an IP address (use e.g. 127.0.0.1, 0.0.0.0, ::)");
  }
  if (!IsLoopbackHost(options.host) && options.ingest_token.empty()) {
    return Status::InvalidArgument(
        "server.listen: refusing to listen on " + options.host +
        " without server.ingest_token: anyone who can reach this address could post findings and "
        "make your firewalls block arbitrary addresses. Set server.ingest_token (or "
        "GUARDFEED_INGEST_TOKEN), or listen on 127.0.0.1");
  }
  GF_RETURN_IF_ERROR(CheckHeaderName(options.ingest_api_key_header));
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument(options.tls_cert.empty()
                                       ? "server.tls_cert: required when server.tls_key is set"
                                       : "server.tls_key: required when server.tls_cert is set");
  }
  if (options.body_limit == 0) return Status::InvalidArgument("server.body_limit: must be > 0");
  if (options.io_threads < 1 || options.io_threads > 256) {
    return Status::InvalidArgument("server.threads: expected 1..256");
  }
  if (options.store_threads < 1 || options.store_threads > 64) {
    return Status::InvalidArgument("server.store_threads: expected 1..64");
  }
  for (const auto& [name, auth] : options.feed_auth) {
    GF_RETURN_IF_ERROR(CheckAuth("server.feed_auth." + name, auth));
  }
  if (options.secintel_auth) {
    GF_RETURN_IF_ERROR(CheckAuth("server.secintel_auth", *options.secintel_auth));
  }
  return Status::Ok();
}

std::string BaseUrl(const ServerOptions& options, uint16_t bound_port) {
  if (!options.public_url.empty()) {
    std::string url = options.public_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  std::string host = options.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(options.tls() ? "https://" : "http://") + host + ":" +
         std::to_string(bound_port);
}

}  // namespace guardfeed
