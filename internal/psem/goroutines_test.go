//go:build linux && !android

package psem

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestGoroutines: many goroutines Wait, TryWait and Post on one Sem (and on a second mapping
// of the same file); every token posted is taken exactly once.
func TestGoroutines(t *testing.T) {
	s, name := mustCreate(t, "g", 0o600, 0)
	s2, _, err := Open(name, 0, 0, 0) // a second mapping in this process: the same semaphore
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	const posters, waiters, perPoster = 8, 8, 2000
	ctx := testenv.Context(t, 60*time.Second)
	var taken, tried atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, posters+waiters)
	for i := range waiters {
		sem := []*Sem{s, s2}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for taken.Load() < posters*perPoster {
				if i%4 == 3 {
					if err := sem.TryWait(); err == nil {
						taken.Add(1)
						tried.Add(1)
					} else if !errors.Is(err, unix.EAGAIN) {
						errs <- err
						return
					} else {
						runtime.Gosched()
					}
					continue
				}
				wctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				err := sem.Wait(wctx)
				cancel()
				switch {
				case err == nil:
					taken.Add(1)
				case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
					// a short timeout on purpose: timed-out waits must unregister cleanly
				default:
					errs <- err
					return
				}
			}
		}()
	}
	for i := range posters {
		sem := []*Sem{s, s2}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perPoster {
				if err := sem.Post(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := taken.Load(); got != posters*perPoster {
		t.Errorf("%d tokens taken, %d posted", got, posters*perPoster)
	}
	t.Logf("%d tokens, %d of them by TryWait", taken.Load(), tried.Load())
	if v, w := s.Value(), s.Waiters(); v != 0 || w != 0 {
		t.Errorf("value %d, waiters %d at the end; want 0, 0", v, w)
	}
}

// TestCloseDuringWaits: Close interrupts sleeping Waits with ErrClosed and waits for them; the
// waiter count they registered is given back; every later call fails without crashing.
func TestCloseDuringWaits(t *testing.T) {
	s, name := mustCreate(t, "cl", 0o600, 0)
	const n = 10
	ctx := testenv.Context(t, 60*time.Second)
	errs := make(chan error, n)
	for range n {
		go func() { errs <- s.Wait(ctx) }()
	}
	waitFor(t, "all waiters to register", func() bool { return s.Waiters() == n })
	var posting sync.WaitGroup
	stop := make(chan struct{})
	posting.Add(1)
	go func() { // a Post racing with Close must succeed or fail with ErrClosed, never crash
		defer posting.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Post(); err != nil {
				if !errors.Is(err, ErrClosed) {
					t.Errorf("Post during Close: %v", err)
				}
				return
			}
			if s.Value() > 1000 {
				return
			}
		}
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	posting.Wait()
	for range n {
		if err := <-errs; err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Wait interrupted by Close: %v, want nil or ErrClosed", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Wait(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait after Close: %v", err)
	}
	if err := s.TryWait(); !errors.Is(err, ErrClosed) {
		t.Errorf("TryWait after Close: %v", err)
	}
	if err := s.Post(); !errors.Is(err, ErrClosed) {
		t.Errorf("Post after Close: %v", err)
	}
	if v, w := s.Value(), s.Waiters(); v != -1 || w != -1 {
		t.Errorf("Value, Waiters after Close: %d, %d; want -1, -1", v, w)
	}
	s2, _, err := Open(name, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if w := s2.Waiters(); w != 0 {
		t.Errorf("%d waiters left registered after Close interrupted the waits", w)
	}
}
