package qtshm_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// lockBlocked fails the test unless m's lock is held elsewhere: LockContext gives up.
func lockBlocked(t *testing.T, what string, m *qtshm.SharedMemory) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := m.LockContext(ctx)
	if err == nil {
		m.Unlock()
		t.Fatalf("%s: LockContext succeeded while another object holds the lock", what)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: LockContext = %v, want LockError wrapping DeadlineExceeded", what, err)
	}
}

func closeAll(t *testing.T, ms ...*qtshm.SharedMemory) {
	t.Helper()
	for _, m := range ms {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

// A plain System V native key: the segment and its lock are keyed from the given file (the lock
// with the same project id), two objects share data and exclude each other, and the empty key
// file the creator made is removed with the segment.
func TestNativeSystemVKeySharesDataAndLock(t *testing.T) {
	for _, typ := range []qtshm.KeyType{qtshm.SystemV, 7} {
		t.Run(qtshm.NativeIpcKey{Type: typ, Native: "/x"}.String(), func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "nativekeyfile")
			k := qtshm.NativeIpcKey{Type: typ, Native: file}
			pure := qtshm.WithBackend(qtshm.BackendSysV) // bounded LockContext: not on the native backend
			a, b := qtshm.NewFromNativeKey(k, pure), qtshm.NewFromNativeKey(k, pure)
			t.Cleanup(func() { closeAll(t, a, b) })
			if err := a.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatalf("Create: %v", err)
			}
			if got := a.NativeIpcKey(); got != k {
				t.Fatalf("NativeIpcKey() = %+v, want %+v", got, k)
			}
			if a.Key() != "" || a.NativeKey() != file {
				t.Fatalf("Key() = %q, NativeKey() = %q; want \"\" and %q", a.Key(), a.NativeKey(), file)
			}
			if err := b.Attach(qtshm.ReadWrite); err != nil {
				t.Fatalf("Attach: %v", err)
			}
			copy(a.Data(), "native")
			if !bytes.HasPrefix(b.Data(), []byte("native")) {
				t.Fatalf("b reads %q", b.Data()[:8])
			}
			if err := a.Lock(); err != nil {
				t.Fatal(err)
			}
			lockBlocked(t, "b while a holds", b)
			if err := a.Unlock(); err != nil {
				t.Fatal(err)
			}
			lockWithin(t, b, 10*time.Second)
			if err := b.Unlock(); err != nil {
				t.Fatal(err)
			}
			closeAll(t, a)
			if _, err := os.Stat(file); err != nil {
				t.Fatalf("the key file went while b is attached: %v", err)
			}
			if err := b.Attach(qtshm.ReadWrite); !errors.Is(err, qtshm.ErrAlreadyExists) {
				t.Fatalf("second Attach = %v, want AlreadyExists", err)
			}
			closeAll(t, b)
			if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the key file outlived the segment: %v", err)
			}
		})
	}
}

// One file, two project ids: two different segments, as ftok makes two different keys.
func TestNativeSystemVProjectIDsAreDistinct(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	a := qtshm.NewFromNativeKey(qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: file})
	b := qtshm.NewFromNativeKey(qtshm.NativeIpcKey{Type: 0x52, Native: file})
	t.Cleanup(func() { closeAll(t, a, b) })
	if err := a.Create(16, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := b.Create(32, qtshm.ReadWrite); err != nil {
		t.Fatalf("Create with project id 0x52 on the same file: %v", err)
	}
	if a.Size() != 16 || b.Size() != 32 {
		t.Fatalf("sizes %d, %d", a.Size(), b.Size())
	}
}

