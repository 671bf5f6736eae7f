// The dashboard's building blocks that need no socket: who is logged in (Basic with the admin
// token, session cookies, CSRF tokens, login throttling), HTML escaping, the activity chart, and
// the request guard's rule for form posts. The pages themselves run in tests/integration/dashboard.
#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

#include "server/auth.h"
#include "server/request_guard.h"
#include "server/ui_auth.h"
#include "server/ui_html.h"

namespace guardfeed::server {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kToken = "admin-token-0123456789";

RequestHead Head(std::vector<std::pair<http::field, std::string>> fields,
                 http::verb method = http::verb::get) {
  RequestHead head;
  head.method(method);
  head.target("/");
  head.version(11);
  for (const auto& [field, value] : fields) head.set(field, value);
  return head;
}

std::string Basic(std::string_view user, std::string_view password) {
  return "Basic " + Base64Encode(std::string(user) + ":" + std::string(password));
}

TEST(UiAuth, BasicWithTheAdminTokenAsPasswordAndAnyUser) {
  UiSessions sessions;
  auto user = AuthenticateUi(Head({{http::field::authorization, Basic("carol", kToken)}}),
                             "10.0.0.1", kToken, sessions, 100);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->actor, "carol (ui 10.0.0.1)");
  EXPECT_TRUE(user->session.empty());
  EXPECT_FALSE(AuthenticateUi(Head({{http::field::authorization, Basic("carol", "nope")}}),
                              "10.0.0.1", kToken, sessions, 100));
  EXPECT_FALSE(AuthenticateUi(Head({{http::field::authorization, "Bearer " + std::string(kToken)}}),
                              "10.0.0.1", kToken, sessions, 100));
  EXPECT_FALSE(AuthenticateUi(Head({}), "10.0.0.1", kToken, sessions, 100));
}

TEST(UiAuth, NoAdminTokenAdmitsNobody) {
  UiSessions sessions;
  EXPECT_FALSE(AuthenticateUi(Head({{http::field::authorization, Basic("a", "")}}), "127.0.0.1",
                              "", sessions, 100));
}

TEST(UiAuth, SessionCookieLivesItsLifetimeAndDiesOnDrop) {
  UiSessions sessions;
  std::string id = sessions.Create("dave", kToken, 1000);
  EXPECT_EQ(id.size(), 64u);
  auto cookie = [&](const std::string& value) {
    return Head({{http::field::cookie, "theme=dark; gf_session=" + value + "; x=y"}});
  };
  auto user = AuthenticateUi(cookie(id), "10.0.0.2", kToken, sessions, 1001);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->actor, "dave (ui 10.0.0.2)");
  EXPECT_EQ(user->session, id);
  EXPECT_FALSE(AuthenticateUi(cookie(id), "10.0.0.2", kToken, sessions,
                              1000 + UiSessions::kLifetime));
  EXPECT_FALSE(AuthenticateUi(cookie(id + "0"), "10.0.0.2", kToken, sessions, 1001));
  EXPECT_FALSE(AuthenticateUi(cookie(""), "10.0.0.2", kToken, sessions, 1001));
  sessions.Drop(id);
  EXPECT_FALSE(AuthenticateUi(cookie(id), "10.0.0.2", kToken, sessions, 1001));
}

// Regression (hostile trial): rotating a leaked admin token and reloading left the thief's
// session working for up to 12 hours.
TEST(UiAuth, RotatingTheAdminTokenEndsEverySession) {
  UiSessions sessions;
  std::string id = sessions.Create("erin", kToken, 10);
  auto cookie = Head({{http::field::cookie, "gf_session=" + id}});
  EXPECT_TRUE(AuthenticateUi(cookie, "10.0.0.5", kToken, sessions, 11));
  EXPECT_FALSE(AuthenticateUi(cookie, "10.0.0.5", "the-new-token-0123456789", sessions, 11));
}

