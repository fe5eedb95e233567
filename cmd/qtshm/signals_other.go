//go:build !unix

package main

import "os"

// stopSignals stop the programs cleanly.
var stopSignals = []os.Signal{os.Interrupt}

// brokenPipe reports whether err is a write to a closed stdout; not detected here.
func brokenPipe(err error) bool { return false }
