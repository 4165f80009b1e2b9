# shellcheck shell=bash
# A private MariaDB server for development and tests. Source this file; do not run it.
#
# Everything of one server lives in a directory DIR of its own:
#   DIR/data/          the data directory
#   DIR/mysqld.sock    the unix socket, the ONLY way in: the server never opens a TCP port
#   DIR/mysqld.pid     its pid file
#   DIR/mysqld.err     its error log
#   DIR/mysqld.out     anything it writes to stdout/stderr before its log is open
#   DIR/install-db.log the output of the initialisation
# The server reads no option file (--no-defaults), so nothing in /etc/mysql or ~/.my.cnf
# changes it, and it does not disturb (nor depend on) a system MariaDB on the same machine.
#
# Functions (each fails with a message on stderr; none sets a global variable):
#   mariadb_start DIR                    initialise DIR/data if needed, start, wait until it answers
#   mariadb_stop DIR                     clean shutdown, bounded; no-op if nothing runs
#   mariadb_bootstrap_user DIR USER PW   USER@localhost with ALL on databases `ladder\_%`
#   mariadb_create_database DIR NAME     CREATE DATABASE IF NOT EXISTS, utf8mb4
#   mariadb_socket DIR                   prints the absolute socket path
#   mariadb_ping DIR                     true while the server answers on its socket
#
# Administration connects over the socket as the MariaDB account named like the current
# unix user, authenticated by unix_socket, which the initialisation creates; no password
# is stored anywhere.
#
# Tunables (environment): LADDER_MARIADB_START_TIMEOUT (s, default 30),
# LADDER_MARIADB_STOP_TIMEOUT (s, default 60).

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# mariadbd lives in /usr/sbin, which is not on an ordinary Debian user's PATH.
case ":$PATH:" in
  *:/usr/sbin:*) ;;
  *) PATH="$PATH:/usr/sbin" ;;
esac

# The absolute path of DIR, created if missing: the server is given absolute paths so
# that nothing depends on the current directory of whoever calls these functions.
_mariadb_dir() {
  local dir="${1:?DIR is required}"
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

mariadb_socket() {
  local dir
  dir="$(_mariadb_dir "${1:?DIR is required}")"
  printf '%s\n' "$dir/mysqld.sock"
}

# Liveness only: mariadb-admin ping succeeds as soon as the server accepts connections,
# even if the login itself is refused.
_mariadb_ping() {
  mariadb-admin --no-defaults --socket="$1" --connect-timeout=2 ping >/dev/null 2>&1
}

mariadb_ping() {
  local dir
  dir="$(_mariadb_dir "${1:?DIR is required}")"
  _mariadb_ping "$dir/mysqld.sock"
}

# Runs SQL from stdin as the administrative account over the socket.
_mariadb_admin_sql() {
  local sock="$1"
  shift
  mariadb --no-defaults --socket="$sock" --user="$(id -un)" --batch --skip-column-names "$@"
}

# Byte sizes of the two server logs, taken before a start so that a failure shows only
# what this start wrote (the logs are appended to across runs).
_mariadb_log_sizes() {
  local dir="$1" f
  for f in "$dir/mysqld.err" "$dir/mysqld.out"; do
    stat -c %s "$f" 2>/dev/null || echo 0
  done | tr '\n' ' '
}

# _mariadb_tail_logs DIR [ERR_OFFSET OUT_OFFSET]
_mariadb_tail_logs() {
  local dir="$1" f offset
  local -a offsets=("${2:-0}" "${3:-0}")
  local i=0
  for f in "$dir/mysqld.err" "$dir/mysqld.out"; do
    offset="${offsets[i]}"
    i=$((i + 1))
    if [[ -s "$f" ]] && (($(stat -c %s "$f") > offset)); then
      log "last lines of $f:"
      tail -c +"$((offset + 1))" "$f" | tail -n 25 >&2
    fi
  done
}

_mariadb_read_pid() {
  local pid_file="$1" pid=""
  if [[ -f "$pid_file" ]]; then
    pid="$(tr -dc '0-9' <"$pid_file" || true)"
  fi
  printf '%s' "$pid"
}

# Prints the pid of the live mariadbd that serves DIR/data, or nothing. The pid file is
# asked first; when it is missing or stale (deleted by hand, or a number since reused by
# another program) the process list is searched for a mariadbd started with our
# --datadir, so that a server still starting up or still shutting down is never missed.
_mariadb_server_pid() {
  local dir="$1" pid arg
  pid="$(_mariadb_read_pid "$dir/mysqld.pid")"
  if [[ -n "$pid" ]] && pid_alive "$pid" &&
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == mariadbd ]]; then
    printf '%s' "$pid"
    return 0
  fi
  # Plain /proc rather than pgrep: procps is not in every minimal Debian image.
  local proc
  local -a cmdline
  for proc in /proc/[0-9]*; do
    pid="${proc#/proc/}"
    [[ "$(cat "$proc/comm" 2>/dev/null)" == mariadbd ]] || continue
    pid_alive "$pid" || continue
    cmdline=()
    mapfile -d '' -t cmdline 2>/dev/null <"$proc/cmdline" || true
    for arg in "${cmdline[@]}"; do
      if [[ "$arg" == "--datadir=$dir/data" ]]; then
        printf '%s' "$pid"
        return 0
      fi
    done
  done
}

