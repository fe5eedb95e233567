#!/usr/bin/env bash
# test.sh — everything: installs what it needs (scripts/setup.sh: Debian's Qt 5.15 and 6.4, a
# Debian 13 root with Qt 6.8, the cmake/ programs), then vet, the pure build without cgo, the
# unit, multi-process and interop tests with the pure backend and with the native backend for
# Qt 5 and for Qt 6, and the race detector.
#
# With CI=true a missing Qt version, peer program, root or privilege fails the run.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH=$PATH:/usr/local/go/bin
export QTSHM_CACHE=${QTSHM_CACHE:-$repo/.cache}
export QTSHM_PEERS=$QTSHM_CACHE/build
step() { printf '\n=== %s\n' "$*"; }

step "setup (packages, Qt 6.8 root, Qt programs)"
start=$(date +%s)
bash scripts/setup.sh
echo "setup took $(( $(date +%s) - start ))s"

step "go vet (no tags, qt5, qt6)"
go vet ./...
go vet -tags qt5 ./...
go vet -tags qt6 ./...

step "pure build and tests without cgo (no Qt needed)"
CGO_ENABLED=0 go build ./...
CGO_ENABLED=0 go test -count=1 ./...

step "tests with the native backend on Qt 5.15 (-tags qt5)"
go test -count=1 -tags qt5 ./...

step "tests with the native backend on Qt 6.4 (-tags qt6), race detector"
go test -count=1 -race -tags qt6 ./...

echo "total $(( $(date +%s) - start ))s"
