package qtshm_test

// Out-of-range values and misuse get a clear error before anything is touched (issue 7,
// defect 6), on every backend.

import (
	"context"
	"errors"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/qtshm"
)

func TestBadSizesTouchNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		for _, size := range []int{0, -1, -5, math.MinInt32, math.MinInt, -(math.MaxInt >> 8), math.MinInt + 1} {
			m := qtshm.New(key, qtshm.WithBackend(be))
			wantCode(t, "Create", m.Create(size, qtshm.ReadWrite), qtshm.InvalidSize, qtshm.ErrInvalidSize)
			m.Close()
			// Before anything is touched: no key file, no lock.
			for _, f := range []string{qtshm.LegacyNativeKey(key), qtshm.LegacySemaphoreNativeKey(key)} {
				if _, err := os.Stat(f); err == nil {
					t.Fatalf("Create(%d) left %s", size, f)
				}
			}
		}
	})
}

func TestCreateOnAttachedObjectKeepsTheSegment(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		m := create(t, be, uniqueKey(t), 32)
		copy(m.Data(), "first")
		wantCode(t, "second Create", m.Create(64, qtshm.ReadWrite), qtshm.AlreadyExists, qtshm.ErrAlreadyExists)
		if string(m.Data()[:5]) != "first" || m.Size() != 32 {
			t.Fatalf("after a failed Create: size %d, data %q", m.Size(), m.Data()[:5])
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(m.NativeKey()); err == nil {
			t.Fatal("the first segment's key file survived Close (leaked segment)")
		}
	})
}

func TestSemaphoreValueRanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		values := []int{-1, qtshm.MaxSemaphoreValue + 1, math.MaxInt32, math.MaxInt, math.MinInt}
		if strconv.IntSize == 64 {
			big := uint64(1)<<32 + 1 // Qt's int would truncate it to 1
			values = append(values, int(big))
		}
		for _, v := range values {
			_, err := qtshm.NewSystemSemaphore(key, v, qtshm.Create, qtshm.WithBackend(be))
			wantCode(t, "initial value", err, qtshm.OutOfResources, qtshm.ErrOutOfResources)
			if _, err := os.Stat(qtshm.LegacySemaphoreNativeKey(key)); err == nil {
				t.Fatalf("initial value %d: the key file was made", v)
			}
		}
		s, err := qtshm.NewSystemSemaphore(key, qtshm.MaxSemaphoreValue, qtshm.Create, qtshm.WithBackend(be))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for _, n := range []int{qtshm.MaxSemaphoreValue + 1, 65536, 65537, math.MaxInt32, math.MaxInt} {
			wantCode(t, "Release(n)", s.Release(n), qtshm.OutOfResources, qtshm.ErrOutOfResources)
		}
		wantCode(t, "Release(-1)", s.Release(-1), qtshm.UnknownError, qtshm.ErrUnknown)
		if err := s.Release(0); err != nil {
			t.Fatal(err)
		}
		// The value is still 32767: 32767 acquires go through without blocking.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for i := 0; i < qtshm.MaxSemaphoreValue; i++ {
			if err := s.Acquire(); err != nil {
				t.Fatalf("acquire %d: %v", i, err)
			}
			if ctx.Err() != nil {
				t.Fatal("acquires blocked: a bad Release changed the value")
			}
		}
	})
}

// TestSemaphoreGoroutines: goroutines share one SystemSemaphore; a Release in one wakes an
// Acquire in another, and the count is exact.
func TestSemaphoreGoroutines(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		s, err := qtshm.NewSystemSemaphore(uniqueKey(t), 0, qtshm.Create, qtshm.WithBackend(be))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		const workers, each = 4, 500
		var wg sync.WaitGroup
		errs := make(chan error, 2*workers)
		for i := 0; i < workers; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for j := 0; j < each; j++ {
					if err := s.Acquire(); err != nil {
						errs <- err
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for j := 0; j < each; j++ {
					if err := s.Release(1); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatal("acquires and releases of goroutines sharing one semaphore did not finish")
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	})
}

// TestRecoversUninitialisedLock: a Qt ≤ 6.5 process that loses the race in
// QSystemSemaphore::handle (semget(IPC_EXCL) says EEXIST, the owner removes the set, and its plain
// semget(IPC_CREAT) makes a new one) leaves a lock set at value 0 that nobody initialises: every
// later lock() hangs. We make that set by hand, exactly as Qt leaves it: a Go Create must still
// succeed, bounded, by removing the abandoned set and making a proper one, and the new lock
// must exclude.
func TestRecoversUninitialisedLock(t *testing.T) {
	key := uniqueKey(t)
	semFile := qtshm.LegacySemaphoreNativeKey(key)
	if err := os.WriteFile(semFile, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	k, err := ipc.Ftok(semFile, ipc.ProjQ)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ipc.Semget(k, 1, 0o600|ipc.IPC_CREAT) // what Qt's second semget does
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ipc.Semctl(id, 0, ipc.IPC_RMID, 0); os.Remove(semFile) })
	m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.CreateContext(ctx, 64, qtshm.ReadWrite); err != nil {
		t.Fatalf("Create on a lock Qt left uninitialised: %v", err)
	}
	if err := m.LockContext(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ipc.Semctl(id, 0, ipc.GETVAL, 0); err == nil {
		t.Fatal("locked, but the abandoned set is still there")
	}
	other := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	defer other.Close()
	octx, ocancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer ocancel()
	if err := other.AttachContext(octx, qtshm.ReadWrite); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second object's Attach while the lock is held: %v, want a timeout", err)
	}
	m.Unlock()
}

// TestLockIsPerObjectMutex: the holder's second Lock waits (bounded by LockContext), Create,
// Attach and Detach refuse while this object holds the lock, and Unlock from another goroutine
// releases it.
func TestLockIsPerObjectMutex(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		m := create(t, be, uniqueKey(t), 8)
		if err := m.Lock(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := m.LockContext(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, qtshm.ErrLockError) {
			t.Fatalf("second Lock: %v, want LockError wrapping DeadlineExceeded", err)
		}
		wantCode(t, "Detach while locked", m.Detach(), qtshm.LockError, qtshm.ErrLockError)
		wantCode(t, "Attach while locked", m.Attach(qtshm.ReadWrite), qtshm.LockError, qtshm.ErrLockError)
		got := make(chan error, 1)
		go func() { got <- m.Lock() }()
		time.Sleep(20 * time.Millisecond)
		go m.Unlock()
		select {
		case err := <-got:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a Lock waiting in another goroutine was not woken by Unlock")
		}
		if err := m.Unlock(); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "Unlock when not locked", m.Unlock(), qtshm.LockError, qtshm.ErrLockError)
	})
}