# A server answers on our socket: reuse it only if it serves our data directory.
_mariadb_reuse_running() {
  local dir="$1" sock="$1/mysqld.sock" datadir
  if ! datadir="$(_mariadb_admin_sql "$sock" -e 'SELECT @@datadir' 2>/dev/null)"; then
    die "a MariaDB server answers on $sock but refuses the administrative login as" \
      "'$(id -un)'; stop it yourself (see $dir/mysqld.pid)"
  fi
  if [[ "${datadir%/}" != "$dir/data" ]]; then
    die "the MariaDB server on $sock serves $datadir, not $dir/data; stop it first"
  fi
  log "MariaDB for $dir is already running (pid $(_mariadb_read_pid "$dir/mysqld.pid")); reusing it"
}

mariadb_start() {
  local dir data sock pid_file err_log timeout deadline pid
  dir="$(_mariadb_dir "${1:?usage: mariadb_start DIR}")"
  data="$dir/data"
  sock="$dir/mysqld.sock"
  pid_file="$dir/mysqld.pid"
  err_log="$dir/mysqld.err"
  timeout="${LADDER_MARIADB_START_TIMEOUT:-30}"

  # A unix socket path has room for 107 bytes (sun_path); a longer one fails late and
  # obscurely inside the server, so refuse it here.
  if ((${#sock} > 107)); then
    die "socket path $sock is ${#sock} bytes, over the 107 a unix socket allows;" \
      "use a shorter checkout path"
  fi

  if _mariadb_ping "$sock"; then
    _mariadb_reuse_running "$dir"
    return 0
  fi

  # Nothing answers. A pid file naming a live mariadbd means a server is still starting
  # (crash recovery can take a while) or is hung: wait for it, never start a second one
  # on the same files. Otherwise the pid file and socket are leftovers of a server that
  # was killed, and the new server must not trip over them.
  pid="$(_mariadb_server_pid "$dir")"
  if [[ -n "$pid" ]]; then
    log "mariadbd (pid $pid) for $dir is running but not answering; waiting up to ${timeout}s"
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)) && pid_alive "$pid"; do
      if _mariadb_ping "$sock"; then
        _mariadb_reuse_running "$dir"
        return 0
      fi
      sleep 0.5
    done
    if pid_alive "$pid"; then
      _mariadb_tail_logs "$dir"
      die "mariadbd (pid $pid) holds $data but does not answer on $sock;" \
        "stop it (kill $pid) and try again"
    fi
    log "mariadbd (pid $pid) has exited (it was shutting down); starting a new one"
  fi
  if [[ -e "$pid_file" ]]; then
    log "removing stale pid file $pid_file"
    rm -f "$pid_file"
  fi
  if [[ -e "$sock" ]]; then
    log "removing stale socket $sock"
    rm -f "$sock"
  fi

  # The marker is written only after a successful initialisation, so a data directory
  # left half-made by an interrupted run is recognised and made again (it holds nothing).
  if [[ ! -f "$dir/initialised" ]]; then
    if [[ -e "$data" ]]; then
      log "$data is incomplete (initialisation was interrupted); initialising it again"
      rm -rf "$data"
    fi
    log "initialising MariaDB data directory $data"
    # No --user here, even as root: the bootstrap server may run as root, and
    # mariadb-install-db --user=root would also chown the system's
    # /usr/lib/mysql/plugin/auth_pam_tool_dir to root, breaking PAM authentication
    # for the system MariaDB. --auth-root-socket-user names the second all-privilege
    # account (unix_socket) after the current user, so that a non-root user can
    # administer the server too; without it the name is taken from $USER, which CI and
    # sudo may not set.
    if ! mariadb-install-db --no-defaults --datadir="$data" \
      --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
      --skip-test-db >"$dir/install-db.log" 2>&1 </dev/null; then
      tail -n 25 "$dir/install-db.log" >&2
      die "mariadb-install-db failed; full output in $dir/install-db.log"
    fi
    date '+%Y-%m-%d %H:%M:%S' >"$dir/initialised"
  fi

  local -a args=(
    --no-defaults # must come first
    --datadir="$data"
    --socket="$sock"
    --pid-file="$pid_file"
    --log-error="$err_log"
    --skip-networking
    --character-set-server=utf8mb4
    --collation-server=utf8mb4_unicode_ci
    --innodb-buffer-pool-size=256M
    --innodb-lock-wait-timeout=10
    --max-connections=500
  )
  # mariadbd refuses to run as root unless told so explicitly.
  if ((EUID == 0)); then
    args+=(--user=root)
  fi

  local -a log_sizes=()
  read -r -a log_sizes <<<"$(_mariadb_log_sizes "$dir")"
  log "starting MariaDB for $dir (socket $sock, no TCP)"
  # setsid: a Ctrl-C in the terminal reaches the calling script only, which then stops
  # the server in order. The command substitution makes the server a grandchild, so it is
  # re-parented and never shows up in the caller's `wait`.
  pid="$(
    setsid mariadbd "${args[@]}" </dev/null >>"$dir/mysqld.out" 2>&1 &
    echo "$!"
  )"

  deadline=$((SECONDS + timeout))
  until _mariadb_ping "$sock"; do
    if ! pid_alive "$pid"; then
      _mariadb_tail_logs "$dir" "${log_sizes[@]}"
      die "mariadbd exited during start-up; see $err_log"
    fi
    if ((SECONDS >= deadline)); then
      _mariadb_tail_logs "$dir" "${log_sizes[@]}"
      stop_pid mariadbd "$pid" 10
      die "MariaDB did not answer on $sock within ${timeout}s; stopped it; see $err_log"
    fi
    sleep 0.2
  done
  log "MariaDB is up (pid $pid)"
}

