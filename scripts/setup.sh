#!/usr/bin/env bash
# setup.sh — install and build everything qtshm-go's tests and demo need, on Debian 12.
#
#   1. Debian packages: Qt 5.15 and Qt 6.4 (qtbase5-dev, qt6-base-dev), cmake, g++, pkg-config,
#      debootstrap (apt-get; needs root, skipped when everything is installed already).
#   2. A Debian 13 (trixie) minbase root with Qt 6.8 for the Qt 6.8 peers, cached in
#      $QTSHM_CACHE (default: <repo>/.cache, git-ignored). Built once; a marker file says it is complete.
#   3. The cmake/ programs (article-writer, article-reader, qtshm-peer, libqtshm_shim) for
#      Qt 5 and Qt 6.4 on the host, and Qt 6.8 inside the root, into $QTSHM_CACHE/build/qt{5,6,68}.
#
# Idempotent: a second run only re-runs the (incremental) cmake builds.
# Environment: QTSHM_CACHE (cache directory), QTSHM_SKIP_QT68=1 (developer laptops only; never in CI).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${QTSHM_CACHE:-$repo/.cache}
root=$cache/trixie-root
build=$cache/build
mkdir -p "$cache" "$build"

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. host packages -------------------------------------------------------------------------
pkgs=(qtbase5-dev qt6-base-dev cmake g++ pkg-config debootstrap)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. the Debian 13 root with Qt 6.8 ----------------------------------------------------------
if [ "${QTSHM_SKIP_QT68:-0}" = 1 ] && [ "${CI:-}" != true ]; then
  log "QTSHM_SKIP_QT68=1: not building the Qt 6.8 root"
elif [ ! -f "$root/.qtshm-ready" ]; then
  log "creating the Debian 13 root with Qt 6.8 in $root (about a minute)"
  as_root rm -rf "$root"
  as_root debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
  as_root chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    g++ pkgconf qt6-base-dev cmake make >"$cache/chroot-apt.log" 2>&1 ||
    { tail -n 30 "$cache/chroot-apt.log" >&2; exit 1; }
  as_root chroot "$root" apt-get clean
  as_root touch "$root/.qtshm-ready"
fi

# --- 3. the Qt programs -------------------------------------------------------------------------
build_host() { # major dir
  cmake -S "$repo/cmake" -B "$2" -DQTSHM_QT_MAJOR="$1" -DCMAKE_BUILD_TYPE=Release >"$2.log" 2>&1 &&
    cmake --build "$2" -j2 >>"$2.log" 2>&1 || { tail -n 40 "$2.log" >&2; exit 1; }
}
log "building the Qt 5.15 programs"; mkdir -p "$build/qt5"; build_host 5 "$build/qt5"
log "building the Qt 6.4 programs";  mkdir -p "$build/qt6"; build_host 6 "$build/qt6"

if [ -f "$root/.qtshm-ready" ]; then
  log "building the Qt 6.8 programs (inside the root)"
  # The sources are copied into the root: the chroot sees only its own tree.
  as_root mkdir -p "$root/qtshm-src" "$root/qtshm-build"
  as_root rm -rf "$root/qtshm-src/cmake" "$root/qtshm-src/native"
  as_root cp -a "$repo/cmake" "$repo/native" "$root/qtshm-src/" # -a keeps mtimes: incremental builds
  as_root chroot "$root" sh -c 'cmake -S /qtshm-src/cmake -B /qtshm-build -DQTSHM_QT_MAJOR=6 -DCMAKE_BUILD_TYPE=Release && cmake --build /qtshm-build -j2' \
    >"$build/qt68.log" 2>&1 || { tail -n 40 "$build/qt68.log" >&2; exit 1; }
  # A launcher per program: runs the trixie binary on the host through the root's own loader.
  mkdir -p "$build/qt68"
  for prog in article-writer article-reader qtshm-peer; do
    cat >"$build/qt68/$prog" <<SH
#!/bin/sh
# Runs the Qt 6.8 build of $prog (from $root) on the host through the root's loader.
exec "$root/lib64/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" "$root/qtshm-build/$prog" "\$@"
SH
    chmod +x "$build/qt68/$prog"
  done
fi
log "done: programs in $build/{qt5,qt6,qt68}"
