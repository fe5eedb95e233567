//go:build linux && !android && (386 || arm || mips || mipsle)

package ipc

import (
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// timespec64 is struct __kernel_timespec, the timeout of semtimedop_time64.
type timespec64 struct {
	sec  int64
	nsec int64
}

// noTime64 is set once the kernel answered ENOSYS to semtimedop_time64 (Linux before 5.1):
// from then on only the old call is used.
var noTime64 atomic.Bool

// semtimedop on a 32-bit architecture: semtimedop_time64 first, like glibc, then the old call
// with a 32-bit struct timespec. The timeout is relative, so clamping it to 2³¹-1 s (68 years)
// loses nothing.
func semtimedop(id int, op *Sembuf, timeout time.Duration) error {
	sec, nsec := int64(timeout/time.Second), int64(timeout%time.Second)
	if !noTime64.Load() {
		ts := timespec64{sec: sec, nsec: nsec}
		_, _, e := unix.Syscall6(unix.SYS_SEMTIMEDOP_TIME64, uintptr(id), uintptr(unsafe.Pointer(op)), 1,
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		if e != unix.ENOSYS {
			return errnoErr(e)
		}
		noTime64.Store(true)
	}
	sec = min(sec, math.MaxInt32)
	ts := unix.Timespec{Sec: int32(sec), Nsec: int32(nsec)}
	return semtimedopNative(id, op, &ts)
}
