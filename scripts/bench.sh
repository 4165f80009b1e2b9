#!/usr/bin/env bash
# Runs Ladder's benchmark suite (bench/ladder_bench) and records its table.
#
#   scripts/bench.sh               the full run, about 3 minutes: prints the table and writes
#                                  it, with the machine it ran on, into bench/RESULTS.md
#   scripts/bench.sh --large       the full run, and a cycle review of 1,000,000 managers too
#   scripts/bench.sh --smoke       seconds on a small branch: checks that the benchmark works
#                                  (part of the test suite, ctest -L bench); writes nothing
#   scripts/bench.sh -- FLAGS…     further flags for ladder_bench (see its --help)
#
# Like scripts/test.sh it installs missing Debian packages and builds (only what the
# benchmark runs: the servers, the echo baseline and the benchmark programs), then starts a
# fresh private MariaDB under .local/bench/mariadb (unix socket only) and stops it at the end.
# `--smoke` with LADDER_TEST_MYSQL_SOCKET set (as under scripts/test.sh) uses that MariaDB
# instead; `--no-build` skips installing and building (ctest passes it).
#
# Everything runs in the production configuration: every server serves TLS and verifies a
# bearer token on every call, with the development PKI of LADDER_TEST_PKI_DIR when it is set
# (as under scripts/test.sh), else with one made once under .local/bench/pki
# (scripts/lib/dev-pki.sh); ladder_bench gets it as --pki_dir.
#
# CPU placement, identical for every service and its baselines: on a machine with two or more
# CPUs the database runs on CPU 0, the servers and the load generator on CPU 1. The full run
# first waits (up to LADDER_BENCH_QUIET_WAIT seconds, default 900) for the 1-minute load
# average to drop to LADDER_BENCH_MAX_LOAD (default 1.0), since others may share the machine.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/mariadb.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mariadb.sh"

BENCH_DIR="$LADDER_ROOT/.local/bench"
DB_DIR="$BENCH_DIR/mariadb"
RESULTS="$LADDER_ROOT/bench/RESULTS.md"
MAX_LOAD="${LADDER_BENCH_MAX_LOAD:-1.0}"
QUIET_WAIT="${LADDER_BENCH_QUIET_WAIT:-900}"
BEGIN_MARK='<!-- scripts/bench.sh: results begin -->'
END_MARK='<!-- scripts/bench.sh: results end -->'

smoke=0
large=0
build=1
extra=()
while (($#)); do
  case "$1" in
    --smoke) smoke=1 ;;
    --large) large=1 ;;
    --no-build) build=0 ;;
    --)
      shift
      extra=("$@")
      break
      ;;
    *) die "unknown argument '$1' (usage: $0 [--smoke] [--large] [--no-build] [-- ladder_bench flags])" ;;
  esac
  shift
done

own_db=1
if ((smoke)) && [[ -n "${LADDER_TEST_MYSQL_SOCKET:-}" ]]; then
  own_db=0
fi

mkdir -p "$BENCH_DIR"
if ((own_db)); then
  # Two runs at once would measure each other and share the database directory.
  exec 9>"$BENCH_DIR/bench.lock"
  flock -w 5 9 || die "scripts/bench.sh is already running for $LADDER_ROOT (lock $BENCH_DIR/bench.lock)"
fi

if ((build)); then
  bash "$LADDER_ROOT/scripts/install-deps.sh"
  jobs="${LADDER_JOBS:-$(nproc)}"
  if [[ ! -f "$LADDER_BUILD_DIR/CMakeCache.txt" ]] ||
    [[ ! -f "$LADDER_BUILD_DIR/Makefile" && ! -f "$LADDER_BUILD_DIR/build.ninja" ]]; then
    log "configuring CMake in $LADDER_BUILD_DIR"
    cmake -S "$LADDER_ROOT" -B "$LADDER_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  log "building the benchmark and the servers it runs in $LADDER_BUILD_DIR with $jobs jobs"
  # ladder_bench depends on the servers and the echo baseline, so they are built with it.
  cmake --build "$LADDER_BUILD_DIR" --target ladder_bench import_scores_bench county_writes_bench review_bench \
    -j "$jobs"
