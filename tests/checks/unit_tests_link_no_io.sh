#!/usr/bin/env bash
# A unit test is pure: it links no MySQL connector, so what it tests is the rules and not a
# database. Given the unit test binaries (every ladder_test without labels), fails naming
# those whose dynamic dependencies include libmysqlcppconn.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 UNIT_TEST_BINARY..." >&2
  exit 2
fi
offenders=()
for binary in "$@"; do
  if [[ ! -x "$binary" ]]; then
    echo "$binary: not built" >&2
    exit 2
  fi
  if ldd "$binary" | grep -q 'libmysqlcppconn'; then offenders+=("$(basename "$binary")"); fi
done
echo "$# unit test binaries; ${#offenders[@]} link libmysqlcppconn"
if [[ ${#offenders[@]} -gt 0 ]]; then
  printf '  %s\n' "${offenders[@]}"
  echo "link them against the pure libraries (the *_rules, *_request_validation, ladder_common, ladder_common_db_config)" >&2
  exit 1
fi
