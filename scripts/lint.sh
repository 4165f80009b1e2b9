#!/usr/bin/env bash
# Runs clang-tidy (Debian's clang-tidy-14, the checks of .clang-tidy) over the tree's
# translation units, from the build's compile_commands.json.
#
#   scripts/lint.sh              every .cc of bench/ common/ fuzz/ services/ tests/ tools/
#   scripts/lint.sh FILE.cc...   only these
#
# Exits 1 if any check warns. Build first (scripts/test.sh or build_ladder): the generated
# protobuf headers must exist. On two cores the whole tree takes a while; -j follows nproc.

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

command -v run-clang-tidy-14 > /dev/null || die "clang-tidy-14 is missing: run scripts/install-deps.sh"
[[ -f "$LADDER_BUILD_DIR/compile_commands.json" ]] ||
  die "no $LADDER_BUILD_DIR/compile_commands.json: build first (scripts/test.sh)"
cd "$LADDER_ROOT"
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  # run-clang-tidy takes regular expressions of the files to check.
  files=("$LADDER_ROOT/(bench|common|fuzz|services|tests|tools)/.*\\.cc$")
fi
run-clang-tidy-14 -quiet -p "$LADDER_BUILD_DIR" -j "$(nproc)" "${files[@]}"
