package qtshm

import (
	"context"
	"errors"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/posix"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// ErrLockAbandoned is wrapped by the LockError of a LockContext (or a Create, Attach, Detach
// with a bounded context) that gave up on a POSIX-realtime lock that looks abandoned: taken,
// with no live process that maps it other than processes waiting for it. A POSIX semaphore has
// no SEM_UNDO, so a holder killed while locked leaves the lock taken for good, in Qt as here.
// [SharedMemory.RecoverLock] frees it after checking again.
var ErrLockAbandoned = qtipc.ErrLockAbandoned

// RecoverLock frees the lock of a POSIX-realtime key that a dead holder left taken. It
// releases the lock once, and only if, during all of heldFor (choose it far longer than any
// critical section of the programs sharing the key), the lock stayed taken and every live
// process that has it open was blocked waiting for it; otherwise it changes nothing and
// returns an error that says why (a live process that may hold it, a process it cannot
// inspect, a lock that was free). It never releases on a guess. The object must not hold the
// lock itself. ctx bounds the whole call.
//
// Limits: a process in which one thread holds the lock while another thread waits for it
// looks like a waiter. Processes of other users can be inspected only by root.
//
// System V locks need no recovery (the kernel undoes a dead holder's lock, SEM_UNDO): for
// them, and for the native backend, RecoverLock fails with an error wrapping
// [errors.ErrUnsupported].
func (m *SharedMemory) RecoverLock(ctx context.Context, heldFor time.Duration) error {
	ctx = orBackground(ctx)
	const op = "recover"
	if err := m.precheck(op, func() error { return nil }); err != nil {
		return err
	}
	r, ok := m.b.(backend.LockRecoverer)
	if !ok {
		return newError(LockError, op, m.key,
			"qtshm: this lock needs no recovery (System V: the kernel releases a dead holder's lock) or the backend cannot recover it", errors.ErrUnsupported)
	}
	if err := m.acquire(ctx, op, "QSharedMemory::lock"); err != nil {
		return err
	}
	defer m.release()
	return qtipc.WithKey(m.key, r.RecoverLock(ctx, heldFor))
}

// posixRemoveStale is the POSIX backend's RemoveStaleNative.
var posixRemoveStale = func(ctx context.Context, k nativekey.Key, cfg backend.Config) (bool, error) {
	return posix.RemoveStale(ctx, k.Native, posix.LockName(k), cfg)
}

// RemoveStaleNative is [RemoveStaleNativeContext] without a bound.
func RemoveStaleNative(k NativeIpcKey, opts ...Option) (bool, error) {
	return RemoveStaleNativeContext(context.Background(), k, opts...)
}

// RemoveStaleNativeContext removes what a native key leaves behind when nobody uses it:
//
//   - System V types: as [RemoveStaleContext], the segment keyed from k.Native when no
//     process is attached (and its key file if it is empty, and its lock).
//   - PosixRealtime: the segment /dev/shm/NAME and the lock semaphore /dev/shm/sem.NAME (or the
//     legacy lock of a key that records a legacy key), when no live process maps either. Qt
//     never removes a POSIX segment on Linux, so without this they stay until reboot.
//
// Objects of another user are left alone unless [WithForeignOwner]. It reports whether it
// removed anything; objects still in use are not an error.
func RemoveStaleNativeContext(ctx context.Context, k NativeIpcKey, opts ...Option) (bool, error) {
	ctx = orBackground(ctx)
	if err := checkNativeKey("QSharedMemory", "remove", k); err != nil {
		return false, err
	}
	if k.Native == "" {
		return false, newError(KeyError, "remove", k.Legacy, "QSharedMemory::handle:: key is empty", nil)
	}
	o := getOptions(opts)
	var removed bool
	var err error
	if k.Type == PosixRealtime {
		if posixRemoveStale == nil {
			return false, newError(KeyError, "remove", k.Legacy, "qtshm: POSIX realtime keys are not supported in this build", errors.ErrUnsupported)
		}
		removed, err = posixRemoveStale(ctx, k.internal(), o.cfg)
	} else {
		removed, err = sysv.RemoveStaleNative(ctx, k.internal(), o.cfg)
	}
	return removed, qtipc.WithKey(k.Legacy, err)
}
