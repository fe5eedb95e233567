//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// lockSem is QSharedMemory's lock: a QSystemSemaphorePosix with initial value 1, made safe.
type lockSem struct {
	name    string // the semaphore's name; "" = none
	path    string // /dev/shm/sem.NAME
	foreign bool

	sem     *psem.Sem // nil until opened
	id      fileID
	owned   bool // Qt's createdSemaphore: this object unlinks the semaphore when done
	holding bool
}

// open is QSystemSemaphorePosix::handle for the lock, with Open semantics whatever the mode:
// sem_open(O_CREAT|O_EXCL, 0600, 1), and on EEXIST the existing semaphore. own takes
// ownership as Qt's Create mode does, but never unlinks and re-creates a semaphore that exists
// (Qt does, which splits the lock between the processes that have the old one and those that
// get the new one). A planted semaphore (symlink, not a regular file, another user's) is
// refused.
func (l *lockSem) open(op string, own bool) *qtipc.Error {
	if l.sem != nil {
		l.owned = l.owned || own
		return nil
	}
	if l.name == "" {
		return qtipc.Errorf(qtipc.KeyError, op, nil, "QSystemSemaphore::handle: key is empty")
	}
	for attempt := 0; ; attempt++ {
		if _, _, e := plantedObject(op, "lock semaphore", l.path); e != nil && !l.foreign {
			return e
		}
		s, created, err := psem.Open(l.name, unix.O_CREAT|unix.O_EXCL, 0o600, 1)
		if errors.Is(err, unix.EEXIST) {
			s, _, err = psem.Open(l.name, 0, 0, 0)
			if errors.Is(err, unix.ENOENT) && attempt < maxReopen {
				continue // removed between the two calls: create it
			}
		}
		if err != nil {
			return semErrno(op, "QSystemSemaphore::handle", err)
		}
		if !created && !l.foreign {
			if e := foreignOwner(op, "lock semaphore", l.path, s.Owner()); e != nil {
				s.Close()
				return e
			}
		}
		dev, ino := s.File()
		l.sem, l.id, l.owned = s, fileID{dev, ino}, created || own
		regAdd(l.id, 1, 0)
		return nil
	}
}

// named reports whether the lock's name still names the semaphore this object has open.
func (l *lockSem) named() bool {
	var st unix.Stat_t
	if err := unix.Lstat(l.path, &st); err != nil {
		return false
	}
	return uint64(st.Dev) == l.id.dev && st.Ino == l.id.ino
}

// drop closes the handle without unlinking anything.
func (l *lockSem) drop() {
	if l.sem == nil {
		return
	}
	if l.holding {
		l.holding = false
		regAdd(l.id, 0, -1)
	}
	l.sem.Close()
	regAdd(l.id, -1, 0)
	l.sem, l.id, l.owned = nil, fileID{}, false
}

// acquire is sem_wait on the lock, bounded by ctx. Once it holds the semaphore it checks that
// the lock's name still names it: Qt's create unlinks and re-creates the lock, and a holder of
// the old one excludes nobody who opens the name afterwards. If the name was unlinked or
// replaced, it releases the old semaphore, opens the current one and waits again, until ctx
// ends (after maxReopen quick retries with a pause between tries). function labels the error ("QSharedMemory::lock", …).
func (l *lockSem) acquire(ctx context.Context, op, function string) *qtipc.Error {
	if ctx == nil {
		ctx = context.Background()
	}
	if l.sem == nil {
		return qtipc.Errorf(qtipc.LockError, op, nil, function+": unable to lock")
	}
	for attempt := 0; ; attempt++ {
		err := l.sem.Wait(ctx)
		if err != nil {
			if isCtxErr(err) {
				return l.waitExpired(op, function, err)
			}
			e := semErrno(op, "QSystemSemaphore::modifySemaphore (sem_wait)", err)
			return qtipc.Errorf(qtipc.LockError, op, e, function+": unable to lock")
		}
		if l.named() {
			l.holding = true
			regAdd(l.id, 0, 1)
			return nil
		}
		l.sem.Post()
		if attempt >= maxReopen {
			// Replaced again and again: other processes keep getting in first and removing the
			// lock on their way out. That is contention, so the wait goes on until ctx ends,
			// with a pause between tries.
			if err := qtipc.Backoff(ctx, attempt-maxReopen); err != nil {
				return qtipc.Errorf(qtipc.LockError, op, err, fmt.Sprintf(
					"%s: unable to lock: the lock semaphore %s was replaced %d times while we waited for it", function, l.path, attempt+1))
			}
		}
		l.drop()
		if e := l.open(op, false); e != nil {
			return qtipc.Errorf(qtipc.LockError, op, e, function+": unable to lock ("+e.Msg+")")
		}
	}
}