mariadb_stop() {
  local dir sock pid_file pid timeout deadline
  [[ -n "${1:-}" ]] || die "usage: mariadb_stop DIR"
  if [[ ! -d "$1" ]]; then
    return 0
  fi
  dir="$(_mariadb_dir "$1")"
  sock="$dir/mysqld.sock"
  pid_file="$dir/mysqld.pid"
  timeout="${LADDER_MARIADB_STOP_TIMEOUT:-60}"

  pid="$(_mariadb_server_pid "$dir")"

  if [[ -z "$pid" ]]; then
    if ! _mariadb_ping "$sock"; then
      rm -f "$sock" "$pid_file"
      return 0
    fi
    # Something answers on our socket, yet no mariadbd runs with our data directory:
    # never shut down a server that is not ours.
    local datadir
    datadir="$(_mariadb_admin_sql "$sock" -e 'SELECT @@datadir' 2>/dev/null || true)"
    if [[ "${datadir%/}" != "$dir/data" ]]; then
      die "the server answering on $sock does not serve $dir/data (it serves" \
        "'${datadir:-unknown}'); not stopping it"
    fi
  fi

  log "stopping MariaDB for $dir${pid:+ (pid $pid)}"
  # A clean shutdown flushes InnoDB, so the next start needs no crash recovery.
  mariadb-admin --no-defaults --socket="$sock" --user="$(id -un)" --connect-timeout=5 \
    shutdown >/dev/null 2>&1 || log "mariadb-admin shutdown failed; falling back to signals"

  deadline=$((SECONDS + timeout))
  if [[ -n "$pid" ]]; then
    while pid_alive "$pid" && ((SECONDS < deadline)); do
      sleep 0.2
    done
    if pid_alive "$pid"; then
      log "MariaDB still running ${timeout}s after shutdown; sending SIGTERM"
      stop_pid mariadbd "$pid" 30
    fi
    if pid_alive "$pid"; then
      die "could not stop mariadbd (pid $pid)"
    fi
  else
    # No process to watch: wait until the socket stops answering instead.
    while _mariadb_ping "$sock" && ((SECONDS < deadline)); do
      sleep 0.2
    done
    if _mariadb_ping "$sock"; then
      die "MariaDB on $sock did not stop within ${timeout}s"
    fi
  fi
  rm -f "$sock" "$pid_file"
  log "MariaDB stopped"
}

