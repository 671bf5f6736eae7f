// JSON views of store records for the admin API: one indicator, and the explanation of why an
// indicator is or is not in the feeds (computed by feeds/explain.h, shared with the CLI), plus the
// JSON text the admin API sends.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "feeds/explain.h"
#include "store/store.h"

namespace guardfeed::server {

// ISO 8601 text of a time, or null for 0 ("never").
boost::json::value JsonTime(UnixSeconds seconds);

// `state` is the indicator's state name (IndicatorStateName), "withdrawn" for an indicator whose
// every finding was archived.
boost::json::object IndicatorJson(const IndicatorRecord& record, std::string_view state,
                                  UnixSeconds now);
boost::json::object ExplanationJson(const Explanation& explanation, UnixSeconds now);

// JSON text of `value`, as boost::json::serialize writes it except for doubles: those print in
// their shortest round-trip form with at least one decimal ("9.2", "8.0"), where Boost.JSON
// writes "9.2E0" (scripts compare severities as text). Non-finite doubles print as null.
std::string JsonText(const boost::json::value& value);

}  // namespace guardfeed::server
