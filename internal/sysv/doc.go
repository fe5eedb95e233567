// Package sysv is qtshm-go's pure-Go backend: QSharedMemory and QSystemSemaphore over System V
// IPC, reproducing Qt's SysV code path step by step (key files, ftok, flags, ownership, cleanup,
// error codes and texts) for the Qt 5.15/6.0–6.5 and Qt 6.6.1+ flavours, and safer than Qt
// where Qt's own code races (see handle, Create and Close). Each function names the Qt function
// it mirrors; the behaviour is described in docs/qt-semantics.md.
//
// It is implemented on Linux. Elsewhere every operation fails with an error wrapping
// errors.ErrUnsupported.
package sysv

import (
	"errors"
	"fmt"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// Name is the backend's name (qtshm.BackendSysV).
const Name = "sysv"

// Factory makes the backend's objects.
var Factory backend.Factory = factory{}

type factory struct{}

func (factory) NewSharedMemory(key string, cfg backend.Config) backend.SharedMemory {
	return newSharedMemory(key, cfg)
}

// NewNativeSharedMemory is QSharedMemory(const QNativeIpcKey &) for System V key types
// (1..0xff).
func (factory) NewNativeSharedMemory(k nativekey.Key, cfg backend.Config) (backend.SharedMemory, error) {
	if e := systemVType("QSharedMemory", k.Type); e != nil {
		return nil, e
	}
	if e := negativeShmKey(k.Type); e != nil {
		return nil, e
	}
	return newNativeSharedMemory(k, cfg), nil
}

// NewNativeSemaphore is QSystemSemaphore(const QNativeIpcKey &, initial, mode) for System V key
// types (1..0xff).
func (factory) NewNativeSemaphore(k nativekey.Key, initialValue int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	if e := systemVType("QSystemSemaphore", k.Type); e != nil {
		return nil, e
	}
	return newNativeSystemSemaphore(k, initialValue, mode, cfg)
}

// negativeShmKey refuses System V shared-memory types 0x80..0xff. ftok puts the project id in
// the key's top byte, so such a key is negative, and Qt 6.6+'s QSharedMemorySystemV::handle
// takes every negative key for an ftok failure: no Qt process can create or attach such a
// segment (Qt 6.8.2 reports a left-over errno). QSystemSemaphore checks only for -1, so
// semaphores of these types work in Qt and here.
func negativeShmKey(t uint16) *qtipc.Error {
	if t < 0x80 {
		return nil
	}
	return qtipc.Errorf(qtipc.KeyError, "new", nil,
		fmt.Sprintf("QSharedMemory::handle: key type %#x: ftok's key is negative with a project id of 0x80 or more, which Qt's QSharedMemory cannot use", t))
}

// systemVType refuses a key type the System V backend does not handle.
func systemVType(class string, t uint16) *qtipc.Error {
	if t >= 1 && t <= 0xff {
		return nil
	}
	return qtipc.Errorf(qtipc.KeyError, "new", errors.ErrUnsupported,
		fmt.Sprintf("%s::setNativeKey: unsupported key type (the System V backend takes types 1 to 255, not %#x)", class, t))
}

func (factory) NewSemaphore(key string, initialValue int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	return newSystemSemaphore(key, initialValue, mode, cfg)
}
