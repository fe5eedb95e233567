//go:build linux && !android

package posix

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// TestBadNamesAndSizes: names glibc or Qt reject are KeyError at construction, a size ≤ 0 is
// InvalidSize, and nothing appears in /dev/shm.
func TestBadNamesAndSizes(t *testing.T) {
	long := "/" + strings.Repeat("x", 256)
	semLong := "/" + strings.Repeat("y", 252) // fits a segment, not "sem." + it
	for _, n := range []string{"/", "//", "/a/b", "/a\x00b", "/..", long} {
		if _, err := NewSharedMemory(n, n, "", backend.Config{}); !errors.Is(err, qtipc.ErrKeyError) {
			t.Errorf("NewSharedMemory(%q): %v, want KeyError", n, err)
		}
		if _, err := NewSemaphore(n, 0, qtipc.Open, backend.Config{}); !errors.Is(err, qtipc.ErrKeyError) {
			t.Errorf("NewSemaphore(%q): %v, want KeyError", n, err)
		}
	}
	if _, err := NewSharedMemory(semLong, semLong, "", backend.Config{}); !errors.Is(err, qtipc.ErrKeyError) || !strings.Contains(err.Error(), "251") {
		t.Errorf("lock name of 252 bytes: %v, want KeyError naming the limit 251", err)
	}
	if exists, _ := exists(segPath(semLong)); exists {
		t.Errorf("%s was created", segPath(semLong))
	}
	// glibc accepts a name without its leading '/': "K" and "/K" are one object.
	name := uniqueName(t)
	m := newShm(t, strings.TrimPrefix(name, "/"), backend.Config{})
	if err := m.Create(context.TODO(), 0, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrInvalidSize) ||
		err.(*qtipc.Error).Msg != "QSharedMemory::create: create size is less then 0" {
		t.Errorf("Create(0): %v", err)
	}
	if ok, _ := exists(segPath(name)); ok {
		t.Error("Create(0) created the segment")
	}
	if ok, _ := exists(semPath(name)); ok {
		t.Error("Create(0) created the lock")
	}
	if err := m.Create(context.TODO(), 8, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if ok, _ := exists(segPath(name)); !ok {
		t.Error("Create of a name without '/' did not make /dev/shm/NAME")
	}
	// The empty key: Qt's texts.
	e, _ := NewSharedMemory("", "", "", backend.Config{})
	if err := e.Create(context.TODO(), 8, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrKeyError) ||
		err.(*qtipc.Error).Msg != "QSharedMemoryPrivate::initKey: unable to set key on lock (QSystemSemaphore::handle: key is empty)" {
		t.Errorf("empty key Create: %v", err)
	}
	if err := e.Attach(context.TODO(), qtipc.ReadWrite); !errors.Is(err, qtipc.ErrKeyError) ||
		err.(*qtipc.Error).Msg != "QSharedMemory::handle: key is empty" {
		t.Errorf("empty key Attach: %v", err)
	}
	if err := e.Lock(context.TODO()); !errors.Is(err, qtipc.ErrLockError) {
		t.Errorf("empty key Lock: %v", err)
	}
}

// TestCreateAttachDetach: Qt's codes and texts, data shared between objects, and detach never
// unlinks the segment.
func TestCreateAttachDetach(t *testing.T) {
	name := uniqueName(t)
	a := newShm(t, name, backend.Config{})
	b := newShm(t, name, backend.Config{})
	if err := b.Attach(context.TODO(), qtipc.ReadWrite); !errors.Is(err, qtipc.ErrNotFound) ||
		err.(*qtipc.Error).Msg != "QSharedMemory::attach (shm_open): doesn't exist" {
		t.Fatalf("attach before create: %v", err)
	}
	if err := a.Create(context.TODO(), 100, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if len(a.Data()) != 100 {
		t.Errorf("size %d, want 100", len(a.Data()))
	}
	if err := b.Create(context.TODO(), 100, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrAlreadyExists) ||
		err.(*qtipc.Error).Msg != "QSharedMemory::attach (shm_open): already exists" {
		t.Fatalf("second create: %v", err)
	}
	if err := b.Attach(context.TODO(), qtipc.ReadOnly); err != nil {
		t.Fatal(err)
	}
	copy(a.Data(), "hello")
	if !bytes.HasPrefix(b.Data(), []byte("hello")) {
		t.Errorf("b reads %q", b.Data()[:5])
	}
	if err := a.Detach(context.TODO()); err != nil {
		t.Fatal(err)
	}
	if err := b.Detach(context.TODO()); err != nil {
		t.Fatal(err)
	}
	if ok, _ := exists(segPath(name)); !ok {
		t.Error("the last detach unlinked the segment (Qt never does on Linux)")
	}
	if err := a.Attach(context.TODO(), qtipc.ReadWrite); err != nil || !bytes.HasPrefix(a.Data(), []byte("hello")) {
		t.Errorf("re-attach: %v", err)
	}
}

// TestCounterContention: three processes with three goroutines (objects) each increment a
// counter under the lock for 5 s; the count is exact.
func TestCounterContention(t *testing.T) {
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	if err := m.Create(context.TODO(), 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	var ps []*procT
	for i := 0; i < 3; i++ {
		ps = append(ps, helper(t, "inc", name, "5", "3"))
	}
	total := 0
	for _, p := range ps {
		total += readReport(t, p).Incs
	}
	got := counter(t, name)
	t.Logf("%d increments by 3 processes × 3 objects, counter %d", total, got)
	if uint64(total) != got || total == 0 {
		t.Errorf("counter %d, increments %d", got, total)
	}
}

// TestCreateOrAttachLoops: three processes create-or-attach, increment under the lock and close
// in a loop for 5 s. Closing owners must never split or lose the lock: the count is exact.
func TestCreateOrAttachLoops(t *testing.T) {
	name := uniqueName(t)
	var ps []*procT
	for i := 0; i < 3; i++ {
		ps = append(ps, helper(t, "coa", name, "5"))
	}
	total, created := 0, 0
	for _, p := range ps {
		r := readReport(t, p)
		total += r.Incs
		created += r.Created
		if r.Iters < 10 {
			t.Errorf("only %d iterations: the loop is (nearly) stuck", r.Iters)
		}
	}
	got := counter(t, name)
	t.Logf("%d increments, %d creates, counter %d", total, created, got)
	if uint64(total) != got || created != 1 {
		t.Errorf("counter %d, increments %d, creates %d (want 1: the segment is never unlinked)", got, total, created)
	}
}

// TestCreateKeepsHeldLock: Qt's create unlinks and re-creates an existing lock. Ours waits for
// it (here: until its deadline, the lock being held by another process) and leaves it alone;
// its owner's Close does not unlink it while another process maps it.
func TestCreateKeepsHeldLock(t *testing.T) {
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	if err := m.Create(context.TODO(), 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	h := helper(t, "hold", name)
	h.Expect("locked")
	_, ino := exists(semPath(name))
	c := newShm(t, name, backend.Config{})
	ctx, cancel := ctxFor(300 * time.Millisecond)
	err := c.Create(ctx, 64, qtipc.ReadWrite)
	cancel()
	if !errors.Is(err, qtipc.ErrLockError) || errors.Is(err, ErrLockAbandoned) {
		t.Errorf("create while another process holds the lock: %v, want LockError (not abandoned)", err)
	}
	if !c.lock.owned {
		t.Error("create did not take the lock's ownership")
	}
	c.Close(context.TODO()) // owner, but the holder maps the lock: it must stay
	ctx, cancel = ctxFor(200 * time.Millisecond)
	if err := m.Close(ctx); !errors.Is(err, qtipc.ErrLockError) || m.Data() != nil {
		t.Errorf("Close while another process holds the lock: %v (want a LockError, and unmapped)", err)
	}
	cancel()
	if ok, now := exists(semPath(name)); !ok || now != ino {
		t.Errorf("the lock was unlinked or replaced (exists %v, inode %d, was %d)", ok, now, ino)
	}
	h.Wait()
	// Nobody maps it any more: an owner's Close unlinks it.
	d := newShm(t, name, backend.Config{})
	if err := d.Create(context.TODO(), 64, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrAlreadyExists) {
		t.Errorf("create: %v", err)
	}
	d.Close(context.TODO())
	if ok, _ := exists(semPath(name)); ok {
		t.Error("the owner's Close left the lock although nobody else maps it")
	}
}

// TestLockFollowsReplacedName: while a holder holds the lock, a Qt-style create unlinks it and
// makes a new one. The waiter then gets the old semaphore; it must let it go and take the one
// the name now names, so it never works under a lock newcomers cannot see.
func TestLockFollowsReplacedName(t *testing.T) {
	name := uniqueName(t)
	a := newShm(t, name, backend.Config{})
	if err := a.Create(context.TODO(), 8, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	b := newShm(t, name, backend.Config{})
	if err := b.Attach(context.TODO(), qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := a.Lock(context.TODO()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := ctxFor(stepTimeout)
		defer cancel()
		done <- b.Lock(ctx)
	}()
	time.Sleep(100 * time.Millisecond) // let b wait (the test holds either way)
	// What Qt's create does: sem_unlink, sem_open(O_CREAT|O_EXCL, 1).
	if err := psem.Unlink(name); err != nil {
		t.Fatal(err)
	}
	fresh, _, err := psem.Open(name, unix.O_CREAT|unix.O_EXCL, 0o600, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	dev, ino := fresh.File()
	if b.lock.id != (fileID{dev, ino}) {
		t.Errorf("b holds %v, the name names %d:%d", b.lock.id, dev, ino)
	}
	if v := fresh.Value(); v != 0 {
		t.Errorf("the new lock has value %d while b holds it", v)
	}
	b.Unlock()
}
