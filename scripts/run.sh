#!/usr/bin/env bash
# Runs the Ladder suite on this machine, in the foreground, until Ctrl-C.
#
#   scripts/run.sh
#
# Installs missing Debian packages, builds, starts a private MariaDB (unix socket only,
# data kept under .local/run/mariadb between runs), starts the services that are built
# (personnel, then evaluation, then careerpath), waits until each reports SERVING, loads
# the demo data once (the CSV files under demo/, with ladderctl: scripts/load-demo.sh), and
# prints how to call the services.
#
# Environment:
#   LADDER_PERSONNEL_PORT   default 50051
#   LADDER_EVALUATION_PORT  default 50052
#   LADDER_CAREERPATH_PORT  default 50053
#   LADDER_BUILD_DIR        default <repo>/build
#   LADDER_JOBS             parallel build jobs, default $(nproc)
#   LADDER_STOP_TIMEOUT     seconds a service gets to stop after SIGTERM, default 30
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/mariadb.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mariadb.sh"

RUN_DIR="$LADDER_ROOT/.local/run"
DB_DIR="$RUN_DIR/mariadb"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
DEMO_MARKER="$RUN_DIR/demo-loaded"
POLICY_DIR="$LADDER_ROOT/config/policy"
DB_USER=ladder
DB_PASSWORD=ladder

PERSONNEL_PORT="${LADDER_PERSONNEL_PORT:-50051}"
EVALUATION_PORT="${LADDER_EVALUATION_PORT:-50052}"
CAREERPATH_PORT="${LADDER_CAREERPATH_PORT:-50053}"
STOP_TIMEOUT="${LADDER_STOP_TIMEOUT:-30}"

HEALTH_TOOL="$LADDER_BUILD_DIR/tools/health/ladder_health"
LADDERCTL="$LADDER_BUILD_DIR/tools/ladderctl/ladderctl"

# What runs, in start order; cleanup stops it in reverse order (dependents first).
started_names=()
started_pids=()
started_ports=()
db_started=0
ready=0
stopping=0

stop_everything() {
  local i
  if ((stopping)); then
    return 0
  fi
  stopping=1
  for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
    if pid_alive "${started_pids[i]}"; then
      log "stopping ${started_names[i]} (pid ${started_pids[i]})"
      stop_pid "${started_names[i]}" "${started_pids[i]}" "$STOP_TIMEOUT"
    fi
    rm -f "$PID_DIR/${started_names[i]}.pid"
  done
  if ((db_started)); then
    mariadb_stop "$DB_DIR" || log "could not stop MariaDB cleanly; see $DB_DIR/mysqld.err"
  fi
}

# Ctrl-C once the suite is up is the normal way to end it: exit 0. Earlier, it means the
# start was interrupted, and the exit code says so.
on_signal() {
  local code="$1"
  trap - INT TERM HUP
  log "stopping everything"
  stop_everything
  if ((ready)); then
    log "stopped"
    exit 0
  fi
  exit "$code"
}

# Any other way out (a failed start, a service that died) also leaves nothing running.
on_exit() {
  local code=$?
  stop_everything
  exit "$code"
}

trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
trap on_exit EXIT

mkdir -p "$RUN_DIR" "$LOG_DIR" "$PID_DIR"

# One run.sh per checkout: a second one would share the database and fight for the ports,
# and on exit would stop the MariaDB the first one still uses.
exec 9>"$RUN_DIR/run.lock"
flock -w 5 9 || die "scripts/run.sh is already running for $LADDER_ROOT (lock $RUN_DIR/run.lock)"

bash "$LADDER_ROOT/scripts/install-deps.sh"
build_ladder

[[ -x "$HEALTH_TOOL" ]] || die "$HEALTH_TOOL is missing: the build did not produce it"

# The demo data lives in the database: a database made anew has not got it.
if [[ ! -f "$DB_DIR/initialised" ]]; then
  rm -f "$DEMO_MARKER" "$DEMO_MARKER-evaluation" "$DEMO_MARKER-careerpath"
fi
db_started=1
# 9>&-: no child may inherit the lock, or a server outliving a killed run.sh would keep
# every later run locked out.
mariadb_start "$DB_DIR" 9>&-
mariadb_bootstrap_user "$DB_DIR" "$DB_USER" "$DB_PASSWORD"
SOCKET="$(mariadb_socket "$DB_DIR")"

