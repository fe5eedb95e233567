#!/usr/bin/env bash
# setup.sh — install and build everything qtshm-go's tests and demo need, on Debian 12.
#
#   1. Debian packages: Qt 5.15 and Qt 6.4 (qtbase5-dev, qt6-base-dev), cmake, g++, pkg-config,
#      debootstrap (apt-get; needs root, skipped when everything is installed already).
#   2. A Debian 13 (trixie) minbase root with Qt 6.8 for the Qt 6.8 peers: machine-wide, shared by
#      every clone, in $QTSHM_ROOT (default /var/cache/qtshm-go/trixie-root, readable by every
#      user so that tests can run the Qt 6.8 programs as another user). Built once (about 1.5 min)
#      under a lock; a marker file says it is complete.
#   3. The cmake/ programs (article-writer, article-reader, qtshm-peer, libqtshm_shim, doorbell-*,
#      qdatastream-peer, image-example): for Qt 5 and Qt 6.4 on the host into
#      $QTSHM_CACHE/build/qt{5,6} (default <repo>/.cache, git-ignored);
#      for Qt 6.8 inside the root, in a build directory of this clone's own (/qtshm/<hash of the
#      clone's path>), with launchers in $QTSHM_CACHE/build/qt68.
#
# Idempotent: a second run only re-runs the (incremental) cmake builds.
# Environment: QTSHM_CACHE (this clone's cache), QTSHM_ROOT (the machine-wide Debian 13 root),
# QTSHM_SKIP_QT68=1 (developer laptops only; never in CI). QTSHM_SKIP_WINDOWS=1 skips the Windows
# tier (scripts/windows-setup.sh) likewise.
set -euo pipefail
umask 022 # everything built here must be readable and executable by other users

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${QTSHM_CACHE:-$repo/.cache}
root=${QTSHM_ROOT:-/var/cache/qtshm-go/trixie-root}
build=$cache/build
mkdir -p "$cache" "$build"

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# First directory on the way to $1 that other users cannot enter (none: prints nothing).
blocked_for_others() {
  local p=$1
  while :; do
    [ -e "$p" ] && [ "$(( 0$(stat -c %a "$p") & 1 ))" -eq 0 ] && [ -d "$p" ] && { echo "$p"; return; }
    [ "$p" = / ] && return
    p=$(dirname "$p")
  done
}

# Unmounts whatever is mounted at or below $1 (debootstrap mounts /proc in the root; a run killed
# halfway leaves it mounted). Deepest first.
umount_below() {
  awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do as_root umount "$m" || as_root umount -l "$m"; done
}

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

# --- 2. the machine-wide Debian 13 root with Qt 6.8 -------------------------------------------------
# Inside the root each clone builds in /qtshm/<hash of its path>: two clones never share a cmake
# build directory. The directory records its clone's path; directories of clones that no longer
# exist are removed here.
clone_id=$(cd "$repo" && pwd -P | sha256sum | cut -c1-16)
inroot=/qtshm/$clone_id
skip68=false
if [ "${QTSHM_SKIP_QT68:-0}" = 1 ] && [ "${CI:-}" != true ]; then
  log "QTSHM_SKIP_QT68=1: not building the Qt 6.8 root"; skip68=true
