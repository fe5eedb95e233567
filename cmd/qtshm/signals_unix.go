//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// stopSignals stop the programs cleanly.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

// brokenPipe reports whether err is a write to a closed stdout.
func brokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }
