# sources_guardduty_test: the GuardDuty API source against guardduty_contract_server.py (Python 3
# and python3-botocore, which verifies every request's SigV4 signature). Debian's own python3
# first: it is the one python3-botocore installs into.
find_program(GUARDFEED_PYTHON3 NAMES python3 HINTS /usr/bin REQUIRED)
guardfeed_test(sources_guardduty_test
  SOURCES guardduty_test.cc
  DEPS guardfeed_sources Boost::json
  LABELS unit)
target_compile_definitions(sources_guardduty_test PRIVATE
    GUARDFEED_PYTHON3="${GUARDFEED_PYTHON3}"
    GUARDDUTY_CONTRACT_SERVER="${CMAKE_CURRENT_SOURCE_DIR}/guardduty_contract_server.py")
