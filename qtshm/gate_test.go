package qtshm

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGateExcludes: 8 goroutines take and give one gate 20000 times in all, some with
// deadlines that expire while they wait. Inside the gate each checks that it is alone and
// increments a plain counter; the count must be exact, and every goroutine must finish (a lost
// wake-up would leave one waiting for ever: the watchdog fails the test then).
func TestGateExcludes(t *testing.T) {
	var g gate
	var (
		inside, count int
		timeouts      int64
		mu            sync.Mutex // guards timeouts only
		wg            sync.WaitGroup
	)
	const workers, each = 8, 2500
	done := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if (i+w)%7 == 0 {
					ctx, cancel = context.WithTimeout(context.Background(), time.Duration(i%3)*time.Microsecond)
				}
				for {
					err := g.take(ctx)
					if err == nil {
						break
					}
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("take: %v", err)
						cancel()
						return
					}
					mu.Lock()
					timeouts++
					mu.Unlock()
					cancel()
					ctx, cancel = context.Background(), func() {}
				}
				cancel()
				inside++
				if inside != 1 {
					t.Errorf("%d goroutines inside the gate at once", inside)
				}
				count++
				inside--
				g.give()
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("goroutines still waiting for a free gate after 2 minutes (a lost wake-up)")
	}
	if count != workers*each {
		t.Fatalf("count %d, want %d", count, workers*each)
	}
	t.Logf("%d takes timed out while waiting", timeouts)
}

// TestGateGivenByAnother: a gate taken by one goroutine and given back by another (Unlock may
// run anywhere) lets a waiter in; a waiter whose ctx ends gets ctx's error and leaves the gate
// as it was.
func TestGateGivenByAnother(t *testing.T) {
	var g gate
	if err := g.take(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	err := g.take(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("take of a held gate: %v, want DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() { got <- g.take(context.Background()) }()
	go g.give()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a waiter was not let in when another goroutine gave the gate back")
	}
	if g.held.CompareAndSwap(false, true) {
		t.Fatal("the gate is free while the waiter holds it")
	}
	g.give()
	done, stop := context.WithCancel(context.Background())
	stop()
	if err := g.take(done); err != nil {
		t.Fatalf("a free gate with a done ctx: %v, want it taken", err)
	}
}

// TestGateHandsOver: one goroutine takes and gives the gate in a tight loop (2 µs inside)
// while another wants it, 20 times. A give with a waiter hands the gate over, so once the other
// goroutine waits (counted in waiters), the looper finishes at most the round it is in
// (counted, not timed). A gate that lets go and lets the looper's next compare-and-swap win
// kept a waiting goroutine out for 11000 to 36000 rounds in this test.
func TestGateHandsOver(t *testing.T) {
	var g gate
	var rounds atomic.Int64
	var stop atomic.Bool
	looped := make(chan struct{})
	go func() {
		defer close(looped)
		for !stop.Load() {
			if err := g.take(context.Background()); err != nil {
				t.Error(err)
				return
			}
			for t0 := time.Now(); time.Since(t0) < 2*time.Microsecond; {
			}
			rounds.Add(1)
			g.give()
		}
	}()
	var most int64
	for i := 0; i < 20; i++ {
		time.Sleep(time.Millisecond)
		in := make(chan int64, 1) // the looper's rounds when the other got in
		go func() {
			if err := g.take(context.Background()); err != nil {
				t.Error(err)
			}
			in <- rounds.Load()
			g.give()
		}()
		start := int64(-1) // the looper's rounds once the other waits
		for start < 0 {
			if g.waiters.Load() > 0 {
				start = rounds.Load()
			} else if len(in) > 0 {
				break // it got in without waiting
			}
		}
		if got := <-in; start >= 0 {
			most = max(most, got-start)
		}
	}
	stop.Store(true)
	<-looped
	t.Logf("the looper got at most %d rounds in while the other waited", most)
	if most > 1 {
		t.Fatalf("the looper got %d rounds in while another goroutine waited for the gate, want at most 1", most)
	}
}
