// Package psem implements POSIX named semaphores (sem_open, sem_wait, sem_post, sem_unlink)
// in pure Go, byte for byte as glibc does them, so that a Go process and a C or Qt process
// linked against glibc can share one semaphore and wake each other. It uses no cgo: the
// semaphore is a small file in /dev/shm mapped into memory, and waits and wake-ups are futex
// system calls on that memory.
//
// # glibc's format and protocol (2.36 and 2.41 agree)
//
// The semaphore "/NAME" is the file /dev/shm/sem.NAME: leading slashes are dropped; the rest
// must be non-empty and contain no '/' (EINVAL). glibc allows NAME up to NAME_MAX (255)
// bytes (longer: ENAMETOOLONG in 2.41, EINVAL in 2.36), but the file name "sem.NAME" must fit
// in NAME_MAX too, so open(2) refuses 252 to 255 bytes with ENAMETOOLONG. The file holds one
// sem_t:
//
//   - where glibc has 64-bit atomics (every 64-bit Linux architecture Go supports), sem_t is 32
//     bytes and starts with struct new_sem { uint64 data; int32 private; int32 pad }: the low 32
//     bits of data are the value, the high 32 bits the number of waiters (SEM_NWAITERS_SHIFT =
//     32). The futex word is the 32-bit half holding the value (the first on little-endian, the
//     second on big-endian machines);
//   - on 32-bit architectures (386, arm, mips) sem_t is 16 bytes: { uint32 value; int32
//     private; int32 pad; uint32 nwaiters }, the value shifted left by one (SEM_VALUE_SHIFT)
//     with bit 0 meaning "there may be waiters". The futex word is value.
//
// private is FUTEX_SHARED, which on Linux is 128 (FUTEX_PRIVATE_FLAG): glibc computes a futex
// operation as (op | FUTEX_PRIVATE_FLAG) ^ private, so a semaphore from sem_open uses the
// process-shared futex operations, without FUTEX_PRIVATE_FLAG. This package always uses the
// shared operations. SEM_VALUE_MAX is 0x7fffffff.
//
// sem_open creates a semaphore by opening a temporary file /dev/shm/sem.XXXXXX (six random
// letters or digits; O_RDWR|O_CREAT|O_EXCL with the caller's mode, so the umask applies;
// glibc 2.41 adds O_NOFOLLOW|O_CLOEXEC, up to 50 names tried, then EAGAIN), writing the
// whole sem_t with write(2), mapping it, and then link(2)ing it to the final name, so nobody
// ever sees a half-initialised semaphore; the temporary name is always unlinked. If link
// fails with EEXIST and O_EXCL was not given, it opens the existing semaphore instead. An
// existing semaphore is opened O_RDWR|O_NOFOLLOW (2.41: |O_CLOEXEC) and mapped; glibc
// checks neither its type nor its size. The initial value is checked against SEM_VALUE_MAX
// (EINVAL) only when a semaphore is created. sem_unlink unlinks the file (a bad name gives
// ENOENT, EPERM is reported as EACCES). sem_close unmaps it.
//
// sem_wait first tries to take a token with a compare-and-swap; otherwise it registers as a
// waiter (64-bit: adds 1<<32 to data; 32-bit: increments nwaiters and sets bit 0 of value) and
// sleeps with FUTEX_WAIT_BITSET (FUTEX_BITSET_MATCH_ANY, an absolute timeout: CLOCK_REALTIME
// for sem_timedwait, the given clock for sem_clockwait) while the value is 0, then takes a
// token and unregisters in one compare-and-swap (64-bit) or unregisters afterwards (32-bit,
// with the "maybe the last waiter" bit clearing and compensating wake-up of glibc's
// __sem_wait_32_finish). sem_post adds a token with a compare-and-swap (EOVERFLOW at
// SEM_VALUE_MAX) and, if the old state showed a waiter, wakes one with FUTEX_WAKE. This
// package does exactly the same, with one difference that no other process can observe: a
// Go wait sleeps in slices of at most [WaitSlice] and stays registered across them, so that
// it can notice its context's end and [Sem.Close].
//
// # Differences from glibc
//
//   - Each [Open] maps the file again (glibc shares one mapping per file in a process and
//     counts references); two mappings of one file are one semaphore.
//   - [Open] refuses what glibc would happily map: a file that is not a regular file, or is
//     shorter than sem_t (glibc would die of SIGBUS), or whose private field is not
//     FUTEX_SHARED (not made by sem_open; glibc peers would use futex operations that never
//     reach another process).
//   - A name longer than NAME_MAX counting its leading slashes ("/////" and 251 bytes) is
//     refused with ENAMETOOLONG before anything is created: glibc's sem_open fails on it too
//     (its table of mappings refuses the name), but only after it has created the file, which
//     it leaves behind, and with a stale errno (ENOENT from its first open attempt).
//   - NAME longer than 251 bytes gives ENAMETOOLONG, as glibc 2.41 (2.36 says EINVAL for more
//     than 255 bytes).
//
// # Trust
//
// /dev/shm is world-writable: anyone may create sem.NAME first. [Open] never follows a
// symbolic link (ELOOP), and refuses non-regular and short files (EINVAL), but it does not
// judge ownership: a caller that must not use another user's semaphore compares [Sem.Owner]
// and [Sem.Mode] with what it expects. A process with write access to the file can always
// break the semaphore (write nonsense into it, or truncate it). A truncation after Open would
// make the mapped memory raise SIGBUS; each operation runs with [runtime/debug.SetPanicOnFault]
// and turns such a fault into an error wrapping [ErrTruncated] instead of crashing, and the
// futex calls report EFAULT. This cannot make the semaphore usable again.
package psem
