//go:build !linux || android

package psem

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
)

var errUnsupported = fmt.Errorf("psem: glibc named semaphores are not available on %s: %w",
	runtime.GOOS, errors.ErrUnsupported)

// Path returns an error wrapping errors.ErrUnsupported on this platform.
func Path(name string) (string, error) { return "", errUnsupported }

// Sem is a named semaphore; on this platform none can be opened.
type Sem struct{}

// Open returns an error wrapping errors.ErrUnsupported on this platform.
func Open(name string, flag int, perm uint32, value uint32) (s *Sem, created bool, err error) {
	return nil, false, errUnsupported
}

// Unlink returns an error wrapping errors.ErrUnsupported on this platform.
func Unlink(name string) error { return errUnsupported }

// Name returns "" on this platform.
func (s *Sem) Name() string { return "" }

// Path returns "" on this platform.
func (s *Sem) Path() string { return "" }

// File returns zeros on this platform.
func (s *Sem) File() (dev, ino uint64) { return 0, 0 }

// Owner returns 0 on this platform.
func (s *Sem) Owner() (uid uint32) { return 0 }

// Mode returns 0 on this platform.
func (s *Sem) Mode() os.FileMode { return 0 }

// Wait returns an error wrapping errors.ErrUnsupported on this platform.
func (s *Sem) Wait(ctx context.Context) error { return errUnsupported }

// TryWait returns an error wrapping errors.ErrUnsupported on this platform.
func (s *Sem) TryWait() error { return errUnsupported }

// Post returns an error wrapping errors.ErrUnsupported on this platform.
func (s *Sem) Post() error { return errUnsupported }

// Value returns -1 on this platform.
func (s *Sem) Value() int { return -1 }

// Waiters returns -1 on this platform.
func (s *Sem) Waiters() int { return -1 }

// Close returns an error wrapping errors.ErrUnsupported on this platform.
func (s *Sem) Close() error { return errUnsupported }
