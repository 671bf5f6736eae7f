// fuzz_ui_input: any bytes as what a browser sends the dashboard and what it shows back: a Cookie
// header (CookieValue, AuthenticateUi), a form body (ParseQuery), and text the pages escape
// (HtmlEscape, UrlComponent) or write to the audit log (CleanActorText). Checked: no markup
// character or control character survives escaping, URL components are unreserved characters or
// %XX, cleaned text has no control character or '"' and respects its bound, and only a live
// session's exact id in the cookie authenticates.
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"
#include "fuzz_check.h"
#include "server/http_util.h"
#include "server/ui_auth.h"
#include "server/ui_html.h"

namespace {

using guardfeed::server::RequestHead;

void CheckEscaping(std::string_view bytes) {
  const std::string html = guardfeed::server::HtmlEscape(bytes);
  for (char c : html) {
    auto byte = static_cast<unsigned char>(c);
    GF_FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'', "markup survived HtmlEscape");
    GF_FUZZ_CHECK(byte >= 0x20 || c == '\t' || c == '\n', "a control character survived");
    GF_FUZZ_CHECK(byte != 0x7f, "DEL survived HtmlEscape");
  }
  const std::string url = guardfeed::server::UrlComponent(bytes);
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (c == '%') {
      GF_FUZZ_CHECK(i + 2 < url.size(), "truncated %XX");
      i += 2;
      continue;
    }
    GF_FUZZ_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                      c == '_' || c == '~',
                  "a reserved character in a URL component");
  }
  auto decoded = guardfeed::server::ParseQuery("q=" + url);
  GF_FUZZ_CHECK(decoded && (*decoded)["q"] == std::string(bytes),
                "UrlComponent does not round-trip through ParseQuery");
}

void CheckCleanText(std::string_view bytes) {
  for (size_t max : {size_t{0}, size_t{1}, size_t{7}, size_t{64}, size_t{500}}) {
    const std::string clean = guardfeed::CleanActorText(bytes, max);
    GF_FUZZ_CHECK(clean.size() <= max, "cleaned text longer than its bound");
    for (char c : clean) {
      auto byte = static_cast<unsigned char>(c);
      GF_FUZZ_CHECK(byte >= 0x20 && byte != 0x7f && c != '"', "control character or quote kept");
    }
  }
}

void CheckCookie(std::string_view bytes) {
  RequestHead head;
  // Beast refuses no header value; a real request cannot carry CR or LF in one, so drop those.
  std::string value(bytes);
  std::erase_if(value, [](char c) { return c == '\r' || c == '\n'; });
  head.set(boost::beast::http::field::cookie, value);
  const std::string_view session = guardfeed::server::CookieValue(value, "gf_session");
  GF_FUZZ_CHECK(value.find(session) != std::string::npos, "cookie value not taken from the header");
  guardfeed::server::UiSessions sessions;
  const std::string id = sessions.Create("fuzz", "token-0123456789", 100);
  auto user = guardfeed::server::AuthenticateUi(head, "127.0.0.1", "token-0123456789", sessions,
                                                101);
  GF_FUZZ_CHECK(!user || session == id, "a cookie without the session's id authenticated");
  // The same header with the real id appended to a fresh cookie pair always authenticates.
  RequestHead good;
  good.set(boost::beast::http::field::cookie, "gf_session=" + id);
  GF_FUZZ_CHECK(guardfeed::server::AuthenticateUi(good, "127.0.0.1", "token-0123456789", sessions,
                                                  101)
                    .has_value(),
                "the session's own cookie refused");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckEscaping(bytes);
  CheckCleanText(bytes);
  CheckCookie(bytes);
  (void)guardfeed::server::ParseQuery(bytes);  // a form body: must not crash
  return 0;
}
