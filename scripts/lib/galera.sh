# shellcheck shell=bash
# A private three-node MariaDB Galera cluster on this machine, for tests and benchmarks.
# Source this file; do not run it.
#
# Everything of one cluster lives in a directory DIR of its own; each node has a
# sub-directory laid out like a mariadb.sh server, so mariadb.sh's helpers serve it too:
#   DIR/nodeI/data/          the data directory (I is 1, 2 or 3)
#   DIR/nodeI/mysqld.sock    the unix socket, the ONLY way in for clients
#   DIR/nodeI/mysqld.pid     its pid file
#   DIR/nodeI/mysqld.err     its error log, which also gets the SST script's output
#   DIR/nodeI/mysqld.out     anything it writes to stdout/stderr before its log is open
#   DIR/ports                the TCP ports picked for this cluster (for the curious)
#   DIR/install-db.log       the output of node1's initialisation
#   DIR/.galera-cluster      marks DIR as made here, so that only such a DIR is ever wiped
# The nodes read no option file (--no-defaults). They talk to each other over TCP, all of
# it bound to 127.0.0.1 on ports picked free at each start: group communication
# (gmcast.listen_addr), incremental state transfer (ist.recv_addr) and the rsync daemon of
# a state snapshot transfer (wsrep_sst_receive_address). The SQL port stays closed
# (skip-networking): rsync SST does not need it.
#
# Functions (each fails with a message on stderr; none sets a global variable):
#   galera_start DIR                    stop what runs in DIR, wipe it, initialise node1,
#                                       bootstrap it, join node2 and node3 by rsync SST,
#                                       wait until all three are Synced in one cluster
#   galera_stop DIR                     clean shutdown of every node, bounded; no-op if
#                                       nothing runs
#   galera_remove DIR                   galera_stop, then delete DIR (only a DIR that
#                                       galera_start made, or an empty one)
#   galera_bootstrap_user DIR USER PW   USER@localhost with ALL on databases `ladder\_%`,
#                                       made on node1 and checked on the other two
#   galera_socket DIR I                 prints node I's absolute socket path
#   galera_sockets DIR                  prints the three socket paths, comma-separated
#   galera_node_pid DIR I               prints the pid of node I's mariadbd (fails if none)
#
# Administration connects over a node's socket as the MariaDB account named like the
# current unix user (unix_socket authentication, made by the initialisation and copied to
# the other nodes by SST), exactly as in mariadb.sh.
#
# As root, the nodes run as the unix user mysql: the rsync daemon of an SST started by a
# root mariadbd would switch to "nobody" and could not write the data directory. DIR
# must then be reachable by mysql (every parent directory searchable).
#
# Tunables (environment): LADDER_GALERA_START_TIMEOUT (s for the whole start, default
# 120), LADDER_GALERA_STOP_TIMEOUT (s per node for a clean shutdown, default 30).

set -euo pipefail

# Sourced twice, the readonly constants below would fail: once is enough.
if [[ -n "${_LADDER_GALERA_SH:-}" ]]; then
  return 0
fi
_LADDER_GALERA_SH=1

# shellcheck source-path=SCRIPTDIR source=mariadb.sh
source "$(dirname "${BASH_SOURCE[0]}")/mariadb.sh"

readonly _GALERA_PROVIDER=/usr/lib/galera/libgalera_smm.so
readonly _GALERA_NODES=3

# _galera_node_dir DIR I: the absolute directory of node I (DIR is created if missing).
_galera_node_dir() {
  local dir i="${2:-}"
  dir="$(_mariadb_dir "${1:?DIR is required}")"
  if ! [[ "$i" =~ ^[1-9][0-9]*$ ]] || ((i > _GALERA_NODES)); then
    die "node number '$i' must be 1 to $_GALERA_NODES"
  fi
  printf '%s\n' "$dir/node$i"
}

