// The built-in configuration: config/guardfeed.example.toml, embedded into the binary at build
// time (src/cli/embed_text.cmake, run by src/cli/CMakeLists.txt whenever the file changes). It is
// what guardfeed runs with when no --config is given, so the example and the defaults never drift.
#pragma once

#include <string_view>

namespace guardfeed {

// The whole TOML text. Static storage; valid for the life of the program.
std::string_view BuiltinConfigText();

}  // namespace guardfeed
