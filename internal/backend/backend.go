// Package backend is the contract between the public qtshm package and its implementations:
// the pure-Go System V backend (internal/sysv) and the native backend over Qt's own classes
// (internal/native, cgo, built with the tag qt5 or qt6). qtshm's public methods delegate to
// these interfaces one to one, after serialising goroutines; a backend object is used by one
// goroutine at a time, except that Semaphore.Acquire and Semaphore.Release may run at once.
//
// Every error a backend returns is a *qtipc.Error.
package backend

import (
	"context"
	"time"

	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// Config is what the options of qtshm.New / qtshm.NewSystemSemaphore hand to a backend.
type Config struct {
	Flavor qtipc.Flavor
	// TempDir, if not empty, replaces QDir::tempPath() (the directory of SysV key files).
	TempDir string
	// AllowForeign lets the object use a segment, lock or semaphore that belongs to another
	// user. Off by default: such objects are refused with PermissionDenied.
	AllowForeign bool
	// NoUndo makes a System V semaphore's acquire and release plain semop calls, without
	// SEM_UNDO (which Qt always sets): the units a process released outlive it, the units it
	// acquired are not given back when it exits, and there is no per-process bound of ±32767
	// units. For a doorbell's bells (qtshm.Doorbell) only; other backends have no undo.
	NoUndo bool
}

// SharedMemory is one QSharedMemory object. A nil ctx means "no bound".
type SharedMemory interface {
	Key() string
	NativeKey() string
	Create(ctx context.Context, size int, mode qtipc.AccessMode) error
	Attach(ctx context.Context, mode qtipc.AccessMode) error
	Detach(ctx context.Context) error
	// Data is the mapping, nil when not attached.
	Data() []byte
	// Lock blocks until the lock is held or ctx is done.
	Lock(ctx context.Context) error
	Unlock() error
	// Close is what Qt's destructor does; ctx bounds its lock waits where the backend can.
	Close(ctx context.Context) error
}

// Semaphore is one QSystemSemaphore object.
type Semaphore interface {
	Key() string
	NativeKey() string
	// Acquire blocks until it took one unit or ctx is done.
	Acquire(ctx context.Context) error
	Release(n int) error
	Close() error
}

// Factory makes backend objects.
type Factory interface {
	NewSharedMemory(key string, cfg Config) SharedMemory
	NewSemaphore(key string, initialValue int, mode qtipc.SemaphoreMode, cfg Config) (Semaphore, error)
}

// NativeKeyFactory is implemented by the factories that handle Qt 6.6+'s QNativeIpcKey keys:
// the pure System V backend (types 1..0xff), the pure POSIX backend (PosixRealtime) and the
// native backend when built against Qt ≥ 6.6. The key is used as given: nothing is derived
// from a flavour or a temp directory, except the lock semaphore of a key that records a
// legacy key (Qt 6.6.1+: QSystemSemaphore::legacyNativeKey(legacy, type)).
//
// A key type the factory does not handle gives a *qtipc.Error wrapping errors.ErrUnsupported.
type NativeKeyFactory interface {
	// NewNativeSharedMemory is QSharedMemory(const QNativeIpcKey &).
	NewNativeSharedMemory(k nativekey.Key, cfg Config) (SharedMemory, error)
	// NewNativeSemaphore is QSystemSemaphore(const QNativeIpcKey &, initialValue, mode).
	NewNativeSemaphore(k nativekey.Key, initialValue int, mode qtipc.SemaphoreMode, cfg Config) (Semaphore, error)
}

// LockRecoverer is implemented by the SharedMemory objects of a backend whose lock a dead
// holder can leave taken (POSIX realtime: no SEM_UNDO). RecoverLock releases the lock once,
// and only when it is sure nobody holds it: taken for all of heldFor with no live process that
// could release it. Otherwise it returns an error that says why.
type LockRecoverer interface {
	RecoverLock(ctx context.Context, heldFor time.Duration) error
}
