#!/usr/bin/env bash
# crossbuild.sh — `go build ./...` and `go vet ./...` with CGO_ENABLED=0 for every target the
# module must compile on (the pure backend; where it has no implementation it returns an error
# wrapping errors.ErrUnsupported, but it compiles).
#
#   scripts/crossbuild.sh                  # the whole matrix
#   scripts/crossbuild.sh linux/386 js/wasm  # some targets
#
# Prints one line per target: "ok" or "FAIL" with the step (build, vet) and the packages that
# failed; the full output of a failing step is kept in $QTSHM_CACHE/crossbuild/. Exits 1 when
# any target fails, naming them all.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH=$PATH:/usr/local/go/bin
logs=${QTSHM_CACHE:-$repo/.cache}/crossbuild
mkdir -p "$logs"

targets=(
  linux/amd64 linux/arm64 linux/386 linux/arm linux/riscv64 linux/ppc64le linux/s390x
  linux/mips64le linux/loong64
  # each of these compiles a different internal/ipc variant: mips o32's semid64_ds, the
  # ipc(2) path on big-endian ppc64, mips64's old semctl; Android has no System V IPC
  linux/mips linux/ppc64 linux/mips64 android/arm64
  darwin/amd64 darwin/arm64
  windows/amd64 windows/arm64 windows/386
  freebsd/amd64 freebsd/arm64 openbsd/amd64 netbsd/amd64
  solaris/amd64 illumos/amd64 aix/ppc64 plan9/amd64
  js/wasm wasip1/wasm
)
[ $# -gt 0 ] && targets=("$@")

module=$(go list -m)

# packages names the packages a failed go build/vet reports, on one line, from its "# pkg"
# headers and its "package pkg: ..." / "pkg: ..." load errors.
packages() {
  sed -nE -e '/^# \[/d' -e 's/^# ([^ ]+).*/\1/p' -e 's/^package ([^ :]+).*/\1/p' \
    -e "s|^(${module//./\\.}[^ :]*): .*|\\1|p" "$1" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

failed=()
for t in "${targets[@]}"; do
  goos=${t%/*} goarch=${t#*/}
  line="ok"
  for step in build vet; do
    log=$logs/${goos}_${goarch}.$step.log
    if ! CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go "$step" ./... >"$log" 2>&1; then
      [ "$line" = ok ] && line="FAIL"
      line+=" $step: $(packages "$log") (log: ${log#"$repo"/})"
    else
      rm -f "$log"
    fi
  done
  printf '%-16s %s\n' "$t" "$line"
  [ "$line" = ok ] || failed+=("$t")
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "crossbuild: ${#failed[@]} of ${#targets[@]} targets fail: ${failed[*]}"
  exit 1
fi
echo "crossbuild: all ${#targets[@]} targets build and vet"
