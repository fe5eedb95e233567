package qtshm_test

import (
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

// BenchmarkLockUnlock measures one uncontended Lock+Unlock pair (two semop calls with the pure
// backend, two Qt calls with the native one).
func BenchmarkLockUnlock(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			m := qtshm.New("qtshm bench "+be, qtshm.WithBackend(be))
			defer m.Close()
			if err := m.Create(4096, qtshm.ReadWrite); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if err := m.Lock(); err != nil {
					b.Fatal(err)
				}
				if err := m.Unlock(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLockedWrite measures lock, a 64-byte write and unlock: the article's per-tick work.
func BenchmarkLockedWrite(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			m := qtshm.New("qtshm bench write "+be, qtshm.WithBackend(be))
			defer m.Close()
			if err := m.Create(4096, qtshm.ReadWrite); err != nil {
				b.Fatal(err)
			}
			msg := make([]byte, 64)
			b.SetBytes(64)
			for b.Loop() {
				m.Lock()
				copy(m.Data(), msg)
				m.Unlock()
			}
		})
	}
}
