#!/usr/bin/env bash
# demo.sh — the article's demo, both directions, with real Qt programs:
#   1. the Qt writer (cmake/article_writer.cpp, Qt 5.15) → the Go reader (qtshm reader)
#   2. the Go writer (qtshm writer) → the Qt reader (cmake/article_reader.cpp, Qt 6.4)
# Installs and builds what it needs first (scripts/setup.sh). Options: TICKS (default 3),
# QT_WRITER / QT_READER (qt5, qt6 or qt68; defaults qt5 and qt6).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${QTSHM_CACHE:-$repo/.cache}
ticks=${TICKS:-3}
qt_writer=${QT_WRITER:-qt5}
qt_reader=${QT_READER:-qt6}
export LANG=C.UTF-8 LC_ALL=C.UTF-8 QT_MESSAGE_PATTERN='%{message}'

QTSHM_SKIP_QT68=${QTSHM_SKIP_QT68:-1} bash "$repo/scripts/setup.sh"
export PATH=$PATH:/usr/local/go/bin
mkdir -p "$cache/bin"
(cd "$repo" && CGO_ENABLED=0 go build -o "$cache/bin/qtshm" ./cmd/qtshm)
gobin=$cache/bin/qtshm
keyfile=$("$gobin" key MySharedMemoryKey | awk '/shared memory/ {print $3}')

wait_for_segment() { for _ in $(seq 100); do [ -e "$keyfile" ] && return 0; sleep 0.05; done; echo "no segment appeared" >&2; return 1; }

echo "== 1. Qt writer ($qt_writer) → Go reader =="
"$cache/build/$qt_writer/article-writer" --ticks $((ticks + 2)) 2>&1 | sed -u "s/^/[Qt writer] /" &
writer=$!
wait_for_segment
sleep 0.5
"$gobin" reader --ticks "$ticks" | sed -u 's/^/[Go reader] /'
wait $writer

echo
echo "== 2. Go writer → Qt reader ($qt_reader) =="
"$gobin" writer --ticks $((ticks + 2)) | sed -u 's/^/[Go writer] /' &
writer=$!
wait_for_segment
sleep 0.5
"$cache/build/$qt_reader/article-reader" --ticks "$ticks" 2>&1 | sed -u "s/^/[Qt reader] /"
wait $writer
