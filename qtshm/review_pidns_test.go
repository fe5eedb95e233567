//go:build linux

package qtshm_test

// Review: the recovery of "uninitialised" lock sets (value 0 and GETPID 0) assumes GETPID 0 means
// "no process ever operated on the set". The kernel reports GETPID in the caller's PID namespace
// (pid_vnr): a process in another PID namespace that shares the IPC namespace — two containers
// sharing IPC (docker --ipc=container:…, a Kubernetes pod without shareProcessNamespace) — sees 0
// for a lock last taken by a process it cannot see. A held lock then looks never used, and the
// waiter resets it to 1 after 300 ms: two processes inside one lock.

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

type pidnsReport struct {
	SeenPID int    `json:"seenPid"` // GETPID of the lock set as this process sees it
	SeenVal int    `json:"seenVal"`
	Attach  string `json:"attach"` // "" = attached
	Lock    string `json:"lock"`   // "" = locked
}

func init() {
	// review-pidns-attach KEY: in its own PID namespace, look at the lock set, then try
	// AttachContext and LockContext (3 s each) while the parent holds the lock.
	testenv.RegisterHelper("review-pidns-attach", func(args []string) int {
		key := args[0]
		var r pidnsReport
		if k, err := ipc.Ftok(qtshm.LegacySemaphoreNativeKey(key), ipc.ProjQ); err == nil {
			if id, err := ipc.Semget(k, 1, 0); err == nil {
				r.SeenPID, _ = ipc.Semctl(id, 0, ipc.GETPID, 0)
				r.SeenVal, _ = ipc.Semctl(id, 0, ipc.GETVAL, 0)
			}
		}
		m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := m.AttachContext(ctx, qtshm.ReadWrite); err != nil {
			r.Attach = err.Error()
		}
		cancel()
		if r.Attach == "" {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			if err := m.LockContext(ctx); err != nil {
				r.Lock = err.Error()
			} else {
				m.Data()[0] = 0xee // what a second writer inside the lock would do
				m.Unlock()
			}
			cancel()
		}
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		m.CloseContext(cctx)
		ccancel()
		json.NewEncoder(os.Stdout).Encode(r)
		return 0
	})
}

// TestReviewLockAcrossPIDNamespaces: we hold the lock; a Go process in a child PID namespace
// (same IPC namespace, same temp dir) must not get in.
func TestReviewLockAcrossPIDNamespaces(t *testing.T) {
	testenv.Require(t, os.Getuid() == 0, "root (to make a PID namespace)")
	key := uniqueKey(t)
	m := create(t, qtshm.BackendSysV, key, 8)
	if err := m.Lock(); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "--", key)
	cmd.Env = append(os.Environ(), "QTSHM_TEST_HELPER=review-pidns-attach")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	p := testenv.Start(t, cmd)
	line := p.NextLine()
	p.MustSucceed()
	var r pidnsReport
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("bad report %q: %v", line, err)
	}
	t.Logf("child PID namespace sees the held lock as value %d, GETPID %d (we are pid %d)", r.SeenVal, r.SeenPID, os.Getpid())
	if r.Attach == "" {
		t.Errorf("the child attached while we hold the lock (attach takes the lock): mutual exclusion broken")
	} else if !strings.Contains(r.Attach, "unable to lock") {
		t.Errorf("child attach: %s, want LockError after its deadline", r.Attach)
	}
	if r.Attach == "" && r.Lock == "" {
		t.Errorf("the child also took the lock and wrote while we hold it")
	}
	if got := m.Data()[0]; got != 0 {
		t.Errorf("byte 0 = %#x: another process wrote inside our lock", got)
	}
	m.Unlock()
}
