//go:build linux && !android && !(386 || arm || mips || mipsle)

package ipc

import (
	"time"

	"golang.org/x/sys/unix"
)

// semtimedop on a 64-bit architecture: struct timespec has 64-bit seconds everywhere.
func semtimedop(id int, op *Sembuf, timeout time.Duration) error {
	ts := unix.NsecToTimespec(int64(timeout))
	return semtimedopNative(id, op, &ts)
}
