//go:build linux

package qtshm_test

// A lock wait outlasts any number of removed or replaced locks. Every creator owns the lock
// (Qt's create takes ownership), and an owner's Close removes it while holding it, so under
// contention a waiter can see the lock it waits on vanish many times in a row before it gets
// one: each time, another process got in first. The waits used to give up after a fixed count
// of such retries (64 for System V, 16 for POSIX) and fail with "unable to lock: identifier
// removed"; TestAdversarialRemoveStaleRacesCreators hit it now and then. These tests make the
// removals happen, one after the other, while a peer process waits in Attach.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
	"golang.org/x/sys/unix"
)

// churnRounds is how many times the lock vanishes under the waiting peer: well past both
// backends' quick retries (64 and 16).
const churnRounds = 200

// flavorArg is the peer's --flavor value of f.
func flavorArg(f qtshm.Flavor) string {
	if f == qtshm.FlavorQt661 {
		return "qt661"
	}
	return "qt515"
}

// waitFor polls cond every 100 µs until it holds, failing the test after limit (bounded by
// the test's deadline).
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	bound, why := testenv.Bound(t, limit)
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v (%s)", what, bound, why)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// peerAttached checks the end of a churn test: the peer's attach, write and detach succeeded,
// c's segment holds what it wrote, and the lock still excludes between c and o (attached here,
// closed at the end).
func peerAttached(t *testing.T, p *testenv.Proc, c, o *qtshm.SharedMemory) {
	t.Helper()
	expectOp(t, p, "attach")
	expectOp(t, p, "write")
	expectOp(t, p, "detach")
	p.MustSucceed()
	if got := string(c.Data()[:8]); got != "attached" {
		t.Errorf("the segment holds %q, want what the peer wrote", got)
	}
	defer o.Close()
	if err := o.Attach(qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	mustExclude(t, c, o)
}

// closeWithin closes m, failing the test if that takes more than 10 s.
func closeWithin(t *testing.T, m *qtshm.SharedMemory) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.CloseContext(ctx); err != nil {
		t.Errorf("close: %v", err)
	}
}

// procStopped reports whether every thread of process pid is stopped (state T).
func procStopped(pid int) bool {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, task := range tasks {
		b, err := os.ReadFile(dir + "/" + task.Name() + "/stat")
		if err != nil {
			return false
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+2 >= len(s) || s[i+2] != 'T' {
			return false
		}
	}
	return true
}

// TestLockWaitOutlastsRemovedSets: the test holds a System V lock (value 0) while a peer
// attaches, so the peer waits in its attach. Then, churnRounds times: once the peer waits on
// the set, the test stops the peer (SIGSTOP), removes the set, makes a new one under the same
// key, still held, and lets the peer go on (SIGCONT). The peer's wait ends with EIDRM each
// time and must wait on the new set. The peer is stopped while the set is replaced so that it
// cannot make the new set itself. At the end the test releases the lock: the attach must
// succeed, and the lock must still exclude.
func TestLockWaitOutlastsRemovedSets(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			key := uniqueKey(t)
			opt := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(f.flavor)}
			c := qtshm.New(key, opt...)
			if err := c.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			lockFile := lockFileOf(c)
			semKey, err := ipc.Ftok(lockFile, ipc.ProjQ)
			if err != nil {
				t.Fatal(err)
			}
			id, err := ipc.Semget(semKey, 1, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				// c lost its lock to the test's sets: the last set and its key file are the test's.
				// Released first, so that c's Close does not wait for it after a failure.
				ipc.Semctl(id, 0, ipc.SETVAL, 1)
				closeWithin(t, c)
				ipc.Semctl(id, 0, ipc.IPC_RMID, 0)
				os.Remove(lockFile)
			})
			if _, err := ipc.Semctl(id, 0, ipc.SETVAL, 0); err != nil {
				t.Fatal(err)
			}
			p := testenv.Helper(t, "peer", "--backend", qtshm.BackendSysV, "--flavor", flavorArg(f.flavor), "--key", key,
				"attach", "rw", "write", "0", "str:attached", "detach")
			pid := p.Cmd.Process.Pid
			for round := 0; round < churnRounds; round++ {
				waitFor(t, 10*time.Second, fmt.Sprintf("round %d: the peer waiting on set %d", round, id), func() bool {
					n, err := ipc.Semctl(id, 0, ipc.GETNCNT, 0)
					return err == nil && n > 0
				})
				if err := unix.Kill(pid, unix.SIGSTOP); err != nil {
					t.Fatal(err)
				}
				waitFor(t, 10*time.Second, "the peer stopped", func() bool { return procStopped(pid) })
				if _, err := ipc.Semctl(id, 0, ipc.IPC_RMID, 0); err != nil {
					t.Fatal(err)
				}
				id, err = ipc.Semget(semKey, 1, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL) // value 0: held
				if err != nil {
					t.Fatalf("round %d: a new set: %v", round, err)
				}
				if err := unix.Kill(pid, unix.SIGCONT); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 10*time.Second, "the peer waiting on the last set", func() bool {
				n, err := ipc.Semctl(id, 0, ipc.GETNCNT, 0)
				return err == nil && n > 0
			})
			if _, err := ipc.Semctl(id, 0, ipc.SETVAL, 1); err != nil {
				t.Fatal(err)
			}
			peerAttached(t, p, c, qtshm.New(key, opt...))
		})
	}
}

