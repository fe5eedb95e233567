package qtshm_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// goPeer starts the test binary as a Go peer (internal/cmd/peer) on key with backend be.
func goPeer(t *testing.T, be, key string, ops ...string) *testenv.Proc {
	t.Helper()
	return testenv.Helper(t, "peer", append([]string{"--backend", be, "--key", key}, ops...)...)
}

// expectOp reads the peer's next line, which must be the result of op, and fails unless it
// is ok.
func expectOp(t *testing.T, p *testenv.Proc, op string) map[string]any {
	t.Helper()
	line := p.Expect(`"op":"` + op + `"`)
	var r map[string]any
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("bad peer line %q: %v", line, err)
	}
	if r["op"] != op || r["ok"] != true {
		t.Fatalf("peer op %s failed: %s", op, line)
	}
	return r
}

func create(t *testing.T, be, key string, size int) *qtshm.SharedMemory {
	t.Helper()
	m := qtshm.New(key, qtshm.WithBackend(be))
	t.Cleanup(func() { m.Close() })
	if err := m.Create(size, qtshm.ReadWrite); err != nil {
		t.Fatalf("create %q: %v", key, err)
	}
	return m
}

// lockWithin locks m, failing the test if that takes longer than limit, or than the test's
// deadline allows (testenv.Bound): a hung lock would otherwise hang the suite; this bounds a
// failure, it does not measure speed.
func lockWithin(t *testing.T, m *qtshm.SharedMemory, limit time.Duration) {
	t.Helper()
	bound, why := testenv.Bound(t, limit)
	done := make(chan error, 1)
	go func() { done <- m.Lock() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("lock: %v", err)
		}
	case <-time.After(bound):
		t.Fatalf("lock did not return within %v (%s)", bound, why)
	}
}

func TestTwoProcessesShareData(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		m := create(t, be, key, 64)
		copy(m.Data(), "from parent")
		p := goPeer(t, be, key, "attach", "rw", "read", "0", "11", "write", "20", "str:from peer", "size", "detach")
		expectOp(t, p, "attach")
		if r := expectOp(t, p, "read"); r["hex"] != fmt.Sprintf("%x", "from parent") {
			t.Fatalf("peer read %v", r["hex"])
		}
		expectOp(t, p, "write")
		if r := expectOp(t, p, "size"); r["size"] != float64(64) {
			t.Fatalf("peer size %v", r["size"])
		}
		expectOp(t, p, "detach")
		p.MustSucceed()
		if got := string(m.Data()[20:29]); got != "from peer" {
			t.Fatalf("parent reads %q", got)
		}
	})
}

func TestLockExcludesOtherProcess(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		m := create(t, be, key, 64)
		p := goPeer(t, be, key, "attach", "rw", "lock", "write", "0", "hex:01", "wait", "write", "1", "hex:02", "unlock", "detach")
		expectOp(t, p, "attach")
		expectOp(t, p, "lock")
		expectOp(t, p, "write")
		done := make(chan error, 1)
		go func() { done <- m.Lock() }()
		select {
		case err := <-done:
			t.Fatalf("Lock returned (%v) while the peer holds the lock", err)
		case <-time.After(200 * time.Millisecond):
		}
		p.Send("go")
		bound, why := testenv.Bound(t, testenv.StepLimit)
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(bound):
			t.Fatalf("Lock did not return within %v (%s) of the peer's unlock", bound, why)
		}
		// The peer wrote byte 1 just before it unlocked: our Lock returned after that.
		if d := m.Data(); d[0] != 1 || d[1] != 2 {
			t.Fatalf("after Lock: bytes %x, want 0102 (the lock returned before the peer's unlock)", d[:2])
		}
		if err := m.Unlock(); err != nil {
			t.Fatal(err)
		}
		p.MustSucceed()
	})
}