# SQL string literal contents: backslash and quote escaped (the server's default sql_mode
# treats backslash as an escape character).
_mariadb_quote() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\'/\\\'}"
  printf '%s' "$s"
}

mariadb_bootstrap_user() {
  local dir sock user password
  [[ $# -eq 3 ]] || die "usage: mariadb_bootstrap_user DIR USER PASSWORD"
  dir="$(_mariadb_dir "$1")"
  sock="$dir/mysqld.sock"
  user="$2"
  password="$(_mariadb_quote "$3")"
  # A plain name keeps quoting simple; MariaDB allows 80 characters in a user name.
  [[ "$user" =~ ^[A-Za-z0-9_]{1,80}$ ]] || die "user name '$user' must be 1-80 of [A-Za-z0-9_]"

  # IF NOT EXISTS + ALTER makes it idempotent and keeps the password in step with the
  # argument. ALL on `ladder\_%`.* includes CREATE and DROP, so the user can create (and
  # tests can drop) any database whose name starts with "ladder_", and no other. The SQL
  # goes through stdin so the password never shows in the process list.
  printf '%s\n' \
    "CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';" \
    "ALTER USER '$user'@'localhost' IDENTIFIED BY '$password';" \
    "GRANT ALL PRIVILEGES ON \`ladder\\_%\`.* TO '$user'@'localhost';" |
    _mariadb_admin_sql "$sock" ||
    die "could not create MariaDB user '$user' on $sock"
  log "MariaDB user '$user'@'localhost' is ready (ALL on ladder_* databases)"
}

mariadb_create_database() {
  local dir sock name
  [[ $# -eq 2 ]] || die "usage: mariadb_create_database DIR NAME"
  dir="$(_mariadb_dir "$1")"
  sock="$dir/mysqld.sock"
  name="$2"
  [[ "$name" =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "database name '$name' must be 1-64 of [A-Za-z0-9_]"
  printf '%s\n' \
    "CREATE DATABASE IF NOT EXISTS \`$name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;" |
    _mariadb_admin_sql "$sock" ||
    die "could not create database '$name' on $sock"
}
