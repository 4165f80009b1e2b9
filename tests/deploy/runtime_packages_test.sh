#!/usr/bin/env bash
# deploy_image_runtime_packages: every shared library that the built servers and
# ladder_health load comes from a Debian package that the runtime image receives:
# one listed in deploy/image/runtime-packages.txt, or one those depend on. Fast, and needs
# no image: it asks `ldd` and dpkg on this (Debian 12) build machine. When it fails, add
# the package it names to deploy/image/runtime-packages.txt.
#
# Usage: runtime_packages_test.sh BUILD_DIR
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD_DIR="${1:?usage: $0 BUILD_DIR}"
LIST="$ROOT/deploy/image/runtime-packages.txt"

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-cache >/dev/null 2>&1; then
  echo "skipped: needs dpkg and apt-cache (a Debian build machine)"
  exit 77
fi

binaries=()
for f in "$BUILD_DIR"/services/*/*_server "$BUILD_DIR/tools/health/ladder_health"; do
  [[ -f "$f" && -x "$f" ]] && binaries+=("$f")
done
if ((${#binaries[@]} < 2)); then
  echo "FAIL - no built servers and ladder_health under $BUILD_DIR"
  exit 1
fi

mapfile -t listed < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LIST" | grep -v '^$')
mapfile -t shipped < <(
  apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${listed[@]}" 2>/dev/null |
    grep -v -e '^ ' -e '^<' | sort -u
)

# Which package owns each library, asked of dpkg once for all of them. dpkg knows a file
# by the path its package installed, which may be the /lib or the /usr/lib spelling (Debian
# 12 merges the two), so both are asked, and the resolved path too.
declare -A libraries_of owner_of
all_candidates=()
for binary in "${binaries[@]}"; do
  unresolved="$(ldd "$binary" | grep 'not found' || true)"
  if [[ -n "$unresolved" ]]; then
    echo "FAIL - $binary: libraries not found on this machine: $unresolved"
    exit 1
  fi
  libraries_of[$binary]="$(ldd "$binary" | awk '/=>/ { print $3 } /^[[:space:]]*\/lib/ { print $1 }' | sort -u)"
  while read -r library; do
    [[ -n "$library" ]] || continue
    all_candidates+=("$library" "$(readlink -f "$library")" "${library/#\/usr\/lib\//\/lib\/}"
      "${library/#\/lib\//\/usr\/lib\/}")
  done <<<"${libraries_of[$binary]}"
done
while IFS= read -r line; do
  # "package[:arch][, package…]: /path"
  path="${line##*: }"
  package="${line%%: *}"
  package="${package%%,*}"
  owner_of[$path]="${package%%:*}"
done < <(printf '%s\n' "${all_candidates[@]}" | sort -u | xargs dpkg-query -S 2>/dev/null || true)

passed=0
failed=0
for binary in "${binaries[@]}"; do
  missing=()
  while read -r library; do
    [[ -n "$library" ]] || continue
    owner=""
    for candidate in "$library" "$(readlink -f "$library")" "${library/#\/usr\/lib\//\/lib\/}" \
      "${library/#\/lib\//\/usr\/lib\/}"; do
      owner="${owner_of[$candidate]:-}"
      [[ -n "$owner" ]] && break
    done
    if [[ -z "$owner" ]]; then
      missing+=("$library (no Debian package owns it)")
    elif [[ " ${shipped[*]} " != *" $owner "* ]]; then
      missing+=("$library (package $owner)")
    fi
  done <<<"${libraries_of[$binary]}"
  if ((${#missing[@]} == 0)); then
    echo "ok - every library of $(basename "$binary") ships in the runtime image"
    passed=$((passed + 1))
  else
    echo "FAIL - $(basename "$binary") loads libraries the runtime image lacks; add their packages to deploy/image/runtime-packages.txt:"
    printf '    %s\n' "${missing[@]}"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