// A key that records a legacy key (LegacyNativeIpcKey, or "…?legacyKey=K") is the segment and
// the lock of New(K): Qt 6.6.1+ locks the legacy semaphore for it.
func TestLegacyNativeKeyMeetsNew(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	key := uniqueKey(t)
	k := qtshm.LegacyNativeIpcKey(key, qtshm.SystemV)
	parsed, err := qtshm.ParseNativeIpcKey(k.String())
	if err != nil || parsed != k {
		t.Fatalf("ParseNativeIpcKey(%q) = %+v, %v; want %+v", k.String(), parsed, err, k)
	}
	a := qtshm.NewFromNativeKey(parsed, qtshm.WithBackend(qtshm.BackendSysV))
	b := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(qtshm.FlavorQt661))
	t.Cleanup(func() { closeAll(t, a, b) })
	if a.Key() != key || a.NativeKey() != b.NativeKey() {
		t.Fatalf("Key %q NativeKey %q; New: %q", a.Key(), a.NativeKey(), b.NativeKey())
	}
	if got := b.NativeIpcKey(); got != k {
		t.Fatalf("New(key).NativeIpcKey() = %+v, want %+v", got, k)
	}
	if err := a.Create(8, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := b.Attach(qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock(); err != nil {
		t.Fatal(err)
	}
	lockBlocked(t, "native-key object while New(key) holds", a)
	b.Unlock()
	lockWithin(t, a, 10*time.Second)
	lockBlocked(t, "New(key) while the native-key object holds", b)
	a.Unlock()
}

// Qt unlinks a native key file whatever it is when the segment goes. A file with content is
// not one Qt or qtshm made: it stays.
func TestNativeKeyFileWithContentIsKept(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(file, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := qtshm.NewFromNativeKey(qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: file}, qtshm.WithBackend(qtshm.BackendSysV)) // Qt itself unlinks the file
	if err := m.Create(8, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	closeAll(t, m)
	if b, err := os.ReadFile(file); err != nil || string(b) != "precious" {
		t.Fatalf("after Close: %q, %v", b, err)
	}
}

func TestNativeKeyBadValues(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	for _, c := range []struct {
		name     string
		k        qtshm.NativeIpcKey
		opts     []qtshm.Option
		sentinel error
	}{
		{"invalid type", qtshm.NativeIpcKey{Native: file}, nil, qtshm.ErrKeyError},
		{"type 0x102", qtshm.NativeIpcKey{Type: 0x102, Native: file}, nil, qtshm.ErrKeyError},
		{"windows", qtshm.NativeIpcKey{Type: qtshm.Windows, Native: "k"}, nil, errors.ErrUnsupported},
		{"not UTF-8", qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: file + "\xff"}, nil, qtshm.ErrKeyError},
		{"empty native key", qtshm.NativeIpcKey{Type: qtshm.SystemV}, nil, qtshm.ErrKeyError},
		{"posix key, sysv backend", qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: "/k"}, []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV)}, errors.ErrUnsupported},
		{"sysv key, posix backend", qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: file}, []qtshm.Option{qtshm.WithBackend(qtshm.BackendPosix)}, errors.ErrUnsupported},
		{"missing directory", qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: file + "/no/such/dir"}, nil, qtshm.ErrKeyError},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := qtshm.NewFromNativeKey(c.k, c.opts...)
			defer m.Close()
			wantCode(t, "Create", m.Create(8, qtshm.ReadWrite), qtshm.KeyError, c.sentinel)
			if c.k.Native != "" {
				_, err := qtshm.NewSystemSemaphoreFromNativeKey(c.k, 1, qtshm.Open, c.opts...)
				wantCode(t, "NewSystemSemaphoreFromNativeKey", err, qtshm.KeyError, c.sentinel)
			}
		})
	}
}

// Project ids 0x80..0xff make a negative ftok key, which Qt's QSharedMemory takes for a failure
// (no Qt process can use such a segment); its QSystemSemaphore works with them, and so do ours.
func TestNativeSystemVHighProjectIDs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	for _, typ := range []qtshm.KeyType{0x80, 0xff} {
		k := qtshm.NativeIpcKey{Type: typ, Native: file}
		m := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendSysV))
		wantCode(t, "Create", m.Create(8, qtshm.ReadWrite), qtshm.KeyError, qtshm.ErrKeyError)
		m.Close()
		s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.Create, qtshm.WithBackend(qtshm.BackendSysV))
		if err != nil {
			t.Fatalf("semaphore of type %#x: %v", typ, err)
		}
		if err := s.Acquire(); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// A standalone semaphore of a native System V key: two objects count together.
func TestNativeSystemVSemaphore(t *testing.T) {
	k := qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: filepath.Join(t.TempDir(), "sem")}
	a, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 0, qtshm.Create, qtshm.WithBackend(qtshm.BackendSysV)) // bounded AcquireContext
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 5, qtshm.Open, qtshm.WithBackend(qtshm.BackendSysV))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.NativeIpcKey(); got != k {
		t.Fatalf("NativeIpcKey = %+v", got)
	}
	if err := a.Release(2); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		if err := b.AcquireContext(ctx); err != nil {
			t.Fatalf("acquire %d: %v", i, err)
		}
	}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := b.AcquireContext(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third acquire = %v, want DeadlineExceeded (Open keeps the value 0)", err)
	}
}
