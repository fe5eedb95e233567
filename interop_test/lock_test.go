//go:build linux

package interop_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// createSegment creates key's segment in the test process (pure backend) and closes it at cleanup.
func createSegment(t *testing.T, key string, size int) *qtshm.SharedMemory {
	t.Helper()
	m := qtshm.New(key)
	t.Cleanup(func() { m.Close() })
	if err := m.Create(size, qtshm.ReadWrite); err != nil {
		t.Fatalf("create %q: %v", key, err)
	}
	return m
}

// pairs lists (a, b) for every Go kind × Qt kind, in both orders.
func pairs(t *testing.T) [][2]peerKind {
	var out [][2]peerKind
	for _, q := range qtKinds(t) {
		for _, g := range goKinds(t) {
			out = append(out, [2]peerKind{q, g}, [2]peerKind{g, q})
		}
	}
	return out
}

// TestMutualExclusion: a peer holds the lock for T ms; the other side's lock returns after the
// holder's unlock, never before — shown by a byte the holder writes just before it unlocks —
// and after about T.
func TestMutualExclusion(t *testing.T) {
	const hold = 300
	for _, pr := range pairs(t) {
		holder, waiter := pr[0], pr[1]
		t.Run(fmt.Sprintf("%s_holds→%s_waits", holder.Name, waiter.Name), func(t *testing.T) {
			key := keyFor(t)
			createSegment(t, key, 64)
			// The waiter attaches first (attach takes the lock internally), then waits for "go".
			w := waiter.start(t, key, nil, "attach", "rw", "wait", "lock", "read", "0", "1", "unlock", "detach")
			expectOK(t, w, "attach")
			h := holder.start(t, key, nil, "attach", "rw", "lock", "write", "0", "hex:00", "sleep", fmt.Sprint(hold), "write", "0", "hex:aa", "unlock", "detach")
			expectOK(t, h, "attach")
			locked := expectOK(t, h, "lock")
			w.Send("go")
			expectOK(t, w, "wait")
			got := expectOK(t, w, "lock")
			if r := expectOK(t, w, "read"); r.Hex != "aa" {
				t.Fatalf("the waiter's lock returned before the holder's unlock (byte 0 = %s, want aa)", r.Hex)
			}
			t.Logf("lock held %d ms by %s; %s's lock returned %v after the holder's", hold, holder.Name, waiter.Name, got.at.Sub(locked.at).Round(time.Millisecond))
			h.MustSucceed()
			w.MustSucceed()
		})
	}
}

// TestLockContextWhileQtHolds: Go's LockContext gives up with DeadlineExceeded while a Qt peer
// holds the lock, and gets it once the peer unlocks.
func TestLockContextWhileQtHolds(t *testing.T) {
	for _, q := range qtKinds(t) {
		t.Run(q.Name+"_holds→Go[sysv]_LockContext", func(t *testing.T) {
			key := keyFor(t)
			m := createSegment(t, key, 64)
			h := q.start(t, key, nil, "attach", "rw", "lock", "wait", "unlock", "detach")
			expectOK(t, h, "attach")
			expectOK(t, h, "lock")
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			err := m.LockContext(ctx)
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, qtshm.ErrLockError) {
				t.Fatalf("LockContext while %s holds the lock: %v", q.Name, err)
			}
			h.Send("go")
			if err := m.LockContext(testenv.Context(t, testenv.StepLimit)); err != nil {
				t.Fatalf("LockContext after the unlock: %v", err)
			}
			m.Unlock()
			h.MustSucceed()
		})
	}
}

// TestCrashWhileLocked: a lock holder is SIGKILLed; the others (Go and Qt) lock within 1 s
// (SEM_UNDO gives the dead holder's unit back).
func TestCrashWhileLocked(t *testing.T) {
	all := append(append([]peerKind{}, goKinds(t)...), qtKinds(t)...)
	for _, crasher := range all {
		t.Run(crasher.Name+"_killed", func(t *testing.T) {
			key := keyFor(t)
			m := createSegment(t, key, 64)
			var waiters []peerKindProc
			for _, k := range all {
				if k.Name != crasher.Name {
					p := k.start(t, key, nil, "attach", "rw", "wait", "lock", "unlock", "detach")
					expectOK(t, p, "attach")
					waiters = append(waiters, peerKindProc{k, p})
				}
			}
			c := crasher.start(t, key, nil, "attach", "rw", "lock", "crash")
			expectOK(t, c, "attach")
			expectOK(t, c, "lock")
			for _, w := range waiters {
				w.p.Send("go") // they queue up behind the doomed holder
			}
			time.Sleep(100 * time.Millisecond)
			killed := time.Now()
			c.Kill()
			for _, w := range waiters {
				expectOK(t, w.p, "wait")
				r := expectOK(t, w.p, "lock")
				if d := r.at.Sub(killed); d > time.Second {
					t.Errorf("%s locked %v after the kill, more than 1 s", w.k.Name, d)
				}
				expectOK(t, w.p, "unlock")
			}
			for _, w := range waiters {
				w.p.MustSucceed()
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if err := m.LockContext(ctx); err != nil {
				t.Fatalf("Go could not lock within 1 s after %s was killed holding the lock: %v", crasher.Name, err)
			}
			m.Unlock()
		})
	}
}

type peerKindProc struct {
	k peerKind
	p *testenv.Proc
}
