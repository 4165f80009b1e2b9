#!/usr/bin/env bash
# Runs the whole Ladder test suite: unit, service and integration tests.
#
#   scripts/test.sh                 everything
#   scripts/test.sh -R Quota        extra arguments go to ctest
#
# Installs missing Debian packages, builds, and starts a fresh private MariaDB (unix
# socket only, under .local/test/mariadb, wiped first) for the integration tests, which
# find it through these variables:
#   LADDER_TEST_MYSQL_SOCKET        absolute path of its unix socket
#   LADDER_TEST_MYSQL_USER          ladder: may create and drop databases named ladder_*
#   LADDER_TEST_MYSQL_PASSWORD      ladder
#   LADDER_TEST_MYSQLD              mariadbd, for tests that run servers of their own
#   LADDER_TEST_MYSQL_INSTALL_DB    mariadb-install-db, likewise
# and the development PKI (scripts/lib/dev-pki.sh, kept under .local/test/pki) that the
# tests start the servers and sign tokens with:
#   LADDER_TEST_PKI_DIR             its absolute path
# The server is stopped however the run ends; the exit code is ctest's.
# Runs unattended (CI=true, no stdin): nothing here asks a question.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/mariadb.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mariadb.sh"

TEST_DIR="$LADDER_ROOT/.local/test"
DB_DIR="$TEST_DIR/mariadb"

mkdir -p "$TEST_DIR"
# Two test runs in one checkout would build over each other and wipe each other's database.
exec 9>"$TEST_DIR/test.lock"
flock -w 5 9 || die "scripts/test.sh is already running for $LADDER_ROOT (lock $TEST_DIR/test.lock)"

bash "$LADDER_ROOT/scripts/install-deps.sh"
build_ladder

# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  local code=$?
  mariadb_stop "$DB_DIR" || log "could not stop the test MariaDB; see $DB_DIR/mysqld.err"
  exit "$code"
}
trap on_exit EXIT
# Turning the signals into an exit makes the EXIT trap run for them too.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Every run starts from an empty database, so no test depends on what an earlier run
# left. A server left running by an interrupted run is stopped before its files go.
mariadb_stop "$DB_DIR"
rm -rf "$DB_DIR"
# 9>&-: the server must not inherit the lock (see run.sh).
mariadb_start "$DB_DIR" 9>&-
mariadb_bootstrap_user "$DB_DIR" ladder ladder

LADDER_TEST_MYSQL_SOCKET="$(mariadb_socket "$DB_DIR")"
LADDER_TEST_MYSQL_USER=ladder
LADDER_TEST_MYSQL_PASSWORD=ladder
LADDER_TEST_MYSQLD="$(command -v mariadbd)" || die "mariadbd not found on PATH"
LADDER_TEST_MYSQL_INSTALL_DB="$(command -v mariadb-install-db)" ||
  die "mariadb-install-db not found on PATH"
export LADDER_TEST_MYSQL_SOCKET LADDER_TEST_MYSQL_USER LADDER_TEST_MYSQL_PASSWORD \
  LADDER_TEST_MYSQLD LADDER_TEST_MYSQL_INSTALL_DB

# Made once and kept: the tests read it and never change it; only what is missing or no
# longer valid is made again.
LADDER_TEST_PKI_DIR="$TEST_DIR/pki"
bash "$LADDER_ROOT/scripts/lib/dev-pki.sh" "$LADDER_TEST_PKI_DIR" 9>&-
export LADDER_TEST_PKI_DIR

# The container image is built and tested too (deploy/build-image.sh --prebuilt, about 40 s
# the first time, seconds after); LADDER_TEST_IMAGE=0 skips it.
export LADDER_TEST_IMAGE="${LADDER_TEST_IMAGE:-1}"

# --no-tests=error: a build that registers no test at all is a failure, not a green run.
log "running ctest${*:+ with: $*}"
status=0
ctest --test-dir "$LADDER_BUILD_DIR" --output-on-failure --no-tests=error -j2 --timeout 900 \
  "$@" </dev/null 9>&- || status=$?
if ((status == 0)); then
  log "all tests passed"
else
  log "ctest failed with exit code $status"
fi

# Fuzzing (scripts/fuzz.sh): each fuzzer of fuzz/ for LADDER_FUZZ_SECONDS (20) after their
# clang build, about three and a half minutes in all. Full runs only; LADDER_TEST_FUZZ=0 skips it.
if (($# == 0)) && [[ "${LADDER_TEST_FUZZ:-1}" != 0 ]]; then
  fuzz_status=0
  bash "$LADDER_ROOT/scripts/fuzz.sh" </dev/null 9>&- || fuzz_status=$?
  if ((status == 0)); then status=$fuzz_status; fi
fi
exit "$status"