else
  [ -d "$(dirname "$root")" ] || as_root mkdir -p -m 0755 "$(dirname "$root")"
  [ -e "$root.lock" ] || as_root touch "$root.lock"
  exec 9<"$root.lock"
  flock 9 # one setup at a time builds the root or prunes it; the others wait here
  if [ ! -f "$root/.qtshm-ready" ]; then
    log "creating the Debian 13 root with Qt 6.8 in $root (about 1.5 minutes)"
    umount_below "$root"
    as_root rm -rf --one-file-system "$root" # refuses to descend into a mount left behind
    as_root debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
      { umount_below "$root"; tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
    umount_below "$root"
    as_root chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      g++ pkgconf qt6-base-dev cmake make >"$cache/chroot-apt.log" 2>&1 ||
      { tail -n 30 "$cache/chroot-apt.log" >&2; exit 1; }
    as_root chroot "$root" apt-get clean
    as_root chmod 0755 "$root"
    as_root touch "$root/.qtshm-ready"
  fi
  for d in "$root"/qtshm/*/; do
    [ -f "$d/clone" ] && [ "$d" != "$root$inroot/" ] || continue
    as_root test -f "$(cat "$d/clone")/scripts/setup.sh" || { log "removing the Qt 6.8 build of a deleted clone: $d"; as_root rm -rf "$d"; }
  done
  flock -u 9
  if b=$(blocked_for_others "$root") && [ -n "$b" ]; then
    log "warning: other users cannot enter $b, so they cannot run the Qt 6.8 programs (the as-nobody tests need to)"
  fi
fi

# --- 3. the Qt programs -------------------------------------------------------------------------
build_host() { # major dir
  cmake -S "$repo/cmake" -B "$2" -DQTSHM_QT_MAJOR="$1" -DCMAKE_BUILD_TYPE=Release >"$2.log" 2>&1 &&
    cmake --build "$2" -j2 >>"$2.log" 2>&1 || { tail -n 40 "$2.log" >&2; exit 1; }
}
log "building the Qt 5.15 programs"; mkdir -p "$build/qt5"; build_host 5 "$build/qt5"
log "building the Qt 6.4 programs";  mkdir -p "$build/qt6"; build_host 6 "$build/qt6"

if ! $skip68; then
  log "building the Qt 6.8 programs (inside the root, in $inroot)"
  # The sources are copied into the root: the chroot sees only its own tree. tar keeps the
  # mtimes, so the build stays incremental.
  as_root rm -rf "$root$inroot/src"
  as_root mkdir -p "$root$inroot/src" "$root$inroot/build"
  printf '%s\n' "$(cd "$repo" && pwd -P)" | as_root tee "$root$inroot/clone" >/dev/null
  tar -C "$repo" --exclude=./.cache --exclude=./.git -cf - . | as_root tar -C "$root$inroot/src" -xf -
  as_root chroot "$root" sh -c "umask 022 && cmake -S $inroot/src/cmake -B $inroot/build -DQTSHM_QT_MAJOR=6 -DCMAKE_BUILD_TYPE=Release && cmake --build $inroot/build -j2" \
    >"$build/qt68.log" 2>&1 || { tail -n 40 "$build/qt68.log" >&2; exit 1; }
  # A launcher per program: runs the trixie binary on the host through the root's own loader.
  mkdir -p "$build/qt68"
  for prog in article-writer article-reader qtshm-peer doorbell-writer doorbell-reader qdatastream-peer image-example qtshm-bench; do
    cat >"$build/qt68/$prog" <<SH
#!/bin/sh
# Runs the Qt 6.8 build of $prog (built in $root$inroot) on the host through the root's loader.
exec "$root/lib64/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" "$root$inroot/build/$prog" "\$@"
SH
    chmod 0755 "$build/qt68/$prog"
  done
fi
# --- 4. Go test binaries linked with cgo against Qt 6.8 ----------------------------------------
# The native backend (internal/native, -tags qt6) built against the root's Qt 6.8, so that the
# shared behavioural suite and the native-key tests run on a Qt >= 6.6 shim. Built inside the
# root with the root's g++, pkg-config and Qt headers and libraries: the host's Go toolchain and
# module cache are bind-mounted read-only into the root in a private mount namespace (the
# mounts vanish with it; nothing stays mounted). The binaries are linked with the root's loader
# as their ELF interpreter and the root's library directories as DT_RPATH (which, unlike
# DT_RUNPATH, also applies to Qt's own dependencies), so they run directly on the host, from
# any directory, as any user who can read the root, and re-executing /proc/self/exe (as the
# test harness does) starts them again the same way. Output: $build/qt68/{qtshm,native}.test.
build_qt68_go() {
  local gobin goroot modcache ld rpath
  gobin=$(command -v go || echo /usr/local/go/bin/go)
  goroot=$("$gobin" env GOROOT) modcache=$("$gobin" env GOMODCACHE)
  (cd "$repo" && "$gobin" mod download) # the module cache must hold every dependency: no network inside
  ld=$root/lib64/ld-linux-x86-64.so.2
  rpath=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
  as_root mkdir -p "$root$inroot/go" "$root$inroot/gomod" "$root$inroot/gocache" "$root$inroot/gotmp"
  as_root tee "$root$inroot/gobuild.sh" >/dev/null <<SH
set -eu
umask 022
export PATH=$inroot/go/bin:/usr/bin:/bin HOME=$inroot GOROOT=$inroot/go GOMODCACHE=$inroot/gomod
export GOCACHE=$inroot/gocache GOTMPDIR=$inroot/gotmp TMPDIR=$inroot/gotmp GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off GOFLAGS= CGO_ENABLED=1
cd $inroot/src
ldflags='-extldflags "-Wl,--dynamic-linker=$ld -Wl,--disable-new-dtags -Wl,-rpath=$rpath"'
go test -c -tags qt6 -ldflags="\$ldflags" -o $inroot/build/qtshm.test ./qtshm/
go test -c -tags qt6 -ldflags="\$ldflags" -o $inroot/build/native.test ./internal/native/
go build -tags qt6 -ldflags="\$ldflags" -o $inroot/build/qtshm-go ./cmd/qtshm
SH
  as_root unshare --mount --propagation private sh -c '
    mount --bind -o ro "$1" "$3$4/go" && mount --bind -o ro "$2" "$3$4/gomod" &&
    exec chroot "$3" sh "$4/gobuild.sh"' sh "$goroot" "$modcache" "$root" "$inroot" \
    >"$build/qt68-go.log" 2>&1 || { tail -n 40 "$build/qt68-go.log" >&2; exit 1; }
  for t in qtshm native; do
    install -m 0755 "$root$inroot/build/$t.test" "$build/qt68/$t.test"
  done
  install -m 0755 "$root$inroot/build/qtshm-go" "$build/qt68/qtshm-go" # the Go peer, native backend on Qt 6.8
}

if ! $skip68; then
  log "building the Go test binaries against Qt 6.8 (inside the root; cgo, -tags qt6)"
  build_qt68_go
fi
log "done: programs in $build/{qt5,qt6,qt68}"

# The Windows tier: real QtCore 5.15.8 and 6.8.2 for Windows (mingw-w64, from Debian's sources),
# the cmake/ programs for Windows and a Wine prefix (scripts/windows-setup.sh; machine-wide
# cache, built once). It needs the Debian 13 root (Qt 6.8's host tools).
if $skip68 || { [ "${QTSHM_SKIP_WINDOWS:-0}" = 1 ] && [ "${CI:-}" != true ]; }; then
  log "not building the Windows tier (QTSHM_SKIP_WINDOWS=1 or QTSHM_SKIP_QT68=1)"
else
  bash "$repo/scripts/windows-setup.sh"
fi
