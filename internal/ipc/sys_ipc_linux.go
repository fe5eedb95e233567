//go:build linux && !android && (386 || mips || mipsle || ppc64 || ppc64le || s390x)

package ipc

// The ipc(2) multiplexer: 386, mips, mipsle, ppc64, ppc64le, s390x (see the package doc).
// Its arguments are (call, first, second, third, ptr, fifth), as in the kernel's ipc/syscall.c.
// Every call that cannot wait goes through unix.RawSyscall6 (see the package doc's "Raw system
// calls"); only a semop or semtimedop that may block uses unix.Syscall6.

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Call numbers of ipc(2) (linux/ipc.h).
const (
	callSemop      = 1
	callSemget     = 2
	callSemctl     = 3
	callSemtimedop = 4
	callShmat      = 21
	callShmdt      = 22
	callShmget     = 23
	callShmctl     = 24
)

// ipcCall is ipc(call, first, second, third, ptr, 0) for a call that cannot wait. A pointer in
// third or fifth must be converted in the argument list of the syscall function itself, so the
// calls that need one make it directly.
func ipcCall(call, first, second, third int, ptr unsafe.Pointer) (uintptr, unix.Errno) {
	r, _, e := unix.RawSyscall6(unix.SYS_IPC, uintptr(call), uintptr(first), uintptr(second), uintptr(third),
		uintptr(ptr), 0)
	return r, e
}

func semget(key, nsems, flags int) (int, error) {
	id, e := ipcCall(callSemget, key, nsems, flags, nil)
	if e != 0 {
		return -1, e
	}
	return int(id), nil
}

// semctl: the multiplexer takes a pointer to the union semun (it must not be nil even for
// commands that ignore it).
func semctl(id, num, cmd int, arg uintptr) (int, error) {
	r, e := ipcCall(callSemctl, id, num, cmd, unsafe.Pointer(&arg))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func semctlStat(id int, ds *semid64ds) error {
	arg := unsafe.Pointer(ds) // the union semun, holding its buf member
	_, e := ipcCall(callSemctl, id, 0, IPC_STAT|ipc64, unsafe.Pointer(&arg))
	runtime.KeepAlive(ds)
	return errnoErr(e)
}

// semop is a semop that may wait: the scheduler is told (unix.Syscall6).
func semop(id int, op *Sembuf) error {
	_, _, e := unix.Syscall6(unix.SYS_IPC, callSemop, uintptr(id), 1, 0, uintptr(unsafe.Pointer(op)), 0)
	return errnoErr(e)
}

// semopNoWait is a semop that cannot wait (IPC_NOWAIT, or a sem_op > 0).
func semopNoWait(id int, op *Sembuf) error {
	_, e := ipcCall(callSemop, id, 1, 0, unsafe.Pointer(op))
	return errnoErr(e)
}

// semtimedopNative is ipc(SEMTIMEDOP) with the architecture's own struct timespec (32-bit on
// 386 and mips). The timeout goes in third (s390x) and in fifth (the others).
func semtimedopNative(id int, op *Sembuf, ts *unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_IPC, callSemtimedop, uintptr(id), 1, uintptr(unsafe.Pointer(ts)),
		uintptr(unsafe.Pointer(op)), uintptr(unsafe.Pointer(ts)))
	return errnoErr(e)
}

func shmget(key, size, flags int) (int, error) {
	id, e := ipcCall(callShmget, key, size, flags, nil)
	if e != 0 {
		return -1, e
	}
	return int(id), nil
}

// shmatAddr: the multiplexer stores the address it mapped in *third.
func shmatAddr(id, flags int) (unsafe.Pointer, error) {
	var addr unsafe.Pointer
	_, _, e := unix.RawSyscall6(unix.SYS_IPC, callShmat, uintptr(id), uintptr(flags), uintptr(unsafe.Pointer(&addr)), 0, 0)
	if e != 0 {
		return nil, e
	}
	return addr, nil
}

func shmdtAddr(addr unsafe.Pointer) error {
	_, e := ipcCall(callShmdt, 0, 0, 0, addr)
	return errnoErr(e)
}

func shmctlStat(id int, d *unix.SysvShmDesc) error {
	_, e := ipcCall(callShmctl, id, IPC_STAT|ipc64, 0, unsafe.Pointer(d))
	return errnoErr(e)
}

func shmctlRemove(id int) error {
	_, e := ipcCall(callShmctl, id, IPC_RMID, 0, nil)
	return errnoErr(e)
}
