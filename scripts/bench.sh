#!/usr/bin/env bash
# bench.sh — the benchmark harness (issue 11): the same operations in pure Go, in Go on the
# native backend (Qt 5.15, 6.4 and 6.8 through the shim) and in C++ with Qt's own QSharedMemory
# (cmake/qtshm_bench.cpp, Qt 5.15, 6.4 and 6.8), in one interleaved run. Prints a Markdown table
# with ratios to C++ Qt 5.15 and writes it, the raw figures and a PNG chart to
# $QTSHM_CACHE/bench/{results.md,results.json,chart.png}.
#
#   bash scripts/bench.sh                  # setup (incremental), then the full run: a few minutes
#   bash scripts/bench.sh --short          # tiny counts, one round: seconds (CI runs this)
#   bash scripts/bench.sh --no-setup …     # skip scripts/setup.sh (the programs are built already)
#   bash scripts/bench.sh --rounds 9 --only loops,handoff   # other flags go to `bench run`
#
# As root, the run gets its own IPC namespace (unshare --ipc), so that nothing else on the
# machine shares its objects and anything left behind is counted exactly, and its own mount
# namespace with a tmpfs for Qt's key files. The figures are never
# pass/fail: a run fails only when a measurement cannot be made (or, with CI=true, when a Qt or
# Go build is missing).
set -euo pipefail
umask 022
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH=$PATH:/usr/local/go/bin
cache=${QTSHM_CACHE:-$repo/.cache}
peers=${QTSHM_PEERS:-$cache/build}
root=${QTSHM_ROOT:-/var/cache/qtshm-go/trixie-root}
bin=$cache/bench/bin
log() { printf '[bench] %s\n' "$*" >&2; }

setup=true
args=()
for a in "$@"; do
  case $a in
  --no-setup) setup=false ;;
  *) args+=("$a") ;;
  esac
done

if $setup; then
  log "scripts/setup.sh (incremental; the Windows tier is not needed here)"
  QTSHM_SKIP_WINDOWS=${QTSHM_SKIP_WINDOWS:-1} bash scripts/setup.sh
fi

log "building the Go side: pure, native Qt 5.15 (-tags qt5), native Qt 6.4 (-tags qt6)"
mkdir -p "$bin"
CGO_ENABLED=0 go build -o "$bin/bench-pure" ./internal/cmd/bench
CGO_ENABLED=1 go build -tags qt5 -o "$bin/bench-qt5" ./internal/cmd/bench
CGO_ENABLED=1 go build -tags qt6 -o "$bin/bench-qt6" ./internal/cmd/bench

# The Go side on Qt 6.8.2: built inside the Debian 13 root against its Qt, as scripts/setup.sh
# builds the Qt 6.8 test binaries (same root, same build directory, same loader and rpath; the
# sources there are the ones setup.sh copied last).
go68=()
clone_id=$(pwd -P | sha256sum | cut -c1-16)
inroot=/qtshm/$clone_id
if [ "$(id -u)" -eq 0 ] && [ -f "$root/.qtshm-ready" ] && [ -d "$root$inroot/src" ]; then
  log "building the Go side on Qt 6.8 (inside the root, cgo, -tags qt6)"
  gobin=$(command -v go) goroot=$(go env GOROOT) modcache=$(go env GOMODCACHE)
  ld=$root/lib64/ld-linux-x86-64.so.2
  rpath=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
  mkdir -p "$root$inroot/go" "$root$inroot/gomod" "$root$inroot/gocache" "$root$inroot/gotmp" "$root$inroot/build"
  cat >"$root$inroot/benchbuild.sh" <<SH
set -eu
umask 022
export PATH=$inroot/go/bin:/usr/bin:/bin HOME=$inroot GOROOT=$inroot/go GOMODCACHE=$inroot/gomod
export GOCACHE=$inroot/gocache GOTMPDIR=$inroot/gotmp TMPDIR=$inroot/gotmp GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off GOFLAGS= CGO_ENABLED=1
cd $inroot/src
go build -tags qt6 -ldflags='-extldflags "-Wl,--dynamic-linker=$ld -Wl,--disable-new-dtags -Wl,-rpath=$rpath"' -o $inroot/build/bench-qt68 ./internal/cmd/bench
SH
  if unshare --mount --propagation private sh -c '
      mount --bind -o ro "$1" "$3$4/go" && mount --bind -o ro "$2" "$3$4/gomod" &&
      exec chroot "$3" sh "$4/benchbuild.sh"' sh "$goroot" "$modcache" "$root" "$inroot" >"$cache/bench/qt68-go.log" 2>&1; then
    install -m 0755 "$root$inroot/build/bench-qt68" "$bin/bench-qt68"
    go68=(--go-qt68 "$bin/bench-qt68")
  else
    tail -n 20 "$cache/bench/qt68-go.log" >&2
    log "could not build the Go side on Qt 6.8 (log: $cache/bench/qt68-go.log)"
  fi
else
  log "not building the Go side on Qt 6.8 (needs root and the Debian 13 root with this clone's sources: scripts/setup.sh)"
fi

run=("$bin/bench-pure" run --peers "$peers" --go-qt5 "$bin/bench-qt5" --go-qt6 "$bin/bench-qt6" "${go68[@]}" --out "$cache/bench")
[ "${CI:-}" = true ] && run+=(--require-all)
run+=("${args[@]}")
if [ "$(id -u)" -eq 0 ] && unshare --ipc --mount true 2>/dev/null; then
  # Private IPC and mount namespaces; Qt's key files go to a private tmpfs, so that creating
  # and removing them does not wait on the disk's journal (on this VM /tmp is ext4, and other
  # work writing to the disk made Create+Close vary tenfold).
  mkdir -p "$cache/bench/tmp"
  QTSHM_BENCH_PRIVATE_IPC=1 exec unshare --ipc --mount --propagation private sh -c \
    'mount -t tmpfs -o size=16m,mode=0755 qtshm-bench "$1" && shift && exec "$@"' sh "$cache/bench/tmp" "${run[@]}" --tmpdir "$cache/bench/tmp"
fi
exec "${run[@]}"
