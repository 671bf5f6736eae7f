// The dashboard's routes: the login and log-out forms, the pages (ui_pages.cc) behind
// AuthenticateUi, and the actions, each a same-origin form POST carrying the user's CSRF token,
// run through the same admin actions as the JSON API (admin_actions.h) and answered 303 to the
// page that shows the result.
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <variant>

#include "core/text.h"
#include "server/admin_actions.h"
#include "server/auth.h"
#include "server/http_util.h"
#include "server/routes.h"
#include "server/ui_html.h"
#include "server/ui_pages.h"

namespace guardfeed::server {

namespace http = boost::beast::http;

namespace {

using Form = std::map<std::string, std::string>;
constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxReasonLength = 500;

std::string Field(const Form& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? "" : it->second;
}

// A local path to return to after logging in: "/" unless `next` is a path of ours made of
// plain URL characters (no "//host", no backslash, no control character a browser would drop).
std::string SafeNext(std::string_view next) {
  static constexpr std::string_view kAllowed =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~%?=&+:";
  if (next.empty() || next[0] != '/' || next.starts_with("//") || next.size() > 2048 ||
      next.find_first_not_of(kAllowed) != std::string_view::npos) {
    return "/";
  }
  return std::string(next);
}

HttpResponse LoginPage(unsigned status, std::string_view error, std::string_view next) {
  std::string body;
  if (!error.empty()) body += "<p class=\"error\">" + HtmlEscape(error) + "</p>";
  body += "<form class=\"login card\" method=\"post\" action=\"/ui/login\">"
          "<label for=\"name\">Your name (for the audit log)</label>"
          "<input id=\"name\" name=\"name\" autocomplete=\"username\" maxlength=\"64\">"
          "<label for=\"token\">Admin token (server.admin_token)</label>"
          "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
          "required><input type=\"hidden\" name=\"next\" value=\"" +
          HtmlEscape(SafeNext(next)) + "\"><p><button>Log in</button></p></form>"
          "<p class=\"muted\">Scripts may send the admin token as the password of HTTP Basic "
          "instead (any user name).</p>";
  HttpResponse response = UiPage(status, "Log in", "", nullptr, body);
  if (status == 401) response.reason = "unauthorized";
  response.log_message = error.empty() ? "log in needed" : std::string(error);
  return response;
}

HttpResponse Disabled() {
  HttpResponse response =
      UiPage(403, "Dashboard disabled", "", nullptr,
             "<p class=\"error\">Set server.admin_token in the configuration (and reload) to use "
             "the dashboard.</p>");
  response.reason = "ui_disabled";
  response.log_message = "dashboard disabled: no server.admin_token";
  return response;
}

// The request's path and query, to come back to after logging in.
std::string Target(const RequestContext& rc) {
  std::string target(rc.path);
  if (!rc.query.empty()) target += "?" + std::string(rc.query);
  return target;
}

using Page = HttpResponse (*)(ServerContext&, const RequestContext&, const UiUser&);
using Action = HttpResponse (*)(ServerContext&, const RequestContext&, const UiUser&, const Form&);

HttpResponse Throttled(std::string_view client) {
  spdlog::warn("ui login refused client={} reason=too_many_failures", client);
  HttpResponse response = LoginPage(429, "too many wrong admin tokens: wait five minutes", "/");
  response.reason = "login_throttled";
  response.AddHeader("Retry-After", std::to_string(UiSessions::kFailureWindow));
  return response;
}

// The dashboard user, or the response for a request that has none: the log-in page (401), the
// disabled page, or 429 while wrong tokens from this client (Basic included) are throttled.
std::variant<UiUser, HttpResponse> Authenticate(ServerContext& ctx, const RequestContext& rc,
                                                std::string_view next) {
  const std::string& token = rc.generation->options.admin_token;
  if (token.empty()) return Disabled();
  const UnixSeconds now = rc.generation->pipeline->clock->Now();
  const bool basic = rc.head->find(http::field::authorization) != rc.head->end();
  if (basic && ctx.ui_sessions.LoginBlocked(rc.client, now)) return Throttled(rc.client);
  bool wrong = false;
  std::optional<UiUser> user =
      AuthenticateUi(*rc.head, rc.client, token, ctx.ui_sessions, now, &wrong);
  if (user) return *user;
  if (wrong) {
    ctx.ui_sessions.LoginFailed(rc.client, now);
    spdlog::warn("ui basic auth failed client={}", rc.client);
  }
  return LoginPage(401, wrong ? "wrong admin token" : "", next);
}

Handler UiGet(ServerContext& ctx, Page page) {
  return [&ctx, page](RequestContext& rc) {
    return RunOnStorePool(ctx, [&ctx, page, &rc] {
      auto user = Authenticate(ctx, rc, Target(rc));
      if (auto* refused = std::get_if<HttpResponse>(&user)) return std::move(*refused);
      return page(ctx, rc, std::get<UiUser>(user));
    });
  };
}

HttpResponse RunAction(ServerContext& ctx, const RequestContext& rc, Action action) {
  auto authenticated = Authenticate(ctx, rc, "/");
  if (auto* refused = std::get_if<HttpResponse>(&authenticated)) return std::move(*refused);
  const UiUser* user = &std::get<UiUser>(authenticated);
  std::optional<Form> form = ParseQuery(rc.request->body());
  if (!form) return ui::ErrorPage(400, "malformed form body", user);
  if (!ConstantTimeEquals(Field(*form, "csrf"), user->csrf)) {
    spdlog::warn("ui refused path={} client={} reason=csrf", rc.path, rc.client);
    HttpResponse response = ui::ErrorPage(
        403, "this form is out of date or was not sent by the dashboard: reload the page", user);
    response.reason = "csrf";
    return response;
  }
  return action(ctx, rc, *user, *form);
}

Handler UiPost(ServerContext& ctx, Action action) {
  return [&ctx, action](RequestContext& rc) {
    return RunOnStorePool(ctx, [&ctx, action, &rc] { return RunAction(ctx, rc, action); });
  };
}

unsigned HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound: return 404;
    case Status::Code::kInvalidArgument:
    case Status::Code::kFailedPrecondition: return 400;
    case Status::Code::kUnavailable:
    case Status::Code::kIoError: return 503;
    default: return 500;
  }
}

