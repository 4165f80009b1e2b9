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
#   - personnel_server refuses to start without its TLS files (no overlay sets
#     --insecure_plaintext);
#   - personnel_server serves over mutual TLS as the Kubernetes manifests run it: its policy,
#     its TLS Secret (tls.crt, tls.key, ca.crt) and the token keys ConfigMap mounted as the
#     kubelet mounts them (files behind a ..data symlink, group 65532, mode 0440), the
#     LADDER_TLS_* and LADDER_JWT_KEYS_DIR of the manifests. ladder_health probes it as the
#     manifests' exec probes do (--ca, --cert, --key): without a database it answers
#     NOT_SERVING for its service (readiness) and SERVING for the server as a whole, ""
#     (liveness); a probe in plaintext, one without a client certificate and one with a
#     certificate of another CA are refused. Its Secret renewed the way the kubelet updates
#     it (a new folder swapped in under ..data), it serves the new certificate without a
#     restart;
#   - with the test MariaDB (LADDER_TEST_MYSQL_SOCKET, set by scripts/test.sh) it applies
#     its migrations twice with --migrate_only and no TLS settings (what the Kubernetes Job
#     does), then serves with LADDER_MIGRATE=false and answers SERVING, and exits 0 on
#     SIGTERM.
#
# The certificates are the development PKI of LADDER_TEST_PKI_DIR (scripts/test.sh makes it
# with scripts/lib/dev-pki.sh): ca.crt, personnel.crt/.key, rogue.crt/.key, jwt/public/.
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

PKI_DIR="${LADDER_TEST_PKI_DIR:-}"
if [[ -z "$PKI_DIR" ]]; then
  echo "FAIL - LADDER_TEST_PKI_DIR is not set: the servers in the image serve only over TLS, with the"
  echo "       development PKI that scripts/test.sh creates (scripts/lib/dev-pki.sh DIR) and exports;"
  echo "       run through scripts/test.sh, or: scripts/lib/dev-pki.sh DIR && LADDER_TEST_PKI_DIR=DIR"
  exit 1
fi
for f in ca.crt ca.key personnel.crt personnel.key rogue.crt rogue.key; do
  if [[ ! -s "$PKI_DIR/$f" ]]; then
    echo "FAIL - $PKI_DIR/$f is missing: LADDER_TEST_PKI_DIR must be a PKI made by scripts/lib/dev-pki.sh"
    exit 1
  fi
