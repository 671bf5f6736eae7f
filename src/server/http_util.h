// Small HTTP helpers with no I/O: dates (RFC 9110 IMF-fixdate), content negotiation
// (Accept-Encoding), conditional requests (If-None-Match), percent-decoding and query strings.
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

// Decodes %XX escapes ('+' stays '+'); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space here); the last duplicate wins.
// nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view query);

// Media type without parameters, lowercased: "application/json; charset=utf-8" ->
// "application/json".
std::string MediaType(std::string_view content_type);

}  // namespace guardfeed::server
