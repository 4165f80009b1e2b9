# The LADDER_FUZZ build (scripts/fuzz.sh): clang, with every translation unit of the tree
# instrumented for libFuzzer's coverage feedback and checked by AddressSanitizer and
# UndefinedBehaviorSanitizer. Debian's own libraries (protobuf, gRPC, Abseil) stay as they
# are: they are not what is being fuzzed, and libstdc++ from g++ links with clang as is.

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "LADDER_FUZZ needs clang (libFuzzer): configure with CXX=clang++-14")
endif()

# -fno-sanitize-recover: undefined behaviour aborts, so libFuzzer reports it as a crash
# instead of a line on stderr that nobody reads. -O1 and line tables: quick to compile,
# fast enough to run, and stack traces with line numbers.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -O1 -gline-tables-only)
add_link_options(-fsanitize=address,undefined)

# ladder_fuzzer(NAME SOURCES files... LIBS targets...): a libFuzzer executable.
function(ladder_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} ladder_warnings)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()
