//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// TestSemaphore: Create starts at the initial value even over an existing semaphore (Qt's
// unlink and retry), Open keeps the value, Release(3) wakes three waiters, Acquire honours its
// context, and the creator's Close unlinks the name.
func TestSemaphore(t *testing.T) {
	name := uniqueName(t)
	old, err := NewSemaphore(name, 5, qtipc.Create, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSemaphore(name, 0, qtipc.Create, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old.Close() // not the name's semaphore any more: its Close must not unlink s's
	if ok, _ := exists(semPath(name)); !ok {
		t.Fatal("closing the replaced semaphore unlinked the new one")
	}
	o, err := NewSemaphore(name, 7, qtipc.Open, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if v := o.(*Semaphore).sem.Value(); v != 0 {
		t.Errorf("Open of an existing semaphore: value %d, want 0 (kept)", v)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := ctxFor(stepTimeout)
			defer cancel()
			errs <- o.Acquire(ctx)
		}()
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Release(3); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	ctx, cancel := ctxFor(100 * time.Millisecond)
	err = o.Acquire(ctx)
	cancel()
	if !errors.Is(err, qtipc.ErrLockError) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire at 0 with a deadline: %v", err)
	}
	if err := o.Release(-1); err == nil {
		t.Error("Release(-1) succeeded")
	}
	o.Close()
	if ok, _ := exists(semPath(name)); !ok {
		t.Error("a non-creator's Close unlinked the semaphore")
	}
	s.Close()
	if ok, _ := exists(semPath(name)); ok {
		t.Error("the creator's Close left the semaphore")
	}
	if _, err := NewSemaphore(name, -1, qtipc.Open, backend.Config{}); err == nil {
		t.Error("initial -1 accepted")
	}
}
