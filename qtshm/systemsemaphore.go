package qtshm

import (
	"context"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/internal/backend"
)

// SemaphoreMode is QSystemSemaphore::AccessMode.
type SemaphoreMode int

// Semaphore modes, with Qt's values.
const (
	// Open opens the semaphore, creating it with the initial value if it does not exist (the
	// creator then owns it). An existing semaphore keeps its value.
	Open SemaphoreMode = 0
	// Create creates or opens the semaphore, always sets it to the initial value, and takes
	// ownership of it.
	Create SemaphoreMode = 1
)

// SystemSemaphore is the Go counterpart of QSystemSemaphore(key, initialValue, mode): a
// counting semaphore shared by processes. The object that owns it (see [Open], [Create])
// removes it and its key file on Close, even while other processes still use it — as Qt does.
//
// A SystemSemaphore is not safe for concurrent use; give each goroutine its own object.
type SystemSemaphore struct {
	key    string
	b      backend.Semaphore
	closed bool
}

// NewSystemSemaphore opens or creates the semaphore for key, like the QSystemSemaphore
// constructor. An empty key fails with KeyError.
func NewSystemSemaphore(key string, initialValue int, mode SemaphoreMode, opts ...Option) (*SystemSemaphore, error) {
	o := getOptions(opts)
	if !utf8.ValidString(key) {
		return nil, newError(KeyError, "open", key, "qtshm: key is not valid UTF-8", nil)
	}
	f, ok := backend.Lookup(o.backend)
	if !ok {
		return nil, missingBackend("open", key, o.backend)
	}
	b, err := f.NewSemaphore(key, initialValue, backend.SemMode(mode), o.cfg)
	if err != nil {
		return nil, wrapErr(key, err)
	}
	return &SystemSemaphore{key: key, b: b}, nil
}

func (s *SystemSemaphore) check(op string) error {
	if s.closed {
		return newError(KeyError, op, s.key, "QSystemSemaphore: object is closed", ErrClosed)
	}
	return nil
}

// Key returns the key given to NewSystemSemaphore.
func (s *SystemSemaphore) Key() string { return s.key }

// NativeKey returns the semaphore's key file, e.g. "/tmp/qipc_systemsem_SomeKeybf5c…".
func (s *SystemSemaphore) NativeKey() string { return s.b.NativeKey() }

// Acquire takes one unit, blocking while the value is 0 (QSystemSemaphore::acquire). The unit
// is given back by the kernel if the process dies without releasing it (SEM_UNDO).
func (s *SystemSemaphore) Acquire() error { return s.AcquireContext(nil) }

// AcquireContext is Acquire that gives up when ctx is done (see [SharedMemory.LockContext] for
// what each backend does).
func (s *SystemSemaphore) AcquireContext(ctx context.Context) error {
	if err := s.check("acquire"); err != nil {
		return err
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return newError(LockError, "acquire", s.key, "QSystemSemaphore::acquire: "+err.Error(), err)
		}
	}
	return wrapErr(s.key, s.b.Acquire(ctx))
}

// Release adds n units in one operation (QSystemSemaphore::release(n)); n == 0 does nothing,
// n < 0 is an error.
func (s *SystemSemaphore) Release(n int) error {
	if err := s.check("release"); err != nil {
		return err
	}
	return wrapErr(s.key, s.b.Release(n))
}

// Close does what QSystemSemaphore's destructor does: if this object owns the semaphore, it
// removes it and its key file. Close is idempotent.
func (s *SystemSemaphore) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return wrapErr(s.key, s.b.Close())
}
