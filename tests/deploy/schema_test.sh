#!/usr/bin/env bash
# deploy_k8s_schemas: validates every object of every overlay of deploy/k8s against the
# Kubernetes API schemas (tests/deploy/validate_schemas.cjs).
#
# Usage: schema_test.sh WORK_DIR
#
# Installs tests/deploy/package.json with `npm ci` into WORK_DIR (a folder of the build
# directory) the first time, and again whenever package-lock.json changes; the only
# network it needs is the npm registry, and only then. Needs node and npm (Node.js 18+).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
WORK_DIR="${1:?usage: $0 WORK_DIR}"

for tool in node npm kubectl; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "FAIL - $tool not found on PATH (this test needs node, npm and kubectl)"
    exit 1
  }
done

mkdir -p "$WORK_DIR"
# One install at a time, should two runs share the build directory.
exec 7>"$WORK_DIR/.install.lock"
flock -w 600 7

if ! cmp -s "$HERE/package-lock.json" "$WORK_DIR/package-lock.json" ||
  ! cmp -s "$HERE/package.json" "$WORK_DIR/package.json" ||
  [[ ! -d "$WORK_DIR/node_modules/kubernetes-models" ]]; then
  cp "$HERE/package.json" "$HERE/package-lock.json" "$WORK_DIR/"
  echo "# npm ci in $WORK_DIR"
  if ! (cd "$WORK_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null); then
    rm -f "$WORK_DIR/package-lock.json" # so that the next run tries again
    echo "FAIL - npm ci failed: the schema validator (tests/deploy/package.json) needs the npm registry once"
    exit 1
  fi
fi
exec 7>&-

exec node "$HERE/validate_schemas.cjs" "$WORK_DIR/node_modules"
