#include "server/ui_auth.h"

#include <openssl/rand.h>

#include <boost/beast/http/field.hpp>
#include <stdexcept>

#include "core/cidr.h"
#include "core/hash.h"
#include "core/text.h"
#include "server/auth.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

namespace {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return HexEncode(raw);
}

}  // namespace

UiSessions::UiSessions() : key_(RandomHex(32)) {}

std::string UiSessions::Create(std::string_view name, std::string_view admin_token,
                               UnixSeconds now) {
  std::string id = RandomHex(32);
  std::lock_guard lock(mu_);
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.created < oldest->second.created) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[id] = Session{std::string(name), CsrfFor("t:" + std::string(admin_token)), now};
  return id;
}

void UiSessions::Drop(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) sessions_.erase(it);
}

std::optional<std::string> UiSessions::Find(std::string_view id, std::string_view admin_token,
                                            UnixSeconds now) const {
  if (id.empty()) return std::nullopt;
  const std::string token_mac = CsrfFor("t:" + std::string(admin_token));
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || now - it->second.created >= kLifetime ||
      !ConstantTimeEquals(it->second.token_mac, token_mac)) {
    return std::nullopt;
  }
  return it->second.name;
}

std::string UiSessions::CsrfFor(std::string_view identity) const {
  return HexEncode(HmacSha256(key_, identity));
}

namespace {

// The throttling key: the address, an IPv6 address by its /64 (one host has a whole /64).
std::string ThrottleKey(std::string_view client) {
  Result<IpAddress> address = ParseIpAddress(client);
  if (!address.ok() || !address->v6) return std::string(client);
  return FormatIpAddress(MaskAddress(*address, 64)) + "/64";
}

}  // namespace

bool UiSessions::LoginBlocked(std::string_view client, UnixSeconds now) const {
  std::lock_guard lock(mu_);
  if (now - total_.first < kFailureWindow && total_.count >= kMaxFailuresInTotal) return true;
  auto it = failures_.find(ThrottleKey(client));
  return it != failures_.end() && now - it->second.first < kFailureWindow &&
         it->second.count >= kMaxFailures;
}

void UiSessions::LoginFailed(std::string_view client, UnixSeconds now) {
  std::lock_guard lock(mu_);
  if (now - total_.first >= kFailureWindow) total_ = Failures{0, now};
  ++total_.count;
  if (failures_.size() >= kMaxSessions) {
    // Forget only records whose window has passed; the total above bounds the rest.
    std::erase_if(failures_, [now](const auto& entry) {
      return now - entry.second.first >= kFailureWindow;
    });
    if (failures_.size() >= kMaxSessions) return;
  }
  Failures& f = failures_[ThrottleKey(client)];
  if (now - f.first >= kFailureWindow) f = Failures{0, now};
  ++f.count;
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = TrimSpace(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

std::optional<UiUser> AuthenticateUi(const RequestHead& head, std::string_view client,
                                     std::string_view admin_token, const UiSessions& sessions,
                                     UnixSeconds now, bool* wrong_token) {
  if (admin_token.empty()) return std::nullopt;
  const std::string suffix = " (ui " + std::string(client) + ")";
  if (auto it = head.find(http::field::authorization); it != head.end()) {
    std::optional<BasicCredentials> basic = ParseBasic(it->value());
    if (!basic || !ConstantTimeEquals(basic->password, admin_token)) {
      if (wrong_token != nullptr) *wrong_token = true;
      return std::nullopt;
    }
    std::string name = CleanActorText(basic->user, 64);
    if (name.empty()) name = "admin";
    return UiUser{name + suffix, sessions.CsrfFor("b:" + basic->user), ""};
  }
  auto cookie = head.find(http::field::cookie);
  if (cookie == head.end()) return std::nullopt;
  std::string id(CookieValue(cookie->value(), kSessionCookie));
  std::optional<std::string> name = sessions.Find(id, admin_token, now);
  if (!name) return std::nullopt;
  return UiUser{*name + suffix, sessions.CsrfFor("s:" + id), id};
}

}  // namespace guardfeed::server
