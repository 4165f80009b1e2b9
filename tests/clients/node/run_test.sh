#!/usr/bin/env bash
# ctest entry node_personnel_client_test: installs the pinned npm packages (package-lock.json)
# when node_modules is missing or older than the lockfile, then runs node's test runner.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ! -f "$here/node_modules/.package-lock.json" ||
      "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
  # No install scripts are needed: grpc-js and proto-loader are plain JavaScript.
  npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund --loglevel=error
fi

exec node --test "$here/personnel_client_test.js"
