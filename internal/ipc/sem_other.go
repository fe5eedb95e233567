//go:build !(linux && (amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le))

package ipc

import (
	"time"

	"golang.org/x/sys/unix"
)

// Flags and commands of the System V semaphore calls; on this platform every call fails with
// ENOSYS (qtshm-go's SysV backend supports 64-bit Linux only).
const (
	IPC_CREAT  = 0x200
	IPC_EXCL   = 0x400
	IPC_NOWAIT = 0x800
	IPC_RMID   = 0
	IPC_STAT   = 2
	SEM_UNDO   = 0x1000
	GETPID     = 11
	GETVAL     = 12
	GETNCNT    = 14
	GETZCNT    = 15
	SETVAL     = 16
)

// Sembuf is struct sembuf.
type Sembuf struct {
	Num uint16
	Op  int16
	Flg int16
}

// Semget fails with ENOSYS on this platform.
func Semget(key, nsems, flags int) (int, error) { return -1, unix.ENOSYS }

// Semctl fails with ENOSYS on this platform.
func Semctl(id, num, cmd, val int) (int, error) { return -1, unix.ENOSYS }

// Semtimedop fails with ENOSYS on this platform.
func Semtimedop(id int, op Sembuf, timeout time.Duration) error { return unix.ENOSYS }
