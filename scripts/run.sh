#!/usr/bin/env bash
# Runs the Ladder suite on this machine, in the foreground, until Ctrl-C.
#
#   scripts/run.sh            (scripts/run.sh --help prints this)
#
# Installs missing Debian packages, builds, creates the development PKI under
# .local/run/pki once (scripts/lib/dev-pki.sh: a CA, one certificate per service, the token
# signing keys), starts a private MariaDB (unix socket only, data kept under
# .local/run/mariadb between runs), starts the services that are built (personnel, then
# evaluation, then careerpath) with TLS and their own certificates, waits until each reports
# SERVING (ladder_health over mutual TLS, as the service itself), loads the demo data once
# (the CSV files under demo/, with ladderctl over TLS with a token: scripts/load-demo.sh),
# and prints a development HR_ADMIN token (valid 12 hours, also written to
# .local/run/dev-admin.token) with how to call the services with it.
#
# Every service requires TLS and a verified caller: the others by their certificates
# (mutual TLS), people by a bearer token signed with a key under .local/run/pki/jwt/private
# (issuer and audience "ladder").
#
# Environment:
#   LADDER_PERSONNEL_PORT   default 50051
#   LADDER_EVALUATION_PORT  default 50052
#   LADDER_CAREERPATH_PORT  default 50053
#                           (each service's Prometheus metrics on its port + 1000, plain HTTP)
#   LADDER_BUILD_DIR        default <repo>/build
#   LADDER_JOBS             parallel build jobs, default $(nproc)
#   LADDER_STOP_TIMEOUT     seconds a service gets to stop after SIGTERM, default 30
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/mariadb.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mariadb.sh"

case "${1:-}" in
  "") ;;
  -h | --help)
    # The header above, without its comment marks.
    sed -n '2,/^set -euo pipefail/{/^set /d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  *) die "unknown argument '$1' (scripts/run.sh takes none; see scripts/run.sh --help)" ;;
esac

RUN_DIR="$LADDER_ROOT/.local/run"
DB_DIR="$RUN_DIR/mariadb"
PKI_DIR="$RUN_DIR/pki"
JWT_KID=ladder-dev-es256
JWT_KEY="$PKI_DIR/jwt/private/$JWT_KID.key"
DEMO_TOKEN="$RUN_DIR/demo.token"
ADMIN_TOKEN="$RUN_DIR/dev-admin.token"
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
TOKEN_TOOL="$LADDER_BUILD_DIR/tools/token/ladder_token"

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
[[ -x "$TOKEN_TOOL" ]] || die "$TOKEN_TOOL is missing: the build did not produce it"

# Made once and kept, like the database: a certificate is only issued again when it no
# longer fits (see the script).
bash "$LADDER_ROOT/scripts/lib/dev-pki.sh" "$PKI_DIR"

# mint_token FILE SUBJECT TTL: an HR_ADMIN token signed with the development ES256 key,
# written readable by this user only.
mint_token() {
  local file="$1" subject="$2" ttl="$3"
  (umask 077 && "$TOKEN_TOOL" --key="$JWT_KEY" --kid="$JWT_KID" --issuer=ladder \
    --audience=ladder --subject="$subject" --role=HR_ADMIN --ttl="$ttl" >"$file.tmp") ||
    die "$TOKEN_TOOL could not mint a token for $subject"
  mv -f "$file.tmp" "$file"
}

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
  local metrics_port=$((port + 1000))
  shift 4
  stop_leftover "$name" "$binary"
  if port_in_use "$port"; then
    die "port $port (for $name) is already in use; stop what listens there or set" \
      "LADDER_${name^^}_PORT"
  fi
  if port_in_use "$metrics_port"; then
    die "port $metrics_port (for $name's metrics, its port + 1000) is already in use; stop what" \
      "listens there or set LADDER_${name^^}_PORT"
  fi
  mariadb_create_database "$DB_DIR" "$database"
  log "starting $name on 127.0.0.1:$port (log $LOG_DIR/$name.log)"
  # setsid: Ctrl-C reaches this script only, which then stops the services with SIGTERM
  # in dependency order.
  # Its certificate is its server identity and, on calls to the others, its client one.
  setsid "$binary" \
    --listen="127.0.0.1:$port" \
    --metrics_listen="127.0.0.1:$metrics_port" \
    --database="$(database_url "$database")" \
    --policy_dir="$POLICY_DIR" \
    --tls_cert="$PKI_DIR/$name.crt" \
    --tls_key="$PKI_DIR/$name.key" \
    --tls_ca="$PKI_DIR/ca.crt" \
    --jwt_keys_dir="$PKI_DIR/jwt/public" \
    --jwt_issuer=ladder \
    --jwt_audience=ladder \
    "$@" </dev/null >"$LOG_DIR/$name.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PID_DIR/$name.pid"
  started_names+=("$name")
  started_pids+=("$pid")
  started_ports+=("$port")

  # Health answers verified callers only: the probe presents the service's own certificate,
  # as a Kubernetes probe inside its pod does.
  if ! output="$("$HEALTH_TOOL" --target="127.0.0.1:$port" --timeout=30s \
    --ca="$PKI_DIR/ca.crt" --cert="$PKI_DIR/$name.crt" --key="$PKI_DIR/$name.key" 2>&1)"; then
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
  # A token of its own, short-lived and named "demo", so the history reads as the demo's.
  mint_token "$DEMO_TOKEN" demo 1h
  LADDER_PERSONNEL_ADDRESS="127.0.0.1:$PERSONNEL_PORT" \
    LADDER_EVALUATION_ADDRESS="127.0.0.1:$EVALUATION_PORT" \
    LADDER_CAREERPATH_ADDRESS="127.0.0.1:$CAREERPATH_PORT" \
    LADDER_ACTOR=demo LADDER_PROGRESS=lines LADDERCTL="$LADDERCTL" \
    bash "$LADDER_ROOT/scripts/load-demo.sh" --parts="$demo_parts" \
    --ca="$PKI_DIR/ca.crt" --token-file="$DEMO_TOKEN" </dev/null 2>&1 |
    tee "$LOG_DIR/demo.log" ||
    die "loading the demo data failed; see $LOG_DIR/demo.log"
  rm -f "$DEMO_TOKEN"
  for marker in "${demo_markers[@]}"; do
    date '+%Y-%m-%d %H:%M:%S' >"$marker"
  done
