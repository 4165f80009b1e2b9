#!/usr/bin/env bash
# Runs a command against a fresh private three-node Galera cluster (scripts/lib/galera.sh),
# then removes the cluster.
#
# Usage: tests/integration/galera/with_galera_cluster.sh CMD [ARGS...]
#
# The cluster lives under $LADDER_ROOT/.local/test/galera (under /var/tmp when the nodes'
# user cannot reach the checkout), or LADDER_TEST_GALERA_DIR, and is wiped first. CMD
# finds it through these variables:
#   LADDER_TEST_GALERA_SOCKETS   the absolute socket paths of node1,node2,node3, comma-separated
#   LADDER_TEST_GALERA_USER      ladder: may create and drop databases named ladder_*
#   LADDER_TEST_GALERA_PASSWORD  ladder
#   LADDER_TEST_GALERA_DIR       the cluster's absolute directory, for galera.sh functions
#                                such as galera_node_pid
# However CMD ends, the cluster is stopped and its directory removed; the exit code is CMD's.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../../../scripts/lib/galera.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/galera.sh"

(($# > 0)) || die "usage: $0 CMD [ARGS...]"

if [[ -z "${LADDER_TEST_GALERA_DIR:-}" ]]; then
  LADDER_TEST_GALERA_DIR="$LADDER_ROOT/.local/test/galera"
  mkdir -p "$LADDER_ROOT/.local/test"
  # As root the nodes run as mysql, which must reach the directory: a checkout under a
  # private home (/root, mode 700) it cannot, so the cluster goes under /var/tmp instead,
  # at a name fixed per checkout so that a later run finds what an interrupted one left.
  if ((EUID == 0)) && ! runuser -u mysql -- test -x "$LADDER_ROOT/.local/test" 2>/dev/null; then
    LADDER_TEST_GALERA_DIR="/var/tmp/ladder-galera-$(printf '%s' "$LADDER_ROOT" | cksum | cut -d' ' -f1)"
    log "mysql cannot reach $LADDER_ROOT; the test cluster lives in $LADDER_TEST_GALERA_DIR"
  fi
fi
mkdir -p "$LADDER_TEST_GALERA_DIR"
LADDER_TEST_GALERA_DIR="$(cd "$LADDER_TEST_GALERA_DIR" && pwd -P)"

# Two runs on one directory would wipe each other's cluster.
exec 9>"$LADDER_TEST_GALERA_DIR.lock"
flock -w 5 9 || die "a Galera cluster is already in use in $LADDER_TEST_GALERA_DIR" \
  "(lock $LADDER_TEST_GALERA_DIR.lock)"

# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  local code=$?
  trap - EXIT
  # A subshell: galera_remove dies on failure, and CMD's status must still be the exit code.
  (galera_remove "$LADDER_TEST_GALERA_DIR") ||
    log "could not remove the test Galera cluster; what is left is in $LADDER_TEST_GALERA_DIR"
  exit "$code"
}
trap on_exit EXIT
# Turning the signals into an exit makes the EXIT trap run for them too.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# 9>&-: the servers must not inherit the lock, or one left running would hold it forever.
galera_start "$LADDER_TEST_GALERA_DIR" 9>&-
galera_bootstrap_user "$LADDER_TEST_GALERA_DIR" ladder ladder

LADDER_TEST_GALERA_SOCKETS="$(galera_sockets "$LADDER_TEST_GALERA_DIR")"
LADDER_TEST_GALERA_USER=ladder
LADDER_TEST_GALERA_PASSWORD=ladder
export LADDER_TEST_GALERA_DIR LADDER_TEST_GALERA_SOCKETS LADDER_TEST_GALERA_USER \
  LADDER_TEST_GALERA_PASSWORD

status=0
"$@" 9>&- || status=$?
exit "$status"
