//go:build !(linux && (amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le))

package ipc

import (
	"time"

	"golang.org/x/sys/unix"
)

// Semget fails with ENOSYS on this platform.
func Semget(key, nsems, flags int) (int, error) { return -1, unix.ENOSYS }

// Semctl fails with ENOSYS on this platform.
func Semctl(id, num, cmd, val int) (int, error) { return -1, unix.ENOSYS }

// Semtimedop fails with ENOSYS on this platform.
func Semtimedop(id int, op Sembuf, timeout time.Duration) error { return unix.ENOSYS }
