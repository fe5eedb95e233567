//go:build linux

package qtshm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// Review 8: breaks of the issue-8 code (native keys, the POSIX backend) through the public API.

// review8PosixKey is a PosixRealtime key unique to the test, whose segment and lock files are
// removed at cleanup (/dev/shm is not namespaced).
func review8PosixKey(t *testing.T) qtshm.NativeIpcKey {
	t.Helper()
	base := fmt.Sprintf("qtshm-review8-%d-%s", os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
	t.Cleanup(func() {
		os.Remove("/dev/shm/" + base)
		os.Remove("/dev/shm/sem." + base)
	})
	return qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: "/" + base}
}

// faults runs f with faults turned into panics and reports the fault, "" if there was none.
func faults(f func()) (fault string) {
	done := make(chan string)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Sprint(r)
				return
			}
			done <- ""
		}()
		f()
	}()
	return <-done
}

// TestReview8ReadWriteAtSurviveTruncatedSegment: a POSIX segment is a file in /dev/shm that
// any process of the user (a careless script, a hostile peer, `truncate`) can shrink under
// our mapping. Raw Data() users then fault, which is inherent; but ReadAt and WriteAt are our
// calls, documented to return errors, and they must not kill the process.
//
// Defect: ReadAt and WriteAt (qtshm/readwrite.go) copy from m.mem without any guard; after a
// truncation the copy raises SIGBUS and the Go runtime aborts the whole program ("unexpected
// fault address"). This test turns the fault into a panic (debug.SetPanicOnFault) to observe
// it. Qt tries F_ADD_SEALS(F_SEAL_SHRINK) on attach, which tmpfs files from shm_open refuse,
// so Qt is exposed too. Fix: run the copies under debug.SetPanicOnFault and recover, as
// internal/psem's guard does for the lock, returning an error (e.g. UnknownError wrapping a
// new ErrTruncated); or check fstat size before copying (racy, so the guard is still needed).
func TestReview8ReadWriteAtSurviveTruncatedSegment(t *testing.T) {
	k := review8PosixKey(t)
	m := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendPosix))
	defer m.Close()
	size := 3 * os.Getpagesize()
	if err := m.Create(size, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate("/dev/shm"+k.Native, 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	var rerr, werr error
	if f := faults(func() { _, rerr = m.ReadAt(buf, int64(size/2)) }); f != "" {
		t.Errorf("ReadAt on a truncated segment faulted (%s): the program would have died of SIGBUS; want an error", f)
	} else if rerr == nil {
		t.Errorf("ReadAt on a truncated segment succeeded")
	}
	if f := faults(func() { _, werr = m.WriteAt(buf, int64(size/2)) }); f != "" {
		t.Errorf("WriteAt on a truncated segment faulted (%s): the program would have died of SIGBUS; want an error", f)
	} else if werr == nil {
		t.Errorf("WriteAt on a truncated segment succeeded")
	}
	if f := faults(func() { m.Close() }); f != "" {
		t.Errorf("Close after truncation faulted: %s", f)
	}
}

// TestReview8FailedNativeKeyObjectsNeverPanic: every method of an object made from a bad
// native key fails with an error (or returns a zero value) and never panics; the semaphore
// and RemoveStaleNative refuse bad keys and values.
func TestReview8FailedNativeKeyObjectsNeverPanic(t *testing.T) {
	long := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: "/" + strings.Repeat("x", 1<<16)}
	keys := map[string]qtshm.NativeIpcKey{
		"zero":         {},
		"windows":      {Type: qtshm.Windows, Native: "Local\\x"},
		"bad utf8":     {Type: qtshm.PosixRealtime, Native: "/\xff\xfe"},
		"bad legacy":   {Type: qtshm.PosixRealtime, Native: "/ok", Legacy: "\xff"},
		"type 0x200":   {Type: qtshm.KeyType(0x200), Native: "/x"},
		"huge":         long,
		"slash only":   {Type: qtshm.PosixRealtime, Native: "/"},
		"two slashes":  {Type: qtshm.PosixRealtime, Native: "//"},
		"inner slash":  {Type: qtshm.PosixRealtime, Native: "/a/b"},
		"nul":          {Type: qtshm.PosixRealtime, Native: "/a\x00b"},
		"dot":          {Type: qtshm.PosixRealtime, Native: "/."},
		"dotdot":       {Type: qtshm.PosixRealtime, Native: "/.."},
		"sysv nul":     {Type: qtshm.SystemV, Native: "/tmp/a\x00b"},
		"sysv missing": {Type: qtshm.SystemV, Native: "/nonexistent-dir-review8/x"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, k := range keys {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			// The pure backends: the native one is Qt, which takes "." and ".." as names.
			m := qtshm.NewFromNativeKey(k, pureFor(k))
			if got := m.NativeIpcKey(); got != k {
				t.Errorf("NativeIpcKey = %+v, want %+v", got, k)
			}
			if err := m.Create(64, qtshm.ReadWrite); err == nil {
				t.Errorf("Create succeeded")
			}
			if err := m.AttachContext(ctx, qtshm.ReadOnly); err == nil {
				t.Errorf("Attach succeeded")
			}
			if err := m.LockContext(ctx); err == nil {
				t.Errorf("Lock succeeded")
				m.Unlock()
			}
			if err := m.Unlock(); err == nil {
				t.Errorf("Unlock succeeded")
			}
			if err := m.DetachContext(ctx); err == nil {
				t.Errorf("Detach succeeded")
			}
			if err := m.RecoverLock(ctx, time.Millisecond); err == nil {
				t.Errorf("RecoverLock succeeded")
			}
			if _, err := m.ReadAt(make([]byte, 1), 0); err == nil {
				t.Errorf("ReadAt succeeded")
			}
			if _, err := m.WriteAt(make([]byte, 1), 0); err == nil {
				t.Errorf("WriteAt succeeded")
			}
			_, _, _, _ = m.Key(), m.NativeKey(), m.Data(), m.Size()
			m.Close()
			m.Close()
			if removed, err := qtshm.RemoveStaleNativeContext(ctx, k, pureFor(k)); removed || (err == nil && k.Type != qtshm.SystemV) {
				// (A System V key file that does not exist has nothing to remove: no error.)
				t.Errorf("RemoveStaleNative = %v, %v; want an error", removed, err)
			}
			if s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.Open, pureFor(k)); err == nil {
				s.Close()
				t.Errorf("NewSystemSemaphoreFromNativeKey succeeded")
			}
		})
	}
	k := review8PosixKey(t)
	for _, v := range []int{-1, qtshm.MaxSemaphoreValue + 1, math.MaxInt32, math.MaxInt} {
		if s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, v, qtshm.Create); err == nil {
			s.Close()
			t.Errorf("initial value %d accepted", v)
		}
	}
	if s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.SemaphoreMode(7)); err == nil {
		s.Close()
		t.Errorf("mode 7 accepted")
	}
	if _, err := os.Lstat("/dev/shm/sem." + strings.TrimPrefix(k.Native, "/")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused semaphores left a file: %v", err)
	}
}

