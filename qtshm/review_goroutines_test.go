//go:build linux

package qtshm_test

// Review: goroutines sharing one SharedMemory or SystemSemaphore.

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestReviewDetachFromOtherGoroutineWhileLocked: goroutine A holds the lock; goroutine B's
// DetachContext fails at once with LockError (the documented behaviour: Go cannot tell the
// holder's goroutine from another, and waiting would deadlock a holder that detaches), and
// works after A's Unlock.
func TestReviewDetachFromOtherGoroutineWhileLocked(t *testing.T) {
	m := create(t, qtshm.BackendSysV, uniqueKey(t), 8)
	if err := m.Lock(); err != nil { // goroutine A (this one)
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { // goroutine B
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		got <- m.DetachContext(ctx)
	}()
	var err error
	select {
	case err = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("Detach in another goroutine neither failed nor returned")
	}
	if !errors.Is(err, qtshm.ErrLockError) || !m.IsAttached() {
		t.Fatalf("Detach while another goroutine holds the lock: %v (attached %v), want LockError and still attached", err, m.IsAttached())
	}
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := m.Detach(); err != nil {
		t.Fatalf("Detach after the Unlock: %v", err)
	}
}

// TestReviewGoroutineFreeForAll: eight goroutines run random Lock/Unlock/ReadAt/WriteAt/Data/
// Detach/Attach/Size operations (no stray Unlock: like sync.Mutex, Unlock from any goroutine
// releases the holder's lock) on one object for 2 s while a second object of the
// same key counts under the lock. Run with -race. Afterwards the counter is exact, nothing
// panicked, and every error is one of the documented codes. (Probe.)
func TestReviewGoroutineFreeForAll(t *testing.T) {
	key := uniqueKey(t)
	owner := create(t, qtshm.BackendSysV, key, 64)
	m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	t.Cleanup(func() { m.Close() })
	if err := m.Attach(qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	var incs, counted uint64
	var mu sync.Mutex
	until := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	bad := make(chan string, 64)
	allowed := func(op string, err error) {
		if err == nil {
			return
		}
		var e *qtshm.Error
		if !errors.As(err, &e) {
			bad <- op + ": not an *Error: " + err.Error()
			return
		}
		switch e.Code {
		case qtshm.LockError, qtshm.NotFound, qtshm.AlreadyExists:
		default:
			bad <- op + ": " + err.Error()
		}
	}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(seed))
			buf := make([]byte, 8)
			for time.Now().Before(until) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				switch rnd.Intn(5) {
				case 0, 1: // a locked increment, through ReadAt/WriteAt
					if err := m.LockContext(ctx); err != nil {
						allowed("lock", err)
						break
					}
					if _, err := m.ReadAt(buf, 0); err == nil {
						binary.LittleEndian.PutUint64(buf, binary.LittleEndian.Uint64(buf)+1)
						if _, err := m.WriteAt(buf, 0); err == nil {
							mu.Lock()
							incs++
							mu.Unlock()
						}
					} else {
						allowed("read", err)
					}
					if err := m.Unlock(); err != nil {
						bad <- "unlock of our own lock: " + err.Error()
					}
				case 2:
					allowed("detach", m.DetachContext(ctx))
				case 3:
					allowed("attach", m.AttachContext(ctx, qtshm.ReadWrite))
				case 4:
					_ = m.Size()
					_ = m.IsAttached()
					m.ReadAt(buf, 8)
				}
				cancel()
			}
		}(int64(g))
	}
	wg.Add(1)
	go func() { // the second object counts too
		defer wg.Done()
		for time.Now().Before(until) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := owner.LockContext(ctx); err != nil {
				bad <- "owner lock: " + err.Error()
				cancel()
				return
			}
			d := owner.Data()
			binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)+1)
			counted++
			owner.Unlock()
			cancel()
		}
	}()
	wg.Wait()
	close(bad)
	n := 0
	for b := range bad {
		if n++; n < 10 {
			t.Error(b)
		}
	}
	if err := owner.Lock(); err != nil {
		t.Fatal(err)
	}
	got := binary.LittleEndian.Uint64(owner.Data())
	owner.Unlock()
	if got != incs+counted {
		t.Fatalf("counter %d, want %d + %d", got, incs, counted)
	}
	t.Logf("counter %d = %d (shared object) + %d (second object)", got, incs, counted)
}

// TestReviewSemaphoreCloseWhileAcquireWaits: one goroutine waits in Acquire (value 0), another
// calls Close, a third Releases. Close waits for the Acquire (documented), and the Release that
// would wake it is refused (the object is closing): in one process nothing can end the wait.
// Probe: it documents the hang and that another object's Release frees it.
func TestReviewSemaphoreCloseWhileAcquireWaits(t *testing.T) {
	key := uniqueKey(t)
	s, err := qtshm.NewSystemSemaphore(key, 0, qtshm.Create, qtshm.WithBackend(qtshm.BackendSysV))
	if err != nil {
		t.Fatal(err)
	}
	acquired := make(chan error, 1)
	go func() { acquired <- s.Acquire() }()
	time.Sleep(100 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	time.Sleep(100 * time.Millisecond)
	if err := s.Release(1); !errors.Is(err, qtshm.ErrClosed) {
		t.Errorf("Release during Close: %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while Acquire waits", err)
	case <-time.After(500 * time.Millisecond):
		t.Logf("Close waits for the Acquire, and this object can no longer release it")
	}
	other, err := qtshm.NewSystemSemaphore(key, 0, qtshm.Open, qtshm.WithBackend(qtshm.BackendSysV))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Release(1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []chan error{acquired, closed} {
		select {
		case err := <-c:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Acquire/Close did not end after another object's Release")
		}
	}
}
