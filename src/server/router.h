// Router: maps (method, path) to a route. A route has a name (its metrics label), an optional
// precheck that runs on the headers before the body is read (auth, content type: so a
// rejected upload is refused before it is received), and a handler coroutine.
//
// Thread safety: routes are added before serving starts; Find is then called from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_types.h"
#include "server/server_context.h"

namespace guardfeed::server {

struct RequestContext {
  const RequestHead* head = nullptr;  // valid during precheck and handler
  Request* request = nullptr;         // valid during the handler (headers and body)
  std::string_view path;              // percent-encoded path, without the query
  std::string_view query;             // without '?'
  std::string_view tail;              // prefix routes: the encoded rest after the prefix
  std::string client;                 // peer IP address
  bool head_only = false;             // a HEAD request: the body will not be sent
  std::shared_ptr<const Generation> generation;
};

using Precheck = std::function<std::optional<HttpResponse>(const RequestContext&)>;
using Handler = std::function<boost::asio::awaitable<HttpResponse>(RequestContext&)>;

struct Route {
  std::string name;  // metrics label: "ingest", "feed", ...
  std::vector<boost::beast::http::verb> methods;
  std::string path;  // exact path, or a prefix ending in '/' when `prefix`
  bool prefix = false;
  bool large_body = false;  // body limit: body_limit when true, small_body_limit otherwise
  // Accepts an HTML form's body (application/x-www-form-urlencoded) from a same-origin page:
  // the dashboard's actions, which check a CSRF token besides (request_guard.h).
  bool form_body = false;
  Precheck precheck;        // may be empty
  Handler handler;
  size_t index = 0;  // assigned by Router::Add
};

// A route without precheck and with the small body limit; adjust the fields after.
Route MakeRoute(std::string name, std::vector<boost::beast::http::verb> methods, std::string path,
                bool prefix, Handler handler);

class Router {
 public:
  // Route labels that are not routes: requests that matched nothing or could not be parsed.
  static constexpr size_t kUnmatched = 0;
  static constexpr size_t kMalformed = 1;

  Router();
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::string_view tail;
    bool method_not_allowed = false;
    std::string allow;  // for 405
  };
  // Exact paths win over prefixes; among prefixes the longest wins.
  Match Find(boost::beast::http::verb method, std::string_view path) const;

  // Labels indexed by Route::index (plus the two above).
  std::vector<std::string> Labels() const;

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::string> labels_;
};

}  // namespace guardfeed::server
