// Package backend is the contract between the public qtshm package and its implementations:
// the pure-Go System V backend (internal/sysv) and the native backend over Qt's own classes
// (package native, cgo). qtshm's public methods delegate to these interfaces one to one.
package backend

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// AccessMode is QSharedMemory::AccessMode.
type AccessMode int

// Access modes, with Qt's values.
const (
	ReadOnly  AccessMode = 0
	ReadWrite AccessMode = 1
)

// SemMode is QSystemSemaphore::AccessMode.
type SemMode int

// Semaphore modes, with Qt's values.
const (
	Open   SemMode = 0
	Create SemMode = 1
)

// Flavor selects which Qt version's behaviour a backend reproduces where versions differ.
type Flavor int

// Flavors.
const (
	// FlavorQt5 is Qt 5.15 and Qt 6.0–6.5 (identical on Linux).
	FlavorQt5 Flavor = iota
	// FlavorQt66 is Qt 6.6.1 and later (6.7, 6.8, …).
	FlavorQt66
)

// Config is what the options of qtshm.New / qtshm.NewSystemSemaphore hand to a backend.
type Config struct {
	Flavor Flavor
	// TempDir, if not empty, replaces QDir::tempPath() (the directory of SysV key files).
	TempDir string
}

// SharedMemory is one QSharedMemory object.
type SharedMemory interface {
	Key() string
	NativeKey() string
	Create(size int, mode AccessMode) error
	Attach(mode AccessMode) error
	Detach() error
	// Data is the mapping, nil when not attached.
	Data() []byte
	// Lock blocks until the lock is held or ctx is done. ctx may be nil (block forever).
	Lock(ctx context.Context) error
	Unlock() error
	// Close is what Qt's destructor does.
	Close() error
}

// Semaphore is one QSystemSemaphore object.
type Semaphore interface {
	Key() string
	NativeKey() string
	// Acquire blocks until it took one unit or ctx is done. ctx may be nil (block forever).
	Acquire(ctx context.Context) error
	Release(n int) error
	Close() error
}

// Factory makes backend objects.
type Factory interface {
	NewSharedMemory(key string, cfg Config) SharedMemory
	NewSemaphore(key string, initialValue int, mode SemMode, cfg Config) (Semaphore, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a backend available under name. It panics on a duplicate name (a programming
// error at init time).
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("qtshm: backend %q registered twice", name))
	}
	registry[name] = f
}

// Lookup returns the backend registered under name.
func Lookup(name string) (Factory, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := registry[name]
	return f, ok
}

// Names lists the registered backends, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
