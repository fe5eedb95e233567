//go:build !linux || android

package posix

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

func unsupported(op string) *qtipc.Error {
	return qtipc.Errorf(qtipc.UnknownError, op, errors.ErrUnsupported,
		"qtshm: the POSIX backend is not implemented on "+runtime.GOOS)
}

// SharedMemory is QSharedMemory with a PosixRealtime key; not implemented on this platform.
type SharedMemory struct{}

// Semaphore is QSystemSemaphore with a PosixRealtime key; not implemented on this platform.
type Semaphore struct{}

// NewSharedMemory fails with an error wrapping errors.ErrUnsupported on this platform.
func NewSharedMemory(segName, lockName, legacyKey string, cfg backend.Config) (backend.SharedMemory, error) {
	return nil, unsupported("open")
}

// NewSemaphore fails with an error wrapping errors.ErrUnsupported on this platform.
func NewSemaphore(name string, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	return nil, unsupported("open")
}

func newNativeSemaphore(k nativekey.Key, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	return nil, unsupported("open")
}

// RecoverLock fails with an error wrapping errors.ErrUnsupported on this platform.
func (m *SharedMemory) RecoverLock(ctx context.Context, heldFor time.Duration) error {
	return unsupported("recover")
}

// Diagnose fails with an error wrapping errors.ErrUnsupported on this platform.
func Diagnose(lockName string) (Diagnosis, error) { return Diagnosis{}, unsupported("diagnose") }

// RecoverLock fails with an error wrapping errors.ErrUnsupported on this platform.
func RecoverLock(ctx context.Context, lockName string, heldFor time.Duration, cfg backend.Config) error {
	return unsupported("recover")
}

// RemoveStale fails with an error wrapping errors.ErrUnsupported on this platform.
func RemoveStale(ctx context.Context, segName, lockName string, cfg backend.Config) (bool, error) {
	return false, unsupported("remove")
}

// List fails with an error wrapping errors.ErrUnsupported on this platform.
func List(all bool) ([]inventory.Object, error) { return nil, unsupported("list") }

// Inspect finds nothing on this platform.
func Inspect(name string, sem bool) (inventory.Object, bool) { return inventory.Object{}, false }

// RemoveObject fails with an error wrapping errors.ErrUnsupported on this platform.
func RemoveObject(ctx context.Context, o inventory.Object, cfg backend.Config) (bool, error) {
	return false, unsupported("remove")
}
