//go:build linux

package sysv

import (
	"context"
	"fmt"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// systemSemaphore is a standalone QSystemSemaphore(key, initialValue, mode). Acquire and Release
// may run in different goroutines at once.
type systemSemaphore struct {
	s     *semaphore
	label string // Key(): the legacy key (a native key's, "" if none)
}

var _ backend.Semaphore = (*systemSemaphore)(nil)

func newSystemSemaphore(key string, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (*systemSemaphore, error) {
	if key == "" {
		return nil, qtipc.Errorf(qtipc.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty")
	}
	s := newSemaphoreObject(semConfig{flavor: cfg.Flavor, tempDir: cfg.TempDir, foreign: cfg.AllowForeign, noUndo: cfg.NoUndo})
	s.mu.Lock()
	s.setKey(key, initial, mode, false)
	e := s.err
	s.mu.Unlock()
	if e != nil {
		s.close()
		return nil, e
	}
	return &systemSemaphore{s: s, label: key}, nil
}

// newNativeSystemSemaphore is QSystemSemaphore(const QNativeIpcKey &, initial, mode) for a
// System V key (type 1..0xff; Qt 6.6+, so the flavour is Qt 6.6.1+): the key file is k.Native,
// the ftok project id k.Type.
func newNativeSystemSemaphore(k nativekey.Key, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (*systemSemaphore, error) {
	if k.Native == "" {
		return nil, qtipc.Errorf(qtipc.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty")
	}
	s := newSemaphoreObject(semConfig{flavor: qtipc.FlavorQt661, tempDir: cfg.TempDir, foreign: cfg.AllowForeign, noUndo: cfg.NoUndo})
	s.mu.Lock()
	s.setNativeKey(k.Native, int(k.Type), false, initial, mode, false)
	e := s.err
	s.mu.Unlock()
	if e != nil {
		s.close()
		return nil, e
	}
	return &systemSemaphore{s: s, label: k.Legacy}, nil
}

func (m *systemSemaphore) Key() string { return m.label }
func (m *systemSemaphore) NativeKey() string {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.s.fileName
}

func (m *systemSemaphore) Acquire(ctx context.Context) error {
	if e := m.s.modify(ctx, "acquire", -1); e != nil {
		return e
	}
	return nil
}

func (m *systemSemaphore) Release(n int) error {
	if n == 0 {
		return nil
	}
	if n < 0 {
		return qtipc.Errorf(qtipc.UnknownError, "release", nil, "QSystemSemaphore::release: n is negative.")
	}
	if n > maxSemValue {
		return qtipc.Errorf(qtipc.OutOfResources, "release", nil,
			fmt.Sprintf("QSystemSemaphore::release: n = %d is more than one semop can add (%d)", n, maxSemValue))
	}
	if e := m.s.modify(context.Background(), "release", n); e != nil {
		return e
	}
	return nil
}

func (m *systemSemaphore) Close() error {
	m.s.close()
	return nil
}
