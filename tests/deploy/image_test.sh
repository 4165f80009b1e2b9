#!/usr/bin/env bash
# deploy_image: builds Ladder's container image (deploy/build-image.sh --prebuilt, from the
# binaries of this build) and runs its programs inside the image's root file system with
# chroot, mounted read-only, as the image's user (65532):
#   - the image is what deploy/Dockerfile promises: user 65532, no shell, no apt, the policy
#     of config/policy at /etc/ladder/policy;
#   - every binary's shared libraries (and the MariaDB client's auth plugins) resolve inside
#     the image;
#   - every *_server --helpfull and ladder_health --help answer;
#   - the binaries the Kubernetes manifests run are there;
#   - personnel_server serves, its policy mounted as Kubernetes mounts a ConfigMap: without a
#     database it answers NOT_SERVING on grpc.health.v1 for its service (readiness) and
#     SERVING for the server as a whole, "" (liveness);
#     with the test MariaDB (LADDER_TEST_MYSQL_SOCKET, set by scripts/test.sh) it applies
#     its migrations twice with --migrate_only (what the Kubernetes Job does), then serves
#     with LADDER_MIGRATE=false and answers SERVING, and exits 0 on SIGTERM.
#
# Opt-in, as it builds an image: runs only with LADDER_TEST_IMAGE=1 (ctest label `image`);
# otherwise it exits 77, which ctest reports as skipped. Needs root (chroot, mount).
#
# Usage: image_test.sh BUILD_DIR
set -euo pipefail

if [[ "${LADDER_TEST_IMAGE:-0}" != 1 ]]; then
  echo "skipped: set LADDER_TEST_IMAGE=1 to build the container image and test it"
  exit 77
fi
if ((EUID != 0)); then
  echo "skipped: needs root (chroot and mount)"
  exit 77
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD_DIR="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd -P)"
IMAGE="${LADDER_TEST_IMAGE_TAG:-localhost/ladder:test}"
PATH="$PATH:/usr/sbin:/sbin"
LOADER=/lib64/ld-linux-x86-64.so.2
CHROOT="$(command -v chroot)"
PERSONNEL_SERVICE=ladder.personnel.v1.PersonnelService

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  echo "ok - $*"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL - $*"
}

work="$(mktemp -d /tmp/ladder-image-test.XXXXXX)"
root="$work/root"
ctr=""
server_pid=""
db_name=""
mounts=()
cleanup() {
  local code=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
  done
  if [[ -n "$ctr" ]]; then
    buildah umount "$ctr" >/dev/null 2>&1 || true
    buildah rm "$ctr" >/dev/null 2>&1 || true
  fi
  if [[ -n "$db_name" ]]; then
    mariadb --socket="$LADDER_TEST_MYSQL_SOCKET" -u "${LADDER_TEST_MYSQL_USER:-ladder}" \
      -p"${LADDER_TEST_MYSQL_PASSWORD:-ladder}" -e "DROP DATABASE IF EXISTS \`$db_name\`" \
      2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build --------------------------------------------------------------------------------
t=$SECONDS
if ! LADDER_BUILD_DIR="$BUILD_DIR" "$ROOT/deploy/build-image.sh" --prebuilt --tag "$IMAGE" \
  >/dev/null 2>"$work/build-image.log"; then
  tail -40 "$work/build-image.log"
  echo "FAIL - deploy/build-image.sh --prebuilt failed (log above)"
  exit 1
fi
echo "# built $IMAGE in $((SECONDS - t))s"

# --- the image's configuration --------------------------------------------------------------
user="$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")"
if [[ "$user" == 65532:65532 ]]; then ok "image runs as 65532:65532"; else fail "image user is '$user', want 65532:65532"; fi

# --- its root file system, read-only ------------------------------------------------------
ctr="$(buildah from --pull=never "$IMAGE")"
mnt="$(buildah mount "$ctr")"
mkdir -p "$mnt/run/ladder-test-db" # in the container's own layer, removed with it
mkdir -p "$root"
mount --bind "$mnt" "$root" && mounts+=("$root")
mount -o remount,bind,ro "$root"
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
if touch "$root/probe" 2>/dev/null; then fail "the test's view of the image is writable"; fi

extras=()
for path in /bin/sh /usr/bin/bash /usr/bin/dash /usr/bin/apt-get /usr/bin/dpkg /usr/bin/ls; do
  if [[ -e "$root$path" || -L "$root$path" ]]; then
    extras+=("$path")
  fi
