#!/usr/bin/env bash
# windows-setup.sh — the Windows tier's prerequisites: real QtCore for Windows, built here from
# Debian's own qtbase source packages with Debian's mingw-w64, the cmake/ programs built against
# it, and a Wine prefix to run them (and Go test binaries for GOOS=windows) in. On Debian 12.
#
#   1. Debian packages: wine, wine64, g++-mingw-w64-x86-64-posix, ninja-build, cmake and the few
#      tools the Qt builds need (apt-get; needs root; skipped when everything is installed).
#   2. Sources: qtbase-opensource-src 5.15.8 (Debian 12) and qt6-base 6.8.2 (Debian 13), fetched
#      with `apt-get source` through a private apt configuration (the machine's sources.list is
#      not touched), checked and unpacked by dpkg-source.
#   3. QtCore for Windows (no GUI), machine-wide in $QTSHM_WIN_CACHE/qt-5.15.8 and qt-6.8.2:
#      5.15.8 with qmake (corelib and winmain only), 6.8.2 with CMake/Ninja, using the Qt 6.8.2
#      host tools (moc, rcc, syncqt, …) of the Debian 13 root that scripts/setup.sh builds.
#   4. A Wine prefix, machine-wide, with a ProcessPrng stub DLL (scripts/windows/processprng.c)
#      and locales (zh_CN.UTF-8 gives Wine's ANSI code page 936).
#   5. Per clone: the cmake/ programs for Windows against each Qt, in $QTSHM_CACHE/build/win/qt5
#      and …/win/qt68, with the DLLs they need next to them, and launchers that run them under
#      Wine (plus win/wine-run for any .exe and win/wineserver for the prefix's server).
#
# The machine-wide part is built once, under a lock (two clones never build it at once); stamp
# files say what is complete, so a second run only re-runs the incremental cmake builds.
# Run scripts/setup.sh first (it builds the Debian 13 root).
# Environment: QTSHM_CACHE (this clone's cache, default <repo>/.cache), QTSHM_WIN_CACHE (the
# machine-wide Windows cache, default /var/cache/qtshm-go/windows), QTSHM_ROOT (the Debian 13
# root, default /var/cache/qtshm-go/trixie-root), QTSHM_JOBS (parallel build jobs, default 2),
# QTSHM_WIN_SRC_SEED (a directory that may already hold the source packages' files; they are
# used instead of downloading when their checksums match).
set -euo pipefail
umask 022 # everything built here must be readable and executable by other users

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${QTSHM_CACHE:-$repo/.cache}
win=${QTSHM_WIN_CACHE:-/var/cache/qtshm-go/windows}
root=${QTSHM_ROOT:-/var/cache/qtshm-go/trixie-root}
jobs=${QTSHM_JOBS:-2}
seed=${QTSHM_WIN_SRC_SEED:-/tmp/qtsrc}
out=$cache/build/win
triple=x86_64-w64-mingw32
mkdir -p "$cache" "$out"

