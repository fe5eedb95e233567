// Package ipc holds the raw System V IPC calls of qtshm-go: semget, semctl, semop/semtimedop,
// shmget, shmat, shmdt, shmctl and ftok. Every raw IPC syscall of the module lives here.
//
// Every function returns the bare errno (a [unix.Errno]) on failure; callers add Qt's error code
// and text. Nothing here retries on EINTR.
//
// # Linux architectures
//
// Linux does not offer the same System V IPC entry points on every architecture, and the
// structures IPC_STAT fills differ. This package uses what glibc uses for a kernel as old as
// Go supports (3.2), so that it works on every kernel a Go program runs on:
//
//   - amd64, arm64, riscv64, loong64: the direct syscalls (semget, semctl, semop, semtimedop,
//     shmget, shmat, shmdt, shmctl). IPC_STAT is passed as is: these kernels always answer
//     with the 64-bit layout (struct semid64_ds) and reject the IPC_64 flag.
//   - arm, mips64, mips64le: the direct syscalls, but their semctl and shmctl are the "old"
//     entry points that need cmd|IPC_64 to fill struct semid64_ds / shmid64_ds.
//   - 386, mips, mipsle, ppc64, ppc64le, s390x: the ipc(2) multiplexer (SYS_IPC, calls
//     SEMOP=1, SEMGET=2, SEMCTL=3, SEMTIMEDOP=4, SHMAT=21, SHMDT=22, SHMGET=23, SHMCTL=24),
//     with cmd|IPC_64 for IPC_STAT. Direct syscalls exist there only since Linux 5.1. The
//     multiplexer's SEMCTL takes a pointer to union semun, and its SHMAT returns the address
//     through a pointer. s390x's multiplexer has five arguments and takes the SEMTIMEDOP
//     timeout in the third one, the others in the fifth: the timeout is passed in both.
//
// On the 32-bit architectures (386, arm, mips, mipsle) a timed wait first tries
// semtimedop_time64 (Linux 5.1+, 64-bit struct timespec) and, if the kernel lacks it (ENOSYS),
// falls back for good to the old call with a 32-bit timespec (ipc(SEMTIMEDOP) on 386 and
// mips, semtimedop on arm). A timeout is relative, so 32 bits of seconds are enough.
//
// On 64-bit big-endian machines (ppc64, s390x, mips64) semctl reads the int of union semun
// (SETVAL) from the high half of the argument word, where C puts the union's first four bytes;
// this package builds that word the same way on every architecture.
//
// # Raw system calls
//
// unix.Syscall tells the Go scheduler that the thread may block (entersyscall/exitsyscall), so
// that its P can run other goroutines meanwhile; on the virtual machines this package is
// measured on, that costs from about a hundred nanoseconds to a microsecond per call.
// unix.RawSyscall skips it, which is correct only for a call that cannot wait. Every call here
// is raw except the ones that can wait for another process: a semop with a negative or zero
// sem_op and no IPC_NOWAIT, and semtimedop with a timeout. So semget, semctl (every command),
// the semop of an IPC_NOWAIT attempt or of a release (sem_op > 0 never waits), shmget, shmat,
// shmdt and shmctl are raw. Their time is the kernel's own work (shmat and shmdt map and unmap,
// as the runtime's own raw mmap and munmap do; IPC_RMID of a large unattached segment frees its
// pages). Calls on file names (stat in [Ftok], and the callers' open, lstat, unlink, readlink)
// stay on unix.Syscall: a file system can make them wait for a disk or a server.
//
// # Other systems
//
// On every other GOOS, and on Android (whose seccomp policy kills a process that makes these
// syscalls), every function returns an error wrapping [ErrUnsupported], which wraps
// [errors.ErrUnsupported]. The constants and types still exist, so code using them compiles.
package ipc
