// Invariant checks inside fuzz targets: a violated property is a crash, so libFuzzer (or the
// replay test) reports it with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

#define GF_FUZZ_CHECK(condition, what)                                                 \
  do {                                                                                 \
    if (!(condition)) {                                                                \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)
