//go:build linux

package sysv

import (
	"errors"
	"fmt"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"golang.org/x/sys/unix"
)

// staleGrace is how old a key file or a semaphore set that nothing else uses must be before
// it counts as stale. Qt's create makes the lock's key file, then the lock set, then the
// segment's key file and the segment, none of it under a lock anyone else can take first, so
// a younger one may be a create in progress.
const staleGrace = 10 * time.Second

// loneSetInUse says why the semaphore set id, which no segment uses, is not stale; "" when it
// looks like a lock nobody uses: value 1 (a Qt lock at rest; SEM_UNDO gave back a dead
// holder's unit), nobody waiting on it, its last user (GETPID, also set by SETVAL) not a live
// process, and unchanged for staleGrace. Anything else may be a QSystemSemaphore in use (a
// counting semaphore, a doorbell's bell) that shares the lock's naming: a set cannot tell who
// has it open.
func loneSetInUse(id int) string {
	if n, err := ipc.Semctl(id, 0, ipc.GETNCNT, 0); err == nil && n > 0 {
		return "processes wait for it"
	}
	if n, err := ipc.Semctl(id, 0, ipc.GETZCNT, 0); err == nil && n > 0 {
		return "processes wait for it to reach zero"
	}
	v, err := ipc.Semctl(id, 0, ipc.GETVAL, 0)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	if v != 1 {
		return fmt.Sprintf("value %d, not a lock at rest (1): a QSystemSemaphore, or a lock someone holds", v)
	}
	if p, err := ipc.Semctl(id, 0, ipc.GETPID, 0); err == nil && p > 0 && processAlive(p) {
		return fmt.Sprintf("its last user, pid %d, is alive", p)
	}
	if d, err := ipc.Semstat(id); err == nil {
		if age := time.Since(time.Unix(max(d.Otime, d.Ctime), 0)); age < staleGrace {
			return fmt.Sprintf("used %v ago, less than %v (a create in progress?)", age.Round(time.Second), staleGrace)
		}
	}
	return ""
}

// processAlive reports whether pid names a live process (of any user).
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// youngFile says why the key file with modification time mtime (seconds) is not yet stale, or
// "" when it is older than staleGrace.
func youngFile(mtime int64) string {
	if age := time.Since(time.Unix(mtime, 0)); age < staleGrace {
		return fmt.Sprintf("made %v ago, less than %v (a create in progress?)", age.Round(time.Second), staleGrace)
	}
	return ""
}