HttpResponse Failed(const Status& status, const UiUser& user) {
  return ui::ErrorPage(HttpStatusOf(status), status.message(), &user);
}

// `done` is one of ui::DoneMessage's codes: the page shows its fixed text, never request text.
std::string ExplainUrl(std::string_view value, std::string_view done) {
  return "/ui/explain?q=" + UrlComponent(value) + "&done=" + std::string(done);
}

HttpResponse Remove(ServerContext& ctx, const RequestContext& rc, const UiUser& user,
                    const Form& form) {
  Result<Indicator> indicator = ParseIndicatorValue(Field(form, "value"));
  if (!indicator.ok()) return Failed(indicator.status(), user);
  std::string reason = CleanActorText(Field(form, "reason"), kMaxReasonLength);
  if (reason.empty()) return ui::ErrorPage(400, "give a reason for the removal", &user);
  Status status = RemoveIndicator(ctx, *rc.generation, *indicator, reason, user.actor);
  if (!status.ok()) return Failed(status, user);
  return UiRedirect(ExplainUrl(indicator->value, "removed"));
}

HttpResponse Restore(ServerContext& ctx, const RequestContext& rc, const UiUser& user,
                     const Form& form) {
  Result<Indicator> indicator = ParseIndicatorValue(Field(form, "value"));
  if (!indicator.ok()) return Failed(indicator.status(), user);
  Status status = RestoreIndicator(ctx, *rc.generation, *indicator, user.actor);
  if (!status.ok()) return Failed(status, user);
  return UiRedirect(ExplainUrl(indicator->value, "restored"));
}

HttpResponse AllowAdd(ServerContext& ctx, const RequestContext& rc, const UiUser& user,
                      const Form& form) {
  std::string comment = CleanActorText(Field(form, "comment"), kMaxReasonLength);
  Result<AllowlistRecord> record =
      AddAllowlistEntry(ctx, *rc.generation, TrimSpace(Field(form, "entry")), comment,
                        !Field(form, "force").empty(), user.actor);
  if (record.status().code() == Status::Code::kFailedPrecondition) {
    return ui::ErrorPage(400, record.status().message() + " (tick \"force\")", &user);
  }
  if (!record.ok()) return Failed(record.status(), user);
  return UiRedirect("/ui/allowlist?done=allow_added&entry=" + UrlComponent(record->entry));
}

HttpResponse AllowRemove(ServerContext& ctx, const RequestContext& rc, const UiUser& user,
                         const Form& form) {
  Result<std::string> removed =
      RemoveAllowlistEntry(ctx, *rc.generation, TrimSpace(Field(form, "entry")), user.actor);
  if (!removed.ok()) return Failed(removed.status(), user);
  return UiRedirect("/ui/allowlist?done=allow_removed&entry=" + UrlComponent(*removed));
}

