//go:build linux && (amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le)

package ipc

import (
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Semget is semget(2).
func Semget(key, nsems, flags int) (int, error) {
	id, _, e := unix.Syscall(unix.SYS_SEMGET, uintptr(key), uintptr(nsems), uintptr(flags))
	if e != 0 {
		return -1, e
	}
	return int(id), nil
}

// Semctl is semctl(2) for the commands whose fourth argument is an int or absent
// (SETVAL, GETVAL, GETPID, GETNCNT, GETZCNT, IPC_RMID).
func Semctl(id, num, cmd, val int) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), uintptr(num), uintptr(cmd), uintptr(val), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// Semtimedop is semtimedop(2) with one operation. A zero or negative timeout means no timeout
// (block until done). It is not retried on EINTR: the caller decides, since the remaining time
// must be recomputed. On timeout it returns EAGAIN.
func Semtimedop(id int, op Sembuf, timeout time.Duration) error {
	var tsp *unix.Timespec
	var ts unix.Timespec
	if timeout > 0 {
		ts = unix.NsecToTimespec(int64(timeout))
		tsp = &ts
	}
	_, _, e := unix.Syscall6(unix.SYS_SEMTIMEDOP, uintptr(id), uintptr(unsafe.Pointer(&op)), 1,
		uintptr(unsafe.Pointer(tsp)), 0, 0)
	runtime.KeepAlive(&op)
	runtime.KeepAlive(tsp)
	if e != 0 {
		return e
	}
	return nil
}
