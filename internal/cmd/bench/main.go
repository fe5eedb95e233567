//go:build linux

// Command bench (Linux only) is the benchmark harness of qtshm-go (scripts/bench.sh runs it): the same
// operations in pure Go, in Go on the native backend (Qt 5.15, 6.4, 6.8 through the shim) and
// in C++ with Qt's own QSharedMemory (cmake/qtshm_bench.cpp, Qt 5.15, 6.4, 6.8), in one run,
// interleaved, reported as a Markdown table with ratios to C++ Qt 5.15 and a PNG chart.
//
//	bench run [--peers DIR] [--go-qt5 BIN] [--go-qt6 BIN] [--go-qt68 BIN] [--out DIR] [--rounds N] [--short]
//	bench OP --key K [--n N] [--size S] …     one worker loop (the operations of cmake/qtshm_bench.cpp)
//
// The same program is the driver and, built with the pure backend or with -tags qt5 / qt6, the
// Go worker: each measurement is one worker process that times its own loop and prints one JSON
// line. See README.md, "Performance".
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench run [flags] | bench OP --key K [--n N] [--size S]")
		os.Exit(2)
	}
	if os.Args[1] == "run" {
		os.Exit(runDriver(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(runWorker(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
