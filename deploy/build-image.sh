#!/usr/bin/env bash
# Builds Ladder's container image from deploy/Dockerfile with buildah, on a machine that has
# no Docker engine and cannot pull base images: the Debian 12 base is made here with
# debootstrap (cached under .local/deploy/) and tagged localhost/debian:12 and
# localhost/debian:12-slim, which the Dockerfile's BASE and RUNTIME_BASE then name.
#
# Usage: deploy/build-image.sh [options]
#   --prebuilt        take the servers and ladder_health already built in the build
#                     directory ($LADDER_BUILD_DIR, default build/) instead of compiling
#                     them in the image (target runtime-prebuilt); needs a Debian 12 host,
#                     whose libraries are the image's
#   --tag NAME        image name, default localhost/ladder:dev
#   --version V       recorded in the image's labels, default the CMake project version
#   --jobs N          compile jobs in the build stage, default one per core
#   --push DEST       after the build, buildah push the image to DEST, any buildah
#                     transport: docker-archive:/tmp/ladder.tar, oci-archive:FILE,
#                     docker://registry.example/ladder:0.1.0
#   --refresh-base    bootstrap the Debian base again instead of using the cached one
#
# Runs as root (debootstrap and buildah's chroot isolation need it). Installs buildah and
# debootstrap from Debian's packages when they are missing. Prints the image's name on
# stdout; progress goes to stderr.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

prebuilt=0
tag=localhost/ladder:dev
version=""
jobs=""
push=""
refresh_base=0
while (($#)); do
  case "$1" in
    --prebuilt) prebuilt=1 ;;
    --tag) tag="${2:?--tag needs a value}"; shift ;;
    --tag=*) tag="${1#*=}" ;;
    --version) version="${2:?--version needs a value}"; shift ;;
    --version=*) version="${1#*=}" ;;
    --jobs) jobs="${2:?--jobs needs a value}"; shift ;;
    --jobs=*) jobs="${1#*=}" ;;
    --push) push="${2:?--push needs a value}"; shift ;;
    --push=*) push="${1#*=}" ;;
    --refresh-base) refresh_base=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see $0 --help)" ;;
  esac
  shift
done

((EUID == 0)) || die "run as root: debootstrap and buildah's chroot isolation need it"

DEPLOY_DIR="$LADDER_ROOT/deploy"
STATE_DIR="$LADDER_ROOT/.local/deploy"
BASE_DIR="$STATE_DIR/debian-12"
PREBUILT_DIR="$STATE_DIR/prebuilt"
BASE_IMAGE=localhost/debian:12
SLIM_IMAGE=localhost/debian:12-slim
DEBIAN_MIRROR="${LADDER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${LADDER_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

mkdir -p "$STATE_DIR"
exec 8>"$STATE_DIR/build-image.lock"
flock -w 1800 8 || die "another deploy/build-image.sh holds $STATE_DIR/build-image.lock"

started=$SECONDS

missing=()
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update </dev/null >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
    </dev/null >&2
fi
PATH="$PATH:/usr/sbin:/sbin"

image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

# The Debian 12 base: a minbase debootstrap, like the official image, with the same apt
# sources (bookworm, bookworm-updates, bookworm-security). Bootstrapped once into
# .local/deploy/debian-12 and imported into buildah's storage whenever the image is missing.
make_base() {
  if ((refresh_base)); then
    rm -rf "$BASE_DIR"
    buildah rmi "$SLIM_IMAGE" "$BASE_IMAGE" >/dev/null 2>&1 || true
  fi
  if image_exists "$BASE_IMAGE" && image_exists "$SLIM_IMAGE"; then
    log "using the Debian base images $BASE_IMAGE and $SLIM_IMAGE already in buildah's storage"
    return
  fi
  if [[ ! -f "$BASE_DIR/.complete" ]]; then
    log "bootstrapping Debian 12 (minbase) into $BASE_DIR from $DEBIAN_MIRROR"
    rm -rf "$BASE_DIR"
    local t=$SECONDS
    debootstrap --variant=minbase bookworm "$BASE_DIR" "$DEBIAN_MIRROR" </dev/null >&2
    rm -f "$BASE_DIR/etc/apt/sources.list"
    cat >"$BASE_DIR/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # As in the official image: images never keep downloaded packages.
    cat >"$BASE_DIR/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    rm -rf "$BASE_DIR"/var/lib/apt/lists/* "$BASE_DIR"/var/cache/apt/*.bin \
      "$BASE_DIR"/var/cache/apt/archives/*.deb "$BASE_DIR"/var/log/*.log \
      "$BASE_DIR"/var/log/apt/* "$BASE_DIR/debootstrap"
    touch "$BASE_DIR/.complete"
    log "bootstrapped in $((SECONDS - t))s"
  fi
  log "importing $BASE_DIR as $BASE_IMAGE and $SLIM_IMAGE"
  local tarball="$STATE_DIR/debian-12.tar" ctr
  # Device nodes, /proc and /sys belong to the container runtime, not to the image.
  tar -C "$BASE_DIR" --numeric-owner --exclude=./.complete --exclude='./dev/*' \
    --exclude='./proc/*' --exclude='./sys/*' -cf "$tarball" .
  ctr="$(buildah from --pull=never scratch)"
  buildah add "$ctr" "$tarball" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd bash --os linux --arch amd64 "$ctr"
  buildah commit --rm "$ctr" "$BASE_IMAGE" >/dev/null
  buildah tag "$BASE_IMAGE" "$SLIM_IMAGE"
  rm -f "$tarball"
}

