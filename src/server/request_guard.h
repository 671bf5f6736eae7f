// RequestGuard: decides from a request's head, before any route runs, whether the request may
// come from where it claims. It protects the default loopback daemon from a hostile web page in
// the operator's browser, which can make the browser send requests to 127.0.0.1:
//   - DNS rebinding: the page's own name re-pointed at 127.0.0.1, so the request carries
//     `Host: evil.example`. Only our own hosts are served: the listen address, loopback names
//     and addresses, any IP literal when listening on a wildcard address, and server.public_url.
//   - Cross-site requests: a browser's `Origin` that is not one of our origins is refused.
//   - Simple (preflight-free) requests: forms and text/plain. A request that sends a body, and
//     every POST, must be JSON, JSON Lines or gzip; only routes made for the dashboard's forms
//     (`form_route`) also take application/x-www-form-urlencoded, and then only with an Origin
//     header naming us (every current browser sends one with a form POST).
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>

#include "server/http_types.h"
#include "server/options.h"

namespace guardfeed::server {

// nullopt when the request may proceed; otherwise the refusal (421 for a foreign Host, 403 for a
// foreign Origin, 415 for a form or text body), with HttpResponse::reason set. `port` is the
// port the server is bound to.
std::optional<HttpResponse> GuardRequest(const RequestHead& head, const ServerOptions& options,
                                         uint16_t port, bool body_pending,
                                         bool form_route = false);

// True for the media types request bodies may have: application/json (and +json),
// JSON Lines / NDJSON spellings, application/gzip.
bool IsAcceptedBodyType(std::string_view media_type);

}  // namespace guardfeed::server
