//go:build linux && !android

package ipc

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Semget is semget(2).
func Semget(key, nsems, flags int) (int, error) { return semget(key, nsems, flags) }

// Semctl is semctl(2) for the commands whose fourth argument is an int or absent: SETVAL,
// GETVAL, GETPID, GETNCNT, GETZCNT and IPC_RMID; val is used by SETVAL only. Any other
// command fails with EINVAL before the kernel sees it (IPC_STAT is [Semstat]).
func Semctl(id, num, cmd, val int) (int, error) {
	switch cmd {
	case SETVAL, GETVAL, GETPID, GETNCNT, GETZCNT, IPC_RMID:
	default:
		return -1, unix.EINVAL
	}
	return semctl(id, num, cmd, semunInt(val))
}

// Semstat is semctl(IPC_STAT): the owner, creator, mode, times and size of a semaphore set.
func Semstat(id int) (SemDesc, error) {
	var ds semid64ds
	if err := semctlStat(id, &ds); err != nil {
		return SemDesc{}, err
	}
	return ds.desc(), nil
}

// Semtimedop is semtimedop(2) with one operation. A zero or negative timeout means no timeout
// (block until done). It is not retried on EINTR: the caller decides, since the remaining time
// must be recomputed. EINTR does happen without any signal of the program's own: the Go
// runtime's preemption signal (SIGURG) interrupts a blocked wait now and then. On timeout it
// returns EAGAIN.
//
// An operation that cannot wait — IPC_NOWAIT, or a positive sem_op, which never waits — is made
// with a raw system call (see the package doc), whatever the timeout.
func Semtimedop(id int, op Sembuf, timeout time.Duration) error {
	if op.Flg&IPC_NOWAIT != 0 || op.Op > 0 {
		return semopNoWait(id, &op)
	}
	if timeout <= 0 {
		return semop(id, &op)
	}
	return semtimedop(id, &op, timeout)
}

// semunInt is the argument word of semctl for a union semun holding an int. The kernel reads
// the union as an unsigned long; C puts the int in the union's first four bytes, which is the
// high half of the word on a 64-bit big-endian machine (the kernel then shifts it down).
func semunInt(v int) uintptr {
	var u uintptr
	*(*int32)(unsafe.Pointer(&u)) = int32(v)
	return u
}

// errnoErr turns a raw errno into the error the functions return: nil for 0.
func errnoErr(e unix.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}
