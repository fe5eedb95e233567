//go:build windows

package winipc

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/windows"
)

// Semaphore is QSystemSemaphore on Windows: CreateSemaphoreW(NULL, initial, MAXLONG, name),
// which opens an existing semaphore as it is whatever the mode (Qt documents that Create and
// Open behave the same on Windows). Acquire waits on it; Release(n) is ReleaseSemaphore(n);
// Close closes the handle, and the kernel frees the semaphore with its last handle. Acquire
// and Release may run in different goroutines at once.
type Semaphore struct {
	flavor    qtipc.Flavor
	name, key string

	mu     sync.Mutex
	h      windows.Handle
	closed bool
}

var _ backend.Semaphore = (*Semaphore)(nil)

// NewSemaphore is QSystemSemaphore on the semaphore name (key is what Key returns). initial
// must lie in 0..MAXLONG; an empty name fails with KeyError.
func NewSemaphore(name, key string, initial int, mode qtipc.SemaphoreMode, flavor qtipc.Flavor) (*Semaphore, error) {
	const op, function = "open", "QSystemSemaphore::handle"
	if name == "" {
		return nil, qtipc.Errorf(qtipc.KeyError, op, nil, function+": key is empty")
	}
	if initial < 0 || int64(initial) > maxLong {
		return nil, qtipc.Errorf(qtipc.OutOfResources, op, nil,
			fmt.Sprintf("QSystemSemaphore: initial value %d is out of range (0 to %d)", initial, maxLong))
	}
	if mode != qtipc.Open && mode != qtipc.Create {
		return nil, qtipc.Errorf(qtipc.KeyError, op, nil, fmt.Sprintf("QSystemSemaphore: unknown access mode %d", int(mode)))
	}
	p, ok := utf16Name(name)
	if !ok {
		return nil, qtipc.Errorf(qtipc.KeyError, op, nil, function+": the name holds a NUL character")
	}
	h, _, err := createSemaphore(int32(initial), maxLong, p)
	if err != nil {
		return nil, semError(flavor, op, function, uint32(errnoOf(err)), err)
	}
	return &Semaphore{flavor: flavor, name: name, key: key, h: h}, nil
}

// Key is the legacy key ("" for a plain native key).
func (s *Semaphore) Key() string { return s.key }

// NativeKey is the semaphore's name.
func (s *Semaphore) NativeKey() string { return s.name }

func (s *Semaphore) handle(op string) (windows.Handle, *qtipc.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, qtipc.Errorf(qtipc.KeyError, op, qtipc.ErrClosed, "QSystemSemaphore: object is closed")
	}
	return s.h, nil
}

// Acquire is QSystemSemaphore::acquire: a wait for one unit, bounded by ctx (nil: no bound).
// A unit taken is never given back by the system, not even when the process dies.
func (s *Semaphore) Acquire(ctx context.Context) error {
	h, e := s.handle("acquire")
	if e != nil {
		return e
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := waitSem(ctx, h); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return qtipc.Errorf(qtipc.LockError, "acquire", err, "QSystemSemaphore::modifySemaphore: "+err.Error())
		}
		return semError(s.flavor, "acquire", "QSystemSemaphore::modifySemaphore", uint32(errnoOf(err)), err)
	}
	return nil
}

// Release is QSystemSemaphore::release(n): ReleaseSemaphore(n), all or nothing. A count that
// would take the value past MAXLONG fails (ERROR_TOO_MANY_POSTS, UnknownError in Qt).
func (s *Semaphore) Release(n int) error {
	if n == 0 {
		return nil
	}
	if n < 0 {
		return qtipc.Errorf(qtipc.UnknownError, "release", nil, "QSystemSemaphore::release: n is negative.")
	}
	if int64(n) > maxLong {
		return qtipc.Errorf(qtipc.OutOfResources, "release", nil,
			fmt.Sprintf("QSystemSemaphore::release: n = %d is more than a Windows semaphore holds (%d)", n, maxLong))
	}
	h, e := s.handle("release")
	if e != nil {
		return e
	}
	if err := releaseSemaphore(h, int32(n)); err != nil {
		return semError(s.flavor, "release", "QSystemSemaphore::modifySemaphore", uint32(errnoOf(err)), err)
	}
	return nil
}

// Close is QSystemSemaphoreWin32::cleanHandle: CloseHandle.
func (s *Semaphore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := windows.CloseHandle(s.h); err != nil {
		return semError(s.flavor, "close", "QSystemSemaphore::cleanHandle", uint32(errnoOf(err)), err)
	}
	return nil
}