# Percent-encodes a value for the query string of a database URL, so that a checkout path
# with spaces or other special characters still yields a well-formed URL. The C locale
# makes bash walk the UTF-8 bytes, one %XX each, instead of whole characters.
url_encode() {
  local LC_ALL=C
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9/._~-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

database_url() {
  printf 'mysql://%s:%s@localhost/%s?socket=%s' \
    "$DB_USER" "$DB_PASSWORD" "$1" "$(url_encode "$SOCKET")"
}

# True if something already accepts connections on the port. Checked before a start,
# because a new server that cannot bind would otherwise let the health check pass against
# whatever already listens there.
port_in_use() {
  timeout 2 bash -c ": <>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

report_death() {
  local name="$1" pid="$2" status=0
  wait "$pid" 2>/dev/null || status=$?
  log "$name (pid $pid) exited with status $status; last lines of $LOG_DIR/$name.log:"
  tail -n 40 "$LOG_DIR/$name.log" >&2 || true
}

# A run.sh that was killed outright (kill -9, a closed terminal) could not stop its
# services; they would hold the ports. Each start records its pid, so the next run can
# stop such a leftover, after checking that the pid still runs that very binary.
stop_leftover() {
  local name="$1" binary="$2" pid_file="$PID_DIR/$1.pid" pid arg
  local -a cmdline=()
  [[ -f "$pid_file" ]] || return 0
  pid="$(tr -dc '0-9' <"$pid_file")"
  rm -f "$pid_file"
  if [[ -z "$pid" ]] || ! pid_alive "$pid"; then
    return 0
  fi
  mapfile -d '' -t cmdline 2>/dev/null <"/proc/$pid/cmdline" || true
  for arg in "${cmdline[@]}"; do
    if [[ "$arg" == "$binary" ]]; then
      log "stopping $name (pid $pid) left running by an earlier run"
      stop_pid "$name" "$pid" "$STOP_TIMEOUT"
      return 0
    fi
  done
}

# start_service NAME BINARY PORT DATABASE [EXTRA_FLAGS...]
start_service() {
  local name="$1" binary="$2" port="$3" database="$4" pid output
  shift 4
  stop_leftover "$name" "$binary"
  if port_in_use "$port"; then
    die "port $port (for $name) is already in use; stop what listens there or set" \
      "LADDER_${name^^}_PORT"
  fi
  mariadb_create_database "$DB_DIR" "$database"
  log "starting $name on 127.0.0.1:$port (log $LOG_DIR/$name.log)"
  # setsid: Ctrl-C reaches this script only, which then stops the services with SIGTERM
  # in dependency order.
  setsid "$binary" \
    --listen="127.0.0.1:$port" \
    --database="$(database_url "$database")" \
    --policy_dir="$POLICY_DIR" \
    "$@" </dev/null >"$LOG_DIR/$name.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PID_DIR/$name.pid"
  started_names+=("$name")
  started_pids+=("$pid")
  started_ports+=("$port")

  if ! output="$("$HEALTH_TOOL" --target="127.0.0.1:$port" --timeout=30s 2>&1)"; then
    printf '%s\n' "$output" >&2
    if ! pid_alive "$pid"; then
      report_death "$name" "$pid"
    else
      log "last lines of $LOG_DIR/$name.log:"
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
    fi
    die "$name did not become healthy on 127.0.0.1:$port"
  fi
  if ! pid_alive "$pid"; then
    report_death "$name" "$pid"
    die "$name exited right after start"
  fi
  log "$name is serving on 127.0.0.1:$port"
}

# Dependency order: evaluation calls personnel; careerpath calls both.
services_dir="$LADDER_BUILD_DIR/services"
personnel_bin="$services_dir/personnel/personnel_server"
evaluation_bin="$services_dir/evaluation/evaluation_server"
careerpath_bin="$services_dir/careerpath/careerpath_server"

if [[ -x "$personnel_bin" ]]; then
  start_service personnel "$personnel_bin" "$PERSONNEL_PORT" ladder_personnel
else
  log "personnel is not built ($personnel_bin); skipping it"
fi
if [[ -x "$evaluation_bin" ]]; then
  start_service evaluation "$evaluation_bin" "$EVALUATION_PORT" ladder_evaluation \
    --personnel="127.0.0.1:$PERSONNEL_PORT"
else
  log "evaluation is not built ($evaluation_bin); skipping it"
fi
if [[ -x "$careerpath_bin" ]]; then
  start_service careerpath "$careerpath_bin" "$CAREERPATH_PORT" ladder_careerpath \
    --personnel="127.0.0.1:$PERSONNEL_PORT" --evaluation="127.0.0.1:$EVALUATION_PORT"
else
  log "careerpath is not built ($careerpath_bin); skipping it"
fi
((${#started_pids[@]} > 0)) || die "no service binary found under $services_dir"

# The demo data goes in once per service; after that it is the user's data and must not be
# doubled. Every step of the load is idempotent, so a service added later gets its part on
# the next run.
demo_parts=personnel
demo_markers=("$DEMO_MARKER")
if [[ -x "$evaluation_bin" ]]; then
  demo_parts+=,evaluation
  demo_markers+=("$DEMO_MARKER-evaluation")
  if [[ -x "$careerpath_bin" ]]; then
    demo_parts+=,careerpath
    demo_markers+=("$DEMO_MARKER-careerpath")
  fi
fi
missing_marker=0
for marker in "${demo_markers[@]}"; do
  [[ -f "$marker" ]] || missing_marker=1
done
if ((!missing_marker)); then
  log "demo data was loaded on $(cat "$DEMO_MARKER"); not loading it again"
elif [[ ! -x "$personnel_bin" ]]; then
  log "personnel is not running; no demo data loaded"
elif [[ ! -x "$LADDERCTL" ]]; then
  log "$LADDERCTL is not built; no demo data loaded"
else
  log "loading the demo data from $LADDER_ROOT/demo with ladderctl (log $LOG_DIR/demo.log)"
  LADDER_PERSONNEL_ADDRESS="127.0.0.1:$PERSONNEL_PORT" \
    LADDER_EVALUATION_ADDRESS="127.0.0.1:$EVALUATION_PORT" \
    LADDER_CAREERPATH_ADDRESS="127.0.0.1:$CAREERPATH_PORT" \
    LADDER_ACTOR=demo LADDER_PROGRESS=lines LADDERCTL="$LADDERCTL" \
    bash "$LADDER_ROOT/scripts/load-demo.sh" --parts="$demo_parts" </dev/null 2>&1 |
    tee "$LOG_DIR/demo.log" ||
    die "loading the demo data failed; see $LOG_DIR/demo.log"
  for marker in "${demo_markers[@]}"; do
    date '+%Y-%m-%d %H:%M:%S' >"$marker"
  done
fi

rel_log_dir="${LOG_DIR#"$LADDER_ROOT"/}"
{
  echo
  echo "Ladder is running."
  for i in "${!started_names[@]}"; do
    printf '  %-11s 127.0.0.1:%s   log: %s/%s.log\n' \
      "${started_names[i]}" "${started_ports[i]}" "$rel_log_dir" "${started_names[i]}"
  done
  echo
  echo "Every service speaks plaintext gRPC and has server reflection on, so any"
  echo "reflection-aware client (grpcurl, Postman, Kreya...) can list and call its methods."
  echo "Health: $HEALTH_TOOL --target=127.0.0.1:$PERSONNEL_PORT"
  echo
  echo "The command line (every command has --help):"
  if [[ "$PERSONNEL_PORT" != 50051 || "$EVALUATION_PORT" != 50052 || "$CAREERPATH_PORT" != 50053 ]]; then
    echo "  export LADDER_PERSONNEL_ADDRESS=127.0.0.1:$PERSONNEL_PORT" \
      "LADDER_EVALUATION_ADDRESS=127.0.0.1:$EVALUATION_PORT" \
      "LADDER_CAREERPATH_ADDRESS=127.0.0.1:$CAREERPATH_PORT"
  fi
  echo "  $LADDERCTL report distribution 衢州分公司 --svg distribution.svg"
  echo "  $LADDERCTL cases list --state proposed"
  echo
  echo "Python example (Debian's python3-grpcio; stubs from $LADDER_BUILD_DIR/gen/python):"
  echo "  /usr/bin/python3 $LADDER_ROOT/scripts/examples/list_counties.py --personnel=127.0.0.1:$PERSONNEL_PORT"
  if [[ -x "$careerpath_bin" ]]; then
    echo "One promotion from cycle review to applied (add --approve to approve it):"
    echo "  /usr/bin/python3 $LADDER_ROOT/scripts/examples/promotion_walkthrough.py"
  fi
  echo
  echo "MariaDB (unix socket only): mariadb --no-defaults --socket=$SOCKET -u $DB_USER -p$DB_PASSWORD ladder_personnel"
  echo "Logs: $LOG_DIR/ (MariaDB: $DB_DIR/mysqld.err)"
  echo
  echo "Ctrl-C stops everything."
}
ready=1

# Watch until Ctrl-C. `sleep & wait` rather than a plain sleep so that a signal is acted
# on at once: bash runs a trap only after the foreground command returns, but interrupts
# `wait` immediately.
while true; do
  for i in "${!started_pids[@]}"; do
    if ! pid_alive "${started_pids[i]}"; then
      report_death "${started_names[i]}" "${started_pids[i]}"
      die "${started_names[i]} stopped unexpectedly; stopping everything"
    fi
  done
  if ! mariadb_ping "$DB_DIR"; then
    log "last lines of $DB_DIR/mysqld.err:"
    tail -n 25 "$DB_DIR/mysqld.err" >&2 || true
    die "MariaDB stopped unexpectedly; stopping everything"
  fi
  sleep 2 9>&- &
  wait $! || true
done
