// Small text helpers shared by the parsers.
#pragma once

#include <string_view>

namespace guardfeed {

// `text` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
constexpr std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace guardfeed
