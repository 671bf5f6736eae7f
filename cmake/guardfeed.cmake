# Helpers shared by every guardfeed target. Strict warnings apply to our own code only.
set(GUARDFEED_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wformat=2)

function(guardfeed_strict target)
  target_compile_options(${target} PRIVATE ${GUARDFEED_WARNINGS})
  # GCC 12 reports std::variant members (our Result<T>) as maybe-uninitialized at -O2: a known
  # false positive (GCC bug 105562 and relatives); clang and sanitizer builds still check this.
  # Likewise GCC 12's -Wrestrict fires inside libstdc++'s string code at -O3 (GCC bug 105651).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-restrict)
  endif()
  if(GUARDFEED_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(GUARDFEED_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# guardfeed_library(NAME SOURCES... DEPS ...): one library per src/ folder.
function(guardfeed_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(guardfeed_${name} STATIC ${ARG_SOURCES})
  target_include_directories(guardfeed_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(guardfeed_${name} PUBLIC ${ARG_DEPS})
  guardfeed_strict(guardfeed_${name})
endfunction()

# guardfeed_test(NAME SOURCES... DEPS ... [LABELS ...]): one GoogleTest binary registered with ctest.
# POSTGRES: its tests share the ctest fixture's PostgreSQL server (tests/CMakeLists.txt).
function(guardfeed_test name)
  cmake_parse_arguments(ARG "POSTGRES" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
      GUARDFEED_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      GUARDFEED_BINARY_DIR="${PROJECT_BINARY_DIR}")
  guardfeed_strict(${name})
  set(properties LABELS "${ARG_LABELS}")
  if(ARG_POSTGRES)
    list(APPEND properties FIXTURES_REQUIRED postgres
         ENVIRONMENT "GUARDFEED_TEST_PG_DIR=${GUARDFEED_TEST_PG_DIR}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES PROPERTIES ${properties})
endfunction()