# Copies the built servers and ladder_health, stripped, flat into PREBUILT_DIR.
stage_prebuilt() {
  # shellcheck disable=SC1091
  local version_id
  version_id="$(. /etc/os-release && echo "${ID:-}-${VERSION_ID:-}")"
  [[ "$version_id" == debian-12 ]] ||
    die "--prebuilt needs a Debian 12 host (this is $version_id): the image has Debian 12's libraries"
  local binaries=() f
  for f in "$LADDER_BUILD_DIR"/services/*/*_server "$LADDER_BUILD_DIR/tools/health/ladder_health"; do
    [[ -f "$f" && -x "$f" ]] && binaries+=("$f")
  done
  ((${#binaries[@]} >= 2)) ||
    die "no built servers in $LADDER_BUILD_DIR: build first (scripts/test.sh or cmake --build $LADDER_BUILD_DIR)"
  rm -rf "$PREBUILT_DIR"
  mkdir -p "$PREBUILT_DIR"
  install -s -m 0755 -t "$PREBUILT_DIR" "${binaries[@]}"
  log "staged $(cd "$PREBUILT_DIR" && echo *) from $LADDER_BUILD_DIR"
}

make_base

if [[ -z "$version" ]]; then
  version="$(sed -n 's/^project(ladder .*VERSION \([0-9.]*\).*/\1/p' "$LADDER_ROOT/CMakeLists.txt")"
fi
build_args=(
  --isolation chroot
  --pull=never
  --layers
  -f "$DEPLOY_DIR/Dockerfile"
  --ignorefile "$DEPLOY_DIR/Dockerfile.dockerignore"
  --build-arg "BASE=$BASE_IMAGE"
  --build-arg "RUNTIME_BASE=$SLIM_IMAGE"
  --build-arg "VERSION=$version"
  -t "$tag"
)
[[ -n "$jobs" ]] && build_args+=(--build-arg "BUILD_JOBS=$jobs")
if ((prebuilt)); then
  stage_prebuilt
  build_args+=(--target runtime-prebuilt --build-context "prebuilt=$PREBUILT_DIR")
else
  build_args+=(--target runtime)
fi

previous="$(buildah inspect --type image --format '{{.FromImageID}}' "$tag" 2>/dev/null || true)"
log "building $tag ($( ((prebuilt)) && echo "prebuilt binaries" || echo "compiling in the image"))"
t=$SECONDS
buildah build "${build_args[@]}" "$LADDER_ROOT" >&2
log "built $tag in $((SECONDS - t))s"
# The image the tag named before is now untagged: drop it, or every rebuild would keep one.
# (The stages' cached layers stay; they are what makes the next build quick.)
current="$(buildah inspect --type image --format '{{.FromImageID}}' "$tag")"
if [[ -n "$previous" && "$previous" != "$current" ]]; then
  buildah rmi "$previous" >/dev/null 2>&1 || true
fi

if [[ -n "$push" ]]; then
  log "pushing $tag to $push"
  buildah push "$tag" "$push" >&2
fi

log "done in $((SECONDS - started))s; size: $(buildah images --format '{{.Size}}' "$tag" | head -n1)"
echo "$tag"
