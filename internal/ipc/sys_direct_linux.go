//go:build linux && !android && !(386 || mips || mipsle || ppc64 || ppc64le || s390x)

package ipc

// The direct System V syscalls: amd64, arm64, riscv64, loong64, arm, mips64, mips64le (see the
// package doc). Shared memory goes through golang.org/x/sys, which makes the same calls.

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// statCmd is the IPC_STAT command for the direct semctl/shmctl: arm's and mips64's are the old
// entry points that want IPC_64; the others reject it.
func statCmd() int {
	if runtime.GOARCH == "arm" || runtime.GOARCH == "mips64" || runtime.GOARCH == "mips64le" {
		return IPC_STAT | ipc64
	}
	return IPC_STAT
}

func semget(key, nsems, flags int) (int, error) {
	id, _, e := unix.Syscall(unix.SYS_SEMGET, uintptr(key), uintptr(nsems), uintptr(flags))
	if e != 0 {
		return -1, e
	}
	return int(id), nil
}

func semctl(id, num, cmd int, arg uintptr) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), uintptr(num), uintptr(cmd), arg, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func semctlStat(id int, ds *semid64ds) error {
	_, _, e := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), 0, uintptr(statCmd()), uintptr(unsafe.Pointer(ds)), 0, 0)
	return errnoErr(e)
}

func semop(id int, op *Sembuf) error {
	_, _, e := unix.Syscall(unix.SYS_SEMOP, uintptr(id), uintptr(unsafe.Pointer(op)), 1)
	return errnoErr(e)
}

// semtimedopNative is semtimedop with the architecture's own struct timespec (32-bit on arm).
func semtimedopNative(id int, op *Sembuf, ts *unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_SEMTIMEDOP, uintptr(id), uintptr(unsafe.Pointer(op)), 1,
		uintptr(unsafe.Pointer(ts)), 0, 0)
	return errnoErr(e)
}

func shmget(key, size, flags int) (int, error) { return unix.SysvShmGet(key, size, flags) }

func shmat(id, flags int) ([]byte, error) { return unix.SysvShmAttach(id, 0, flags) }

func shmdt(b []byte) error { return unix.SysvShmDetach(b) }

// shmctlStat uses x/sys, which adds IPC_64 on arm and mips64 like statCmd.
func shmctlStat(id int, d *unix.SysvShmDesc) error {
	_, err := unix.SysvShmCtl(id, unix.IPC_STAT, d)
	return err
}

func shmctlRemove(id int) error {
	_, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	return err
}
