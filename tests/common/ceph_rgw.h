// CephRgw: a throw-away single-node Ceph RADOS Gateway on loopback for one test binary
// (scripts/s3-server.sh), the real S3 the S3 and Lambda integration tests run against. Register
// it once per binary with ::testing::AddGlobalTestEnvironment(new CephRgw); it starts before the
// first test and is stopped by PID after the last, pass or fail. Without the Ceph packages every
// test skips (ctest sees GUARDFEED_S3_INTEGRATION_SKIPPED), except under CI where they fail.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/process.h"

namespace guardfeed::testing {

class CephRgw : public ::testing::Environment {
 public:
  static constexpr const char* kAccessKey = "GUARDFEEDTESTKEY";
  static constexpr const char* kSecretKey = "guardfeed/test+secret/0123456789";

  static inline std::string skip_reason;  // set when Ceph is not installed
  static inline std::string start_error;  // set when it failed to start
  static inline std::string dir;          // its data and logs
  static inline int port = 0;

  static std::string Endpoint() { return "http://127.0.0.1:" + std::to_string(port); }
  // scripts/s3-server.sh, for tests that stop and start the gateway.
  static std::string Script() { return std::string(GUARDFEED_SOURCE_DIR) + "/scripts/s3-server.sh"; }

  void SetUp() override;
  void TearDown() override;
};

// Skips (locally) or fails (CI) the calling test when the gateway is not there.
#define GF_REQUIRE_CEPH()                                                                      \
  do {                                                                                         \
    if (!::guardfeed::testing::CephRgw::skip_reason.empty())                                   \
      GF_SKIP_UNLESS_CI(::guardfeed::testing::CephRgw::skip_reason);                           \
    ASSERT_TRUE(::guardfeed::testing::CephRgw::start_error.empty())                            \
        << ::guardfeed::testing::CephRgw::start_error;                                         \
  } while (0)

}  // namespace guardfeed::testing