log() { printf '[windows-setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
die() { log "error: $*"; exit 1; }
# Runs "$@", and on failure prints the tail of the log file $1 and exits.
logged() { local f=$1; shift; "$@" >"$f" 2>&1 || { tail -n 40 "$f" >&2; die "failed: $* (log: $f)"; }; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# The recipes' versions: changing a recipe below changes its stamp, which rebuilds that part.
qt5_ver=5.15.8 qt5_recipe="qt5 r1"
qt6_ver=6.8.2 qt6_recipe="qt6 r1"
prefix_recipe="prefix r1"

# --- 1. host packages ---------------------------------------------------------------------------
# wine/wine64: Wine 8.0 (64-bit only). g++-mingw-w64-x86-64-posix: GCC 12 for Windows with the
# posix thread model. ninja-build, cmake: the Qt 6 and program builds. g++, make, perl: Qt 5's
# qmake and host tools. dpkg-dev, xz-utils: apt-get source / dpkg-source. locales: zh_CN.UTF-8.
pkgs=(wine wine64 g++-mingw-w64-x86-64-posix ninja-build cmake g++ make perl dpkg-dev xz-utils locales)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  t=$(date +%s)
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "packages installed in $(elapsed "$t")"
fi

# --- the machine-wide part: as root, under a lock -------------------------------------------------
machine() {
  [ -d "$win" ] || mkdir -p -m 0755 "$win"
  chmod 0755 "$win"
  exec 8>"$win/.lock"
  flock 8 # one clone at a time builds the machine-wide part; the others wait here
  fetch_sources
  build_qt5
  build_qt6
  make_prefix
  make_locales
  flock -u 8
}

# --- 2. sources ---------------------------------------------------------------------------------
# A private apt configuration: its own sources list, package lists and cache under $win/apt.
apt_src() {
  apt-get -q -o Dir::Etc::SourceList="$win/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$win/apt/lists" -o Dir::Cache="$win/apt/cache" \
    -o Dir::State::Status=/var/lib/dpkg/status -o APT::Get::List-Cleanup=false "$@"
}

# fetch_one <source package> <release> <upstream version> <dir to unpack into>
fetch_one() {
  local pkg=$1 rel=$2 ver=$3 dest=$4 dsc f
  if [ -f "$dest/.qtshm-unpacked" ]; then return; fi
  mkdir -p "$win/src/dl"
  # Seed files are copied first; apt-get checks their checksums and downloads what is missing
  # or different ("Skipping already downloaded file" otherwise).
  while read -r f; do
    [ -f "$seed/$f" ] && [ ! -f "$win/src/dl/$f" ] && cp "$seed/$f" "$win/src/dl/$f" && log "  using $seed/$f"
  done < <(apt_src source --print-uris "$pkg/$rel" 2>/dev/null | sed -n "s/^'[^']*' \([^ ]*\) .*/\1/p")
  (cd "$win/src/dl" && logged "$win/src/$pkg-$rel.log" apt_src source --download-only "$pkg/$rel")
  dsc=$(apt_src source --print-uris "$pkg/$rel" 2>/dev/null | sed -n "s/^'[^']*' \([^ ]*\.dsc\) .*/\1/p")
  [ -n "$dsc" ] || die "no .dsc for $pkg/$rel"
  case $dsc in *"_$ver+"*|*"_$ver-"*) ;; *) die "$pkg/$rel is $dsc, not upstream version $ver";; esac
  rm -rf "$dest"
  # dpkg-source verifies the .dsc's checksums of every file (and its signature when it can).
  logged "$dest.unpack.log" dpkg-source -x "$win/src/dl/$dsc" "$dest"
  touch "$dest/.qtshm-unpacked"
}

fetch_sources() {
  [ -f "$win/qt-$qt5_ver/.qtshm-ready" ] && [ -f "$win/qt-$qt6_ver/.qtshm-ready" ] && return
  local t; t=$(date +%s)
  log "fetching the qtbase sources with apt-get source"
  mkdir -p "$win/apt/lists/partial" "$win/apt/cache/archives/partial" "$win/src"
  cat >"$win/apt/sources.list" <<'EOF'
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOF
  logged "$win/apt/update.log" apt_src update
  [ -f "$win/qt-$qt5_ver/.qtshm-ready" ] || fetch_one qtbase-opensource-src bookworm "$qt5_ver" "$win/src/qtbase-$qt5_ver"
  [ -f "$win/qt-$qt6_ver/.qtshm-ready" ] || fetch_one qt6-base trixie "$qt6_ver" "$win/src/qtbase-$qt6_ver"
  log "sources ready in $(elapsed "$t")"
}

# A directory of compiler names without the -posix suffix, first in PATH for the Qt builds:
# qmake's win32-g++ spec calls ${CROSS_COMPILE}g++, which Debian's alternatives may point at the
# win32 thread model.
mingw_bin() {
  mkdir -p "$win/mingw-bin"
  for t in gcc g++ c++ cpp; do ln -sf "/usr/bin/$triple-$t-posix" "$win/mingw-bin/$triple-$t"; done
  echo "$win/mingw-bin"
}

