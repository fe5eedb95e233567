//go:build linux

package qtshm_test

// Review: contexts that are nil, already done, or far away.

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestReviewRemoveStaleWhileLockHeld: RemoveStale (which passes a nil ctx down, "no bound")
// while another object holds the key's lock must wait for the Unlock, not panic.
func TestReviewRemoveStaleWhileLockHeld(t *testing.T) {
	key := uniqueKey(t)
	m := create(t, qtshm.BackendSysV, key, 8)
	if err := m.Lock(); err != nil {
		t.Fatal(err)
	}
	type result struct {
		removed bool
		err     error
		panic   string
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{panic: fmt.Sprintf("%v\n%s", r, debug.Stack())}
			}
		}()
		removed, err := qtshm.RemoveStale(key)
		done <- result{removed: removed, err: err}
	}()
	select {
	case r := <-done:
		if r.panic != "" {
			t.Fatalf("RemoveStale panicked while the lock was held: %s", r.panic)
		}
		t.Fatalf("RemoveStale returned (%v, %v) while the lock was held elsewhere", r.removed, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.panic != "" {
			t.Fatalf("RemoveStale panicked: %s", r.panic)
		}
		if r.err != nil || r.removed {
			t.Fatalf("RemoveStale of an attached segment: (%v, %v), want (false, nil)", r.removed, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("RemoveStale did not return after Unlock")
	}
}

// TestReviewHugeDeadline: a deadline far in the future behaves as no deadline: a waiter is
// woken by the Unlock. (Passes: probe.)
func TestReviewHugeDeadline(t *testing.T) {
	key := uniqueKey(t)
	m := create(t, qtshm.BackendSysV, key, 8)
	ctx, cancel := context.WithDeadline(context.Background(), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	defer cancel()
	if err := m.LockContext(ctx); err != nil {
		t.Fatal(err)
	}
	other := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	t.Cleanup(func() { other.Close() })
	got := make(chan error, 1)
	go func() { got <- other.AttachContext(ctx, qtshm.ReadWrite) }()
	select {
	case err := <-got:
		t.Fatalf("Attach returned (%v) while the lock is held", err)
	case <-time.After(300 * time.Millisecond):
	}
	m.Unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		m.Lock() // not reached normally; make the test end
		t.Fatal("Attach with a far deadline was not woken by Unlock")
	}
}

// TestReviewNilContextDoesNotPanic: RemoveStaleContext documents nil as "no bound", and the
// backend interface says the same of every call; a careless caller passes nil elsewhere too. No
// call may panic (library rule: no panics).
func TestReviewNilContextDoesNotPanic(t *testing.T) {
	calls := map[string]func(m *qtshm.SharedMemory) error{
		//lint:ignore SA1012 the point of the test
		"CloseContext(nil) of a creator": func(m *qtshm.SharedMemory) error { return m.CloseContext(nil) },
		//lint:ignore SA1012 the point of the test
		"DetachContext(nil)": func(m *qtshm.SharedMemory) error { return m.DetachContext(nil) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			m := create(t, qtshm.BackendSysV, uniqueKey(t), 8)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s panicked: %v", name, r)
					}
				}()
				err = call(m)
			}()
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
}
