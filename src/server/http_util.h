// Small HTTP helpers with no I/O: dates (RFC 9110 IMF-fixdate), content negotiation
// (Accept-Encoding), conditional requests (If-None-Match), percent-decoding and query strings
// (Boost.URL).
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace guardfeed::server {

// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(UnixSeconds seconds);
// Parses IMF-fixdate (the only form clients send today); nullopt otherwise.
std::optional<UnixSeconds> ParseHttpDate(std::string_view text);

// True when Accept-Encoding lists gzip (or *) with a non-zero q value.
bool AcceptsGzip(std::string_view accept_encoding);

// True when an If-None-Match value ("*", or a list of entity tags, weak or strong) matches
// `etag` (quoted) by weak comparison, as RFC 9110 13.1.2 requires for If-None-Match.
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// Decodes %XX escapes (Boost.URL); '+' stays '+' (a path is not a form). nullopt on a malformed
// escape ("%", "%2", "%zz").
std::optional<std::string> PercentDecode(std::string_view text);

// Splits the query of a request target ("a=1&b=x%20y", without '?') into decoded pairs with
// Boost.URL: in a query '+' is a space and "%2B" a plus; "k" without '=' has the value ""; empty
// elements ("a=1&&b") are skipped; the last duplicate wins. nullopt on a malformed escape or a
// character RFC 3986 does not allow in a query unescaped (space, '"', '<', '|', '[', raw bytes
// >= 0x80, ...).
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query);

// Media type without parameters, lowercased: "application/json; charset=utf-8" ->
// "application/json".
std::string MediaType(std::string_view content_type);

}  // namespace guardfeed::server
