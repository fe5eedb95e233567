//go:build linux && !android && (386 || arm || mips || mipsle)

package ipc

import (
	"testing"
	"unsafe"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/sys/unix"
)

// timeoutPaths are the two timed calls of a 32-bit architecture.
var timeoutPaths = []struct {
	name string
	use  func(t *testing.T)
}{
	{"semtimedop_time64", func(t *testing.T) {
		// Probe: with semid -1 a kernel that has the call answers EINVAL.
		op := Sembuf{Op: 1}
		_, _, e := unix.Syscall6(unix.SYS_SEMTIMEDOP_TIME64, ^uintptr(0), uintptr(unsafe.Pointer(&op)), 1, 0, 0, 0)
		testenv.Require(t, e != unix.ENOSYS, "semtimedop_time64 (Linux 5.1+)")
		if e != unix.EINVAL {
			t.Fatalf("semtimedop_time64(-1) = %v, want EINVAL", e)
		}
		t.Cleanup(func() {
			if noTime64.Load() {
				t.Error("the time64 path fell back to the 32-bit timespec")
			}
		})
	}},
	{"timespec32", func(t *testing.T) {
		old := noTime64.Load()
		noTime64.Store(true)
		t.Cleanup(func() { noTime64.Store(old) })
	}},
}
