#include "server/router.h"

#include <algorithm>

namespace guardfeed::server {

namespace http = boost::beast::http;

Route MakeRoute(std::string name, std::vector<http::verb> methods, std::string path, bool prefix,
                Handler handler) {
  Route route;
  route.name = std::move(name);
  route.methods = std::move(methods);
  route.path = std::move(path);
  route.prefix = prefix;
  route.handler = std::move(handler);
  return route;
}

Router::Router() : labels_{"unmatched", "malformed"} {}

void Router::Add(Route route) {
  auto it = std::find(labels_.begin(), labels_.end(), route.name);
  if (it == labels_.end()) {
    route.index = labels_.size();
    labels_.push_back(route.name);
  } else {
    route.index = static_cast<size_t>(it - labels_.begin());
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
}

namespace {

bool Allows(const Route& route, http::verb method) {
  return std::find(route.methods.begin(), route.methods.end(), method) != route.methods.end();
}

void AppendAllow(std::string& allow, const Route& route) {
  for (http::verb verb : route.methods) {
    std::string_view name = http::to_string(verb);
    if (allow.find(name) != std::string::npos) continue;
    if (!allow.empty()) allow += ", ";
    allow += name;
  }
}

}  // namespace

Router::Match Router::Find(http::verb method, std::string_view path) const {
  Match match;
  bool path_matched = false;
  // Exact routes first.
  for (const auto& route : routes_) {
    if (route->prefix || route->path != path) continue;
    path_matched = true;
    if (Allows(*route, method)) {
      match.route = route.get();
      return match;
    }
    AppendAllow(match.allow, *route);
  }
  if (path_matched) {
    match.method_not_allowed = true;
    return match;
  }
  size_t best_length = 0;
  for (const auto& route : routes_) {
    if (!route->prefix || !path.starts_with(route->path)) continue;
    if (route->path.size() < best_length) continue;
    if (route->path.size() > best_length) {
      best_length = route->path.size();
      match.allow.clear();
      match.route = nullptr;
    }
    if (Allows(*route, method)) {
      match.route = route.get();
      match.tail = path.substr(route->path.size());
    } else {
      AppendAllow(match.allow, *route);
    }
  }
  match.method_not_allowed = match.route == nullptr && !match.allow.empty();
  return match;
}

std::vector<std::string> Router::Labels() const { return labels_; }

}  // namespace guardfeed::server
