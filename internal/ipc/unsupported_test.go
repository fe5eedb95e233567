//go:build !linux || android

package ipc

import (
	"errors"
	"testing"
)

// TestUnsupported checks that every call fails with an error wrapping errors.ErrUnsupported.
func TestUnsupported(t *testing.T) {
	_, e1 := Semget(1, 1, IPC_CREAT)
	_, e2 := Semctl(0, 0, GETVAL, 0)
	e3 := Semtimedop(0, Sembuf{Op: 1}, 0)
	_, e4 := Semstat(0)
	_, e5 := Shmget(1, 1, IPC_CREAT)
	_, e6 := Shmat(0, 0)
	e7 := Shmdt([]byte{0})
	_, e8 := ShmStat(0)
	e9 := ShmRemove(0)
	_, e10 := Ftok(".", ProjQ)
	_, e11 := ShmatSize(0, 0, 1)
	for i, err := range []error{e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11} {
		if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, ErrUnsupported) {
			t.Errorf("call %d: %v, want an error wrapping errors.ErrUnsupported", i+1, err)
		}
	}
}
