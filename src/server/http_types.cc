#include "server/http_types.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace guardfeed::server {

HttpResponse JsonResponse(unsigned status, const boost::json::value& value) {
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(value);
  response.body.push_back('\n');
  response.AddHeader("Content-Type", "application/json");
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

HttpResponse JsonError(unsigned status, std::string_view message) {
  boost::json::object object;
  object["error"] = message;
  return JsonResponse(status, object);
}

HttpResponse TextResponse(unsigned status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.AddHeader("Content-Type", "text/plain; charset=utf-8");
  return response;
}

HttpResponse Refusal(unsigned status, std::string_view reason, std::string_view message) {
  HttpResponse response = JsonError(status, message);
  response.reason = reason;
  return response;
}

}  // namespace guardfeed::server