HttpResponse Logout(ServerContext& ctx, const RequestContext& rc, const UiUser& user,
                    const Form& form) {
  (void)form;
  (void)rc;
  if (!user.session.empty()) ctx.ui_sessions.Drop(user.session);
  HttpResponse response = UiRedirect("/");
  response.AddHeader("Set-Cookie", std::string(kSessionCookie) +
                                       "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  return response;
}

std::string SessionName(std::string_view name) {
  std::string out = CleanActorText(name, kMaxNameLength);
  return out.empty() ? "admin" : out;
}

HttpResponse Login(ServerContext& ctx, const RequestContext& rc) {
  const ServerOptions& options = rc.generation->options;
  if (options.admin_token.empty()) return Disabled();
  std::optional<Form> form = ParseQuery(rc.request->body());
  if (!form) return LoginPage(400, "malformed form body", "/");
  const UnixSeconds now = rc.generation->pipeline->clock->Now();
  if (ctx.ui_sessions.LoginBlocked(rc.client, now)) return Throttled(rc.client);
  if (!ConstantTimeEquals(Field(*form, "token"), options.admin_token)) {
    ctx.ui_sessions.LoginFailed(rc.client, now);
    spdlog::warn("ui login failed client={}", rc.client);
    return LoginPage(401, "wrong admin token", Field(*form, "next"));
  }
  std::string name = SessionName(Field(*form, "name"));
  std::string id = ctx.ui_sessions.Create(name, options.admin_token, now);
  spdlog::info("ui login actor=\"{}\" client={}", name, rc.client);
  bool https = options.tls() || options.public_url.starts_with("https:");
  HttpResponse response = UiRedirect(SafeNext(Field(*form, "next")));
  response.AddHeader("Set-Cookie", std::string(kSessionCookie) + "=" + id + "; Path=/; Max-Age=" +
                                       std::to_string(UiSessions::kLifetime) +
                                       "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
  return response;
}

HttpResponse Stylesheet() {
  HttpResponse response;
  response.body = std::string(UiStylesheet());
  response.AddHeader("Content-Type", "text/css; charset=utf-8");
  response.AddHeader("Cache-Control", "max-age=3600");
  response.AddHeader("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace

void AddUiRoutes(Router& router, ServerContext& ctx) {
  using V = http::verb;
  auto get = [&](std::string name, std::string path, Page page) {
    router.Add(
        MakeRoute(std::move(name), {V::get, V::head}, std::move(path), false, UiGet(ctx, page)));
  };
  auto post = [&](std::string name, std::string path, Action action) {
    Route route = MakeRoute(std::move(name), {V::post}, std::move(path), false, UiPost(ctx, action));
    route.form_body = true;
    router.Add(std::move(route));
  };
  get("ui", "/", ui::OverviewPage);
  get("ui", "/ui/explain", ui::ExplainPage);
  get("ui", "/ui/indicators", ui::IndicatorsPage);
  get("ui", "/ui/allowlist", ui::AllowlistPage);
  get("ui", "/ui/consumers", ui::ConsumersPage);
  get("ui", "/ui/audit", ui::AuditPage);
  router.Add(MakeRoute("ui", {V::get, V::head}, "/ui/style.css", false,
                       [](RequestContext&) { return Ready(Stylesheet()); }));
  router.Add(MakeRoute("ui", {V::get, V::head}, "/ui/login", false, [](RequestContext& rc) {
    if (rc.generation->options.admin_token.empty()) return Ready(Disabled());
    auto params = ParseQuery(rc.query);
    std::string next = params && params->count("next") ? params->at("next") : "/";
    return Ready(LoginPage(200, "", next));
  }));
  Route login = MakeRoute("ui_login", {V::post}, "/ui/login", false, [&ctx](RequestContext& rc) {
    return RunOnStorePool(ctx, [&ctx, &rc] { return Login(ctx, rc); });
  });
  login.form_body = true;
  router.Add(std::move(login));
  post("ui_action", "/ui/logout", Logout);
  post("ui_action", "/ui/remove", Remove);
  post("ui_action", "/ui/restore", Restore);
  post("ui_action", "/ui/allow/add", AllowAdd);
  post("ui_action", "/ui/allow/remove", AllowRemove);
}

}  // namespace guardfeed::server
