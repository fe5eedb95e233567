#!/usr/bin/env bash
# test.sh — everything: installs what it needs (scripts/setup.sh: Debian's Qt 5.15 and 6.4, a
# Debian 13 root with Qt 6.8, the cmake/ programs), then vet, the cross-build matrix,
# staticcheck, the pure build without cgo, the unit, multi-process and interop tests with the
# pure backend and with the native backend for Qt 5, Qt 6.4 and Qt 6.8, linux/386, and the race
# detector.
#
# With CI=true a missing Qt version, peer program, root or privilege fails the run.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH=$PATH:/usr/local/go/bin
export QTSHM_CACHE=${QTSHM_CACHE:-$repo/.cache}
export QTSHM_PEERS=$QTSHM_CACHE/build
step() { printf '\n=== %s\n' "$*"; }

# What this machine has before the run: the suite must leave exactly this behind.
count_ipc() { ipcs -m -s 2>/dev/null | awk '$1 ~ /^0x/ {n++} END {print n+0}'; }
count_files() { find "${TMPDIR:-/tmp}/" -maxdepth 1 -name 'qipc_*' | wc -l; }
count_shm() { find /dev/shm/ -mindepth 1 -maxdepth 1 | wc -l; }
ipc_before=$(count_ipc) files_before=$(count_files) shm_before=$(count_shm)

step "setup (packages, Qt 6.8 root, Qt programs)"
start=$(date +%s)
bash scripts/setup.sh
echo "setup took $(( $(date +%s) - start ))s"

step "gofmt, go vet (no tags, qt5, qt6)"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "FAIL: not gofmt-clean: $unformatted"; exit 1; fi
go vet ./...
go vet -tags qt5 ./...
go vet -tags qt6 ./...

step "cross-build matrix: go build and go vet for every GOOS/GOARCH family"
bash scripts/crossbuild.sh

step "staticcheck (no tags, qt5, qt6)"
bash scripts/staticcheck.sh

# The interop suite builds its own Go peers (pure, native Qt 5, native Qt 6) and drives the Qt
# 5.15, 6.4 and 6.8 programs, whatever the tags of the test binary: it runs once, at the end.
unit=$(go list ./... | grep -v /interop_test)

step "pure build and tests without cgo (no Qt needed)"
CGO_ENABLED=0 go build ./...
CGO_ENABLED=0 go test -count=1 $unit

step "fuzz: QNativeIpcKey parsing and QDataStream decoding, bounded"
go test -run XXX -fuzz FuzzParseNativeIpcKey -fuzztime 10s ./qtshm/
go test -run XXX -fuzz FuzzReader -fuzztime 30s ./qdatastream/

step "linux/386 (the ipc(2) and 32-bit time paths, on this kernel): raw calls and the public suite"
GOARCH=386 CGO_ENABLED=0 go test -count=1 ./internal/ipc/ ./qtshm/

step "unit and multi-process tests, both backends, Qt 5.15 (-tags qt5)"
go test -count=1 -tags qt5 $unit

step "unit and multi-process tests, both backends, Qt 6.4 (-tags qt6), race detector"
go test -count=1 -race -tags qt6 $unit

step "unit and multi-process tests, both backends, Qt 6.8.2 (-tags qt6 linked against the Debian 13 root's Qt)"
# Built by scripts/setup.sh inside the root (cgo against its Qt 6.8.2); the binaries have the
# root's loader as ELF interpreter and its libraries as rpath, so they run here directly, and
# their re-executions (IPC namespace, helpers, the as-nobody copies) too. Run as go test would:
# in the package directory, -test.count=1.
if [ -x "$QTSHM_PEERS/qt68/qtshm.test" ]; then
  (cd internal/native && "$QTSHM_PEERS/qt68/native.test" -test.count=1 -test.timeout 5m)
  (cd qtshm && "$QTSHM_PEERS/qt68/qtshm.test" -test.count=1 -test.timeout 10m)
elif [ "${CI:-}" = true ]; then
  echo "FAIL: no Qt 6.8 test binaries in $QTSHM_PEERS/qt68 (scripts/setup.sh builds them)"; exit 1
else
  echo "skipped: no Qt 6.8 test binaries (QTSHM_SKIP_QT68=1?)"
fi

step "Windows tier: the Windows backend's unit tests and the public package's Windows tests, built for Windows, under Wine"
# The Go ↔ Qt-for-Windows scenarios are in the interop suite (interop_test/wine_test.go).
if [ -x "$QTSHM_PEERS/win/wine-run" ]; then
  for pkg in internal/winipc internal/local8bit internal/nativekey; do
    exe=$QTSHM_CACHE/build/win/$(basename "$pkg").test.exe
    GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$exe" "./$pkg"
    (cd "$pkg" && "$QTSHM_PEERS/win/wine-run" "$exe" -test.count=1 -test.timeout 5m)
  done
  # The public package's Windows tests (the rest of ./qtshm/ is about System V and POSIX).
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$QTSHM_CACHE/build/win/qtshm.test.exe" ./qtshm
  (cd qtshm && "$QTSHM_PEERS/win/wine-run" "$QTSHM_CACHE/build/win/qtshm.test.exe" -test.count=1 -test.timeout 5m -test.run '^TestWindows' -test.v) |
    grep -E '^(--- |ok|PASS|FAIL)'
  # Qt's local 8-bit under the Chinese ANSI code page 936 (Wine takes it from the locale).
  (cd internal/local8bit && LC_ALL=zh_CN.UTF-8 "$QTSHM_PEERS/win/wine-run" "$QTSHM_CACHE/build/win/local8bit.test.exe" -test.count=1 -test.timeout 5m -test.v) |
    grep -E '^(--- |ok|PASS|FAIL)'
elif [ "${CI:-}" = true ]; then
  echo "FAIL: no Windows tier in $QTSHM_PEERS/win (scripts/windows-setup.sh builds it)"; exit 1
else
  echo "skipped: no Windows tier (QTSHM_SKIP_WINDOWS=1?)"
fi

step "benchmark: lock+unlock in Go (pure, native) against Qt's own C++ loop, same run"
go test -run XXX -bench LockUnlockVsQt -benchtime 100000x ./interop_test/
bash scripts/bench.sh --no-setup --short # the whole harness once, tiny counts: it runs; its figures are not checked

step "interop: Go (pure, native Qt 5, native Qt 6) with Qt 5.15, 6.4 and 6.8 processes, race detector"
# -v names every Go × Qt pair that ran; the full log is kept in $QTSHM_CACHE/interop.log.
go test -count=1 -race -v -timeout 15m ./interop_test/ 2>&1 | tee "$QTSHM_CACHE/interop.log" | grep -vE '^=== (RUN|PAUSE|CONT)'

step "leftovers (ipcs -m -s, qipc_* files, /dev/shm) compared with before the run"
ipc_after=$(count_ipc) files_after=$(count_files) shm_after=$(count_shm)
echo "SysV segments and semaphore sets: $ipc_before before, $ipc_after after; qipc_* files: $files_before before, $files_after after; /dev/shm entries: $shm_before before, $shm_after after"
if [ "$ipc_after" -gt "$ipc_before" ] || [ "$files_after" -gt "$files_before" ] || [ "$shm_after" -gt "$shm_before" ]; then
  ipcs -m -s
  ls -la /dev/shm
  echo "FAIL: the run left IPC objects or key files behind"
  exit 1
fi

echo "total $(( $(date +%s) - start ))s"
