#!/usr/bin/env bash
# Assembles the root file system of Ladder's runtime image in DEST, from the Debian 12
# system it runs on (the `rootfs` stage of deploy/Dockerfile).
#
#   make-rootfs.sh DEST PACKAGES_FILE
#
# DEST receives the files of the packages named in PACKAGES_FILE (one a line, # comments)
# and of every package they depend on, as dpkg installed them here, minus documentation;
# the dpkg records of those packages (var/lib/dpkg/status.d/, where image scanners look);
# the CA bundle; and the few files a process expects to find: passwd and group with the
# unprivileged user nonroot (uid and gid 65532), nsswitch.conf, os-release. No shell, no
# package manager, no coreutils: the image runs Ladder's binaries and nothing else.
#
# The packages must be installed already (the Dockerfile installs them just before).
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 DEST PACKAGES_FILE" >&2
  exit 2
fi
dest="$1"
packages_file="$2"

mapfile -t requested < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$packages_file" | grep -v '^$')
((${#requested[@]} > 0)) || {
  echo "$0: no package named in $packages_file" >&2
  exit 1
}

# The requested packages and everything they depend on (Depends and Pre-Depends, not
# Recommends). Lines in <angle brackets> are virtual packages, provided by a real one
# that is listed as well.
mapfile -t closure < <(
  apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${requested[@]}" |
    grep -v -e '^ ' -e '^<' | sort -u
)
for pkg in "${closure[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != installed ]]; then
    echo "$0: package $pkg is needed but not installed" >&2
    exit 1
  fi
done
echo "$0: copying ${#closure[@]} packages: ${closure[*]}" >&2

mkdir -p "$dest"
# Debian 12 merges /bin, /sbin and /lib* into /usr: the same links must exist in DEST
# before files are copied through them.
for link in /bin /sbin /lib /lib32 /lib64 /libx32; do
  if [[ -L "$link" ]]; then
    cp -a "$link" "$dest/"
    mkdir -p "$dest/$(readlink "$link")"
  fi
done

for pkg in "${closure[@]}"; do
  while IFS= read -r path; do
    case "$path" in
      /*) ;;
      *) continue ;; # "diverted by" and similar notes
    esac
    case "$path" in
      /usr/share/doc | /usr/share/doc/* | /usr/share/man | /usr/share/man/* | \
        /usr/share/lintian | /usr/share/lintian/* | /usr/share/bug | /usr/share/bug/* | \
        /usr/share/gdb | /usr/share/gdb/* | /usr/share/gcc | /usr/share/gcc/*)
        continue
        ;;
    esac
    if [[ -d "$path" && ! -L "$path" ]]; then
      mkdir -p "$dest$path"
    elif [[ -e "$path" || -L "$path" ]]; then
      cp -a --parents "$path" "$dest/"
    fi
  done < <(dpkg -L "$pkg")
  mkdir -p "$dest/var/lib/dpkg/status.d"
  dpkg-query -s "$pkg" >"$dest/var/lib/dpkg/status.d/$pkg"
done

# The CA bundle alone, without the ca-certificates package and its tools (openssl, perl).
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  mkdir -p "$dest/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/"
fi

cp -L /usr/lib/os-release "$dest/usr/lib/os-release"
ln -sf ../usr/lib/os-release "$dest/etc/os-release"
cp -L /etc/nsswitch.conf "$dest/etc/nsswitch.conf"

cat >"$dest/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
nonroot:x:65532:65532:nonroot:/nonexistent:/usr/sbin/nologin
EOF
cat >"$dest/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nonroot:x:65532:
EOF
chmod 0644 "$dest/etc/passwd" "$dest/etc/group"

# Mount points the container runtime fills, the binaries' and the policy's directories.
mkdir -p "$dest/proc" "$dest/sys" "$dest/dev" "$dest/run" "$dest/root" \
  "$dest/usr/local/bin" "$dest/etc/ladder/policy"
mkdir -p "$dest/tmp"
chmod 1777 "$dest/tmp"
chmod 0700 "$dest/root"
