//go:build !linux

package sysv

import (
	"context"
	"errors"
	"runtime"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
)

func unsupported(op string) *qtipc.Error {
	return qtipc.Errorf(qtipc.UnknownError, op, errors.ErrUnsupported,
		"qtshm: the System V backend is not implemented on "+runtime.GOOS)
}

type sharedMemory struct{ key, nativeKey string }

func newSharedMemory(key string, cfg backend.Config) *sharedMemory {
	dir := cfg.TempDir
	if dir == "" {
		dir = qtkey.TempPath()
	}
	return &sharedMemory{key: key, nativeKey: qtkey.SysV(key, qtkey.SharedMemoryPrefix, dir)}
}

func (m *sharedMemory) Key() string       { return m.key }
func (m *sharedMemory) NativeKey() string { return m.nativeKey }
func (m *sharedMemory) Data() []byte      { return nil }
func (m *sharedMemory) Create(context.Context, int, qtipc.AccessMode) error {
	return unsupported("create")
}
func (m *sharedMemory) Attach(context.Context, qtipc.AccessMode) error { return unsupported("attach") }
func (m *sharedMemory) Detach(context.Context) error                   { return unsupported("detach") }
func (m *sharedMemory) Lock(context.Context) error                     { return unsupported("lock") }
func (m *sharedMemory) Unlock() error                                  { return unsupported("unlock") }
func (m *sharedMemory) Close(context.Context) error                    { return nil }

func newSystemSemaphore(key string, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	return nil, unsupported("open")
}

// RemoveStale fails with an error wrapping errors.ErrUnsupported on this platform.
func RemoveStale(ctx context.Context, key string, cfg backend.Config) (bool, error) {
	return false, unsupported("remove")
}

// CheckForeignSegment accepts everything on this platform.
func CheckForeignSegment(nativeKey string) *qtipc.Error { return nil }

// CheckForeignSemaphore accepts everything on this platform.
func CheckForeignSemaphore(nativeKey string) *qtipc.Error { return nil }

func newNativeSharedMemory(k nativekey.Key, cfg backend.Config) *sharedMemory {
	return &sharedMemory{key: k.Legacy, nativeKey: k.Native}
}

func newNativeSystemSemaphore(k nativekey.Key, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	return nil, unsupported("open")
}

// RemoveStaleNative fails with an error wrapping errors.ErrUnsupported on this platform.
func RemoveStaleNative(ctx context.Context, k nativekey.Key, cfg backend.Config) (bool, error) {
	return false, unsupported("remove")
}

// KeyFile names a System V key file to inspect (see the Linux version).
type KeyFile struct {
	Path string
	Role string
	Proj int
}

// List fails with an error wrapping errors.ErrUnsupported on this platform.
func List(dir string, all bool) ([]inventory.Object, error) { return nil, unsupported("list") }

// Inspect fails with an error wrapping errors.ErrUnsupported on this platform.
func Inspect(files []KeyFile) ([]inventory.Object, error) { return nil, unsupported("inspect") }

// RemoveObject fails with an error wrapping errors.ErrUnsupported on this platform.
func RemoveObject(ctx context.Context, o inventory.Object, force bool, cfg backend.Config) (bool, error) {
	return false, unsupported("remove")
}
