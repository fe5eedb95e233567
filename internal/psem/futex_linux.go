//go:build linux && !android

package psem

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The futex operations glibc uses for a semaphore from sem_open. private is FUTEX_SHARED
// (= futexPrivateFlag), and glibc computes (op | FUTEX_PRIVATE_FLAG) ^ private: the
// process-shared operations, without the flag.
const (
	futexWake           = 1
	futexWaitBitset     = 9
	futexPrivateFlag    = 128
	futexBitsetMatchAny = 0xffffffff

	// futexShared is the private field of a semaphore made by sem_open (glibc's FUTEX_SHARED,
	// LLL_SHARED = FUTEX_PRIVATE_FLAG).
	futexShared = futexPrivateFlag
)

// futexWait sleeps while *addr == val, at most until the absolute CLOCK_MONOTONIC time abs
// (FUTEX_WAIT_BITSET without FUTEX_CLOCK_REALTIME, as glibc's sem_clockwait(CLOCK_MONOTONIC)).
// It returns nil on a wake-up (real or spurious) and the errno otherwise: EAGAIN (*addr was not
// val), ETIMEDOUT, EINTR, EFAULT (the mapping lost its page: the file was truncated).
func futexWait(addr *uint32, val uint32, abs *unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWaitBitset,
		uintptr(val), uintptr(unsafe.Pointer(abs)), 0, futexBitsetMatchAny)
	if e != 0 {
		return e
	}
	return nil
}

// futexWakeN wakes up to n waiters sleeping on addr, in any process. Like glibc it ignores
// the errors a wake can report (EFAULT, EINVAL).
func futexWakeN(addr *uint32, n uint32) {
	if n > 1<<31-1 {
		n = 1<<31 - 1
	}
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWake, uintptr(n), 0, 0, 0)
}

// monotonicIn returns the CLOCK_MONOTONIC time d from now.
func monotonicIn(d time.Duration) (unix.Timespec, error) {
	var now unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &now); err != nil {
		return now, err
	}
	return unix.NsecToTimespec(now.Nano() + d.Nanoseconds()), nil
}

var errOverflow error = unix.EOVERFLOW
