//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/sys/unix"
)

// requireProc: Diagnose reads /proc/PID/maps and /proc/PID/task/*/syscall of every process,
// which needs root (or the processes' user and no ptrace restriction).
func requireProc(t *testing.T) {
	testenv.Require(t, os.Geteuid() == 0, "root (Diagnose reads every process's /proc/PID/maps and syscall)")
}

// TestAbandonedLockRecovery: a holder is SIGKILLed while it holds the lock; a second process
// waits for it. Lock with a deadline reports ErrLockAbandoned; RecoverLock posts once; the
// waiter gets in, and so do we: the counter goes on exactly.
func TestAbandonedLockRecovery(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	if err := m.Create(context.TODO(), 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	w := helper(t, "waitlock", name)
	w.Expect("attached")
	h := helper(t, "hold", name)
	h.Expect("locked")
	w.Send("go")
	h.Kill()
	ctx, cancel := ctxFor(300 * time.Millisecond)
	err := m.Lock(ctx)
	cancel()
	if !errors.Is(err, ErrLockAbandoned) || !errors.Is(err, qtipc.ErrLockError) || !strings.Contains(err.Error(), "see RecoverLock") {
		d, _ := Diagnose(name)
		t.Fatalf("Lock after the holder died: %v; want LockError wrapping ErrLockAbandoned (%v)", err, d)
	}
	d, err := Diagnose(name)
	if err != nil || !d.Abandoned() || len(d.Mappers) != 1 || d.Mappers[0].PID != w.Cmd.Process.Pid || !d.Mappers[0].Waiting {
		t.Fatalf("Diagnose: %v, %v; want the waiter %d as the only mapper, waiting", d, err, w.Cmd.Process.Pid)
	}
	ctx, cancel = ctxFor(stepTimeout)
	defer cancel()
	if err := m.RecoverLock(ctx, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	w.Expect("done")
	w.MustSucceed()
	if err := m.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	inc(m.Data())
	got := counter0(m)
	m.Unlock()
	if got != 2 {
		t.Errorf("counter %d, want 2 (the waiter's and ours)", got)
	}
	// A free lock is not recovered.
	if err := m.RecoverLock(ctx, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "not taken") {
		t.Errorf("RecoverLock of a free lock: %v", err)
	}
}

func counter0(m *SharedMemory) uint64 {
	d := m.Data()
	return uint64(d[0]) | uint64(d[1])<<8 | uint64(d[2])<<16 | uint64(d[3])<<24
}

// TestRecoverRefusesLiveHolder: a live process holds the lock (sleeping). RecoverLock refuses,
// naming it; a Lock that times out does not call the lock abandoned.
func TestRecoverRefusesLiveHolder(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	if err := m.Create(context.TODO(), 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	h := helper(t, "hold", name)
	h.Expect("locked")
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	err := m.RecoverLock(ctx, 200*time.Millisecond)
	want := fmt.Sprintf("process %d (", h.Cmd.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "is not waiting for it: it may hold it") {
		t.Errorf("RecoverLock with a live holder: %v; want a refusal naming %q", err, want)
	}
	lctx, lcancel := ctxFor(200 * time.Millisecond)
	err = m.Lock(lctx)
	lcancel()
	if !errors.Is(err, qtipc.ErrLockError) || errors.Is(err, ErrLockAbandoned) {
		t.Errorf("Lock with a live holder: %v; want LockError, not abandoned", err)
	}
	// A holder in this process counts too.
	h.Wait()
	if err := m.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := RecoverLock(ctx, name, 50*time.Millisecond, backend.Config{}); err == nil || !strings.Contains(err.Error(), "this process holds") {
		t.Errorf("RecoverLock while this process holds the lock: %v", err)
	}
	m.Unlock()
}

// TestRemoveStale: RemoveStale keeps the segment and lock while a process is attached and
// removes both after.
func TestRemoveStale(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	if err := m.Create(context.TODO(), 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	m.Detach(context.TODO()) // the lock stays open (and owned) in m
	a := helper(t, "attach", name)
	a.Expect("attached")
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	if removed, err := RemoveStale(ctx, name, name, backend.Config{}); removed || err != nil {
		t.Errorf("RemoveStale while attached: %v, %v", removed, err)
	}
	a.Wait()
	if removed, err := RemoveStale(ctx, name, name, backend.Config{}); removed || err != nil {
		t.Errorf("RemoveStale while an object of this process has the lock open: %v, %v", removed, err)
	}
	m.Close(context.TODO())
	// m owned the lock and nobody else mapped it: Close unlinked it; the segment remains.
	if ok, _ := exists(segPath(name)); !ok {
		t.Fatal("the segment is gone before RemoveStale")
	}
	if removed, err := RemoveStale(ctx, name, name, backend.Config{}); !removed || err != nil {
		t.Errorf("RemoveStale after everyone left: %v, %v", removed, err)
	}
	for _, p := range []string{segPath(name), semPath(name)} {
		if ok, _ := exists(p); ok {
			t.Errorf("%s is still there", p)
		}
	}
	if removed, err := RemoveStale(ctx, name, name, backend.Config{}); removed || err != nil {
		t.Errorf("RemoveStale of nothing: %v, %v", removed, err)
	}
}

// TestRemoveStaleAbandonedLock: a lock left taken by a dead holder, with nobody mapping it, is
// removed with its segment.
func TestRemoveStaleAbandonedLock(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	if err := m.Create(context.TODO(), 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	m.Detach(context.TODO())
	m.lock.drop() // forget it without the owner's cleanup
	h := helper(t, "hold", name)
	h.Expect("locked")
	h.Kill()
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	if removed, err := RemoveStale(ctx, name, name, backend.Config{}); !removed || err != nil {
		t.Errorf("RemoveStale of an abandoned lock: %v, %v", removed, err)
	}
	for _, p := range []string{segPath(name), semPath(name)} {
		if ok, _ := exists(p); ok {
			t.Errorf("%s is still there", p)
		}
	}
}

// TestPlantedObjectsRefused: a symbolic link or a FIFO under the segment's or the lock's name is
// refused; as root, so are files of another user (nobody), unless AllowForeign.
func TestPlantedObjectsRefused(t *testing.T) {
	name := uniqueName(t)
	target := segPath(name) + "-target"
	os.WriteFile(target, make([]byte, 16), 0o600)
	t.Cleanup(func() { os.Remove(target) })
	if err := os.Symlink(target, segPath(name)); err != nil {
		t.Fatal(err)
	}
	m := newShm(t, name, backend.Config{})
	err := m.Attach(context.TODO(), qtipc.ReadWrite)
	if !errors.Is(err, qtipc.ErrPermissionDenied) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("attach of a symlink: %v", err)
	}
	if err := m.Create(context.TODO(), 8, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrPermissionDenied) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("create over a symlink: %v", err)
	}
	os.Remove(segPath(name))
	m.Close(context.TODO())

	name2 := uniqueName(t)
	if err := unix.Mkfifo(semPath(name2), 0o600); err != nil {
		t.Fatal(err)
	}
	m2 := newShm(t, name2, backend.Config{})
	if err := m2.Create(context.TODO(), 8, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrPermissionDenied) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("create with a FIFO as the lock: %v", err)
	}
	if _, err := NewSemaphore(name2, 0, qtipc.Create, backend.Config{}); !errors.Is(err, qtipc.ErrPermissionDenied) {
		t.Errorf("semaphore over a FIFO: %v", err)
	}
	if ok, _ := exists(semPath(name2)); !ok {
		t.Error("Create mode unlinked the planted FIFO")
	}
	m2.Close(context.TODO())

	u, err := user.Lookup("nobody")
	testenv.Require(t, err == nil && os.Geteuid() == 0, "root and a user nobody (%v)", err)
	uid, _ := strconv.Atoi(u.Uid)
	name3 := uniqueName(t)
	os.WriteFile(segPath(name3), make([]byte, 32), 0o666)
	os.Chown(segPath(name3), uid, uid)
	m3 := newShm(t, name3, backend.Config{})
	err = m3.Attach(context.TODO(), qtipc.ReadWrite)
	if !errors.Is(err, qtipc.ErrPermissionDenied) || !strings.Contains(err.Error(), "uid "+u.Uid) {
		t.Errorf("attach of nobody's segment: %v", err)
	}
	if err := m3.Create(context.TODO(), 8, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrPermissionDenied) || !strings.Contains(err.Error(), "uid "+u.Uid) {
		t.Errorf("create over nobody's segment: %v", err)
	}
	m3.Close(context.TODO())
	allow := newShm(t, name3, backend.Config{AllowForeign: true})
	if err := allow.Attach(context.TODO(), qtipc.ReadWrite); err != nil || len(allow.Data()) != 32 {
		t.Errorf("attach with AllowForeign: %v", err)
	}
	allow.Close(context.TODO())
	// nobody's lock semaphore.
	name4 := uniqueName(t)
	s, _, err := psem.Open(name4, unix.O_CREAT|unix.O_EXCL, 0o666, 1)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Chown(semPath(name4), uid, uid)
	m4 := newShm(t, name4, backend.Config{})
	if err := m4.Create(context.TODO(), 8, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrPermissionDenied) || !strings.Contains(err.Error(), "uid "+u.Uid) {
		t.Errorf("create with nobody's lock: %v", err)
	}
	m4.Close(context.TODO())
	if ok, _ := exists(segPath(name4)); ok {
		t.Error("the segment was created although the lock was refused")
	}
	if _, err := NewSemaphore(name4, 0, qtipc.Create, backend.Config{}); !errors.Is(err, qtipc.ErrPermissionDenied) {
		t.Errorf("semaphore Create over nobody's: %v", err)
	}
	if ok, _ := exists(semPath(name4)); !ok {
		t.Error("Create mode unlinked nobody's semaphore")
	}
}
