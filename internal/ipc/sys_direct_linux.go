//go:build linux && !android && !(386 || mips || mipsle || ppc64 || ppc64le || s390x)

package ipc

// The direct System V syscalls: amd64, arm64, riscv64, loong64, arm, mips64, mips64le (see the
// package doc). Every call that cannot wait goes through unix.RawSyscall (see the package doc's
// "Raw system calls"); only a semop that may block uses unix.Syscall.

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// statCmd is the IPC_STAT command for the direct semctl/shmctl: arm's and mips64's are the old
// entry points that want IPC_64; the others reject it (x/sys's SysvShmCtl does the same).
func statCmd() int {
	if runtime.GOARCH == "arm" || runtime.GOARCH == "mips64" || runtime.GOARCH == "mips64le" {
		return IPC_STAT | ipc64
	}
	return IPC_STAT
}

func semget(key, nsems, flags int) (int, error) {
	id, _, e := unix.RawSyscall(unix.SYS_SEMGET, uintptr(key), uintptr(nsems), uintptr(flags))
	if e != 0 {
		return -1, e
	}
	return int(id), nil
}

func semctl(id, num, cmd int, arg uintptr) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_SEMCTL, uintptr(id), uintptr(num), uintptr(cmd), arg, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func semctlStat(id int, ds *semid64ds) error {
	_, _, e := unix.RawSyscall6(unix.SYS_SEMCTL, uintptr(id), 0, uintptr(statCmd()), uintptr(unsafe.Pointer(ds)), 0, 0)
	return errnoErr(e)
}

// semop is a semop that may wait: the scheduler is told (unix.Syscall), so that the thread's
// P runs other goroutines meanwhile.
func semop(id int, op *Sembuf) error {
	_, _, e := unix.Syscall(unix.SYS_SEMOP, uintptr(id), uintptr(unsafe.Pointer(op)), 1)
	return errnoErr(e)
}

// semopNoWait is a semop that cannot wait (IPC_NOWAIT, or a sem_op > 0).
func semopNoWait(id int, op *Sembuf) error {
	_, _, e := unix.RawSyscall(unix.SYS_SEMOP, uintptr(id), uintptr(unsafe.Pointer(op)), 1)
	return errnoErr(e)
}

// semtimedopNative is semtimedop with the architecture's own struct timespec (32-bit on arm).
func semtimedopNative(id int, op *Sembuf, ts *unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_SEMTIMEDOP, uintptr(id), uintptr(unsafe.Pointer(op)), 1,
		uintptr(unsafe.Pointer(ts)), 0, 0)
	return errnoErr(e)
}

func shmget(key, size, flags int) (int, error) {
	id, _, e := unix.RawSyscall(unix.SYS_SHMGET, uintptr(key), uintptr(size), uintptr(flags))
	if e != 0 {
		return -1, e
	}
	return int(id), nil
}

// shmatAddr maps segment id anywhere and returns the address.
func shmatAddr(id, flags int) (unsafe.Pointer, error) {
	addr, _, e := unix.RawSyscall(unix.SYS_SHMAT, uintptr(id), 0, uintptr(flags))
	if e != 0 {
		return nil, e
	}
	return mappedAt(addr), nil
}

func shmdtAddr(addr unsafe.Pointer) error {
	_, _, e := unix.RawSyscall(unix.SYS_SHMDT, uintptr(addr), 0, 0)
	return errnoErr(e)
}

// shmctlStat fills x/sys's SysvShmDesc, the architecture's struct shmid64_ds.
func shmctlStat(id int, d *unix.SysvShmDesc) error {
	_, _, e := unix.RawSyscall(unix.SYS_SHMCTL, uintptr(id), uintptr(statCmd()), uintptr(unsafe.Pointer(d)))
	return errnoErr(e)
}

func shmctlRemove(id int) error {
	_, _, e := unix.RawSyscall(unix.SYS_SHMCTL, uintptr(id), IPC_RMID, 0)
	return errnoErr(e)
}