func TestLockContextWhileHeldElsewhere(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		m := create(t, be, key, 64)
		p := goPeer(t, be, key, "attach", "rw", "lock", "wait", "unlock", "detach")
		expectOp(t, p, "attach")
		expectOp(t, p, "lock")
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		err := m.LockContext(ctx)
		if be == qtshm.BackendNative {
			// Qt's acquire() cannot time out: the native backend says so instead of ignoring ctx.
			if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, qtshm.ErrLockError) {
				t.Fatalf("native LockContext: %v, want LockError wrapping ErrUnsupported", err)
			}
		} else if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, qtshm.ErrLockError) {
			t.Fatalf("LockContext: %v, want LockError wrapping context.DeadlineExceeded", err)
		}
		cctx, ccancel := context.WithCancel(context.Background())
		ccancel()
		if err := m.LockContext(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("LockContext with a cancelled ctx: %v", err)
		}
		p.Send("go")
		lockWithin(t, m, testenv.StepLimit)
		m.Unlock()
		p.MustSucceed()
	})
}

func TestKilledHolderDoesNotBlockOthers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		m := create(t, be, key, 64)
		p := goPeer(t, be, key, "attach", "rw", "lock", "crash")
		expectOp(t, p, "attach")
		expectOp(t, p, "lock")
		expectOp(t, p, "crash")
		p.Kill() // it killed itself; reap it
		// SEM_UNDO: the kernel gave the dead holder's unit back.
		lockWithin(t, m, 5*time.Second)
		m.Unlock()
	})
}

func TestCreatorExitsFirst(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		creator := goPeer(t, be, key, "create", "64", "rw", "wait", "close")
		expectOp(t, creator, "create")
		m := qtshm.New(key, qtshm.WithBackend(be))
		defer m.Close()
		if err := m.Attach(qtshm.ReadWrite); err != nil {
			t.Fatal(err)
		}
		other := goPeer(t, be, key, "attach", "rw", "wait", "lock", "read", "0", "1", "write", "0", "hex:07", "unlock", "detach")
		expectOp(t, other, "attach")
		// The creator owns the lock semaphore: closing it removes the semaphore (as in Qt).
		creator.Send("go")
		expectOp(t, creator, "wait")
		expectOp(t, creator, "close")
		creator.MustSucceed()
		if _, err := os.Stat(qtshm.LegacySemaphoreNativeKey(key)); !os.IsNotExist(err) {
			t.Fatalf("the owner's Close left the semaphore key file: %v", err)
		}
		// The survivors re-create the lock and still exclude each other.
		lockWithin(t, m, 5*time.Second)
		other.Send("go")
		time.Sleep(100 * time.Millisecond)
		m.Data()[0] = 5
		if err := m.Unlock(); err != nil {
			t.Fatal(err)
		}
		expectOp(t, other, "wait")
		expectOp(t, other, "lock")
		if r := expectOp(t, other, "read"); r["hex"] != "05" {
			t.Fatalf("the other survivor read %v before our unlock", r["hex"])
		}
		expectOp(t, other, "write")
		expectOp(t, other, "unlock")
		other.MustSucceed()
		if m.Data()[0] != 7 {
			t.Fatalf("byte 0 = %d, want 7", m.Data()[0])
		}
	})
}

func TestNothingLeftAfterLastClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		key := uniqueKey(t)
		m := qtshm.New(key, qtshm.WithBackend(be))
		if err := m.Create(128, qtshm.ReadWrite); err != nil {
			t.Fatal(err)
		}
		shmFile, semFile := m.NativeKey(), qtshm.LegacySemaphoreNativeKey(key)
		shmKey, err1 := ipc.Ftok(shmFile, ipc.ProjQ)
		semKey, err2 := ipc.Ftok(semFile, ipc.ProjQ)
		if err1 != nil || err2 != nil {
			t.Fatalf("key files missing after create: %v %v", err1, err2)
		}
		if !testenv.Exists("shm", shmKey) || !testenv.Exists("sem", semKey) {
			t.Fatal("the kernel does not list the segment and the semaphore after create")
		}
		p := goPeer(t, be, key, "attach", "ro", "detach", "close")
		expectOp(t, p, "attach")
		expectOp(t, p, "detach")
		expectOp(t, p, "close")
		p.MustSucceed()
		if !testenv.Exists("shm", shmKey) {
			t.Fatal("a non-last detach removed the segment")
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if testenv.Exists("shm", shmKey) || testenv.Exists("sem", semKey) {
			t.Fatal("segment or semaphore still listed by the kernel after the last Close")
		}
		for _, f := range []string{shmFile, semFile} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Fatalf("%s still exists (%v)", f, err)
			}
		}
	})
}