galera_socket() {
  [[ $# -eq 2 ]] || die "usage: galera_socket DIR I"
  local node
  node="$(_galera_node_dir "$1" "$2")" || exit 1
  printf '%s\n' "$node/mysqld.sock"
}

galera_sockets() {
  [[ $# -eq 1 ]] || die "usage: galera_sockets DIR"
  local i sock list=""
  for ((i = 1; i <= _GALERA_NODES; i++)); do
    sock="$(galera_socket "$1" "$i")" || exit 1
    list+="${list:+,}$sock"
  done
  printf '%s\n' "$list"
}

galera_node_pid() {
  [[ $# -eq 2 ]] || die "usage: galera_node_pid DIR I"
  local node pid
  node="$(_galera_node_dir "$1" "$2")" || exit 1
  pid="$(_mariadb_server_pid "$node")"
  [[ -n "$pid" ]] || die "no mariadbd runs for $node"
  printf '%s\n' "$pid"
}

# The unix user the nodes run as: mysql when we are root, else whoever we are.
_galera_run_user() {
  if ((EUID == 0)); then
    id -u mysql >/dev/null 2>&1 || die "the unix user mysql does not exist (is mariadb-server installed?)"
    printf 'mysql\n'
  else
    id -un
  fi
}

# _galera_as_user USER CMD...: runs CMD as USER (as ourselves if that is who we are).
_galera_as_user() {
  local user="$1"
  shift
  if [[ "$user" == "$(id -un)" ]]; then
    "$@"
  else
    runuser -u "$user" -- "$@"
  fi
}

# Fails naming the first directory on the way to PATH that USER cannot search: a data
# directory under an unreachable parent fails late, in the SST script, with a vague error.
_galera_check_reachable() {
  local user="$1" path="$2" p=""
  local -a parts=()
  _galera_as_user "$user" test -w "$path" && return 0
  IFS=/ read -r -a parts <<<"${path#/}"
  local part
  for part in "${parts[@]}"; do
    p+="/$part"
    if ! _galera_as_user "$user" test -x "$p"; then
      die "the unix user $user cannot search $p (mode $(stat -c %A "$p")), so it cannot reach" \
        "$path; make it searchable (chmod o+x) or use another directory"
    fi
  done
  die "the unix user $user cannot write $path"
}

# _galera_free_ports N: prints N distinct TCP ports free on 127.0.0.1. They are taken
# from outside the kernel's ephemeral range where possible: a port from inside it could
# be handed out as the source port of some outgoing connection (the nodes make plenty)
# before the node that is to listen on it has started. A bind without SO_REUSEADDR also
# skips ports with connections lingering in TIME_WAIT.
_galera_free_ports() {
  /usr/bin/python3 - "$1" <<'EOF'
import random, socket, sys

n = int(sys.argv[1])
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    lo, hi = (int(x) for x in f.read().split())
outside = [p for p in range(10000, 65536) if not lo <= p <= hi]
inside = [p for p in range(10000, 65536) if lo <= p <= hi]
random.shuffle(outside)
random.shuffle(inside)
picked = []
for port in outside + inside:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    picked.append(port)
    if len(picked) == n:
        print(" ".join(map(str, picked)))
        sys.exit(0)
sys.exit("fewer than %d free ports on 127.0.0.1" % n)
EOF
}

# _galera_status SOCK: prints "STATE SIZE" (wsrep_local_state_comment and
# wsrep_cluster_size), or fails while the node does not answer.
_galera_status() {
  local out
  out="$(_mariadb_admin_sql "$1" --connect-timeout=2 -e \
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size')" \
    2>/dev/null)" || return 1
  awk -F'\t' '
    $1 == "wsrep_local_state_comment" { state = $2 }
    $1 == "wsrep_cluster_size" { size = $2 }
    END { if (state == "" || size == "") exit 1; print state, size }
  ' <<<"$out"
}

# Shows the tail of every node's logs (a joiner's failure is often explained only in
# its donor's log), stops whatever was started and exits.
_galera_fail() {
  local dir="$1" i
  shift
  for ((i = 1; i <= _GALERA_NODES; i++)); do
    if [[ -d "$dir/node$i" ]]; then
      _mariadb_tail_logs "$dir/node$i"
    fi
  done
  # A subshell: galera_stop dies on failure, and the reason for stopping must still be told.
  (galera_stop "$dir") || true
  die "$@"
}

# _galera_wait_synced DIR I SIZE DEADLINE PID: waits until node I is Synced in a cluster
# of at least SIZE nodes, failing when its mariadbd PID exits or SECONDS reaches DEADLINE.
_galera_wait_synced() {
  local dir="$1" i="$2" size="$3" deadline="$4" pid="$5" node sock status=""
  node="$dir/node$i"
  sock="$node/mysqld.sock"
  while :; do
    if status="$(_galera_status "$sock")"; then
      if [[ "${status% *}" == Synced ]] && ((${status##* } >= size)); then
        return 0
      fi
    fi
    if [[ -z "$pid" ]] || ! pid_alive "$pid"; then
      _galera_fail "$dir" "node$i's mariadbd exited during start-up; see $node/mysqld.err"
    fi
    if ((SECONDS >= deadline)); then
      _galera_fail "$dir" "node$i was not Synced in a cluster of $size within" \
        "${LADDER_GALERA_START_TIMEOUT:-120}s (last status: ${status:-no answer});" \
        "stopped the cluster; see $node/mysqld.err"
    fi
    sleep 0.5
  done
}

# _galera_start_node DIR I RUN_USER GCOMM_PORTS SST_PORT IST_PORT [EXTRA_ARGS...]
# Starts node I and prints the pid of its mariadbd.
_galera_start_node() {
  local dir="$1" i="$2" run_user="$3" gcomm_ports="$4" sst_port="$5" ist_port="$6"
  shift 6
  local node="$dir/node$i" address="" port gcomm_port
  local -a ports=()
  read -r -a ports <<<"$gcomm_ports"
  for port in "${ports[@]}"; do
    address+="${address:+,}127.0.0.1:$port"
  done
  gcomm_port="${ports[i - 1]}"

  local -a args=(
    --no-defaults # must come first
    --datadir="$node/data"
    --socket="$node/mysqld.sock"
    --pid-file="$node/mysqld.pid"
    --log-error="$node/mysqld.err"
    --skip-networking
    --character-set-server=utf8mb4
    --collation-server=utf8mb4_unicode_ci
    --default-storage-engine=InnoDB
    --innodb-buffer-pool-size=128M
    --innodb-lock-wait-timeout=10
    --max-connections=300
    # Galera applies row events, and its parallel appliers cannot take the table-level
    # AUTO-INC lock of the other modes.
    --binlog-format=ROW
    --innodb-autoinc-lock-mode=2
    --wsrep-on=ON
    --wsrep-provider="$_GALERA_PROVIDER"
    # Named after DIR, so that two clusters on one machine never merge by mistake.
    --wsrep-cluster-name="ladder-$(printf '%s' "$dir" | md5sum | cut -c1-12)"
    --wsrep-cluster-address="gcomm://$address"
    --wsrep-node-name="node$i"
    --wsrep-node-address="127.0.0.1:$gcomm_port"
    # Only reported in wsrep_incoming_addresses; there is no SQL port to guess.
    --wsrep-node-incoming-address="127.0.0.1:0"
    --wsrep-sst-method=rsync
    --wsrep-sst-receive-address="127.0.0.1:$sst_port"
    # base_host/base_port keep Galera from deriving any address of its own.
    --wsrep-provider-options="base_host=127.0.0.1;base_port=$gcomm_port;gmcast.listen_addr=tcp://127.0.0.1:$gcomm_port;ist.recv_addr=127.0.0.1:$ist_port;gcache.size=64M"
  )
  if ((EUID == 0)); then
    args+=(--user="$run_user")
  fi
  args+=("$@")

  log "starting Galera node$i (socket $node/mysqld.sock, gcomm 127.0.0.1:$gcomm_port)"
  # setsid and the command substitution as in mariadb_start: a Ctrl-C reaches only the
  # calling script, and the server never shows up in the caller's `wait`. setsid also
  # makes mariadbd the leader of a process group that holds its SST scripts and rsync.
  (
    setsid mariadbd "${args[@]}" </dev/null >>"$node/mysqld.out" 2>&1 &
    echo "$!"
  )
}

galera_start() {
  local dir run_user timeout deadline started i sock pid
  dir="$(_mariadb_dir "${1:?usage: galera_start DIR}")"
  timeout="${LADDER_GALERA_START_TIMEOUT:-120}"
  started=$SECONDS
  deadline=$((SECONDS + timeout))
  [[ -r "$_GALERA_PROVIDER" ]] || die "$_GALERA_PROVIDER not found (is galera-4 installed?)"
  command -v rsync >/dev/null 2>&1 || die "rsync not found (the SST method needs it)"
  run_user="$(_galera_run_user)" || exit 1

  sock="$(galera_socket "$dir" "$_GALERA_NODES")"
  if ((${#sock} > 107)); then
    die "socket path $sock is ${#sock} bytes, over the 107 a unix socket allows;" \
      "use a shorter directory"
  fi

  # Every start is a fresh cluster. Wiping is refused for a directory this file did not
  # make: a mistyped DIR must not cost anyone their files.
  if [[ -n "$(ls -A "$dir")" && ! -f "$dir/.galera-cluster" ]]; then
    die "$dir is not empty and does not hold a cluster made by galera_start; not wiping it"
  fi
  galera_stop "$dir"
  # The marker stays, so that a wipe cut short can be done again next time.
  touch "$dir/.galera-cluster"
  find "$dir" -mindepth 1 -maxdepth 1 ! -name .galera-cluster -exec rm -rf {} +
  # Any local user may reach the sockets (logins are checked by the server); the data
  # directories are for the server alone.
  chmod a+x "$dir"
  for ((i = 1; i <= _GALERA_NODES; i++)); do
    mkdir -p "$dir/node$i/data"
    chmod 0755 "$dir/node$i"
    chmod 0700 "$dir/node$i/data"
  done
  if ((EUID == 0)); then
    chown -R "$run_user:" "$dir"/node*
  fi
  _galera_check_reachable "$run_user" "$dir/node1/data"

  local ports_line
  local -a ports=()
  ports_line="$(_galera_free_ports $((3 * _GALERA_NODES)))" ||
    die "could not pick free ports on 127.0.0.1"
  read -r -a ports <<<"$ports_line"
  local gcomm_ports="${ports[*]:0:_GALERA_NODES}"
  for ((i = 1; i <= _GALERA_NODES; i++)); do
    printf 'node%d gcomm=%s sst=%s ist=%s\n' "$i" "${ports[i - 1]}" \
      "${ports[_GALERA_NODES + i - 1]}" "${ports[2 * _GALERA_NODES + i - 1]}"
  done >"$dir/ports"

  # Only node1 is initialised: the others receive its data directory whole by SST.
  # The initialisation runs as the nodes' user, so its files belong to it, and never as
  # root with --user, which would also chown the system's auth_pam_tool_dir.
  log "initialising Galera node1 data directory $dir/node1/data"
  if ! _galera_as_user "$run_user" timeout "$timeout" mariadb-install-db --no-defaults \
    --datadir="$dir/node1/data" \
    --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
    --skip-test-db >"$dir/install-db.log" 2>&1 </dev/null; then
    tail -n 25 "$dir/install-db.log" >&2
    die "mariadb-install-db failed; full output in $dir/install-db.log"
  fi

  pid="$(_galera_start_node "$dir" 1 "$run_user" "$gcomm_ports" "${ports[_GALERA_NODES]}" \
    "${ports[2 * _GALERA_NODES]}" --wsrep-new-cluster)"
  _galera_wait_synced "$dir" 1 1 "$deadline" "$pid"
  # One joiner at a time: node1 can donate to only one, and a second joiner would just
  # retry its SST request until the first is done.
  for ((i = 2; i <= _GALERA_NODES; i++)); do
    pid="$(_galera_start_node "$dir" "$i" "$run_user" "$gcomm_ports" \
      "${ports[_GALERA_NODES + i - 1]}" "${ports[2 * _GALERA_NODES + i - 1]}")"
    _galera_wait_synced "$dir" "$i" "$i" "$deadline" "$pid"
  done
  for ((i = 1; i <= _GALERA_NODES; i++)); do
    _galera_wait_synced "$dir" "$i" "$_GALERA_NODES" "$deadline" \
      "$(_mariadb_server_pid "$dir/node$i")"
  done
  log "Galera cluster of $_GALERA_NODES nodes is Synced in $dir ($((SECONDS - started))s)"
}

# True while a live process is in process group PGID. `kill -0 -PGID` alone would count
# an exited but unreaped mariadbd (see pid_alive).
_galera_group_alive() {
  local pgid="$1" stat line
  local -a fields=()
  for stat in /proc/[0-9]*/stat; do
    { read -r line <"$stat"; } 2>/dev/null || continue
    # The fields after the command name, which may itself hold spaces and parentheses:
    # state, ppid, pgrp.
    read -r -a fields <<<"${line##*) }"
    if [[ "${fields[2]:-}" == "$pgid" && "${fields[0]}" != Z ]]; then
      return 0
    fi
  done
  return 1
}

galera_stop() {
  local dir timeout i node pid pgid failed=0
  [[ -n "${1:-}" ]] || die "usage: galera_stop DIR"
  if [[ ! -d "$1" ]]; then
    return 0
  fi
  dir="$(_mariadb_dir "$1")"
  timeout="${LADDER_GALERA_STOP_TIMEOUT:-30}"

  # Last in, first out, so that node1 is the last to leave. A node a test left stopped
  # (SIGSTOP) would never act on a shutdown: continue it first.
  for ((i = _GALERA_NODES; i >= 1; i--)); do
    node="$dir/node$i"
    [[ -d "$node" ]] || continue
    pid="$(_mariadb_server_pid "$node")"
    pgid=""
    if [[ -n "$pid" ]]; then
      kill -CONT "$pid" 2>/dev/null || true
      pgid="$(awk '{ print $5 }' "/proc/$pid/stat" 2>/dev/null || true)"
      # A node still joining (SST under way) has no socket yet, and a hung one does not
      # answer: neither can take a shutdown command, but both act on SIGTERM.
      if ! _mariadb_ping "$node/mysqld.sock"; then
        log "node$i (pid $pid) does not answer on its socket; stopping it with SIGTERM"
        stop_pid "node$i mariadbd" "$pid" "$timeout"
      fi
    fi
    # A subshell, because mariadb_stop dies on failure and the other nodes must still be
    # stopped. It never stops a server whose data directory is not this node's.
    (LADDER_MARIADB_STOP_TIMEOUT="$timeout" mariadb_stop "$node") || failed=1
    # An SST script or its rsync can outlive a mariadbd that had to be killed. Only a
    # group led by our mariadbd (started by setsid) is signalled.
    if [[ -n "$pgid" && "$pgid" == "$pid" ]] && ! pid_alive "$pid" &&
      _galera_group_alive "$pgid"; then
      log "killing what is left of node$i's process group $pgid"
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
  done
  ((failed == 0)) || die "could not stop every node of the Galera cluster in $dir"
}

galera_remove() {
  local dir
  [[ -n "${1:-}" ]] || die "usage: galera_remove DIR"
  if [[ ! -d "$1" ]]; then
    return 0
  fi
  dir="$(_mariadb_dir "$1")"
  if [[ -n "$(ls -A "$dir")" && ! -f "$dir/.galera-cluster" ]]; then
    die "$dir does not hold a cluster made by galera_start; not deleting it"
  fi
  galera_stop "$dir"
  rm -rf "$dir"
}

galera_bootstrap_user() {
  local dir user quoted_user i sock found
  [[ $# -eq 3 ]] || die "usage: galera_bootstrap_user DIR USER PASSWORD"
  dir="$(_mariadb_dir "$1")"
  user="$2"
  [[ "$user" =~ ^[A-Za-z0-9_]{1,80}$ ]] || die "user name '$user' must be 1-80 of [A-Za-z0-9_]"

  # Account statements replicate to every node (as DDL, in total order), so node1 is
  # enough; mariadb_bootstrap_user makes the account exactly as for a single server.
  mariadb_bootstrap_user "$dir/node1" "$user" "$3"

  # wsrep_sync_wait makes the read wait (bounded by Galera's causal read timeout) until
  # the node has applied everything committed anywhere before it.
  quoted_user="$(_mariadb_quote "$user")"
  for ((i = 2; i <= _GALERA_NODES; i++)); do
    sock="$dir/node$i/mysqld.sock"
    found="$(printf '%s\n' "SET SESSION wsrep_sync_wait = 1;" \
      "SELECT COUNT(*) FROM mysql.global_priv WHERE User = '$quoted_user' AND Host = 'localhost';" |
      _mariadb_admin_sql "$sock")" || die "could not look up user '$user' on node$i ($sock)"
    [[ "$found" == 1 ]] || die "user '$user'@'localhost' made on node1 is missing on node$i"
  done
  log "MariaDB user '$user'@'localhost' is on all $_GALERA_NODES Galera nodes"
}
