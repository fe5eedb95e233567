package qtshm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// openDoorbell opens a doorbell closed at cleanup.
func openDoorbell(t *testing.T, key string) *qtshm.Doorbell {
	t.Helper()
	d, err := qtshm.OpenDoorbell(key)
	if err != nil {
		t.Fatalf("OpenDoorbell(%q): %v", key, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Doorbell.Close: %v", err)
		}
	})
	return d
}

// waitForWaiters polls the doorbell until n waiters are registered.
func waitForWaiters(t *testing.T, d *qtshm.Doorbell, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, w, err := d.Generation(context.Background())
		if err != nil {
			t.Fatalf("Generation: %v", err)
		}
		if w == n {
			return
		}
		if w > n || time.Now().After(deadline) {
			t.Fatalf("%d waiters registered, want %d", w, n)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// TestDoorbellWakesEveryWaiter: 4 goroutines, each with its own Doorbell object, wait in
// lockstep with 300 rings: each sees every generation exactly once, in order.
func TestDoorbellWakesEveryWaiter(t *testing.T) {
	key := uniqueKey(t)
	writer := openDoorbell(t, key)
	const readers, rings = 4, 300
	seen := make([][]uint64, readers)
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := make(chan error, readers)
	for r := 0; r < readers; r++ {
		d := openDoorbell(t, key)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g uint64
			for g < rings {
				var err error
				if g, err = d.Wait(ctx, g); err != nil {
					errs <- err
					return
				}
				seen[r] = append(seen[r], g)
			}
		}()
	}
	for i := 0; i < rings; i++ {
		waitForWaiters(t, writer, readers)
		if g, err := writer.Ring(); err != nil || g != uint64(i+1) {
			t.Fatalf("Ring %d: generation %d, %v", i+1, g, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for r, gens := range seen {
		if len(gens) != rings {
			t.Fatalf("reader %d saw %d generations, want %d", r, len(gens), rings)
		}
		for i, g := range gens {
			if g != uint64(i+1) {
				t.Fatalf("reader %d: generation #%d is %d, want %d", r, i, g, i+1)
			}
		}
	}
	if _, w, _ := writer.Generation(context.Background()); w != 0 {
		t.Fatalf("%d waiters left registered", w)
	}
}

// TestDoorbellGoroutinesShareOne: goroutines waiting on one Doorbell object all wake.
func TestDoorbellGoroutinesShareOne(t *testing.T) {
	key := uniqueKey(t)
	d := openDoorbell(t, key)
	const n = 5
	var wg sync.WaitGroup
	results := make(chan uint64, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := d.Wait(ctx, 0)
			if err != nil {
				t.Error(err)
			}
			results <- g
		}()
	}
	waitForWaiters(t, d, n)
	if _, err := d.Ring(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	for g := range results {
		if g != 1 {
			t.Fatalf("a goroutine woke with generation %d, want 1", g)
		}
	}
}

// TestDoorbellWaitCancelWithdraws: a Wait whose context ends withdraws its registration, so
// that a ring afterwards releases nothing for it; a Wait for a generation already passed
// returns at once.
func TestDoorbellWaitCancelWithdraws(t *testing.T) {
	key := uniqueKey(t)
	d := openDoorbell(t, key)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := d.Wait(ctx, 0)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, qtshm.ErrLockError) {
		t.Fatalf("Wait after the deadline: %v, want LockError wrapping DeadlineExceeded", err)
	}
	if _, w, _ := d.Generation(context.Background()); w != 0 {
		t.Fatalf("%d waiters registered after a cancelled Wait, want 0", w)
	}
	d.Ring()
	if g, err := d.Wait(context.Background(), 0); g != 1 || err != nil {
		t.Fatalf("Wait(0) after a ring: %d, %v; want 1 at once", g, err)
	}
	// The bell must hold no stray unit: a fresh Wait blocks until its deadline.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := d.Wait(ctx2, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait(1) with no ring: %v, want DeadlineExceeded", err)
	}
}

// TestDoorbellBadKeys: an empty key, and a data segment too small to be a control segment.
func TestDoorbellBadKeys(t *testing.T) {
	if _, err := qtshm.OpenDoorbell(""); !errors.Is(err, qtshm.ErrKeyError) {
		t.Fatalf("OpenDoorbell(\"\"): %v, want KeyError", err)
	}
	key := uniqueKey(t)
	m := qtshm.New(key)
	defer m.Close()
	if err := m.Create(8, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if _, err := qtshm.OpenDoorbell(key); !errors.Is(err, qtshm.ErrInvalidSize) {
		t.Fatalf("OpenDoorbell on an 8-byte segment: %v, want InvalidSize", err)
	}
}

// TestWatcherPolls: without a doorbell, a content change is seen at the next comparison; the
// segment appearing is a change too.
func TestWatcherPolls(t *testing.T) {
	key := uniqueKey(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := qtshm.NewWatcher(ctx, key, qtshm.WatchOptions{Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c, err := w.Next(ctx)
	if err != nil || c.Source != qtshm.ChangeInitial || c.Exists {
		t.Fatalf("first Next: %+v, %v; want the initial state, no segment", c, err)
	}
	m := qtshm.New(key)
	defer m.Close()
	if err := m.Create(16, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if c, err = w.Next(ctx); err != nil || c.Source != qtshm.ChangePoll || !c.Exists || len(c.Data) != 16 {
		t.Fatalf("Next after create: %+v, %v", c, err)
	}
	m.Lock()
	m.WriteAt([]byte("hello"), 0)
	m.Unlock()
	if c, err = w.Next(ctx); err != nil || string(c.Data[:5]) != "hello" {
		t.Fatalf("Next after a write: %+v, %v", c, err)
	}
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	if c, err = w.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next without a change: %+v, %v; want DeadlineExceeded", c, err)
	}
}

// TestWatcherDoorbellAndFallback: with a doorbell a ring is seen at once, even when the
// content did not change; a write without a ring is seen at the fallback comparison.
func TestWatcherDoorbellAndFallback(t *testing.T) {
	key, bellKey := uniqueKey(t), uniqueKey(t)+" bell"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := qtshm.New(key)
	defer m.Close()
	if err := m.Create(16, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	bell := openDoorbell(t, bellKey)
	w, err := qtshm.NewWatcher(ctx, key, qtshm.WatchOptions{Doorbell: bellKey, Fallback: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if c, err := w.Next(ctx); err != nil || c.Source != qtshm.ChangeInitial || !c.Exists {
		t.Fatalf("first Next: %+v, %v", c, err)
	}
	go func() {
		waitForWaiters(t, bell, 1)
		bell.Ring()
	}()
	c, err := w.Next(ctx)
	if err != nil || c.Source != qtshm.ChangeDoorbell || c.Generation != 1 {
		t.Fatalf("Next after a ring: %+v, %v", c, err)
	}
	m.Lock()
	m.WriteAt([]byte("quiet"), 0)
	m.Unlock()
	start := time.Now()
	c, err = w.Next(ctx)
	if err != nil || c.Source != qtshm.ChangePoll || string(c.Data[:5]) != "quiet" {
		t.Fatalf("Next after a write without a ring: %+v, %v", c, err)
	}
	t.Logf("a write without a ring was seen after %v (fallback 200ms)", time.Since(start))
	if _, n, _ := bell.Generation(context.Background()); n != 0 {
		t.Fatalf("%d waiters left registered", n)
	}
}

// TestWatcherBadOptions: an empty key, a negative interval, a doorbell with the watched key.
func TestWatcherBadOptions(t *testing.T) {
	for _, tc := range []struct {
		key string
		wo  qtshm.WatchOptions
	}{
		{"", qtshm.WatchOptions{}},
		{"k", qtshm.WatchOptions{Interval: -1}},
		{"k", qtshm.WatchOptions{Doorbell: "k"}},
	} {
		if w, err := qtshm.NewWatcher(context.Background(), tc.key, tc.wo); err == nil {
			w.Close()
			t.Errorf("NewWatcher(%q, %+v) succeeded", tc.key, tc.wo)
		}
	}
}

// A Go writer rings a doorbell after each write; a Watcher (here in the same process, usually
// in another, Go or Qt) wakes at once.
func ExampleWatch() {
	data := qtshm.New("ExampleWatchKey")
	defer data.Close()
	if err := data.Create(64, qtshm.ReadWrite); err != nil {
		log.Fatal(err)
	}
	bell, err := qtshm.OpenDoorbell("ExampleWatchBell")
	if err != nil {
		log.Fatal(err)
	}
	defer bell.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { // the writer
		for {
			if _, n, _ := bell.Generation(ctx); n == 1 || ctx.Err() != nil {
				break // the watcher waits
			}
			time.Sleep(time.Millisecond)
		}
		data.Lock()
		data.WriteAt([]byte("hello\x00"), 0)
		data.Unlock()
		bell.Ring() // after the data segment is unlocked
	}()
	err = qtshm.Watch(ctx, "ExampleWatchKey", qtshm.WatchOptions{Doorbell: "ExampleWatchBell"},
		func(c qtshm.Change) error {
			fmt.Printf("%s generation %d: %q\n", c.Source, c.Generation, c.Data[:5])
			if c.Source == qtshm.ChangeDoorbell {
				cancel() // one change is enough here
			}
			return nil
		})
	fmt.Println(err)
	// Output:
	// initial generation 0: "\x00\x00\x00\x00\x00"
	// doorbell generation 1: "hello"
	// <nil>
}

// A doorbell on its own: Wait returns when the generation moves past the one seen.
func ExampleDoorbell() {
	bell, err := qtshm.OpenDoorbell("ExampleDoorbellKey")
	if err != nil {
		log.Fatal(err)
	}
	defer bell.Close()
	seen, _, _ := bell.Generation(context.Background())
	bell.Ring()                                       // a writer, usually in another process
	gen, err := bell.Wait(context.Background(), seen) // returns at once: it rang since seen
	fmt.Println(seen, gen, err)
	// Output: 0 1 <nil>
}
