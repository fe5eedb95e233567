//go:build windows

package winipc

import (
	"context"
	"errors"

	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/windows"
)

// lockSem is QSharedMemory's lock: a QSystemSemaphore of initial value 1 on Windows.
type lockSem struct {
	flavor  qtipc.Flavor
	name    string // "" = none (an empty key)
	h       windows.Handle
	holding bool
}

// open is QSystemSemaphoreWin32::handle for the lock: CreateSemaphoreW(NULL, 1, MAXLONG, name),
// which opens the semaphore as it is when it exists. A handle already open is kept.
func (l *lockSem) open(op string) *qtipc.Error {
	if l.h != 0 || l.name == "" {
		return nil
	}
	p, ok := utf16Name(l.name)
	if !ok {
		return qtipc.Errorf(qtipc.KeyError, op, nil, "QSystemSemaphore::handle: the name holds a NUL character")
	}
	h, _, err := createSemaphore(1, maxLong, p)
	if err != nil {
		return semError(l.flavor, op, "QSystemSemaphore::handle", uint32(errnoOf(err)), err)
	}
	l.h = h
	return nil
}

// acquire waits for the lock until ctx is done. function labels the error
// ("QSharedMemory::lock", "QSharedMemory::create", …).
func (l *lockSem) acquire(ctx context.Context, op, function string) *qtipc.Error {
	if ctx == nil {
		ctx = context.Background()
	}
	if l.h == 0 {
		return qtipc.Errorf(qtipc.LockError, op, nil, function+": unable to lock")
	}
	if err := waitSem(ctx, l.h); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return qtipc.Errorf(qtipc.LockError, op, err, function+": unable to lock"+
				" (still held: a Windows semaphore has no owner, so if a holder died while it held the lock, the lock is never given back"+
				" until every process closes it)")
		}
		se := semError(l.flavor, op, "QSystemSemaphore::modifySemaphore", uint32(errnoOf(err)), err)
		return qtipc.Errorf(qtipc.LockError, op, se, function+": unable to lock")
	}
	l.holding = true
	return nil
}

// release is ReleaseSemaphore(lock, 1).
func (l *lockSem) release(op, function string) *qtipc.Error {
	if l.h == 0 || !l.holding {
		return qtipc.Errorf(qtipc.LockError, op, nil, function+": unable to unlock")
	}
	l.holding = false
	if err := releaseSemaphore(l.h, 1); err != nil {
		se := semError(l.flavor, op, "QSystemSemaphore::modifySemaphore", uint32(errnoOf(err)), err)
		return qtipc.Errorf(qtipc.LockError, op, se, function+": unable to unlock")
	}
	return nil
}

// close gives back a unit this object holds and closes the handle.
func (l *lockSem) close() {
	if l.h == 0 {
		return
	}
	if l.holding {
		l.holding = false
		releaseSemaphore(l.h, 1)
	}
	windows.CloseHandle(l.h)
	l.h = 0
}
