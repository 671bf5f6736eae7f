# sources_sqs_test: the SQS source against sqs_contract_server.py (Python 3 and botocore, which
# verifies every request's SigV4 signature; the openssl tool makes the server's certificate).
# Debian's own python3 first: its python3-botocore is the one scripts/deps.sh installs.
find_program(GUARDFEED_PYTHON3 NAMES python3 HINTS /usr/bin REQUIRED)
guardfeed_test(sources_sqs_test SOURCES sqs_test.cc DEPS guardfeed_sources Boost::json)
target_compile_definitions(sources_sqs_test PRIVATE
    GUARDFEED_PYTHON3="${GUARDFEED_PYTHON3}"
    SQS_CONTRACT_SERVER="${CMAKE_CURRENT_SOURCE_DIR}/sqs_contract_server.py")