done
if ! compgen -G "$PKI_DIR/jwt/public/*.pem" >/dev/null; then
  echo "FAIL - no token public key in $PKI_DIR/jwt/public/: LADDER_TEST_PKI_DIR must be a PKI made by scripts/lib/dev-pki.sh"
  exit 1
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD_DIR="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd -P)"
IMAGE="${LADDER_TEST_IMAGE_TAG:-localhost/ladder:test}"
PATH="$PATH:/usr/sbin:/sbin"
LOADER=/lib64/ld-linux-x86-64.so.2
CHROOT="$(command -v chroot)"
PERSONNEL_SERVICE=ladder.personnel.v1.PersonnelService
# Where the Kubernetes manifests mount the TLS Secret and the token keys ConfigMap
# (deploy/k8s/base/*/deployment.yaml), and the variables that name them.
TLS_DIR=/etc/ladder/tls
JWT_DIR=/etc/ladder/jwt
TLS_ENV=(
  "LADDER_TLS_CERT=$TLS_DIR/tls.crt" "LADDER_TLS_KEY=$TLS_DIR/tls.key" "LADDER_TLS_CA=$TLS_DIR/ca.crt"
  "LADDER_JWT_KEYS_DIR=$JWT_DIR"
  # The manifests keep the default (a minute); the renewal check below does not wait that long.
  LADDER_TLS_RELOAD_INTERVAL=1s
)
# A folder only this test mounts, for the client certificates of the refused probes.
CLIENT_DIR=/run/ladder-test-client

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
# Mount points, in the container's own layer (removed with it), as the container runtime
# makes them for a pod's volumes.
mkdir -p "$mnt/run/ladder-test-db" "$mnt$CLIENT_DIR" "$mnt$TLS_DIR" "$mnt$JWT_DIR"
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
  missing_flags=()
  for flag in migrate_only shutdown_grace tls_cert tls_key tls_ca jwt_keys_dir jwt_issuer jwt_audience; do
    grep -q -- "--$flag" "$work/help.txt" || missing_flags+=("--$flag")
  done
  if ((status <= 1)) && ((${#missing_flags[@]} == 0)); then
    ok "$b --helpfull lists its flags, the TLS and token ones the manifests set included"
  else
    fail "$b --helpfull (exit $status) did not list ${missing_flags[*]}:"
    head -20 "$work/help.txt"
  fi
done
status=0
in_image ladder_health --help >"$work/health-help.txt" 2>&1 || status=$?
# --helpfull lists every flag; --help may list only the main file's.
in_image ladder_health --helpfull >>"$work/health-help.txt" 2>&1 || true
missing_flags=()
for flag in target service timeout ca cert key; do
  grep -q -- "--$flag" "$work/health-help.txt" || missing_flags+=("--$flag")
done
if ((status <= 1)) && ((${#missing_flags[@]} == 0)); then
  ok "ladder_health --help answers, with the flags the manifests' probes pass"
else
  fail "ladder_health --help (exit $status) did not mention ${missing_flags[*]} (the probes in deploy/k8s pass them):"
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

# ladder_health as the manifests' exec probes run it: over mutual TLS, with the pod's own
# certificate (extra flags after).
health() {
  in_image ladder_health --target="127.0.0.1:$server_port" \
    --ca="$TLS_DIR/ca.crt" --cert="$TLS_DIR/tls.crt" --key="$TLS_DIR/tls.key" "$@" 2>&1
}
# ladder_health with only the flags given (and none of the LADDER_TLS_* variables it would
# otherwise take from the environment: image_command passes none).
bare_health() {
  in_image ladder_health --target="127.0.0.1:$server_port" "$@" 2>&1
}

# kubelet_volume DIR NAME=FILE...: DIR laid out as the kubelet lays out a Secret or ConfigMap
# volume: the files in a timestamped folder, ..data a symlink to it, and each NAME a symlink
# through ..data, so that an update swaps ..data at once. Files root:65532 mode 0440, as
# defaultMode 0440 with fsGroup 65532 makes them (deploy/k8s/base/*/deployment.yaml).
kubelet_volume() {
  local dir="$1" stamp="..2026_01_01_00_00_00.000000001" pair
  shift
  mkdir -p "$dir/$stamp"
  for pair in "$@"; do
    install -m 0440 -o 0 -g 65532 "${pair#*=}" "$dir/$stamp/${pair%%=*}"
    ln -s "..data/${pair%%=*}" "$dir/${pair%%=*}"
  done
  chown 0:65532 "$dir" "$dir/$stamp"
  chmod 0755 "$dir" "$dir/$stamp"
  ln -s "$stamp" "$dir/..data"
}

# kubelet_update DIR NAME=FILE...: the kubelet's in-place update of such a volume: a new
# timestamped folder, then ..data swapped to it with one rename.
kubelet_update() {
  local dir="$1" stamp="..2026_01_01_00_00_01.000000002" pair
  shift
  mkdir -p "$dir/$stamp"
  for pair in "$@"; do
    install -m 0440 -o 0 -g 65532 "${pair#*=}" "$dir/$stamp/${pair%%=*}"
  done
  chown 0:65532 "$dir/$stamp"
  chmod 0755 "$dir/$stamp"
  ln -s "$stamp" "$dir/..data_tmp"
  mv -T "$dir/..data_tmp" "$dir/..data"
}

# From here on the policy is mounted as Kubernetes mounts a ConfigMap.
policy_files=()
for f in "$ROOT"/config/policy/*.textproto; do
  policy_files+=("$(basename "$f")=$f")
done
kubelet_volume "$work/policy-volume" "${policy_files[@]}"
chmod -R a+r "$work/policy-volume" # ConfigMap default mode 0644
mount --bind "$work/policy-volume" "$root/etc/ladder/policy" && mounts+=("$root/etc/ladder/policy")

# personnel's TLS Secret and the token keys ConfigMap, likewise.
kubelet_volume "$work/tls-volume" "tls.crt=$PKI_DIR/personnel.crt" "tls.key=$PKI_DIR/personnel.key" \
  "ca.crt=$PKI_DIR/ca.crt"
mount --bind "$work/tls-volume" "$root$TLS_DIR" && mounts+=("$root$TLS_DIR")
jwt_files=()
for f in "$PKI_DIR"/jwt/public/*.pem; do
  jwt_files+=("$(basename "$f")=$f")
done
kubelet_volume "$work/jwt-volume" "${jwt_files[@]}"
mount --bind "$work/jwt-volume" "$root$JWT_DIR" && mounts+=("$root$JWT_DIR")

# The client certificates of the probes that must be refused: one of another CA (CN=careerpath,
# signed by the rogue CA).
mkdir -p "$work/client"
install -m 0440 -o 0 -g 65532 "$PKI_DIR/rogue.crt" "$PKI_DIR/rogue.key" "$work/client/"
mount --bind "$work/client" "$root$CLIENT_DIR" && mounts+=("$root$CLIENT_DIR")

# Without its TLS files it does not start: no overlay runs it in plaintext.
status=0
cmd=()
image_command LADDER_LISTEN=127.0.0.1:0 LADDER_MIGRATE=false LADDER_JWT_KEYS_DIR="$JWT_DIR" \
  'LADDER_DATABASE_URL=mysql://ladder@127.0.0.1:1/ladder_image_test' personnel_server
timeout 15 "${cmd[@]}" >"$work/no-tls.log" 2>&1 || status=$?
if ((status != 0 && status != 124)) && grep -qi 'tls' "$work/no-tls.log"; then
  ok "without LADDER_TLS_* (and no --insecure_plaintext) personnel_server refuses to start"
else
  fail "without LADDER_TLS_*, personnel_server exited $status (124: still running after 15s), want a refusal naming TLS:"
  tail -5 "$work/no-tls.log"
fi

# The serial of the certificate the server presents on 127.0.0.1:PORT (openssl on the host:
# the chroot shares its network), or nothing. s_client's own status is not looked at: it
# sends no HTTP/2 preface, so how the server ends the connection varies.
served_serial() {
  { openssl s_client -connect "127.0.0.1:$server_port" -servername localhost \
    -CAfile "$PKI_DIR/ca.crt" -cert "$PKI_DIR/personnel.crt" -key "$PKI_DIR/personnel.key" \
    </dev/null 2>/dev/null || true; } | openssl x509 -noout -serial 2>/dev/null || true
}

# Without a database: up, its service NOT_SERVING (not ready), the server as a whole SERVING
# (alive: the kubelet must not restart it for a database outage).
if start_server LADDER_MIGRATE=false "${TLS_ENV[@]}" 'LADDER_DATABASE_URL=mysql://ladder@127.0.0.1:1/ladder_image_test'; then
  status=0
  out="$(health --service="$PERSONNEL_SERVICE" --timeout=1s)" || status=$?
  if ((status == 1)) && grep -q 'NOT_SERVING' <<<"$out"; then
    ok "without a database the server answers NOT_SERVING for its service on grpc.health.v1 (mutual TLS)"
  else
    fail "without a database, ladder_health --service=$PERSONNEL_SERVICE exited $status: $out"
  fi
  status=0
  out="$(health --service= --timeout=5s)" || status=$?
  if ((status == 0)); then
    ok "without a database the server answers SERVING for service '' (liveness, mutual TLS)"
  else
    fail "without a database, ladder_health --service='' exited $status: $out"
  fi

  # What the kubelet's native grpc probe amounts to (plaintext), and callers without an
  # identity the server can verify: refused. Exit 1 is "not serving"; 2 would be a bad
  # command line, which tests nothing.
  status=0
  out="$(bare_health --service= --timeout=2s --insecure_plaintext)" || status=$?
  if ((status == 1)); then
    ok "a plaintext probe is refused"
  else
    fail "ladder_health --insecure_plaintext exited $status, want 1 (refused): $out"
  fi
  status=0
  out="$(bare_health --service= --timeout=2s --ca="$TLS_DIR/ca.crt")" || status=$?
  if ((status == 1)); then
    ok "a probe over TLS without a client certificate (nor a token) is refused"
  else
    fail "ladder_health without a client certificate exited $status, want 1 (refused): $out"
  fi
  status=0
  out="$(bare_health --service= --timeout=2s --ca="$TLS_DIR/ca.crt" --cert="$CLIENT_DIR/rogue.crt" \
    --key="$CLIENT_DIR/rogue.key")" || status=$?
  if ((status == 1)); then
    ok "a probe with a certificate of another CA is refused"
  else
    fail "ladder_health with the rogue CA's certificate exited $status, want 1 (refused): $out"
  fi

  # The Secret renewed as the kubelet updates a mounted Secret (what cert-manager's renewal
  # leads to): a new certificate, on a new key, swapped in under ..data. The server must
  # present it without a restart, and the probes keep passing with the new files.
  old_serial="$(served_serial)"
  renew="$work/renew"
  mkdir -p "$renew"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$renew/tls.key" 2>/dev/null
  openssl req -new -key "$renew/tls.key" -subj "/CN=personnel" -out "$renew/tls.csr" 2>/dev/null
  printf '%s\n' 'basicConstraints = critical, CA:FALSE' 'keyUsage = critical, digitalSignature' \
    'extendedKeyUsage = serverAuth, clientAuth' \
    'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:ladder-personnel, DNS:ladder-personnel-headless' \
    >"$renew/ext.cnf"
  openssl x509 -req -in "$renew/tls.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 2 -sha256 -extfile "$renew/ext.cnf" \
    -out "$renew/tls.crt" 2>/dev/null
  new_serial="$(openssl x509 -in "$renew/tls.crt" -noout -serial)"
  kubelet_update "$work/tls-volume" "tls.crt=$renew/tls.crt" "tls.key=$renew/tls.key" "ca.crt=$PKI_DIR/ca.crt"
  served=""
  deadline=$((SECONDS + 15))
  while ((SECONDS < deadline)); do
    served="$(served_serial)"
    [[ -n "$served" && "$served" == "$new_serial" ]] && break
    sleep 0.5
  done
  if [[ -n "$old_serial" && "$old_serial" != "$new_serial" && "$served" == "$new_serial" ]] &&
    kill -0 "$server_pid" 2>/dev/null; then
    ok "after the Secret's in-place update the server presents the renewed certificate, without a restart"
  else
    fail "after the Secret's in-place update the server presents ${served:-nothing} (was ${old_serial:-nothing}), want $new_serial"
  fi
  status=0
  out="$(health --service= --timeout=5s)" || status=$?
  if ((status == 0)); then
    ok "the probe passes with the renewed certificate and key"
  else
    fail "with the renewed certificate, ladder_health --service='' exited $status: $out"
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
  if start_server LADDER_MIGRATE=false "${TLS_ENV[@]}" "${db_env[@]}"; then
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
