#!/usr/bin/env bash
# Installs the Debian 12 packages Ladder needs to build, test and run, and nothing else.
#
# Usage: scripts/install-deps.sh          install whatever is missing
#        scripts/install-deps.sh --check  only report; exit 1 if something is missing
#
# Safe to run any number of times: it asks dpkg what is installed and only calls apt-get
# (and `apt-get update`, once) when a package is missing. Runs as root, or through sudo.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# Everything the build, the tests and scripts/run.sh use. Add new dependencies here.
PACKAGES=(
  build-essential
  cmake
  pkg-config
  protobuf-compiler
  protobuf-compiler-grpc
  libprotobuf-dev
  libgrpc++-dev
  libabsl-dev
  libmysqlcppconn-dev
  libspdlog-dev
  libgtest-dev
  libgmock-dev
  googletest
  clang-14
  libclang-rt-14-dev
  clang-format-14
  clang-tidy-14
  libjwt-dev
  prometheus-cpp-dev
  libssl-dev
  openssl
  mariadb-server
  mariadb-client
  galera-4
  nghttp2-client
  prometheus
  rsync
  python3-grpcio
  python3-protobuf
  python3-yaml
  python3-jwt
  python3-cryptography
  buildah
  debootstrap
)

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  *) die "unknown argument '$1' (usage: $0 [--check])" ;;
esac

command -v dpkg-query >/dev/null 2>&1 ||
  die "dpkg-query not found: this script expects Debian 12 (bookworm)"

# A package counts as present only when dpkg calls it "installed": a package that was
# removed but whose configuration files remain is "config-files", and dpkg-query fails
# for a package it has never heard of.
missing=()
# Node.js and npm run the contract checks and the Node client test. A machine may already
# have them from another source (a nodesource package named nodejs that bundles npm), where
# Debian's npm package would conflict, so they are asked for only when the commands are absent.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != installed ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} required packages, node and npm are installed"
  exit 0
fi

if ((check_only)); then
  log "missing packages: ${missing[*]}"
  exit 1
fi

log "installing ${#missing[@]} missing packages: ${missing[*]}"

# `env` carries DEBIAN_FRONTEND through sudo, whose default policy resets the environment;
# noninteractive keeps debconf from asking questions (CI has no terminal and no stdin).
if ((EUID == 0)); then
  as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
else
  die "not root and sudo is not installed: run as root: apt-get install ${missing[*]}"
fi

"${as_root[@]}" apt-get update </dev/null
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
