//go:build windows

package winipc

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
)

var bg = context.Background()

func newShm(t *testing.T, key string, f qtipc.Flavor) *SharedMemory {
	m := NewSharedMemory(SegmentName(key), SemaphoreName(key), key, f)
	t.Cleanup(func() { m.Close(bg) })
	return m
}

func wantCode(t *testing.T, what string, err error, code qtipc.ErrorCode, msg string) {
	t.Helper()
	var e *qtipc.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %v, want a %v *qtipc.Error", what, err, code)
	}
	if e.Code != code || (msg != "" && e.Msg != msg) {
		t.Fatalf("%s: %v %q, want %v %q", what, e.Code, e.Msg, code, msg)
	}
}

func TestCreateAttachSize(t *testing.T) {
	key := uniqueKey(t)
	a := newShm(t, key, qtipc.FlavorQt515)
	if err := a.Create(bg, 100, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if len(a.Data()) != 4096 {
		t.Fatalf("size of a 100-byte segment = %d, want 4096 (VirtualQuery's RegionSize)", len(a.Data()))
	}
	copy(a.Data(), "hello")
	b := newShm(t, key, qtipc.FlavorQt661)
	wantCode(t, "second create", b.Create(bg, 100, qtipc.ReadWrite), qtipc.AlreadyExists, "QSharedMemory::create: already exists")
	if b.Data() != nil {
		t.Fatal("a failed create left a mapping")
	}
	if err := b.Attach(bg, qtipc.ReadOnly); err != nil {
		t.Fatal(err)
	}
	if got := string(b.Data()[:5]); got != "hello" || len(b.Data()) != 4096 {
		t.Fatalf("attached view: %q, %d bytes", got, len(b.Data()))
	}
	copy(a.Data(), "world")
	if got := string(b.Data()[:5]); got != "world" {
		t.Fatalf("the views do not share memory: %q", got)
	}
	wantCode(t, "attach twice", b.Attach(bg, qtipc.ReadOnly), qtipc.UnknownError, "")
	if err := a.Detach(bg); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "detach twice", a.Detach(bg), qtipc.NotFound, "QSharedMemory::detach: not attached")
	if err := b.Close(bg); err != nil {
		t.Fatal(err)
	}
	// The last handle is gone, and so is the mapping (the failed create closed its handle).
	c := newShm(t, key, qtipc.FlavorQt515)
	wantCode(t, "attach after the last close", c.Attach(bg, qtipc.ReadWrite), qtipc.NotFound, "QSharedMemory::handle: doesn't exist")

	d := newShm(t, uniqueKey(t), qtipc.FlavorQt515)
	if err := d.Create(bg, 5000, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if len(d.Data()) != 8192 {
		t.Fatalf("size of a 5000-byte segment = %d, want 8192", len(d.Data()))
	}
}

func TestBadValues(t *testing.T) {
	key := uniqueKey(t)
	m := newShm(t, key, qtipc.FlavorQt515)
	for _, size := range []int{0, -1, -1 << 31} {
		wantCode(t, "create size", m.Create(bg, size, qtipc.ReadWrite), qtipc.InvalidSize, "QSharedMemory::create: create size is less then 0")
	}
	wantCode(t, "lock before create/attach", m.Lock(bg), qtipc.LockError, "QSharedMemory::lock: unable to lock")
	wantCode(t, "unlock not locked", m.Unlock(), qtipc.LockError, "QSharedMemory::unlock: not locked")
	wantCode(t, "detach not attached", m.Detach(bg), qtipc.NotFound, "")

	empty := NewSharedMemory("", "", "", qtipc.FlavorQt515)
	defer empty.Close(bg)
	wantCode(t, "create empty key", empty.Create(bg, 10, qtipc.ReadWrite), qtipc.KeyError, "QSharedMemory::create: key error")
	wantCode(t, "attach empty key", empty.Attach(bg, qtipc.ReadWrite), qtipc.KeyError, "QSharedMemory::handle: unable to make key")
	wantCode(t, "lock empty key", empty.Lock(bg), qtipc.LockError, "")

	nul := NewSharedMemory("a\x00b", "a\x00b_sem", "", qtipc.FlavorQt661)
	defer nul.Close(bg)
	wantCode(t, "NUL name", nul.Create(bg, 10, qtipc.ReadWrite), qtipc.KeyError, "")

	tooBig := int64(maxLong) + 1
	for _, v64 := range []int64{-1, tooBig} {
		v := int(v64)
		if int64(v) != v64 {
			continue // a 32-bit int cannot hold it
		}
		_, err := NewSemaphore(SemaphoreName(key), key, v, qtipc.Open, qtipc.FlavorQt515)
		wantCode(t, "semaphore initial value", err, qtipc.OutOfResources, "")
	}
	_, err := NewSemaphore(SemaphoreName(key), key, 0, qtipc.SemaphoreMode(7), qtipc.FlavorQt515)
	wantCode(t, "semaphore mode", err, qtipc.KeyError, "")
	_, err = NewSemaphore("", "", 0, qtipc.Open, qtipc.FlavorQt515)
	wantCode(t, "semaphore empty key", err, qtipc.KeyError, "QSystemSemaphore::handle: key is empty")
	_, err = NewSemaphore("x\x00", "", 0, qtipc.Open, qtipc.FlavorQt515)
	wantCode(t, "semaphore NUL name", err, qtipc.KeyError, "")

	// A huge size fails with Qt's code for what the system says, and leaves nothing.
	if huge := int64(1) << 46; int64(int(huge)) == huge {
		h := newShm(t, uniqueKey(t), qtipc.FlavorQt515)
		err := h.Create(bg, int(huge), qtipc.ReadWrite)
		var e *qtipc.Error
		if !errors.As(err, &e) || (e.Code != qtipc.InvalidSize && e.Code != qtipc.OutOfResources && e.Code != qtipc.UnknownError) {
			t.Fatalf("create 64 TiB: %v", err)
		}
		t.Logf("create 64 TiB: %v", err)
		wantCode(t, "attach after a failed huge create", h.Attach(bg, qtipc.ReadWrite), qtipc.NotFound, "")
	}
}

// A name that names another kind of object: CreateFileMapping fails with ERROR_INVALID_HANDLE,
// which Qt reports as UnknownError with the number (≤ 6.5) or the system's text (6.6+).
func TestUnknownErrorTexts(t *testing.T) {
	key := uniqueKey(t)
	s, err := NewSemaphore(SegmentName(key), "", 0, qtipc.Open, qtipc.FlavorQt515)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := newShm(t, key, qtipc.FlavorQt515)
	wantCode(t, "5.15 create over a semaphore", old.Create(bg, 10, qtipc.ReadWrite), qtipc.UnknownError, "QSharedMemory::create: unknown error 6")
	cur := newShm(t, key, qtipc.FlavorQt661)
	wantCode(t, "6.8 create over a semaphore", cur.Create(bg, 10, qtipc.ReadWrite), qtipc.UnknownError, "QSharedMemory::create: unknown error: "+systemText(6))
	t.Logf("6.8 text: %q", "unknown error: "+systemText(6))
}

func TestLockExcludesObjects(t *testing.T) {
	key := uniqueKey(t)
	a, b := newShm(t, key, qtipc.FlavorQt515), newShm(t, key, qtipc.FlavorQt515)
	if err := a.Create(bg, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := b.Attach(bg, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := a.Lock(bg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	defer cancel()
	err := b.Lock(ctx)
	wantCode(t, "lock held by another object", err, qtipc.LockError, "")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, qtipc.ErrLockAbandoned) {
		t.Fatalf("lock wait error %v: want DeadlineExceeded and not ErrLockAbandoned", err)
	}
	if !strings.Contains(err.Error(), "no owner") {
		t.Fatalf("the timeout does not say a Windows semaphore has no owner: %v", err)
	}
	// Detach does not wait for the lock (unlike Qt's: see Detach); attach does, as Qt's.
	if err := b.Detach(bg); err != nil {
		t.Fatalf("detach while locked elsewhere: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel2()
	wantCode(t, "attach while locked elsewhere", b.Attach(ctx2, qtipc.ReadWrite), qtipc.LockError, "")

	// Cancellation from another goroutine ends the wait.
	ctx3, cancel3 := context.WithCancel(bg)
	go func() { time.Sleep(50 * time.Millisecond); cancel3() }()
	if err := b.Lock(ctx3); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled lock wait: %v", err)
	}
	// Unlock wakes a waiter.
	done := make(chan error, 1)
	go func() { done <- b.Lock(testenv.Context(t, 10*time.Second)) }()
	time.Sleep(50 * time.Millisecond)
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	ctx4, cancel4 := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel4()
	wantCode(t, "a locks while b holds", a.Lock(ctx4), qtipc.LockError, "")
	if err := b.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := a.Lock(testenv.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(bg); err != nil { // gives the lock back
		t.Fatal(err)
	}
	if err := b.Lock(testenv.Context(t, 10*time.Second)); err != nil {
		t.Fatalf("lock after the holder closed: %v", err)
	}
}

func TestLockExcludesProcesses(t *testing.T) {
	key := uniqueKey(t)
	m := newShm(t, key, qtipc.FlavorQt515)
	if err := m.Create(bg, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	p := testenv.Helper(t, "lockholder", key)
	p.Expect("locked")
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	wantCode(t, "lock held by another process", m.Lock(ctx), qtipc.LockError, "")
	p.Send("go")
	p.Expect("unlocked")
	p.MustSucceed()
	if err := m.Lock(testenv.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// A process killed while it holds the lock never gives the unit back: a Windows semaphore has
// no owner. Every later wait times out until the last handle closes and the kernel frees it.
func TestKilledHolder(t *testing.T) {
	key := uniqueKey(t)
	m := newShm(t, key, qtipc.FlavorQt515)
	if err := m.Create(bg, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	p := testenv.Helper(t, "lockholder", key)
	p.Expect("locked")
	p.Kill()
	ctx, cancel := context.WithTimeout(bg, 500*time.Millisecond)
	defer cancel()
	err := m.Lock(ctx)
	wantCode(t, "lock after its holder was killed", err, qtipc.LockError, "")
	if errors.Is(err, qtipc.ErrLockAbandoned) {
		t.Fatal("claims to know the lock is abandoned")
	}
	// Close detaches without waiting for the lock (Qt's destructor would wait for ever).
	if err := m.Close(bg); err != nil {
		t.Fatalf("close with the lock never given back: %v", err)
	}
	if m.Data() != nil {
		t.Fatal("Close left the view mapped")
	}
	// Nobody has the semaphore open any more: it is made afresh, with value 1.
	n := newShm(t, key, qtipc.FlavorQt515)
	if err := n.Create(bg, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := n.Lock(testenv.Context(t, 10*time.Second)); err != nil {
		t.Fatalf("lock after every handle closed: %v", err)
	}
	n.Unlock()
}

// Several processes and goroutines increment one counter under the lock: the count is exact.
func TestCounterSwarm(t *testing.T) {
	const procs, perProc, goroutines, perG = 3, 200, 4, 200
	key := uniqueKey(t)
	m := newShm(t, key, qtipc.FlavorQt515)
	if err := m.Create(bg, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	var ps []*testenv.Proc
	for i := 0; i < procs; i++ {
		ps = append(ps, testenv.Helper(t, "counter", key, "200"))
	}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := NewSharedMemory(SegmentName(key), SemaphoreName(key), key, qtipc.FlavorQt515)
			defer o.Close(bg)
			if err := o.Attach(bg, qtipc.ReadWrite); err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < perG; i++ {
				if err := o.Lock(bg); err != nil {
					t.Error(err)
					return
				}
				incr(o.Data())
				o.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, p := range ps {
		p.Expect("done")
		p.MustSucceed()
	}
	if got, want := counter(m.Data()), uint64(procs*perProc+goroutines*perG); got != want {
		t.Fatalf("counter = %d, want %d", got, want)
	}
}

func TestSemaphore(t *testing.T) {
	key := uniqueKey(t)
	name := SemaphoreName(key)
	s, err := NewSemaphore(name, key, 2, qtipc.Open, qtipc.FlavorQt515)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.NativeKey() != name || s.Key() != key {
		t.Fatalf("keys %q %q", s.NativeKey(), s.Key())
	}
	for i := 0; i < 2; i++ {
		if err := s.Acquire(testenv.Context(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	err = s.Acquire(short())
	wantCode(t, "acquire at 0", err, qtipc.LockError, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire at 0: %v", err)
	}
	// Create mode opens the existing semaphore as it is: no reset to the initial value.
	c, err := NewSemaphore(name, key, 5, qtipc.Create, qtipc.FlavorQt515)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wantCode(t, "acquire after Create(5) on a semaphore at 0", c.Acquire(short()), qtipc.LockError, "")
	if err := c.Release(3); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.Acquire(testenv.Context(t, 10*time.Second)); err != nil {
			t.Fatalf("unit %d released by the other object: %v", i, err)
		}
	}
	wantCode(t, "acquire after taking all 3", s.Acquire(short()), qtipc.LockError, "")
	if err := s.Release(0); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "release -1", s.Release(-1), qtipc.UnknownError, "QSystemSemaphore::release: n is negative.")
	// Past MAXLONG: ReleaseSemaphore fails with ERROR_TOO_MANY_POSTS (298), all or nothing.
	if err := s.Release(1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "release past MAXLONG", s.Release(maxLong), qtipc.UnknownError, "QSystemSemaphore::modifySemaphore: unknown error 298")
	if err := s.Acquire(testenv.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "the failed release added nothing", s.Acquire(short()), qtipc.LockError, "")
	if over := int64(maxLong) + 1; int64(int(over)) == over {
		wantCode(t, "release more than MAXLONG", s.Release(int(over)), qtipc.OutOfResources, "")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "acquire after close", s.Acquire(bg), qtipc.KeyError, "")
	if err := s.Close(); err != nil {
		t.Fatal("second close:", err)
	}
}

// One semaphore object shared by goroutines, as qtshm.SystemSemaphore lets them: Acquire and
// Release run at once; a Release in one goroutine wakes an Acquire in another.
func TestSemaphoreGoroutines(t *testing.T) {
	const goroutines, rounds = 8, 200
	s, err := NewSemaphore(SemaphoreName(uniqueKey(t)), "", 1, qtipc.Open, qtipc.FlavorQt661)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	total := 0
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				if err := s.Acquire(bg); err != nil {
					t.Error(err)
					return
				}
				v := total
				time.Sleep(0)
				total = v + 1
				if err := s.Release(1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if total != goroutines*rounds {
		t.Fatalf("total = %d, want %d", total, goroutines*rounds)
	}
	if err := s.Acquire(bg); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Acquire(testenv.Context(t, 10*time.Second)) }()
	time.Sleep(50 * time.Millisecond)
	if err := s.Release(1); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("acquire woken by a release in another goroutine: %v", err)
	}
}

// Windows native keys, through the factory as qtshm uses it.
func TestNativeKeys(t *testing.T) {
	var f backend.NativeKeyFactory = Factory
	base := uniqueKey(t)
	k := nativekey.PlatformSafe(`Local\`+base, false, nativekey.Windows)
	if k.Native != `Local\shm_`+base {
		t.Fatalf("PlatformSafe on Windows = %q", k.Native)
	}
	m, err := f.NewNativeSharedMemory(k, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(bg)
	if got := m.(*SharedMemory).LockName(); got != `Local\shm_`+base+"_sem" {
		t.Fatalf("lock name = %q", got)
	}
	if err := m.Create(bg, 10, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	copy(m.Data(), "native")
	// In a session, Local\NAME and NAME are one object.
	plain, err := f.NewNativeSharedMemory(nativekey.Key{Type: nativekey.Windows, Native: "shm_" + base}, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close(bg)
	if err := plain.Attach(bg, qtipc.ReadOnly); err != nil {
		t.Fatalf("attach without Local\\: %v", err)
	}
	if string(plain.Data()[:6]) != "native" {
		t.Fatal("Local\\x and x are different objects")
	}
	// Its lock is Local\shm_…_sem too: the objects exclude each other.
	if err := m.Lock(bg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	wantCode(t, "lock of the same native key", plain.Lock(ctx), qtipc.LockError, "")
	m.Unlock()

	sk := nativekey.PlatformSafe(`Local\`+base, true, nativekey.Windows)
	s, err := f.NewNativeSemaphore(sk, 1, qtipc.Open, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.NativeKey() != `Local\sem_`+base {
		t.Fatalf("semaphore name = %q", s.NativeKey())
	}
	if err := s.Acquire(bg); err != nil {
		t.Fatal(err)
	}
	// Other key types are not Windows keys.
	for _, typ := range []uint16{nativekey.SystemV, nativekey.PosixRealtime, 1} {
		_, err := f.NewNativeSharedMemory(nativekey.Key{Type: typ, Native: "/x"}, backend.Config{})
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("type %#x: %v, want ErrUnsupported", typ, err)
		}
	}
	// On Windows Qt derives no native key for the other types.
	if k := nativekey.PlatformSafe("x", false, nativekey.SystemV); k.Native != "" {
		t.Errorf("PlatformSafe(SystemV) on Windows = %q", k.Native)
	}
	if k := nativekey.Legacy("SomeKey", false, nativekey.Windows); k.Native != SegmentName("SomeKey") || k.Legacy != "SomeKey" {
		t.Errorf("Legacy(Windows) = %+v", k)
	}
}