fi
BENCH="$LADDER_BUILD_DIR/bench/ladder_bench"
[[ -x "$BENCH" ]] || die "$BENCH is not built; run without --no-build"

if ((!own_db)); then
  log "using the MariaDB at $LADDER_TEST_MYSQL_SOCKET"
fi

# Kept between runs: dev-pki.sh makes only what is missing or no longer valid.
if [[ -n "${LADDER_TEST_PKI_DIR:-}" ]]; then
  pki_dir="$LADDER_TEST_PKI_DIR"
else
  pki_dir="$BENCH_DIR/pki"
  bash "$LADDER_ROOT/scripts/lib/dev-pki.sh" "$pki_dir" 9>&-
fi

# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  local code=$?
  if ((own_db)); then
    mariadb_stop "$DB_DIR" || log "could not stop the benchmark MariaDB; see $DB_DIR/mysqld.err"
  fi
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

pin=()
placement="not pinned"
if ((own_db)); then
  # A fresh server each run: nothing left from an earlier run can change what is measured.
  mariadb_stop "$DB_DIR"
  rm -rf "$DB_DIR"
  mariadb_start "$DB_DIR" 9>&-
  mariadb_bootstrap_user "$DB_DIR" ladder ladder
  LADDER_TEST_MYSQL_SOCKET="$(mariadb_socket "$DB_DIR")"
  LADDER_TEST_MYSQL_USER=ladder
  LADDER_TEST_MYSQL_PASSWORD=ladder
  export LADDER_TEST_MYSQL_SOCKET LADDER_TEST_MYSQL_USER LADDER_TEST_MYSQL_PASSWORD
  if ((!smoke)) && (($(nproc) >= 2)); then
    db_pid="$(tr -dc '0-9' <"$DB_DIR/mysqld.pid")"
    # -a: every thread of the server, and so the threads it creates later.
    taskset -a -p -c 0 "$db_pid" >/dev/null || die "could not pin mariadbd (pid $db_pid) to CPU 0"
    pin=(--client_cpu=1 --server_cpu=1)
    placement="database on CPU 0; servers and load generator on CPU 1 (sched_setaffinity, as taskset -c)"
  fi
fi

if ((smoke)); then
  log_dir="$(mktemp -d "${TMPDIR:-/tmp}/ladder_bench_smoke.XXXXXX")"
  log "smoke run (server logs in $log_dir)"
  "$BENCH" --smoke --log_dir="$log_dir" --pki_dir="$pki_dir" "${extra[@]}" 9>&-
  rm -rf "$log_dir"
  exit 0
fi

# Others may be compiling on this machine: measure only when it is quiet.
load_now() { cut -d' ' -f1 /proc/loadavg; }
deadline=$((SECONDS + QUIET_WAIT))
while awk -v l="$(load_now)" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; do
  if ((SECONDS >= deadline)); then
    log "the load average is still $(load_now) after ${QUIET_WAIT}s; measuring anyway (noted in the results)"
    break
  fi
  log "load average $(load_now) > $MAX_LOAD; waiting for a quiet machine"
  sleep 30
done
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

log_dir="$BENCH_DIR/logs"
rm -rf "$log_dir"
mkdir -p "$log_dir"
table="$BENCH_DIR/table.md"
rm -f "$table"
log "full run (server logs in $log_dir)"
started=$SECONDS
"$BENCH" --log_dir="$log_dir" --markdown="$table" --pki_dir="$pki_dir" "${pin[@]}" \
  "${extra[@]}" 9>&- || status=$?
status="${status:-0}"

# Writes across counties against writes in one county (bench/county_writes_bench.cc): on the
# benchmark's MariaDB, then on a private three-node Galera cluster with a replica per node.
writes="$LADDER_BUILD_DIR/bench/county_writes_bench"
log "county writes on one MariaDB"
"$writes" --sockets="$LADDER_TEST_MYSQL_SOCKET" --topology="one MariaDB, 1 replica" \
  --build_dir="$LADDER_BUILD_DIR" --pki_dir="$pki_dir" --log_dir="$log_dir" --markdown="$table" 9>&- ||
  status=$?
