package qtshm

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// SemaphoreMode is QSystemSemaphore::AccessMode.
type SemaphoreMode = qtipc.SemaphoreMode

// Semaphore modes, with Qt's values.
const (
	// Open opens the semaphore, creating it with the initial value if it does not exist (the
	// creator then owns it). An existing semaphore keeps its value.
	Open = qtipc.Open
	// Create creates or opens the semaphore, always sets it to the initial value, and takes
	// ownership of it.
	Create = qtipc.Create
)

// MaxSemaphoreValue is the largest value a System V semaphore holds (SEMVMX), and so the
// largest initial value and Release count.
const MaxSemaphoreValue = 32767

// SystemSemaphore is the Go counterpart of QSystemSemaphore(key, initialValue, mode): a
// counting semaphore shared by processes. The object that owns it (see [Open], [Create])
// removes it and its key file on Close, even while other processes still use it — as Qt does.
//
// A SystemSemaphore is safe for concurrent use: Acquire and Release may run in different
// goroutines at once (a Release wakes an Acquire of the same object). Close waits for the
// calls in progress, so a Close while an Acquire of the same object waits for a unit only
// returns when another object or process releases one; bound such an Acquire with
// AcquireContext.
//
// Acquire and Release use SEM_UNDO as Qt does, and the kernel bounds each process's undo value
// to ±32767: a process that only releases (a producer) fails with OutOfResources after 32767
// units net, one that only acquires (a consumer) likewise. Qt has the same limit.
type SystemSemaphore struct {
	key      string
	nkey     NativeIpcKey // the key given to NewSystemSemaphoreFromNativeKey
	isNative bool
	b        backend.Semaphore
	mu       sync.RWMutex // read-held by each call in progress, write-held by Close
	closed   atomic.Bool
}

// NewSystemSemaphore opens or creates the semaphore for key, like the QSystemSemaphore
// constructor. An empty key fails with KeyError. initialValue must lie in 0..32767: Qt passes
// a larger value to the kernel, which refuses it (or, above 2³¹, Qt truncates it), and a negative
// one leaves a created semaphore at 0 without saying so; here both fail with OutOfResources
// before anything is touched.
func NewSystemSemaphore(key string, initialValue int, mode SemaphoreMode, opts ...Option) (*SystemSemaphore, error) {
	o := getOptions(opts)
	if !utf8.ValidString(key) {
		return nil, newError(KeyError, "open", key, "qtshm: key is not valid UTF-8", nil)
	}
	if err := checkSemaphoreArgs(key, initialValue, mode); err != nil {
		return nil, err
	}
	f, ferr := o.factory("open", key)
	if ferr != nil {
		return nil, ferr
	}
	b, err := f.NewSemaphore(key, initialValue, mode, o.cfg)
	if err != nil {
		return nil, qtipc.WithKey(key, err)
	}
	return &SystemSemaphore{key: key, b: b}, nil
}

// checkSemaphoreArgs checks the initial value and the mode before anything is touched.
func checkSemaphoreArgs(key string, initialValue int, mode SemaphoreMode) *Error {
	if initialValue < 0 || initialValue > MaxSemaphoreValue {
		return newError(OutOfResources, "open", key,
			fmt.Sprintf("QSystemSemaphore: initial value %d is out of range (0 to %d)", initialValue, MaxSemaphoreValue), nil)
	}
	if mode != Open && mode != Create {
		return newError(KeyError, "open", key, fmt.Sprintf("QSystemSemaphore: unknown access mode %d", int(mode)), nil)
	}
	return nil
}

// begin marks a call in progress; it fails on a closed object.
func (s *SystemSemaphore) begin(op string) error {
	if !s.closed.Load() {
		s.mu.RLock()
		if !s.closed.Load() {
			return nil
		}
		s.mu.RUnlock()
	}
	return newError(KeyError, op, s.key, "QSystemSemaphore: object is closed", ErrClosed)
}

// Key returns the key given to NewSystemSemaphore.
func (s *SystemSemaphore) Key() string { return s.key }

// NativeKey returns the semaphore's key file, e.g. "/tmp/qipc_systemsem_SomeKeybf5c…".
func (s *SystemSemaphore) NativeKey() string { return s.b.NativeKey() }

// Acquire takes one unit, blocking while the value is 0 (QSystemSemaphore::acquire). The unit
// is given back by the kernel if the process dies without releasing it (SEM_UNDO).
func (s *SystemSemaphore) Acquire() error { return s.AcquireContext(context.Background()) }

// AcquireContext is Acquire that gives up when ctx is done (see [SharedMemory.LockContext] for
// what each backend does).
func (s *SystemSemaphore) AcquireContext(ctx context.Context) error {
	ctx = orBackground(ctx)
	if err := s.begin("acquire"); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return newError(LockError, "acquire", s.key, "QSystemSemaphore::acquire: "+err.Error(), err)
	}
	return qtipc.WithKey(s.key, s.b.Acquire(ctx))
}

// Release adds n units in one operation (QSystemSemaphore::release(n)); n == 0 does nothing.
// n < 0 fails with UnknownError (Qt returns false), n > 32767 with OutOfResources (Qt passes
// it to semop as a 16-bit value, which wraps: 32768 would become an acquire of 32768).
func (s *SystemSemaphore) Release(n int) error {
	if err := s.begin("release"); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	switch {
	case n == 0:
		return nil
	case n < 0:
		return newError(UnknownError, "release", s.key, "QSystemSemaphore::release: n is negative.", nil)
	case n > MaxSemaphoreValue:
		return newError(OutOfResources, "release", s.key,
			fmt.Sprintf("QSystemSemaphore::release: n = %d is more than one semop can add (%d)", n, MaxSemaphoreValue), nil)
	}
	return qtipc.WithKey(s.key, s.b.Release(n))
}

// Close does what QSystemSemaphore's destructor does: if this object owns the semaphore, it
// removes it and its key file. It waits for Acquire and Release calls in progress. Close is
// idempotent.
func (s *SystemSemaphore) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return qtipc.WithKey(s.key, s.b.Close())
}
