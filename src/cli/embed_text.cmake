# cmake -DINPUT=FILE -DOUTPUT=FILE.cc -P embed_text.cmake
# Writes a C++ source defining guardfeed::BuiltinConfigText() (cli/builtin_config.h) as the exact
# bytes of INPUT in a raw string literal. Fails when INPUT contains the raw string's delimiter.
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "embed_text.cmake: pass -DINPUT=... -DOUTPUT=...")
endif()
file(READ "${INPUT}" text)
set(delimiter "gf_embedded_toml")
string(FIND "${text}" ")${delimiter}" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "embed_text.cmake: ${INPUT} contains \")${delimiter}\"")
endif()
set(source "// Generated from ${INPUT} by src/cli/embed_text.cmake. Do not edit.
#include \"cli/builtin_config.h\"

namespace guardfeed {

std::string_view BuiltinConfigText() {
  static constexpr std::string_view kText = R\"${delimiter}(${text})${delimiter}\";
  return kText;
}

}  // namespace guardfeed
")
# Rewrite only on change, so an unchanged example does not recompile anything.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" previous)
  if(previous STREQUAL source)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${source}")