# --- 3a. QtCore 5.15.8 for Windows (qmake) -----------------------------------------------------
build_qt5() {
  local dest=$win/qt-$qt5_ver src=$win/src/qtbase-$qt5_ver b=$win/build-qt5 t
  [ "$(cat "$dest/.qtshm-ready" 2>/dev/null)" = "$qt5_recipe" ] && return
  t=$(date +%s)
  log "building QtCore $qt5_ver for Windows (about 15 minutes on 2 cores): log in $b.log"
  rm -rf "$dest"
  [ "$(cat "$b/.qtshm-recipe" 2>/dev/null)" = "$qt5_recipe" ] || { rm -rf "$b"; mkdir -p "$b"; echo "$qt5_recipe" >"$b/.qtshm-recipe"; }
  (
    cd "$b"
    export PATH=$(mingw_bin):$PATH
    [ -f "$b/config.summary" ] || logged "$b.configure.log" "$src/configure" -prefix "$dest" \
      -xplatform win32-g++ -device-option CROSS_COMPILE=$triple- -platform linux-g++ \
      -release -shared -opensource -confirm-license -nomake examples -nomake tests -no-pch \
      -no-gui -no-widgets -no-opengl -no-dbus -no-icu -qt-zlib -qt-pcre -no-ssl \
      -no-sql-sqlite -no-sql-odbc -no-sql-mysql -no-sql-psql -no-sql-db2 -no-sql-ibase -no-sql-oci -no-sql-tds
    log "  configured in $(elapsed "$t")"
    # Only QtCore and qtmain (and the host tools they need: moc, rcc, the bootstrap library).
    [ -f src/Makefile ] || logged "$b.qmake.log" make sub-src-qmake_all
    logged "$b.log" make -C src -j"$jobs" sub-corelib sub-winmain sub-rcc
    logged "$b.install.log" make -C src sub-corelib-install_subtargets sub-winmain-install_subtargets \
      sub-moc-install_subtargets sub-rcc-install_subtargets
    # qmake and the mkspecs (Qt5Core's CMake files point into mkspecs/win32-g++).
    logged "$b.install-qmake.log" make sub-qmake-qmake-aux-pro-install_subtargets install_mkspecs
  )
  rm -rf "$b"
  echo "$qt5_recipe" >"$dest/.qtshm-ready"
  log "QtCore $qt5_ver ready in $dest ($(elapsed "$t"))"
}

