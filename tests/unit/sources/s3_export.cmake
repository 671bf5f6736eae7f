# The export bucket poller and `guardfeed ingest s3://` against a real Ceph RADOS Gateway
# (scripts/s3-server.sh). One ctest entry runs the whole binary so the gateway starts once (about
# 15 s), not per test; without the Ceph packages every test is skipped with the reason.
add_executable(sources_s3_export_test s3_export_test.cc ${PROJECT_SOURCE_DIR}/tests/common/ceph_rgw.cc)
target_link_libraries(sources_s3_export_test PRIVATE guardfeed_sources GTest::gtest GTest::gtest_main
                      Threads::Threads)
target_compile_definitions(sources_s3_export_test PRIVATE
    GUARDFEED_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GUARDFEED_BINARY="$<TARGET_FILE:guardfeed>")
add_dependencies(sources_s3_export_test guardfeed)
target_include_directories(sources_s3_export_test PRIVATE ${PROJECT_SOURCE_DIR}/tests)
guardfeed_strict(sources_s3_export_test)
add_test(NAME sources_s3_export COMMAND sources_s3_export_test)
set_tests_properties(sources_s3_export PROPERTIES
    LABELS integration
    TIMEOUT 600
    SKIP_REGULAR_EXPRESSION "GUARDFEED_S3_INTEGRATION_SKIPPED"
    RESOURCE_LOCK ceph)  # one Ceph at a time: two starting at once can race for a monitor port
