// Small helpers shared by the daemon tests.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "daemon.h"
#include "http.h"

namespace guardfeed::testing {

inline boost::json::value ParseJson(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  return ec ? boost::json::value(nullptr) : value;
}

// True once GET /feeds/NAME (identity encoding) contains `needle`.
inline bool FeedEventuallyContains(const Daemon& daemon, const std::string& feed,
                                   const std::string& needle, bool expected = true,
                                   double seconds = 10) {
  return WaitFor(
      [&] {
        HttpResult result = Get(daemon.url() + "/feeds/" + feed);
        return result.status == 200 && (result.body.find(needle) != std::string::npos) == expected;
      },
      seconds);
}

// A started daemon with the default test configuration, per test.
class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.Start()) << daemon_.Stderr(); }
  void TearDown() override {
    if (daemon_.running()) {
      EXPECT_EQ(daemon_.Stop(SIGTERM), 0) << daemon_.Stderr();
    }
  }
  Daemon daemon_;
};

}  // namespace guardfeed::testing