// TestReview8HugeSizesFailCleanly: a POSIX Create of a size no address space can map must fail
// (InvalidSize or OutOfResources, as the System V backend's SHMMAX check does) and leave
// nothing behind: docs/posix.md and SharedMemory's doc promise that "bad names and sizes are
// refused before anything is touched".
//
// Defect: internal/posix/sharedmemory_linux.go Create checks only size <= 0; createSegment's
// ftruncate of a tmpfs file succeeds for any size (the file is sparse), then attachSegment's
// mmap fails with ENOMEM, and Create returns that error with the segment file left in
// /dev/shm at the huge size. From then on every Create of the key fails with AlreadyExists and
// every Attach with ENOMEM, until someone runs RemoveStaleNative. (Qt does the same, but Qt
// does not promise otherwise.) Fix: in Create, unlink the segment when the attach that follows
// a successful createSegment fails (it was made under the lock; nobody can be attached to it
// yet), and refuse sizes above what can be mapped (e.g. > math.MaxInt/2 or the statfs size of
// /dev/shm) with InvalidSize before anything is touched.
func TestReview8HugeSizesFailCleanly(t *testing.T) {
	for _, size64 := range []int64{math.MaxInt, math.MaxInt64 / 2, 1 << 50} {
		size := int(size64)
		if int64(size) != size64 || size64 < 1<<40 {
			// Not an int on this architecture, or (2 GiB on 32-bit) a size a sparse tmpfs file
			// and a 32-bit process's address space can hold: Create then succeeds.
			t.Logf("size %d: not a size that must fail here", size64)
			continue
		}
		k := review8PosixKey(t)
		m := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendPosix))
		cerr := m.Create(size, qtshm.ReadWrite)
		var e *qtshm.Error
		if cerr == nil || !errors.As(cerr, &e) || (e.Code != qtshm.InvalidSize && e.Code != qtshm.OutOfResources) {
			t.Errorf("Create(%d) = %v; want InvalidSize or OutOfResources", size, cerr)
		}
		m.Close()
		if st, err := os.Lstat("/dev/shm" + k.Native); err == nil {
			t.Errorf("Create(%d) failed (%v) but left the segment file (size %d): every later Create of the key fails with AlreadyExists and every Attach fails", size, cerr, st.Size())
		}
		os.Remove("/dev/shm" + k.Native)
	}
}

