#!/usr/bin/env bash
# Prints the measures of how the code is held together, each with its target:
#
#   scripts/code-health.sh      reads the tree, and the build directory for the last measure
#
# - gRPC statuses made by hand: Respond( outside the call guard (common/server): target 0,
#   the guard maps a handler's absl::Status once.
# - stubs of a service built by hand (NewStub() outside a client library): target 0, one
#   client library per service owns deadlines, retries and the error mapping.
# - the clock read directly (absl::Now() in services/ and common/ outside an injected clock):
#   target 0, so that rules about "today" can be tested on any day.
# - unit test binaries linking the MySQL connector: target 0 (also a test of the suite,
#   unit_tests_link_no_io).
#
# Exits 0 whatever the figures: it measures, the tests enforce.

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LADDER_ROOT"

count_lines() { grep -rn --include='*.cc' --include='*.h' "$@" | wc -l; }
files_of() { grep -rl --include='*.cc' --include='*.h' "$@" | sort | sed 's/^/    /'; }

respond=$(count_lines 'Respond(' services tools)
printf '%-58s %6s  (target 0)\n' "Respond( outside the call guard" "$respond"

stubs=$(count_lines 'NewStub(' services tools bench)
printf '%-58s %6s  (target 0)\n' "stubs built by hand (NewStub)" "$stubs"
files_of 'NewStub(' services tools bench

clock=$(count_lines 'absl::Now()' services common)
printf '%-58s %6s  (target 0)\n' "direct clock reads in services/ and common/" "$clock"

if [[ -d "$LADDER_BUILD_DIR" ]] && command -v ctest > /dev/null; then
  # The unit tests are the ones without labels (tests/CMakeLists.txt); their binaries are
  # the checked test's arguments.
  mapfile -t binaries < <(cd "$LADDER_BUILD_DIR" && ctest --show-only=json-v1 -R '^unit_tests_link_no_io$' |
    /usr/bin/python3 -c 'import json, sys
for test in json.load(sys.stdin)["tests"]:
    print("\n".join(test["command"][2:]))')
  if [[ ${#binaries[@]} -gt 0 ]]; then
    linked=0
    for binary in "${binaries[@]}"; do
      if [[ -x "$binary" ]] && ldd "$binary" | grep -q libmysqlcppconn; then linked=$((linked + 1)); fi
    done
    printf '%-58s %6s  (target 0, of %d)\n' "unit test binaries linking libmysqlcppconn" "$linked" "${#binaries[@]}"
  fi
else
  log "no build in $LADDER_BUILD_DIR: the unit tests' linking is not measured"
fi
