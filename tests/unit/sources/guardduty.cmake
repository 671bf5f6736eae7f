# sources_guardduty_test: the GuardDuty API source against guardduty_contract_server.py (Python 3
# and python3-botocore, which verifies every request's SigV4 signature). Debian's own python3
# first: it is the one python3-botocore installs into.
find_program(GUARDFEED_PYTHON3 NAMES python3 HINTS /usr/bin REQUIRED)
# The last test runs the daemon (tests/integration/server/daemon.h) with the source configured.
guardfeed_test(sources_guardduty_test
  SOURCES guardduty_test.cc ${PROJECT_SOURCE_DIR}/tests/integration/server/daemon.cc
          ${PROJECT_SOURCE_DIR}/tests/integration/server/http.cc
  DEPS guardfeed_sources Boost::json CURL::libcurl
  LABELS unit)
add_dependencies(sources_guardduty_test guardfeed)
target_compile_definitions(sources_guardduty_test PRIVATE
    GUARDFEED_PYTHON3="${GUARDFEED_PYTHON3}"
    GUARDDUTY_CONTRACT_SERVER="${CMAKE_CURRENT_SOURCE_DIR}/guardduty_contract_server.py"
    GUARDFEED_EXE="$<TARGET_FILE:guardfeed>")
target_compile_options(sources_guardduty_test PRIVATE -Wno-missing-field-initializers)
