# shellcheck shell=bash
# Helpers shared by the scripts under scripts/. Source this file; do not run it.
#
# Provides:
#   LADDER_ROOT       absolute path of the repository checkout (found from this file's
#                     location, so the scripts work from any current directory)
#   LADDER_BUILD_DIR  the CMake build directory, default $LADDER_ROOT/build (exported,
#                     so tools and examples started from the scripts find the build)
#   log MSG...        timestamped line on stderr
#   die MSG...        log MSG and exit 1
#   pid_alive PID     true while PID runs (a zombie counts as gone)
#   stop_pid NAME PID SECONDS
#                     SIGTERM, wait up to SECONDS, then SIGKILL
#   build_ladder      configure (first time only) and build the tree

set -euo pipefail

# Sourced twice (run.sh sources common.sh, and mariadb.sh sources it too): once is enough.
if [[ -n "${_LADDER_COMMON_SH:-}" ]]; then
  return 0
fi
_LADDER_COMMON_SH=1

LADDER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
LADDER_BUILD_DIR="${LADDER_BUILD_DIR:-$LADDER_ROOT/build}"
export LADDER_ROOT LADDER_BUILD_DIR

# Messages go to stderr so that stdout stays free for what a script is asked to print.
log() {
  printf '%s [%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$(basename "$0")" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# `kill -0` alone is not enough: a process that has exited but was not reaped yet (for
# example one re-parented to a container's PID 1 that never reaps) still accepts signals.
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]]
}

# Asks a process to stop and waits a bounded time, so a hung process cannot keep a script
# from ever finishing.
stop_pid() {
  local name="$1" pid="$2" timeout="$3" deadline
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while pid_alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if pid_alive "$pid"; then
    log "$name (pid $pid) did not stop within ${timeout}s of SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while pid_alive "$pid" && ((SECONDS < deadline)); do
      sleep 0.2
    done
  fi
}

# Configures only when the build directory has never been configured (or its configure
# step failed half-way): after that `cmake --build` re-runs CMake by itself whenever a
# CMakeLists.txt changes, and re-configuring every time would only cost time.
build_ladder() {
  local build_dir="$LADDER_BUILD_DIR"
  local jobs="${LADDER_JOBS:-$(nproc)}"
  if [[ ! -f "$build_dir/CMakeCache.txt" ]] ||
    [[ ! -f "$build_dir/Makefile" && ! -f "$build_dir/build.ninja" ]]; then
    log "configuring CMake in $build_dir"
    cmake -S "$LADDER_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  log "building in $build_dir with $jobs jobs"
  cmake --build "$build_dir" -j "$jobs"
}