log "county writes on a three-node Galera cluster"
bash "$LADDER_ROOT/tests/integration/galera/with_galera_cluster.sh" \
  "$writes" --sockets=@galera --topology="three Galera nodes, a replica on each" \
  --build_dir="$LADDER_BUILD_DIR" --pki_dir="$pki_dir" --log_dir="$log_dir" --markdown="$table" 9>&- ||
  status=$?

# A cycle review at branch scale (bench/review_bench.cc): 10,000 and 100,000 managers, and
# with --large 1,000,000; each on scratch databases and servers of its own.
reviews="$BENCH_DIR/reviews.md"
{
  echo "| managers | counties | RunCycleReview | participants/s | cases made | cases/s | second review (nothing new) | careerpath RSS idle | careerpath peak RSS | GetDistributionReport, branch | ListRankings, per page of 100 | ImportScores, branch in one stream | evaluation peak RSS |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$reviews"
sizes=(10 100)
((large)) && sizes+=(1000)
server_cpu=-1
((${#pin[@]})) && server_cpu=1
for counties in "${sizes[@]}"; do
  log "cycle review of $((counties * 1000)) managers"
  "$LADDER_BUILD_DIR/bench/review_bench" --counties="$counties" --managers_per_county=1000 \
    --build_dir="$LADDER_BUILD_DIR" --pki_dir="$pki_dir" --log_dir="$log_dir" \
    --server_cpu="$server_cpu" --markdown="$reviews" 9>&- || status=$?
done
{
  echo
  echo "### Cycle review at branch scale (RunCycleReview, batches of 500; bench/review_bench.cc)"
  echo
  cat "$reviews"
} >>"$table"
elapsed=$((SECONDS - started))
[[ -s "$table" ]] || die "the benchmark wrote no table (exit code $status)"

version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
commit="$(git -C "$LADDER_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$LADDER_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  commit="$commit with local changes"
fi
generated="$(
  cat <<EOF
Run of $(date -u '+%Y-%m-%d %H:%M UTC') on commit $commit, ${elapsed} s, exit code $status.

| machine | |
|---|---|
| CPUs | $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |
| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
| kernel | $(uname -sr) |
| load average at start | $load_at_start |
| placement | $placement |
| security | every server TLS (EC P-256 certificates of the development PKI), every call a bearer token (ES256, verified once, then cached); raw queries as before |
| MariaDB | $(version_of mariadb-server) (private server, buffer pool 256 MiB, unix socket) |
| gRPC / protobuf / Abseil | $(version_of libgrpc++-dev) / $(version_of libprotobuf-dev) / $(version_of libabsl-dev) |
| Connector/C++ / spdlog | $(version_of libmysqlcppconn-dev) / $(version_of libspdlog-dev) |
| compiler, build | $(c++ --version | head -n1), $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$LADDER_BUILD_DIR/CMakeCache.txt") |

$(cat "$table")
EOF
)"

# The generated part replaces the one between the markers; the notes around it are kept.
if [[ -f "$RESULTS" ]] && grep -qF "$BEGIN_MARK" "$RESULTS" && grep -qF "$END_MARK" "$RESULTS"; then
  printf '%s\n' "$generated" >"$BENCH_DIR/generated.md"
  awk -v begin="$BEGIN_MARK" -v end="$END_MARK" -v body="$BENCH_DIR/generated.md" '
    $0 == begin { print; while ((getline line < body) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }
  ' "$RESULTS" >"$BENCH_DIR/RESULTS.md.new"
  mv "$BENCH_DIR/RESULTS.md.new" "$RESULTS"
else
  {
    printf '# Benchmark results\n\n'
    printf '%s\n\n' 'Written by scripts/bench.sh (the part between the markers, at every full run).'
    printf '%s\n%s\n%s\n' "$BEGIN_MARK" "$generated" "$END_MARK"
  } >"$RESULTS"
fi
log "wrote $RESULTS"
exit "$status"
