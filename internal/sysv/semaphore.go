package sysv

import (
	"context"
	"errors"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// pollInterval bounds how long one semtimedop waits when the caller's context can be cancelled:
// cancellation without a deadline is noticed within this time.
const pollInterval = 20 * time.Millisecond

// maxRecreate bounds Qt's "semaphore was removed: re-open and retry" loop, which Qt runs without
// a bound (by recursion).
const maxRecreate = 64

// semaphore is QSystemSemaphorePrivate with the SysV backend.
type semaphore struct {
	flavor   backend.Flavor
	tempDir  string // "" = QDir::tempPath() when the key is set
	key      string // the user (legacy) key; "" is Qt's null key
	fileName string // the key file, <tmp>/qipc_systemsem_<letters><sha1>
	initial  int
	keySet   bool // 6.6+: setKey was called at least once

	unixKey     int // -1 = not made yet
	id          int // -1 = none
	createdFile bool
	createdSem  bool
	err         *backend.Error // Qt's error()/errorString() after the last operation
}

func newSemaphoreObject(flavor backend.Flavor, tempDir string) *semaphore {
	return &semaphore{flavor: flavor, tempDir: tempDir, unixKey: -1, id: -1}
}

func (s *semaphore) makeKeyFileName(key string) string {
	dir := s.tempDir
	if dir == "" {
		dir = qtkey.TempPath()
	}
	return qtkey.SysV(key, qtkey.SemaphorePrefix, dir)
}

// setKey is QSystemSemaphore::setKey (≤6.5) / setNativeKey with a legacy key (6.6+).
func (s *semaphore) setKey(key string, initial int, mode backend.SemMode) {
	if s.flavor >= backend.FlavorQt66 {
		// 6.6+ recomputes the legacy native key each time (the temp dir may have changed).
		// A new QSystemSemaphore's key is a default QNativeIpcKey, which equals no legacy key, not
		// even the empty one: the first call always opens (and reports an empty key).
		fileName := s.makeKeyFileName(key)
		if s.keySet && key == s.key && fileName == s.fileName && mode == backend.Open {
			return
		}
		s.err = nil
		s.cleanHandle()
		s.key, s.fileName, s.initial, s.keySet = key, fileName, initial, true
		s.handle(mode)
		return
	}
	if key == s.key && mode == backend.Open {
		return
	}
	s.err = nil
	// Qt ≤6.5's "optimization to not destroy/create the file & semaphore".
	if key == s.key && mode == backend.Create && s.createdSem && s.createdFile {
		s.initial = initial
		s.unixKey = -1
		s.handle(mode)
		return
	}
	s.cleanHandle()
	s.key, s.initial = key, initial
	s.fileName = s.makeKeyFileName(key)
	s.handle(mode)
}

// handle is QSystemSemaphorePrivate::handle (qt-ipc-semantics.md §3.1).
func (s *semaphore) handle(mode backend.SemMode) (int, *backend.Error) {
	if s.unixKey != -1 {
		return s.unixKey, nil
	}
	fail := func(e *backend.Error) (int, *backend.Error) { s.err = e; return -1, e }
	if s.key == "" {
		return fail(backend.Errorf(backend.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty"))
	}
	built, err := createKeyFile(s.fileName)
	if err != nil {
		return fail(backend.Errorf(backend.KeyError, "open", err, "QSystemSemaphore::handle:: unable to make key"))
	}
	s.createdFile = built
	key, err := ipc.Ftok(s.fileName, ipc.ProjQ)
	if err != nil {
		if s.flavor >= backend.FlavorQt66 {
			return fail(semErrno(s.flavor, "open", "QSystemSemaphore::handle", err))
		}
		return fail(backend.Errorf(backend.KeyError, "open", err, "QSystemSemaphore::handle:: ftok failed"))
	}
	s.unixKey = key
	id, err := ipc.Semget(key, 1, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL)
	if err != nil {
		if errors.Is(err, unix.EEXIST) {
			id, err = ipc.Semget(key, 1, 0o600|ipc.IPC_CREAT)
		}
		if err != nil {
			e := semErrno(s.flavor, "open", s.function(), err)
			s.cleanHandle()
			return fail(e)
		}
	} else {
		s.createdSem = true
		// Qt: "Force cleanup of file, it is possible that it can be left over from a crash".
		s.createdFile = true
	}
	s.id = id
	if mode == backend.Create {
		s.createdSem = true
		s.createdFile = true
	}
	if s.createdSem && s.initial >= 0 {
		if _, err := ipc.Semctl(s.id, 0, ipc.SETVAL, s.initial); err != nil {
			e := semErrno(s.flavor, "open", s.function(), err)
			s.cleanHandle()
			return fail(e)
		}
	}
	return s.unixKey, nil
}

// function is the label Qt puts on semget/SETVAL failures.
func (s *semaphore) function() string {
	if s.flavor >= backend.FlavorQt66 {
		return "QSystemSemaphore::handle"
	}
	return "QSystemSemaphore::QSystemSemaphore"
}

// cleanHandle is QSystemSemaphorePrivate::cleanHandle: the owner unlinks the key file and
// removes the set.
func (s *semaphore) cleanHandle() {
	s.unixKey = -1
	if s.createdFile {
		unix.Unlink(s.fileName)
		s.createdFile = false
	}
	if s.createdSem {
		if s.id != -1 {
			ipc.Semctl(s.id, 0, ipc.IPC_RMID, 0)
		}
		s.createdSem = false
	}
	s.id = -1
}

// modify is QSystemSemaphorePrivate::modifySemaphore: one semop of count with SEM_UNDO,
// EINTR retried, the set re-opened (or re-created) when it was removed under us.
func (s *semaphore) modify(ctx context.Context, op string, count int) *backend.Error {
	if count > 32767 || count < -32768 {
		return backend.Errorf(backend.OutOfResources, op, unix.ERANGE, "QSystemSemaphore::modifySemaphore: out of resources")
	}
	for attempt := 0; ; attempt++ {
		if _, e := s.handle(backend.Open); e != nil {
			return e
		}
		err := semop(ctx, s.id, count)
		if err == nil {
			s.err = nil
			return nil
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return backend.Errorf(backend.LockError, op, err, "QSystemSemaphore::modifySemaphore: "+err.Error())
		}
		if (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM)) && attempt < maxRecreate {
			// "If the semaphore was removed be nice and create it and then modifySemaphore again"
			s.id = -1
			s.cleanHandle()
			continue
		}
		e := semErrno(s.flavor, op, "QSystemSemaphore::modifySemaphore", err)
		s.err = e
		return e
	}
}

// semop runs one semop(-/+count, SEM_UNDO) on semaphore 0 of set id. With a cancellable ctx it
// waits in slices of at most pollInterval, so that ctx is honoured; a deadline bounds the last
// slice exactly.
func semop(ctx context.Context, id, count int) error {
	op := ipc.Sembuf{Num: 0, Op: int16(count), Flg: ipc.SEM_UNDO}
	if ctx == nil || ctx.Done() == nil || count >= 0 {
		for {
			err := ipc.Semtimedop(id, op, 0)
			if err != unix.EINTR {
				return err
			}
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		wait := pollInterval
		if dl, ok := ctx.Deadline(); ok {
			left := time.Until(dl)
			if left <= 0 {
				// One last non-blocking try: a free lock is taken even at the deadline.
				err := ipc.Semtimedop(id, ipc.Sembuf{Num: 0, Op: int16(count), Flg: ipc.SEM_UNDO | ipc.IPC_NOWAIT}, 0)
				if err == unix.EAGAIN || err == unix.EINTR {
					return context.DeadlineExceeded
				}
				return err
			}
			wait = min(wait, left)
		}
		err := ipc.Semtimedop(id, op, wait)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		return err
	}
}