// Regression (hostile trial): wrong Basic passwords were never throttled, and 1,000 failures from
// other addresses wiped a locked-out client's record.
TEST(UiAuth, WrongBasicPasswordsAreReportedAndFloodsDoNotUnlock) {
  UiSessions sessions;
  bool wrong = false;
  EXPECT_FALSE(AuthenticateUi(Head({{http::field::authorization, Basic("x", "guess")}}),
                              "10.0.0.6", kToken, sessions, 100, &wrong));
  EXPECT_TRUE(wrong);
  for (int i = 0; i < UiSessions::kMaxFailures; ++i) sessions.LoginFailed("10.0.0.6", 100);
  EXPECT_TRUE(sessions.LoginBlocked("10.0.0.6", 101));
  UiSessions flooded;
  for (int i = 0; i < UiSessions::kMaxFailures; ++i) flooded.LoginFailed("10.0.0.7", 100);
  for (int i = 0; i < 2000; ++i) {
    flooded.LoginFailed("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250), 100);
  }
  EXPECT_TRUE(flooded.LoginBlocked("10.0.0.7", 101));
  // The total holds too: so many failures lock the form for everyone for the window.
  EXPECT_TRUE(flooded.LoginBlocked("10.200.0.1", 101));
  EXPECT_FALSE(flooded.LoginBlocked("10.200.0.1", 100 + UiSessions::kFailureWindow));
}

TEST(UiAuth, AnIpv6ClientIsThrottledByItsSlash64) {
  UiSessions sessions;
  for (int i = 0; i < UiSessions::kMaxFailures; ++i) {
    sessions.LoginFailed("2001:db8:1:2::" + std::to_string(i + 1), 100);
  }
  EXPECT_TRUE(sessions.LoginBlocked("2001:db8:1:2::ffff", 101));
  EXPECT_FALSE(sessions.LoginBlocked("2001:db8:1:3::1", 101));
}

// Regression (hostile trial): a Basic user name with a newline forged log lines and audit actors.
TEST(UiAuth, BasicUserNamesAreCleanedForLogsAndTheAuditLog) {
  UiSessions sessions;
  auto user = AuthenticateUi(
      Head({{http::field::authorization, Basic("mal\nFORGED \"x\"\x1b[2J", kToken)}}), "10.0.0.8",
      kToken, sessions, 100);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->actor, "mal FORGED 'x' [2J (ui 10.0.0.8)");
}

TEST(UiAuth, CsrfTokensDifferPerIdentityAndPerProcess) {
  UiSessions a, b;
  EXPECT_EQ(a.CsrfFor("s:1"), a.CsrfFor("s:1"));
  EXPECT_NE(a.CsrfFor("s:1"), a.CsrfFor("s:2"));
  EXPECT_NE(a.CsrfFor("b:x"), a.CsrfFor("s:x"));
  EXPECT_NE(a.CsrfFor("s:1"), b.CsrfFor("s:1"));
  EXPECT_EQ(a.CsrfFor("s:1").size(), 64u);
}

TEST(UiAuth, FailedLoginsAreThrottledPerClient) {
  UiSessions sessions;
  for (int i = 0; i < UiSessions::kMaxFailures; ++i) {
    EXPECT_FALSE(sessions.LoginBlocked("10.0.0.3", 50));
    sessions.LoginFailed("10.0.0.3", 50);
  }
  EXPECT_TRUE(sessions.LoginBlocked("10.0.0.3", 51));
  EXPECT_FALSE(sessions.LoginBlocked("10.0.0.4", 51));
  EXPECT_FALSE(sessions.LoginBlocked("10.0.0.3", 50 + UiSessions::kFailureWindow));
}

TEST(UiAuth, TheOldestSessionGoesAtTheCap) {
  UiSessions sessions;
  std::string first = sessions.Create("first", kToken, 1);
  for (size_t i = 1; i < UiSessions::kMaxSessions; ++i) sessions.Create("n", kToken, 2);
  EXPECT_TRUE(sessions.Find(first, kToken, 3).has_value());
  sessions.Create("one more", kToken, 3);
  EXPECT_FALSE(sessions.Find(first, kToken, 3).has_value());
}

TEST(UiAuth, CookieValue) {
  EXPECT_EQ(CookieValue("a=1; gf_session=abc; b=2", "gf_session"), "abc");
  EXPECT_EQ(CookieValue("gf_session=abc", "gf_session"), "abc");
  EXPECT_EQ(CookieValue("xgf_session=abc", "gf_session"), "");
  EXPECT_EQ(CookieValue("", "gf_session"), "");
  EXPECT_EQ(CookieValue(";;=;gf_session", "gf_session"), "");
}

