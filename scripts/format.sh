#!/usr/bin/env bash
# The tree's C++ in its one style (.clang-format: Google's, 120 columns), with Debian's
# clang-format-14.
#
#   scripts/format.sh           reformats every .cc and .h in place
#   scripts/format.sh --check   changes nothing; lists the files that are not formatted and
#                               exits 1 if there are any (the test command runs this)

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) die "unknown argument '$1' (usage: $0 [--check])" ;;
esac

command -v clang-format-14 > /dev/null || die "clang-format-14 is missing: run scripts/install-deps.sh"
cd "$LADDER_ROOT"
mapfile -t files < <(find bench common fuzz services tests tools -type f \( -name '*.cc' -o -name '*.h' \) \
  -not -path '*/node_modules/*' | sort)

if [[ $check -eq 0 ]]; then
  clang-format-14 -i "${files[@]}"
  log "formatted ${#files[@]} files"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  clang-format-14 --dry-run -Werror "$file" > /dev/null 2>&1 || unformatted+=("$file")
done
if [[ ${#unformatted[@]} -gt 0 ]]; then
  printf '%s\n' "${unformatted[@]}"
  die "${#unformatted[@]} of ${#files[@]} files are not formatted: run scripts/format.sh"
fi
log "all ${#files[@]} files are formatted"