// TestReview8SystemVNativeLockSurvivesKeyFileRemoval: with a plain System V native key the
// lock is keyed from the segment's own file. The segment's last detacher removes that file
// (removeKeyFile: it is empty); an object that keeps its lock handle across the Detach and
// attaches again later must still exclude a newcomer who re-made the file, the segment and
// its lock.
//
// Defect: internal/sysv semaphore.setNativeKey returns early for the same file, project id and
// Open mode, and the lock handle keeps the set keyed from the old file's inode; after
// detachSegment unlinked the file, the newcomer's create makes a new file (new inode, new
// ftok key) and a new lock set. The old object then attaches to the newcomer's segment (the
// segment's key is recomputed) but locks the old set: both hold "the" lock at once. Qt 6.8
// caches the same way; the shared-file rule (docs/qt-semantics.md#native-keys) only stops
// the lock's owner from unlinking the file under a live segment, not this converse.
// Fix: in initKey for a native key (and before each lock op), compare the lock's keyOfID with
// a fresh ftok of the file and re-open the lock when it differs; or keep the key file while
// this process's lock object still has a set keyed from it.
func TestReview8SystemVNativeLockSurvivesKeyFileRemoval(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/nativekeyfile"
	k := qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: file}
	pure := qtshm.WithBackend(qtshm.BackendSysV)
	a := qtshm.NewFromNativeKey(k, pure)
	t.Cleanup(func() { a.Close() })
	if err := a.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := a.Detach(); err != nil { // the last detach: the segment goes
		t.Fatal(err)
	}
	// The key file stays while a's lock set (keyed from it) lives; a Qt process would unlink it.
	// Unlink it as Qt would: the newcomer below makes a new file.
	os.Remove(file)
	// Occupy the freed inode number, so that the new key file gets another one (ftok keys
	// from the inode number).
	if err := os.WriteFile(dir+"/other", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := qtshm.NewFromNativeKey(k, pure)
	t.Cleanup(func() { c.Close() })
	if err := c.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := a.Attach(qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	copy(c.Data(), "shared")
	if string(a.Data()[:6]) != "shared" {
		t.Fatalf("a is not attached to c's segment: %q", a.Data()[:6])
	}
	if err := c.Lock(); err != nil {
		t.Fatal(err)
	}
	defer c.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := a.LockContext(ctx); err == nil {
		a.Unlock()
		t.Fatalf("a took the lock while c holds it: a and c share the segment %s but lock different semaphore sets", file)
	}
}

// TestReview8RecoverLockSeesSemaphoreHolderInThisProcess: in Qt 6.6.1+ the lock of a plain
// native key is the semaphore of the same native key (docs/qt-semantics.md#native-keys), so
// QSystemSemaphore(k) is a documented way to hold QSharedMemory(k)'s lock. While a
// SystemSemaphore of this process holds it, the lock is not abandoned: LockContext must not
// say ErrLockAbandoned and RecoverLock must refuse.
//
// Defect: Diagnose (internal/posix/diagnose_linux.go) skips this process in its /proc scan
// and counts only the holds of SharedMemory lock objects (the registry); a standalone
// internal/posix Semaphore registers nothing. With no other process mapping the semaphore,
// the lock at value 0 looks abandoned, LockContext's error wraps ErrLockAbandoned, and
// RecoverLock posts: the SharedMemory and the semaphore's holder are then inside at once.
// Fix: register the opens of standalone semaphores in the registry (regAdd on open/close),
// and treat any such open in this process like a mapper that is not waiting (Why: "a
// QSystemSemaphore of this process has the lock open: it may hold it").
func TestReview8RecoverLockSeesSemaphoreHolderInThisProcess(t *testing.T) {
	testenv.Require(t, os.Geteuid() == 0, "root (RecoverLock reads every process's /proc/PID/maps and syscall)")
	k := review8PosixKey(t)
	m := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendPosix))
	defer m.Close()
	if err := m.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.Open, qtshm.WithBackend(qtshm.BackendPosix))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.AcquireContext(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Release(1)
	lctx, lcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err = m.LockContext(lctx)
	lcancel()
	if err == nil {
		m.Unlock()
		t.Fatalf("LockContext succeeded while the semaphore of the same key is held")
	}
	if errors.Is(err, qtshm.ErrLockAbandoned) {
		t.Errorf("LockContext: %v; the lock is held by a live SystemSemaphore of this process, not abandoned", err)
	}
	if err := m.RecoverLock(ctx, 100*time.Millisecond); err == nil {
		t.Errorf("RecoverLock released a lock that a SystemSemaphore of this process holds")
		lctx, lcancel := context.WithTimeout(ctx, time.Second)
		if err := m.LockContext(lctx); err == nil {
			t.Errorf("and LockContext then got in beside the semaphore's holder: two holders")
			m.Unlock()
		}
		lcancel()
	}
}
