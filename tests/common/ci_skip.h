// GF_SKIP_UNLESS_CI(reason): skips the current test locally when something it needs is missing
// (the AWS SigV4 suite, Ceph, the openssl tool), but fails it under CI (environment CI=true or
// CI=1): CI is never green without the tests that prove the real protocols.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace guardfeed::testing {

inline bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

}  // namespace guardfeed::testing

#define GF_SKIP_UNLESS_CI(reason)                                \
  do {                                                           \
    if (::guardfeed::testing::UnderCi()) {                       \
      GTEST_FAIL() << "not skipped under CI=true: " << (reason); \
    }                                                            \
    GTEST_SKIP() << (reason);                                    \
  } while (false)
