// Who is using the dashboard: the admin token as HTTP Basic's password (any user name) or a
// login form that sets a same-site session cookie; the per-identity CSRF token its forms carry;
// and a cap on failed logins so the token cannot be guessed through the form.
//
// Thread safety: UiSessions is safe to call from any thread (one mutex; short critical sections).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "server/http_types.h"

namespace guardfeed::server {

inline constexpr std::string_view kSessionCookie = "gf_session";

struct UiUser {
  std::string actor;  // for the audit log: "NAME (ui CLIENT)"
  std::string csrf;   // the value every form of this user must send back
  std::string session;  // the session id when logged in with the form, else ""
};

class UiSessions {
 public:
  static constexpr UnixSeconds kLifetime = 12 * 3600;
  static constexpr size_t kMaxSessions = 1000;
  // Failed logins per client address within kFailureWindow before logins are refused (429).
  static constexpr int kMaxFailures = 10;
  static constexpr UnixSeconds kFailureWindow = 300;

  UiSessions();

  // A new session for `name`, logged in with `admin_token`; returns its id (256 random bits,
  // hex). The oldest session goes when there are kMaxSessions.
  std::string Create(std::string_view name, std::string_view admin_token, UnixSeconds now);
  void Drop(std::string_view id);
  // The session's user name, or nullopt when unknown, older than kLifetime, or logged in with
  // another admin token than `admin_token` (rotating the token ends every session).
  std::optional<std::string> Find(std::string_view id, std::string_view admin_token,
                                  UnixSeconds now) const;

  // The CSRF token of an identity ("s:" + session id, or "b:" + basic user name): an HMAC under a
  // key drawn at start, so nothing is stored and a token is worthless to another identity.
  std::string CsrfFor(std::string_view identity) const;

  // Throttling of wrong admin tokens (form or Basic), per client (an IPv6 client by its /64)
  // and in total, so neither many addresses nor a flood that would evict the per-client record
  // buys more guesses.
  static constexpr int kMaxFailuresInTotal = 100;
  bool LoginBlocked(std::string_view client, UnixSeconds now) const;
  void LoginFailed(std::string_view client, UnixSeconds now);

 private:
  struct Session {
    std::string name;
    std::string token_mac;  // CsrfFor("t:" + admin token) when created
    UnixSeconds created = 0;
  };
  struct Failures {
    int count = 0;
    UnixSeconds first = 0;
  };
  std::string key_;  // HMAC key of CsrfFor
  mutable std::mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_;   // guarded by mu_
  std::map<std::string, Failures, std::less<>> failures_;  // guarded by mu_
  Failures total_;                                         // guarded by mu_
};

// The value of cookie `name` in a Cookie header, or "".
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);

// The dashboard user of a request: Basic with the admin token as password, or a live session
// cookie. nullopt: anonymous; `wrong_token` is set when Basic credentials were presented and
// wrong (a guess to throttle).
std::optional<UiUser> AuthenticateUi(const RequestHead& head, std::string_view client,
                                     std::string_view admin_token, const UiSessions& sessions,
                                     UnixSeconds now, bool* wrong_token = nullptr);


}  // namespace guardfeed::server
