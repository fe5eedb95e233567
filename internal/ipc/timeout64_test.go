//go:build linux && !android && !(386 || arm || mips || mipsle)

package ipc

import "testing"

// timeoutPaths: a 64-bit architecture has one timed call.
var timeoutPaths = []struct {
	name string
	use  func(t *testing.T)
}{
	{"semtimedop", func(t *testing.T) {}},
}