func TestSwarmCounter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		const peers, each = 4, 2000
		key := uniqueKey(t)
		m := create(t, be, key, 8)
		var ps []*testenv.Proc
		for i := 0; i < peers; i++ {
			ps = append(ps, goPeer(t, be, key, "attach", "rw", "inc", fmt.Sprint(each), "detach"))
		}
		for i := 0; i < each; i++ {
			lockWithin(t, m, testenv.StepLimit)
			d := m.Data()
			binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)+1)
			m.Unlock()
		}
		for _, p := range ps {
			expectOp(t, p, "attach")
			expectOp(t, p, "inc")
			p.MustSucceed()
		}
		if got := binary.LittleEndian.Uint64(m.Data()); got != (peers+1)*each {
			t.Fatalf("counter = %d, want %d", got, (peers+1)*each)
		}
	})
}

func TestRemoveStale(t *testing.T) {
	key := uniqueKey(t)
	p := goPeer(t, qtshm.BackendSysV, key, "create", "64", "rw", "crash")
	expectOp(t, p, "create")
	expectOp(t, p, "crash")
	p.Kill()
	// The pure backend: with Qt 6.6+ behind the native backend, the create after RemoveStale
	// would fail once more with the first create's error (Qt 6.6+'s cleanHandle, see
	// TestBadInputErrorCodes).
	m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	defer m.Close()
	wantCode(t, "create over a stale segment", m.Create(64, qtshm.ReadWrite), qtshm.AlreadyExists, qtshm.ErrAlreadyExists)
	live := qtshm.New(uniqueKey(t) + " live")
	defer live.Close()
	if err := live.Create(8, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if removed, err := qtshm.RemoveStale(live.Key()); removed || err != nil {
		t.Fatalf("RemoveStale of a live segment: %v %v", removed, err)
	}
	if removed, err := qtshm.RemoveStale(key); !removed || err != nil {
		t.Fatalf("RemoveStale: %v %v", removed, err)
	}
	if removed, err := qtshm.RemoveStale(key); removed || err != nil {
		t.Fatalf("second RemoveStale: %v %v", removed, err)
	}
	if err := m.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatalf("create after RemoveStale: %v", err)
	}
}

func TestLockContextCancelWhileBlocked(t *testing.T) {
	key := uniqueKey(t)
	m := create(t, qtshm.BackendSysV, key, 64)
	p := goPeer(t, qtshm.BackendSysV, key, "attach", "rw", "lock", "wait", "unlock", "detach")
	expectOp(t, p, "attach")
	expectOp(t, p, "lock")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if err := m.LockContext(ctx); !errors.Is(err, context.Canceled) || !errors.Is(err, qtshm.ErrLockError) {
		t.Fatalf("LockContext cancelled while blocked: %v", err)
	}
	p.Send("go")
	lockWithin(t, m, testenv.StepLimit)
	m.Unlock()
	p.MustSucceed()
}

func TestDataAfterDetach(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		m := create(t, be, uniqueKey(t), 100)
		if len(m.Data()) != 100 {
			t.Fatalf("len(Data) = %d", len(m.Data()))
		}
		if err := m.Detach(); err != nil {
			t.Fatal(err)
		}
		if m.Data() != nil || m.Size() != 0 || m.IsAttached() {
			t.Fatalf("after Detach: Data %v, Size %d, IsAttached %v", m.Data() != nil, m.Size(), m.IsAttached())
		}
		if _, err := m.ReadAt(make([]byte, 1), 0); !errors.Is(err, qtshm.ErrNotFound) {
			t.Fatalf("ReadAt after Detach: %v", err)
		}
	})
}