fi

mint_token "$ADMIN_TOKEN" dev-admin 12h

rel_log_dir="${LOG_DIR#"$LADDER_ROOT"/}"
{
  echo
  echo "Ladder is running."
  for i in "${!started_names[@]}"; do
    printf '  %-11s 127.0.0.1:%s   metrics: http://127.0.0.1:%s/metrics   log: %s/%s.log\n' \
      "${started_names[i]}" "${started_ports[i]}" "$((started_ports[i] + 1000))" "$rel_log_dir" \
      "${started_names[i]}"
  done
  echo
  echo "Every service speaks TLS with a certificate of the development CA ($PKI_DIR/ca.crt)"
  echo "and answers only verified callers: the other services by their certificates, people"
  echo "by a bearer token. A development HR_ADMIN token (subject dev-admin, valid 12 hours,"
  echo "also in $ADMIN_TOKEN):"
  echo
  cat "$ADMIN_TOKEN"
  echo
  echo "The command line (every command has --help):"
  echo "  export LADDER_TLS_CA=$PKI_DIR/ca.crt LADDER_TOKEN=\"\$(cat $ADMIN_TOKEN)\""
  if [[ "$PERSONNEL_PORT" != 50051 || "$EVALUATION_PORT" != 50052 || "$CAREERPATH_PORT" != 50053 ]]; then
    echo "  export LADDER_PERSONNEL_ADDRESS=127.0.0.1:$PERSONNEL_PORT" \
      "LADDER_EVALUATION_ADDRESS=127.0.0.1:$EVALUATION_PORT" \
      "LADDER_CAREERPATH_ADDRESS=127.0.0.1:$CAREERPATH_PORT"
  fi
  echo "  $LADDERCTL report distribution 衢州分公司 --svg distribution.svg"
  echo "  $LADDERCTL cases list --state proposed"
  echo
  echo "Python example (Debian's python3-grpcio; stubs from $LADDER_BUILD_DIR/gen/python):"
  echo "  /usr/bin/python3 $LADDER_ROOT/scripts/examples/list_counties.py --personnel=127.0.0.1:$PERSONNEL_PORT \\"
  echo "      --ca=$PKI_DIR/ca.crt --token-file=$ADMIN_TOKEN"
  if [[ -x "$careerpath_bin" ]]; then
    echo "One promotion from cycle review to applied (with the exports above; add --approve to approve it):"
    echo "  /usr/bin/python3 $LADDER_ROOT/scripts/examples/promotion_walkthrough.py"
  fi
  echo
  echo "Any other gRPC client (server reflection is on): trust $PKI_DIR/ca.crt and send the"
  echo "metadata 'authorization: Bearer <token>'. A token of another role, e.g. a county's HR:"
  echo "  $TOKEN_TOOL --key=$JWT_KEY --kid=$JWT_KID \\"
  echo "      --subject=someone --role=COUNTY_HR --counties=orgUnits/2 --ttl=8h"
  echo "Health, as a service: $HEALTH_TOOL --target=127.0.0.1:$PERSONNEL_PORT \\"
  echo "      --ca=$PKI_DIR/ca.crt --cert=$PKI_DIR/personnel.crt --key=$PKI_DIR/personnel.key"
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
