#!/usr/bin/env bash
# ctest entry contracts_buf: `buf lint` of proto/ (rules and their documented exceptions in
# buf.yaml) and `buf breaking` of proto/ against the released v1 contract,
# contracts/ladder-v1.binpb, so a change that would break generated clients fails.
#
# buf comes from npm (@bufbuild/buf, pinned in package-lock.json beside this script, which
# brings the buf binary for this platform); `npm ci` runs when node_modules is missing or
# older than the lockfile. After that nothing here needs the network.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$here/node_modules/.package-lock.json" ||
      "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
  # --ignore-scripts: the package's postinstall only checks for the platform binary, which
  # npm installs as an optional dependency anyway.
  npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund --loglevel=error
fi
buf="$here/node_modules/.bin/buf"

cd "$root"
echo "buf $("$buf" --version)"
"$buf" lint
echo "buf lint: ok"
"$buf" breaking --against contracts/ladder-v1.binpb
echo "buf breaking against contracts/ladder-v1.binpb: ok"

# The gate must stay shut for a change that keeps the wire but breaks generated code: a
# field renamed in a scratch copy of proto/ has to be refused.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r buf.yaml proto "$scratch/"
employee="$scratch/proto/ladder/personnel/v1/employee.proto"
grep -q '^  string display_name = 3;' "$employee" ||
  { echo "self-check: Employee.display_name not found in $employee" >&2; exit 1; }
sed -i 's/^  string display_name = 3;/  string full_name = 3;/' "$employee"
# buf exits 100 when it finds breaking changes, and otherwise 0 (none) or 1 (an error).
rc=0
(cd "$scratch" && "$buf" breaking --against "$root/contracts/ladder-v1.binpb" >/dev/null) || rc=$?
if [[ $rc -ne 100 ]]; then
  echo "buf breaking did not refuse a renamed field (exit $rc): check buf.yaml" >&2
  exit 1
fi
echo "buf breaking refuses a renamed field: ok"