# --- 3b. QtCore 6.8.2 for Windows (CMake) ------------------------------------------------------
# A Qt 6 cross build runs the host tools of the same Qt version (QT_HOST_PATH). The Debian 13
# root has Qt 6.8.2's, built for its glibc 2.41, newer than the host's: $win/host-6.8.2 is a
# host prefix whose CMake files are copies of the root's and whose tools are wrappers that run
# the root's binaries through the root's loader. This saves a native Qt 6.8.2 build (~12 min).
make_host6() {
  local h=$win/host-$qt6_ver ld=$root/lib64/ld-linux-x86-64.so.2 t
  local lp=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
  [ -f "$root/.qtshm-ready" ] || die "the Debian 13 root $root is missing: run scripts/setup.sh first"
  "$ld" --library-path "$lp" "$root/usr/lib/qt6/libexec/moc" --version 2>/dev/null | grep -q " $qt6_ver\$" ||
    die "the root's moc is not Qt $qt6_ver"
  rm -rf "$h"; mkdir -p "$h/lib/x86_64-linux-gnu"
  cp -a "$root/usr/lib/x86_64-linux-gnu/cmake" "$h/lib/x86_64-linux-gnu/cmake"
  ln -s "$root/usr/lib/x86_64-linux-gnu/qt6" "$h/lib/x86_64-linux-gnu/qt6" # mkspecs
  ln -s "$root/usr/include" "$h/include"
  # Every program the tools' CMake files import: the root's ELF binaries get a wrapper that runs
  # them through the root's loader; scripts are copied.
  grep -ho '"${_IMPORT_PREFIX}/[^"]*"' "$h"/lib/x86_64-linux-gnu/cmake/*Tools/*Targets-*.cmake |
    sed 's/^"${_IMPORT_PREFIX}\///; s/"$//' | sort -u | while read -r t; do
      [ -f "$root/usr/$t" ] || continue
      mkdir -p "$(dirname "$h/$t")"
      if head -c4 "$root/usr/$t" | grep -q ELF; then
        printf '#!/bin/sh\nexec "%s" --library-path "%s" "%s" "$@"\n' "$ld" "$lp" "$root/usr/$t" >"$h/$t"
        chmod 0755 "$h/$t"
      else
        cp -L "$root/usr/$t" "$h/$t"
      fi
    done
  [ -x "$h/lib/qt6/libexec/moc" ] && [ -x "$h/lib/qt6/libexec/syncqt" ] || die "no Qt 6 host tools in $h"
}

build_qt6() {
  local dest=$win/qt-$qt6_ver src=$win/src/qtbase-$qt6_ver b=$win/build-qt6 t
  [ "$(cat "$dest/.qtshm-ready" 2>/dev/null)" = "$qt6_recipe" ] && return
  t=$(date +%s)
  log "building QtCore $qt6_ver for Windows (about 10 minutes on 2 cores): log in $b.log"
  make_host6
  rm -rf "$dest"
  # A build directory of the same recipe is reused (an interrupted build resumes).
  [ "$(cat "$b/.qtshm-recipe" 2>/dev/null)" = "$qt6_recipe" ] || { rm -rf "$b"; mkdir -p "$b"; echo "$qt6_recipe" >"$b/.qtshm-recipe"; }
  # GCC 12 mingw crashes in i386_pe_seh_unwind_emit with stack-clash protection or CET, and
  # Qt's -fstack-protector-strong needs libssp for __stack_chk_fail.
  logged "$b.configure.log" cmake -S "$src" -B "$b" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64.cmake" -DCMAKE_INSTALL_PREFIX="$dest" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
    -DQT_HOST_PATH="$win/host-$qt6_ver" -DQT_HOST_PATH_CMAKE_DIR="$win/host-$qt6_ver/lib/x86_64-linux-gnu/cmake" \
    -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF -DQT_BUILD_BENCHMARKS=OFF \
    -DFEATURE_gui=OFF -DFEATURE_widgets=OFF -DFEATURE_sql=OFF -DFEATURE_dbus=OFF -DFEATURE_icu=OFF \
    -DFEATURE_network=OFF -DFEATURE_xml=OFF -DFEATURE_concurrent=OFF -DFEATURE_testlib=OFF \
    -DFEATURE_printsupport=OFF -DFEATURE_system_zlib=OFF -DFEATURE_system_pcre2=OFF \
    -DFEATURE_system_doubleconversion=OFF -DFEATURE_pkg_config=OFF \
    -DFEATURE_stack_clash_protection=OFF -DFEATURE_intelcet=OFF \
    -DCMAKE_C_STANDARD_LIBRARIES=-lssp -DCMAKE_CXX_STANDARD_LIBRARIES=-lssp
  log "  configured in $(elapsed "$t")"
  # Everything the configuration enables: QtCore, and the EntryPoint library Qt6Core's CMake
  # files refer to. Then the whole install (Qt6Config & co. live in the top-level directory).
  logged "$b.log" ninja -C "$b" -j"$jobs"
  logged "$b.install.log" cmake --install "$b"
  rm -rf "$b"
  echo "$qt6_recipe" >"$dest/.qtshm-ready"
  log "QtCore $qt6_ver ready in $dest ($(elapsed "$t"))"
}

# --- 4. the Wine prefix --------------------------------------------------------------------------
wine_env() { # the environment every Wine process of this setup gets
  export WINEPREFIX=$1 WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="
}

make_prefix() {
  local p=$win/prefix t
  [ "$(cat "$p/.qtshm-ready" 2>/dev/null)" = "$prefix_recipe" ] && return
  t=$(date +%s)
  log "creating the Wine prefix $p"
  rm -rf "$p"
  build_stub "$win/bcryptprimitives.dll"
  init_prefix "$p" "$win/bcryptprimitives.dll"
  echo "$prefix_recipe" >"$p/.qtshm-ready"
  log "Wine prefix ready in $(elapsed "$t")"
}

build_stub() { # the ProcessPrng stub DLL (see scripts/windows/processprng.c)
  $triple-gcc-posix -shared -O2 -static-libgcc -o "$1" \
    "$repo/scripts/windows/processprng.c" "$repo/scripts/windows/processprng.def"
}

init_prefix() { # prefix stub-dll
  (
    wine_env "$1"
    logged "$1.wineboot.log" wineboot -i
    wineserver -w
  )
  install -m 0644 "$2" "$1/drive_c/windows/system32/bcryptprimitives.dll"
}

# Locales for Wine's ANSI code page, in a directory of their own (LOCPATH in the launchers): the
# machine's locale configuration stays. zh_CN.UTF-8 gives ACP 936 (GBK); ka_GE.UTF-8, a locale
# Windows has no ANSI code page for, gives ACP 65001 (UTF-8); C.UTF-8 and en_US.UTF-8 give 1252.
# The stamp holds the list, so that a machine made with an older list makes the new ones.
make_locales() {
  local l=$win/locale list="zh_CN:zh_CN.UTF-8 ka_GE:ka_GE.UTF-8 C:C.UTF-8 en_US:en_US.UTF-8" loc
  [ "$(cat "$l/.qtshm-ready" 2>/dev/null)" = "$list" ] && return
  mkdir -p "$l"
  for loc in $list; do
    localedef -i "${loc%%:*}" -f UTF-8 "$l/${loc#*:}" 2>/dev/null || [ -d "$l/${loc#*:}" ] || die "localedef ${loc#*:} failed"
  done
  echo "$list" >"$l/.qtshm-ready"
}

if [ "${1:-}" = --machine ]; then machine; exit 0; fi
if [ "$(id -u)" -eq 0 ]; then machine; else
  sudo env QTSHM_WIN_CACHE="$win" QTSHM_ROOT="$root" QTSHM_JOBS="$jobs" QTSHM_WIN_SRC_SEED="$seed" QTSHM_CACHE="$cache" \
    bash "$repo/scripts/windows-setup.sh" --machine
fi

# --- 5. per clone: the cmake/ programs for Windows, and launchers -------------------------------
# The prefix: the machine-wide one when it is ours (Wine refuses a prefix another user owns),
# else one of this clone's own.
prefix=$win/prefix
if [ "$(stat -c %u "$prefix")" != "$(id -u)" ]; then
  prefix=$out/prefix
  if [ "$(cat "$prefix/.qtshm-ready" 2>/dev/null)" != "$prefix_recipe" ]; then
    log "creating this user's Wine prefix $prefix"; rm -rf "$prefix"
    init_prefix "$prefix" "$win/bcryptprimitives.dll"; echo "$prefix_recipe" >"$prefix/.qtshm-ready"
  fi
fi

mingw_dlls() { # the mingw runtime DLLs a C++ program needs (libssp: Qt 6's -lssp)
  local f
  for f in libgcc_s_seh-1.dll libstdc++-6.dll libssp-0.dll; do $triple-g++-posix -print-file-name="$f"; done
  echo "/usr/$triple/lib/libwinpthread-1.dll"
}

build_programs() { # major qt-prefix outdir
  local major=$1 qt=$2 d=$3 t prog
  t=$(date +%s)
  mkdir -p "$d"
  local args=(-DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64.cmake" -DQTSHM_QT_MAJOR="$major"
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$qt" -DCMAKE_FIND_ROOT_PATH="$qt")
  [ "$major" = 6 ] && args+=(-DQT_HOST_PATH="$win/host-$qt6_ver"
    -DQT_HOST_PATH_CMAKE_DIR="$win/host-$qt6_ver/lib/x86_64-linux-gnu/cmake")
  logged "$d.log" cmake -S "$repo/cmake" -B "$d/cmake" -G Ninja "${args[@]}"
  cmake --build "$d/cmake" -j"$jobs" --target article-writer article-reader qtshm-peer >>"$d.log" 2>&1 ||
    { tail -n 40 "$d.log" >&2; die "building the Windows programs against Qt $major failed (log: $d.log)"; }
  for prog in article-writer article-reader qtshm-peer; do
    install -m 0755 "$d/cmake/$prog.exe" "$d/$prog.exe"
  done
  install -m 0644 "$qt/bin/Qt${major}Core.dll" $(mingw_dlls) "$d/"
  for prog in article-writer article-reader qtshm-peer; do
    cat >"$d/$prog" <<SH
#!/bin/sh
# Runs the Windows build of $prog (Qt $major, $qt) under Wine, in the prefix $prefix.
exec "$out/wine-run" "$d/$prog.exe" "\$@"
SH
    chmod 0755 "$d/$prog"
  done
  log "programs for Windows, Qt $major: $d ($(elapsed "$t"))"
}

# wine-run: runs a Windows program under Wine with this setup's prefix and environment. Wine
# prints its own diagnostics only with WINEDEBUG set by the caller. The locale (LC_ALL/LANG)
# chooses Wine's ANSI code page: zh_CN.UTF-8 → 936, ka_GE.UTF-8 → 65001, C.UTF-8 → 1252. LOCPATH holds the locales
# (Wine takes the code page from the variable's name, but converts the command line and file
# names with the C library's locale, which must exist). QT_FORCE_STDERR_LOGGING: Qt for Windows
# sends qDebug to OutputDebugString, not stderr, when it sees no console window (a pipe). Wine
# does not pass QT_* variables of the Unix environment to Windows programs; WINEQT_X becomes
# QT_X there.
cat >"$out/wine-run" <<SH
#!/bin/sh
# wine-run <program.exe> [args…] — runs a Windows program under Wine (prefix $prefix).
export WINEPREFIX="$prefix" WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml=" LOCPATH="$win/locale"
export WINEDEBUG="\${WINEDEBUG:--all}" WINEQT_FORCE_STDERR_LOGGING=1
exec wine "\$@"
SH
# wineserver: the prefix's server; "-p" keeps it alive between Wine processes (faster starts),
# "-w" waits for it to end, "-k" kills it with every Wine process of the prefix.
cat >"$out/wineserver" <<SH
#!/bin/sh
# wineserver [options] — the Wine server of the prefix $prefix.
export WINEPREFIX="$prefix"
exec wineserver "\$@"
SH
chmod 0755 "$out/wine-run" "$out/wineserver"

log "building the cmake/ programs for Windows"
build_programs 5 "$win/qt-$qt5_ver" "$out/qt5"
build_programs 6 "$win/qt-$qt6_ver" "$out/qt68"
log "done: Windows programs in $out/{qt5,qt68}, wine-run and wineserver in $out"
