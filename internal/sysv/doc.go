// Package sysv is qtshm-go's pure-Go backend: QSharedMemory and QSystemSemaphore over System V
// IPC, reproducing Qt's SysV code path step by step (key files, ftok, flags, ownership, cleanup,
// error codes and texts) for the Qt 5.15/6.0–6.5 and Qt 6.6.1+ flavours. Each function names the
// Qt function it mirrors; the design notes are shared/design/qt-ipc-semantics.md §2, §3 and §6.
//
// It registers itself as backend "sysv".
package sysv

import "github.com/qtshm/qtshm-go/internal/backend"

// Name is the name this backend is registered under.
const Name = "sysv"

type factory struct{}

func (factory) NewSharedMemory(key string, cfg backend.Config) backend.SharedMemory {
	return newSharedMemory(key, cfg)
}

func (factory) NewSemaphore(key string, initialValue int, mode backend.SemMode, cfg backend.Config) (backend.Semaphore, error) {
	return newSystemSemaphore(key, initialValue, mode, cfg)
}

func init() { backend.Register(Name, factory{}) }
