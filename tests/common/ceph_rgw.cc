#include "common/ceph_rgw.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/ci_skip.h"

namespace guardfeed::testing {

void CephRgw::SetUp() {
  for (const char* tool : {"ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph",
                           "monmaptool", "ceph-authtool", "uuidgen", "curl"}) {
    if (!OnPath(tool)) {
      skip_reason = std::string(tool) + " not found: apt-get install ceph-mon ceph-osd " +
                    "radosgw ceph-common uuid-runtime curl to run the S3 integration tests";
      // ctest reports the run as skipped on this marker; under CI every test fails instead.
      if (!UnderCi()) std::printf("GUARDFEED_S3_INTEGRATION_SKIPPED: %s\n", skip_reason.c_str());
      return;
    }
  }
  char pattern[] = "/tmp/guardfeed-s3-XXXXXX";
  dir = mkdtemp(pattern);
  port = FreeLoopbackPort();
  auto started = std::chrono::steady_clock::now();
  int rc = Shell(Script() + " start " + dir + " " + std::to_string(port) + " " + kAccessKey +
                 " '" + kSecretKey + "' --owner " + std::to_string(getpid()));
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  if (rc != 0) {
    start_error =
        "s3-server.sh start failed (exit " + std::to_string(rc) + "); logs in " + dir + "/log";
    return;
  }
  if (seconds >= 60) start_error = "the S3 server took " + std::to_string(seconds) + " s to start";
  std::printf("[ INFO     ] Ceph RGW up on 127.0.0.1:%d in %lld s\n", port,
              static_cast<long long>(seconds));
}

void CephRgw::TearDown() {
  if (dir.empty()) return;
  EXPECT_EQ(Shell(Script() + " stop " + dir), 0);
  // Keep the logs when something went wrong.
  if (start_error.empty() && !::testing::UnitTest::GetInstance()->Failed()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  } else {
    std::printf("[ INFO     ] S3 server state and logs kept in %s\n", dir.c_str());
  }
}

}  // namespace guardfeed::testing
