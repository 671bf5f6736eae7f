// JSON views of store records for the admin API: one indicator, and the explanation of why an
// indicator is or is not in the feeds (computed by feeds/explain.h, shared with the CLI).
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include "feeds/explain.h"
#include "store/store.h"

namespace guardfeed::server {

boost::json::object IndicatorJson(const IndicatorRecord& record, UnixSeconds now);
boost::json::object ExplanationJson(const Explanation& explanation, UnixSeconds now);

}  // namespace guardfeed::server