done
if ((${#extras[@]} == 0)); then
  ok "no shell, package manager or coreutils in the image"
else
  fail "image contains ${extras[*]}: the runtime should hold libraries and Ladder's binaries only"
fi

if diff -r "$ROOT/config/policy" "$root/etc/ladder/policy" >"$work/policy.diff"; then
  ok "/etc/ladder/policy equals config/policy"
else
  fail "/etc/ladder/policy differs from config/policy:"
  cat "$work/policy.diff"
fi

mapfile -t binaries < <(cd "$root/usr/local/bin" && ls)
for want in personnel_server evaluation_server careerpath_server ladder_health; do
  if [[ " ${binaries[*]} " == *" $want "* ]]; then ok "/usr/local/bin/$want present"; else fail "/usr/local/bin/$want missing (have: ${binaries[*]})"; fi
done

# --- shared libraries resolve inside the image ------------------------------------------------
check_libraries() {
  local file="$1" out
  if ! out="$(chroot "$root" "$LOADER" --list "$file" 2>&1)"; then
    fail "the dynamic loader cannot load $file inside the image: $out"
  elif grep -q 'not found' <<<"$out"; then
    fail "libraries of $file missing from the image (add their packages to deploy/image/runtime-packages.txt): $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
  else
    ok "all $(grep -c '=> /' <<<"$out") libraries of $file resolve inside the image"
  fi
}
for b in "${binaries[@]}"; do
  check_libraries "/usr/local/bin/$b"
done
for plugin in "$root"/usr/lib/x86_64-linux-gnu/libmariadb3/plugin/*.so; do
  [[ "$(basename "$plugin")" == auth_gssapi_client.so ]] && continue
  check_libraries "${plugin#"$root"}"
done
if [[ -e "$root/usr/lib/x86_64-linux-gnu/libmariadb3/plugin/caching_sha2_password.so" ]]; then
  ok "MariaDB client plugin caching_sha2_password (MySQL 8 accounts) present"
else
  fail "caching_sha2_password.so missing: MySQL 8 accounts could not log in"
fi

# --- the programs answer ----------------------------------------------------------------------
# Sets `cmd` to the command line that runs a program of the image as the image's user,
# with only the image's environment plus the given VAR=value words.
image_command() {
  local env_words=(PATH=/usr/local/bin LADDER_POLICY_DIR=/etc/ladder/policy)
  while [[ "$1" == *=* ]]; do
    env_words+=("$1")
    shift
  done
  cmd=(env -i "${env_words[@]}" "$CHROOT" --userspec=65532:65532 "$root" "$@")
}
in_image() {
  local cmd
  image_command "$@"
  "${cmd[@]}"
}

for b in "${binaries[@]}"; do
  [[ "$b" == *_server ]] || continue
  status=0
  in_image "$b" --helpfull >"$work/help.txt" 2>&1 || status=$?
  # absl's help flags exit 1 after printing.
  if ((status <= 1)) && grep -q -- '--migrate_only' "$work/help.txt" && grep -q -- '--shutdown_grace' "$work/help.txt"; then
    ok "$b --helpfull lists its flags"
  else
    fail "$b --helpfull (exit $status) did not list --migrate_only and --shutdown_grace:"
    head -20 "$work/help.txt"
  fi
done
status=0
in_image ladder_health --help >"$work/health-help.txt" 2>&1 || status=$?
if ((status <= 1)) && grep -q -- '--target' "$work/health-help.txt"; then
  ok "ladder_health --help answers"
else
  fail "ladder_health --help (exit $status) did not mention --target:"
  head -20 "$work/health-help.txt"
fi

# Starts personnel_server in the background (extra VAR=value words as for in_image) on a free
# loopback port and sets server_pid and server_port.
start_server() {
  local log="$work/server.log"
  : >"$log"
  local cmd
  image_command LADDER_LISTEN=127.0.0.1:0 LADDER_HEALTH_INTERVAL=200ms "$@" personnel_server
  # A simple command, so that $! is the server itself (env and chroot exec it).
  "${cmd[@]}" >"$log" 2>&1 &
  server_pid=$!
  server_port=""
  local deadline=$((SECONDS + 15))
  while ((SECONDS < deadline)) && kill -0 "$server_pid" 2>/dev/null; do
    server_port="$(sed -n 's/.*event=serving .*port=\([0-9]*\).*/\1/p' "$log" | head -n1)"
    [[ -n "$server_port" ]] && return 0
    sleep 0.1
  done
  fail "personnel_server did not start serving within 15s:"
  cat "$log"
  return 1
}

# Stops the server with SIGTERM and checks it exits 0.
stop_server() {
  kill -TERM "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  if ((status == 0)) && grep -q 'event=shutdown_complete' "$work/server.log"; then
    ok "personnel_server exits 0 on SIGTERM"
  else
    fail "personnel_server exited $status on SIGTERM:"
    tail -5 "$work/server.log"
  fi
}

health() {
  in_image ladder_health --target="127.0.0.1:$server_port" "$@" 2>&1
}

# From here on the policy is mounted as Kubernetes mounts a ConfigMap: each file a symlink
# into a timestamped folder through ..data.
volume="$work/policy-volume"
stamp="..2026_01_01_00_00_00.000000001"
mkdir -p "$volume/$stamp"
cp "$ROOT"/config/policy/*.textproto "$volume/$stamp/"
ln -s "$stamp" "$volume/..data"
for f in "$volume/$stamp"/*.textproto; do
  ln -s "..data/$(basename "$f")" "$volume/$(basename "$f")"
done
chmod -R a+rX "$volume"
mount --bind "$volume" "$root/etc/ladder/policy" && mounts+=("$root/etc/ladder/policy")

# Without a database: up, its service NOT_SERVING (not ready), the server as a whole SERVING
# (alive: the kubelet must not restart it for a database outage).
if start_server LADDER_MIGRATE=false 'LADDER_DATABASE_URL=mysql://ladder@127.0.0.1:1/ladder_image_test'; then
  status=0
  out="$(health --service="$PERSONNEL_SERVICE" --timeout=1s)" || status=$?
  if ((status == 1)) && grep -q 'NOT_SERVING' <<<"$out"; then
    ok "without a database the server answers NOT_SERVING for its service on grpc.health.v1"
  else
    fail "without a database, ladder_health --service=$PERSONNEL_SERVICE exited $status: $out"
  fi
  status=0
  out="$(health --service= --timeout=5s)" || status=$?
  if ((status == 0)); then
    ok "without a database the server answers SERVING for service '' (liveness)"
  else
    fail "without a database, ladder_health --service='' exited $status: $out"
  fi
  stop_server
fi

# With the test MariaDB: migrations twice, then SERVING.
if [[ -n "${LADDER_TEST_MYSQL_SOCKET:-}" && -S "${LADDER_TEST_MYSQL_SOCKET}" ]]; then
  mount --bind "$(dirname "$LADDER_TEST_MYSQL_SOCKET")" "$root/run/ladder-test-db" &&
    mounts+=("$root/run/ladder-test-db")
  db_name="ladder_image_test_$$"
  db_env=(
    "LADDER_DATABASE_URL=mysql://${LADDER_TEST_MYSQL_USER:-ladder}@localhost/$db_name?socket=/run/ladder-test-db/$(basename "$LADDER_TEST_MYSQL_SOCKET")"
    "LADDER_DATABASE_PASSWORD=${LADDER_TEST_MYSQL_PASSWORD:-ladder}"
  )
  for run in 1 2; do
    status=0
    in_image "${db_env[@]}" personnel_server --migrate_only >"$work/migrate.log" 2>&1 || status=$?
    if ((status == 0)) && grep -q 'event=migrations_applied' "$work/migrate.log"; then
      ok "personnel_server --migrate_only succeeds (run $run)"
    else
      fail "personnel_server --migrate_only run $run exited $status:"
      cat "$work/migrate.log"
    fi
  done
  if start_server LADDER_MIGRATE=false "${db_env[@]}"; then
    for service in "$PERSONNEL_SERVICE" ""; do
      status=0
      out="$(health --service="$service" --timeout=15s)" || status=$?
      if ((status == 0)); then
        ok "with the database the server answers SERVING for service '${service}'"
      else
        fail "with the database, ladder_health --service='$service' exited $status: $out"
        tail -5 "$work/server.log"
      fi
    done
    stop_server
  fi
else
  echo "# LADDER_TEST_MYSQL_SOCKET not set: the SERVING and migration checks need scripts/test.sh's MariaDB"
fi

echo "$passed passed, $failed failed"
((failed == 0))
