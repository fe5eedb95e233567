// Package posix is qtshm-go's pure-Go POSIX-realtime backend: QSharedMemory and
// QSystemSemaphore for Qt 6.6+ keys of type QNativeIpcKey::Type::PosixRealtime, reproducing
// Qt 6.8's qsharedmemory_posix.cpp and qsystemsemaphore_posix.cpp over glibc's shm_open (a
// file in /dev/shm) and glibc-compatible named semaphores (internal/psem), without cgo.
//
// Qt's POSIX code path has hazards of its own: every QSharedMemory::create unlinks and
// re-creates the lock semaphore (splitting the lock between old and new holders), the owner of
// a lock unlinks it at destruction while others still use it, a holder killed while locked
// leaves the lock taken forever (POSIX semaphores have no SEM_UNDO), and nothing ever removes
// a segment. This package keeps the names, files, flags, modes, values and wake-ups Qt 6.8
// processes rely on, so both interoperate, and differs where Qt breaks its own guarantees:
// see [SharedMemory] and [Semaphore], and docs/posix.md, which lists each difference and the
// test that proves it. Crash recovery: [Diagnose], [RecoverLock], [ErrLockAbandoned],
// [RemoveStale].
//
// It is implemented on Linux. Elsewhere every operation fails with an error wrapping
// errors.ErrUnsupported.
package posix

import (
	"time"

	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// Name is the backend's name.
const Name = "posix"

// ErrLockAbandoned is wrapped by the LockError of a lock wait that ended (its context was
// done) while the lock looked abandoned: its value was 0 and every other process that maps
// the lock semaphore was waiting for it, so no live process can be holding it. A holder
// killed while it held the lock leaves it so; [RecoverLock] releases it after checking again.
var ErrLockAbandoned = qtipc.ErrLockAbandoned

// closeLockWait bounds how long Close waits for an owned lock before it decides whether to
// unlink it (see SharedMemory.Close).
const closeLockWait = 2 * time.Second

// maxReopen bounds the retries where another process changes a name under us: a semaphore
// that vanishes between sem_open calls; for a lock replaced while we waited for it, the quick
// retries before the wait backs off (lockSem.acquire).
const maxReopen = 16

// Diagnosis is what [Diagnose] found out about a lock semaphore.
type Diagnosis struct {
	Name  string // the semaphore's name, e.g. "/qipc_systemsem_K…"
	Path  string // its file, /dev/shm/sem.NAME
	Dev   uint64 // the file's device and inode
	Ino   uint64
	Owner uint32 // the file's uid
	// Value is the semaphore's value: 1 free, 0 taken.
	Value int
	// Waiters is the semaphore's waiter count word. It counts waiters glibc registered and may
	// count waiters that were killed while waiting (glibc never takes them off).
	Waiters int
	// HeldHere is how many objects of this process hold the lock.
	HeldHere int
	// SemaphoresHere is how many standalone semaphores (QSystemSemaphore of the same name) of
	// this process have it open: each may hold units of it, which nothing records.
	SemaphoresHere int
	// Mappers are the other live processes that map the semaphore file.
	Mappers []Mapper
	// Unknown is set when some /proc entry could not be read: then nothing is claimed about the
	// other processes, and Reason says what could not be read.
	Unknown bool
	Reason  string
}

// Mapper is one process that maps a lock semaphore.
type Mapper struct {
	PID  int
	Comm string // /proc/PID/comm
	// Waiting is set when one of its threads was seen blocked in a futex wait on its mapping of
	// the semaphore, in any of several samples.
	Waiting bool
}

// Abandoned reports whether the lock looks abandoned by a dead holder: the diagnosis is
// known, the value is 0, no object of this process holds it, and every other process that
// maps it is waiting for it.
func (d Diagnosis) Abandoned() bool {
	if d.Unknown || d.Value != 0 || d.HeldHere != 0 || d.SemaphoresHere != 0 {
		return false
	}
	for _, m := range d.Mappers {
		if !m.Waiting {
			return false
		}
	}
	return true
}

// Why returns, when the lock does not look abandoned, the reason in one sentence, or "" when
// it does.
func (d Diagnosis) Why() string {
	switch {
	case d.Unknown:
		return "cannot tell whether a live process holds the lock: " + d.Reason
	case d.Value != 0:
		return "the lock is not taken (value " + itoa(d.Value) + ")"
	case d.HeldHere != 0:
		return "an object of this process holds the lock"
	case d.SemaphoresHere != 0:
		return "a QSystemSemaphore of this process has the lock's semaphore open: it may hold it"
	}
	for _, m := range d.Mappers {
		if !m.Waiting {
			return "process " + itoa(m.PID) + " (" + m.Comm + ") maps the lock and is not waiting for it: it may hold it"
		}
	}
	return ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