// waitExpired is the error of a lock wait whose ctx is done: it says so, and when the lock
// looks abandoned by a dead holder it says that too and wraps ErrLockAbandoned.
func (l *lockSem) waitExpired(op, function string, cause error) *qtipc.Error {
	msg := function + ": unable to lock"
	if d, err := Diagnose(l.name); err == nil && d.Abandoned() {
		msg += " (the lock looks abandoned by a dead holder: see RecoverLock)"
		cause = abandonedError{cause}
	}
	return qtipc.Errorf(qtipc.LockError, op, cause, msg)
}

// abandonedError is a context error that also matches ErrLockAbandoned.
type abandonedError struct{ ctx error }

func (e abandonedError) Error() string   { return e.ctx.Error() + "; " + ErrLockAbandoned.Error() }
func (e abandonedError) Unwrap() []error { return []error{e.ctx, ErrLockAbandoned} }

// release is sem_post on the lock.
func (l *lockSem) release(op, function string) *qtipc.Error {
	if l.sem == nil || !l.holding {
		return qtipc.Errorf(qtipc.LockError, op, nil, function+": unable to unlock")
	}
	l.holding = false
	regAdd(l.id, 0, -1)
	if err := l.sem.Post(); err != nil {
		e := semErrno(op, "QSystemSemaphore::modifySemaphore (sem_post)", err)
		return qtipc.Errorf(qtipc.LockError, op, e, function+": unable to unlock")
	}
	return nil
}

// close is the lock's QSystemSemaphorePosix::cleanHandle: sem_close, and, for an owner,
// sem_unlink. Qt's owner unlinks the name even while other processes use the lock, so that
// newcomers make a second lock beside theirs. Ours unlinks only while it holds the lock
// (waiting at most closeLockWait, bounded by ctx), only if the name still names it, and only
// if no other object of this process and no other process maps the semaphore file (read from
// /proc/*/maps; if any entry cannot be read, it keeps the semaphore). Otherwise it leaves the
// semaphore in place, for the next user or RemoveStale.
func (l *lockSem) close(ctx context.Context) {
	if l.sem == nil {
		return
	}
	if !l.owned {
		l.drop()
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if !l.holding {
		wctx, cancel := context.WithTimeout(ctx, closeLockWait)
		err := l.sem.Wait(wctx)
		cancel()
		if err != nil {
			l.drop()
			return
		}
		l.holding = true
		regAdd(l.id, 0, 1)
	}
	if opens, _ := regGet(l.id); opens == 1 && l.named() {
		if ms, err := mappers(l.id); err == nil && len(ms) == 0 {
			psem.Unlink(l.name)
		}
	}
	l.holding = false
	regAdd(l.id, 0, -1)
	l.sem.Post()
	l.drop()
}

// isCtxErr reports whether err is a context's end (psem returns it for a wait that hit its
// context's deadline or cancellation).
func isCtxErr(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// euid is this process's effective uid.

// sleepCtx sleeps d or until ctx is done; false when ctx ended it.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
