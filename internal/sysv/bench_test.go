//go:build linux

package sysv

import (
	"context"
	"testing"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
)

// TestMain runs the benchmarks in a private IPC namespace (as root) and fails the run if one
// leaves a segment or semaphore set behind.
func TestMain(m *testing.M) { testenv.Main(m) }

// The backend's own cost, without the public package's goroutine safety (its gate, RWMutex and
// checks): the difference to qtshm's benchmarks of the same name is what that safety costs.

func benchBackend(b *testing.B, name string) *sharedMemory {
	b.Helper()
	m := newSharedMemory("qtshm sysv bench "+name, backend.Config{})
	b.Cleanup(func() { m.Close(context.Background()) })
	if err := m.Create(context.Background(), 4096, qtipc.ReadWrite); err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkLockUnlock(b *testing.B) {
	m := benchBackend(b, "lock")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Lock(ctx); err != nil {
			b.Fatal(err)
		}
		if err := m.Unlock(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAttachDetach(b *testing.B) {
	owner := benchBackend(b, "attach")
	m := newSharedMemory(owner.Key(), backend.Config{})
	b.Cleanup(func() { m.Close(context.Background()) })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Attach(ctx, qtipc.ReadWrite); err != nil {
			b.Fatal(err)
		}
		if err := m.Detach(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
