//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"sync"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// Semaphore is a standalone QSystemSemaphore with a PosixRealtime key (Qt 6.8's
// qsystemsemaphore_posix.cpp). Acquire and Release may run in different goroutines at once.
//
// As in Qt: the semaphore is sem_open(NAME, O_CREAT|O_EXCL, 0600, initial); if it exists,
// Create mode unlinks it and tries again (three tries in all), so that it starts at initial,
// and Open mode opens it as it is; the object that created it owns it and unlinks it when
// closed. Acquire is sem_wait; Release(n) is n sem_posts, rolled back on failure.
//
// Unlike Qt (docs/posix.md): Acquire honours its context; Open mode re-creates a semaphore that
// vanished between the two sem_open calls and then owns it (Qt opens it with O_CREAT and so
// creates it without knowing, leaking it); planted semaphores (symbolic links, non-regular or
// other users' files) are refused, and Create mode never unlinks one; the rollback of a
// failed Release does not block (Qt's sem_wait would wait for units others took); Close
// unlinks the name only if it still names this object's semaphore.
type Semaphore struct {
	name, legacy string
	path         string

	mu      sync.Mutex
	sem     *psem.Sem
	id      fileID
	created bool
	closed  bool
}

var _ backend.Semaphore = (*Semaphore)(nil)

// NewSemaphore is QSystemSemaphore(QNativeIpcKey(name, PosixRealtime), initial, mode).
func NewSemaphore(name string, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	s, e := newSemaphore(name, "", initial, mode, cfg)
	if e != nil {
		return nil, e
	}
	return s, nil
}

func newSemaphore(name, legacy string, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (*Semaphore, *qtipc.Error) {
	const op, function = "open", "QSystemSemaphore::handle"
	if name == "" {
		return nil, qtipc.Errorf(qtipc.KeyError, op, nil, function+": key is empty")
	}
	if _, e := checkName(op, "semaphore", name); e != nil {
		return nil, e
	}
	path, err := psem.Path(name)
	if err != nil {
		return nil, semErrno(op, function, err)
	}
	if initial < 0 || initial > psem.SemValueMax {
		// sem_open checks the value before anything else (glibc: EINVAL).
		return nil, semErrno(op, function, unix.EINVAL)
	}
	s := &Semaphore{name: name, legacy: legacy, path: path}
	for tries, reopen := 0, 0; ; {
		if uid, exists, e := plantedObject(op, "semaphore", path); !cfg.AllowForeign && exists {
			if e == nil {
				e = foreignOwner(op, "semaphore", path, uid)
			}
			if e != nil {
				return nil, e
			}
		}
		ps, created, err := psem.Open(name, unix.O_CREAT|unix.O_EXCL, 0o600, uint32(initial))
		if errors.Is(err, unix.EEXIST) {
			if mode == qtipc.Create {
				tries++
				if tries < 3 {
					if err := psem.Unlink(name); err != nil && !errors.Is(err, unix.ENOENT) {
						return nil, semErrno(op, function+" (sem_unlink)", err)
					}
					continue
				}
			} else {
				ps, _, err = psem.Open(name, 0, 0, 0)
				if errors.Is(err, unix.ENOENT) && reopen < maxReopen {
					reopen++
					continue
				}
			}
		}
		if err != nil {
			return nil, semErrno(op, function, err)
		}
		if !created && !cfg.AllowForeign {
			if e := foreignOwner(op, "semaphore", path, ps.Owner()); e != nil {
				ps.Close()
				return nil, e
			}
		}
		dev, ino := ps.File()
		s.sem, s.id, s.created = ps, fileID{dev, ino}, created
		regAddPlain(s.id, 1)
		return s, nil
	}
}

// Key is the legacy key the semaphore was made for ("" for a plain native key).
func (s *Semaphore) Key() string { return s.legacy }

// NativeKey is the semaphore's name.
func (s *Semaphore) NativeKey() string { return s.name }

func (s *Semaphore) handle(op string) (*psem.Sem, *qtipc.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, qtipc.Errorf(qtipc.KeyError, op, qtipc.ErrClosed, "QSystemSemaphore: object is closed")
	}
	return s.sem, nil
}

// Acquire is QSystemSemaphore::acquire: sem_wait, bounded by ctx (nil: no bound).
func (s *Semaphore) Acquire(ctx context.Context) error {
	ps, e := s.handle("acquire")
	if e != nil {
		return e
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ps.Wait(ctx); err != nil {
		if isCtxErr(err) {
			return qtipc.Errorf(qtipc.LockError, "acquire", err, "QSystemSemaphore::modifySemaphore: "+err.Error())
		}
		return semErrno("acquire", "QSystemSemaphore::modifySemaphore (sem_wait)", err)
	}
	return nil
}

// Release is QSystemSemaphore::release(n): n sem_posts; if one fails, the ones done are taken
// back (without blocking) and the error is returned.
func (s *Semaphore) Release(n int) error {
	if n == 0 {
		return nil
	}
	if n < 0 {
		return qtipc.Errorf(qtipc.UnknownError, "release", nil, "QSystemSemaphore::release: n is negative.")
	}
	ps, e := s.handle("release")
	if e != nil {
		return e
	}
	for i := 0; i < n; i++ {
		if err := ps.Post(); err != nil {
			for ; i > 0; i-- {
				ps.TryWait()
			}
			return semErrno("release", "QSystemSemaphore::modifySemaphore (sem_post)", err)
		}
	}
	return nil
}

// Close is QSystemSemaphorePosix::cleanHandle: sem_close, and sem_unlink when this object
// created the semaphore and the name still names it.
func (s *Semaphore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var e error
	if s.created {
		var st unix.Stat_t
		if unix.Lstat(s.path, &st) == nil && uint64(st.Dev) == s.id.dev && st.Ino == s.id.ino {
			if err := psem.Unlink(s.name); err != nil && !errors.Is(err, unix.ENOENT) {
				e = semErrno("close", "QSystemSemaphore::cleanHandle (sem_unlink)", err)
			}
		}
	}
	if err := s.sem.Close(); err != nil && e == nil {
		e = semErrno("close", "QSystemSemaphore::cleanHandle (sem_close)", err)
	}
	regAddPlain(s.id, -1)
	return e
}
