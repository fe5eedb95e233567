package sysv

import (
	"context"

	"github.com/qtshm/qtshm-go/internal/backend"
)

// systemSemaphore is a standalone QSystemSemaphore(key, initialValue, mode).
type systemSemaphore struct {
	s *semaphore
}

var _ backend.Semaphore = (*systemSemaphore)(nil)

func newSystemSemaphore(key string, initial int, mode backend.SemMode, cfg backend.Config) (*systemSemaphore, error) {
	if key == "" {
		return nil, backend.Errorf(backend.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty")
	}
	s := newSemaphoreObject(cfg.Flavor, cfg.TempDir)
	s.setKey(key, initial, mode)
	if s.err != nil {
		e := s.err
		s.cleanHandle()
		return nil, e
	}
	return &systemSemaphore{s: s}, nil
}

func (m *systemSemaphore) Key() string       { return m.s.key }
func (m *systemSemaphore) NativeKey() string { return m.s.fileName }

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
		return backend.Errorf(backend.UnknownError, "release", nil, "QSystemSemaphore::release: n is negative.")
	}
	if e := m.s.modify(nil, "release", n); e != nil {
		return e
	}
	return nil
}

func (m *systemSemaphore) Close() error {
	m.s.cleanHandle()
	m.s.key, m.s.fileName = "", ""
	return nil
}