// TestLockWaitOutlastsReplacedPosixLocks is the same for a POSIX native key: the peer waits
// in its attach on the lock semaphore, which the test holds; churnRounds times the test
// unlinks the name, makes a new semaphore under it, still held, and posts the old one. The
// peer takes the old one, sees that the name names another, gives it back and must wait on
// the new one.
func TestLockWaitOutlastsReplacedPosixLocks(t *testing.T) {
	k := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: fmt.Sprintf("/qtshm-churn-%d", os.Getpid())}
	c := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendPosix))
	var cur *psem.Sem // the lock the test holds
	t.Cleanup(func() {
		if cur != nil { // a failure: let go, so that c's Close does not wait for it
			cur.Post()
			cur.Close()
		}
		closeWithin(t, c)
		if _, err := qtshm.RemoveStaleNative(k); err != nil {
			t.Errorf("RemoveStaleNative: %v", err)
		}
		if err := psem.Unlink(k.Native); err != nil && !errors.Is(err, unix.ENOENT) {
			t.Errorf("unlink the lock: %v", err)
		}
	})
	if err := c.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	var err error
	cur, _, err = psem.Open(k.Native, 0, 0, 0) // the segment's lock (a plain native key's own name)
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.TryWait(); err != nil {
		t.Fatalf("hold the lock: %v", err)
	}
	p := testenv.Helper(t, "peer", "--backend", qtshm.BackendSysV, "--nkey", k.String(),
		"attach", "rw", "write", "0", "str:attached", "detach")
	for round := 0; round < churnRounds; round++ {
		waitFor(t, 10*time.Second, fmt.Sprintf("round %d: the peer waiting", round), func() bool { return cur.Waiters() > 0 })
		if err := psem.Unlink(k.Native); err != nil {
			t.Fatal(err)
		}
		next, _, err := psem.Open(k.Native, unix.O_CREAT|unix.O_EXCL, 0o600, 0) // held
		if err != nil {
			t.Fatalf("round %d: a new semaphore: %v", round, err)
		}
		if err := cur.Post(); err != nil {
			t.Fatal(err)
		}
		// The peer takes the old one, finds the name replaced, gives it back and waits on next.
		cur.Close()
		cur = next
	}
	waitFor(t, 10*time.Second, "the peer waiting on the last lock", func() bool { return cur.Waiters() > 0 })
	if err := cur.Post(); err != nil {
		t.Fatal(err)
	}
	cur.Close()
	cur = nil
	peerAttached(t, p, c, qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendPosix)))
}