TEST(UiHtml, EscapesEverythingMarkupCouldUse) {
  EXPECT_EQ(HtmlEscape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
  EXPECT_EQ(UrlComponent("2001:db8::/32 a&b=c"), "2001%3Adb8%3A%3A%2F32%20a%26b%3Dc");
  EXPECT_EQ(UrlComponent("evil.example-1_~"), "evil.example-1_~");
}

TEST(UiHtml, ControlCharactersNeverReachThePage) {
  EXPECT_EQ(HtmlEscape(std::string("a\0b\x1b c\td", 8)), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD c\td");
}

TEST(UiHtml, PagesCarryAStrictPolicy) {
  HttpResponse page = UiPage(200, "T<i>", "overview", nullptr, "<p>x</p>");
  EXPECT_NE(page.body.find("<title>T&lt;i&gt; · guardfeed</title>"), std::string::npos);
  bool csp = false, frame = false;
  for (const auto& [name, value] : page.headers) {
    if (name == "Content-Security-Policy") {
      csp = true;
      EXPECT_NE(value.find("default-src 'none'"), std::string::npos);
      EXPECT_EQ(value.find("script-src"), std::string::npos);  // none: default-src covers it
      EXPECT_EQ(value.find("unsafe"), std::string::npos);
    }
    if (name == "X-Frame-Options") frame = value == "DENY";
  }
  EXPECT_TRUE(csp);
  EXPECT_TRUE(frame);
  // No external resource: the one stylesheet is ours.
  EXPECT_EQ(page.body.find("http"), std::string::npos);
}

TEST(UiHtml, ChartHasOneBarPerNonZeroCount) {
  std::vector<ActivityBucket> buckets(48);
  for (size_t i = 0; i < buckets.size(); ++i) buckets[i].start = 1'700'000'000 + 3600 * static_cast<int64_t>(i);
  buckets[3].added = 10;
  buckets[3].expired = 5;
  buckets[47].removed = 1;
  std::string svg = ActivityChartSvg(buckets);
  size_t rects = 0;
  for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1)) {
    ++rects;
  }
  EXPECT_EQ(rects, 3u);
  EXPECT_NE(svg.find(">10<"), std::string::npos);  // the scale's top
  EXPECT_EQ(svg.find("style="), std::string::npos);  // classes only: style-src 'self' holds
}

TEST(RequestGuardForms, FormPostsOnlyOnFormRoutesAndOnlyWithOurOrigin) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 8080;
  auto post = [](std::vector<std::pair<http::field, std::string>> fields) {
    fields.emplace_back(http::field::host, "127.0.0.1:8080");
    fields.emplace_back(http::field::content_type, "application/x-www-form-urlencoded");
    return Head(std::move(fields), http::verb::post);
  };
  auto status = [&](const RequestHead& head, bool form_route) {
    auto refused = GuardRequest(head, options, 8080, true, form_route);
    return refused ? refused->status : 0u;
  };
  RequestHead same = post({{http::field::origin, "http://127.0.0.1:8080"}});
  EXPECT_EQ(status(same, true), 0u);
  EXPECT_EQ(status(same, false), 415u);  // the JSON API never takes a form
  EXPECT_EQ(status(post({}), true), 403u);  // no Origin: not from our page
  EXPECT_EQ(status(post({{http::field::origin, "http://127.0.0.1:9999"}}), true), 403u);
  EXPECT_EQ(status(post({{http::field::origin, "null"}}), true), 403u);
  EXPECT_EQ(status(post({{http::field::origin, "http://evil.example"}}), true), 403u);
  RequestHead text = post({{http::field::origin, "http://127.0.0.1:8080"}});
  text.set(http::field::content_type, "text/plain");
  EXPECT_EQ(status(text, true), 415u);
  // Regression (hostile trial): the form routes also took JSON, JSON Lines and gzip.
  for (const char* type : {"application/json", "application/x-ndjson", "application/gzip"}) {
    RequestHead json = post({{http::field::origin, "http://127.0.0.1:8080"}});
    json.set(http::field::content_type, type);
    EXPECT_EQ(status(json, true), 415u) << type;
  }
}

// Regression (hostile trial): with two Host headers only the first was checked.
TEST(RequestGuardForms, TwoHostHeadersAreRefused) {
  ServerOptions options;
  RequestHead head = Head({{http::field::host, "127.0.0.1:8080"}});
  head.insert(http::field::host, "evil.example");
  auto refused = GuardRequest(head, options, 8080, false);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 400u);
}

}  // namespace
}  // namespace guardfeed::server
