#!/usr/bin/env bash
# staticcheck.sh — staticcheck over ./... for every tag set: none (the pure backend), qt5 and
# qt6 (the native backend; cgo and the Qt development packages, which scripts/setup.sh installs).
#
# staticcheck is installed from the Go module proxy into $QTSHM_CACHE/bin (default
# <repo>/.cache/bin) once per version. Exits 1 when it reports anything for any tag set.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH=$PATH:/usr/local/go/bin

# honnef.co/go/tools v0.8.2 is staticcheck 2026.2.2; v0.8.0 is the first release built for
# Go 1.26 (its go.mod says go 1.26.0, v0.7.0's go 1.25.0).
version=v0.8.2
bin=${QTSHM_CACHE:-$repo/.cache}/bin
sc=$bin/staticcheck
if ! "$sc" -version 2>/dev/null | grep -qF "(${version#v})"; then
  echo "installing staticcheck $version into $bin"
  GOBIN=$bin GOFLAGS= go install "honnef.co/go/tools/cmd/staticcheck@$version" || exit 1
fi
"$sc" -version

failed=()
for tags in "" qt5 qt6; do
  echo "=== staticcheck -tags '$tags' ./..."
  if ! "$sc" -tags "$tags" ./...; then
    failed+=("'$tags'")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "staticcheck: findings (or errors) with tags ${failed[*]}"
  exit 1
fi
echo "staticcheck: clean with tags '', qt5, qt6"
