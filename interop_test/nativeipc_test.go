//go:build linux

package interop_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// Qt 6.6+ native keys used for IPC: POSIX realtime objects (/dev/shm) and System V objects keyed
// from a file the key names, between Go (the pure backends, chosen by the key's type) and real
// Qt 6.8 processes.

// nativeIPCPeers returns a Go peer that picks its backend from the key (no --backend) and the
// Qt 6.8 peer.
func nativeIPCPeers(t *testing.T) (goK, qtK peerKind) {
	t.Helper()
	g, q := nativeKeyPeers(t)
	return peerKind{Name: "Go[pure]", argv: []string{g.bin, "peer"}, bin: g.bin}, q
}

// nativeIPCGoPeers are the Go peers of the native-key tests: the pure backends, and the native
// backend built against Qt 6.8.2.
func nativeIPCGoPeers(t *testing.T) []peerKind {
	t.Helper()
	pure, _ := nativeIPCPeers(t)
	out := []peerKind{pure}
	for _, k := range goKinds(t) {
		if k.Name == "Go[native Qt6.8]" {
			out = append(out, k)
		}
	}
	testenv.Require(t, len(out) == 2, "the Go peer built against Qt 6.8 (scripts/setup.sh)")
	return out
}

// startNative runs a peer-protocol process of kind k on the native key k (its string form).
func (k peerKind) startNative(t testing.TB, nk qtshm.NativeIpcKey, env []string, ops ...string) *testenv.Proc {
	t.Helper()
	argv := append(append(append([]string{}, k.argv...), "--nkey", nk.String()), ops...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = peerEnv(env...)
	return testenv.Start(t, cmd)
}

var nativeNameSeq struct {
	sync.Mutex
	n int
}

// posixKey returns a POSIX-realtime key unique to the test; its segment and semaphore are
// removed at cleanup (Qt never removes them), and their absence then is checked by the
// package's /dev/shm leak check.
func posixKey(t *testing.T) qtshm.NativeIpcKey {
	nativeNameSeq.Lock()
	nativeNameSeq.n++
	n := nativeNameSeq.n
	nativeNameSeq.Unlock()
	k := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: fmt.Sprintf("/qtshm-it-%d-%d", os.Getpid(), n)}
	t.Cleanup(func() { removePosix(t, k.Native) })
	return k
}

// removePosix removes the POSIX objects of name through the library (RemoveStaleNative), which
// refuses while a process still uses them.
func removePosix(t *testing.T, name string) {
	t.Helper()
	k := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: name}
	if _, err := qtshm.RemoveStaleNative(k); err != nil {
		t.Errorf("RemoveStaleNative(%s): %v", name, err)
	}
}

// sysvKey returns a System V native key whose file lies in a directory of the test.
func sysvKey(t *testing.T, typ qtshm.KeyType) qtshm.NativeIpcKey {
	return qtshm.NativeIpcKey{Type: typ, Native: filepath.Join(t.TempDir(), "nativekey")}
}

// nativeIPCKeys are the key kinds every native-key interop test runs on.
func nativeIPCKeys(t *testing.T) map[string]func(*testing.T) qtshm.NativeIpcKey {
	return map[string]func(*testing.T) qtshm.NativeIpcKey{
		"posix":     posixKey,
		"systemv":   func(t *testing.T) qtshm.NativeIpcKey { return sysvKey(t, qtshm.SystemV) },
		"systemv-7": func(t *testing.T) qtshm.NativeIpcKey { return sysvKey(t, 7) },
	}
}

// TestNativeKeyDataAndLock: for each key type and direction, the creator writes, the other side
// reads it, and the other side's lock returns only after the creator's unlock (shown by a byte
// the creator writes just before unlocking).
func TestNativeKeyDataAndLock(t *testing.T) {
	_, qtK := nativeIPCPeers(t)
	var prs [][2]peerKind
	for _, g := range nativeIPCGoPeers(t) {
		prs = append(prs, [2]peerKind{g, qtK}, [2]peerKind{qtK, g})
	}
	for name, mk := range nativeIPCKeys(t) {
		for _, pr := range prs {
			creator, other := pr[0], pr[1]
			t.Run(fmt.Sprintf("%s/%s_creates→%s", name, creator.Name, other.Name), func(t *testing.T) {
				k := mk(t)
				start := func(p peerKind, ops ...string) *testenv.Proc { return p.startNative(t, k, nil, ops...) }
				c := dataAndLock(t, creator, other, start, 64, 64, func(r result) {
					if r.NativeIpcKey != k.String() || r.NativeKey != k.Native {
						t.Fatalf("%s: keys: nativeIpcKey %q nativeKey %q; want %q, %q", creator.Name, r.NativeIpcKey, r.NativeKey, k.String(), k.Native)
					}
				})
				c.MustSucceed()
			})
		}
	}
}

// dataAndLock is the data-and-lock scenario of two peers (started by start): the creator
// creates size bytes, writes a string and prints its keys (checked by keys); the other side
// attaches, reads the string and a size of wantSize; then the creator holds the lock, and the
// other side's lock returns only after the creator's unlock, shown by a byte the creator
// writes just before unlocking. It returns the creator, which detaches and exits next.
func dataAndLock(t *testing.T, creator, other peerKind, start func(peerKind, ...string) *testenv.Proc, size, wantSize int, keys func(result)) *testenv.Proc {
	t.Helper()
	msg := "hello-from-" + strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r
		}
		return '-'
	}, creator.Name)
	c := start(creator, "create", fmt.Sprint(size), "rw", "writestr", msg, "keys",
		"wait", "lock", "wait", "sleep", "300", "write", "0", "hex:aa", "unlock", "wait", "detach")
	expectOK(t, c, "create")
	expectOK(t, c, "writestr")
	keys(expectOK(t, c, "keys"))
	o := start(other, "attach", "rw", "readstr", "size", "wait", "lock", "read", "0", "1", "unlock", "detach")
	expectOK(t, o, "attach")
	if r := expectOK(t, o, "readstr"); r.Str != msg {
		t.Fatalf("%s reads %q, want %q", other.Name, r.Str, msg)
	}
	if r := expectOK(t, o, "size"); r.Size != wantSize {
		t.Fatalf("%s: size %d, want %d", other.Name, r.Size, wantSize)
	}
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "lock")
	o.Send("go") // the other side now waits for the lock
	expectOK(t, o, "wait")
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "sleep")
	expectOK(t, c, "write")
	expectOK(t, c, "unlock")
	expectOK(t, o, "lock")
	if r := expectOK(t, o, "read"); r.Hex != "aa" {
		t.Fatalf("%s's lock returned before %s's unlock (byte 0 = %s, want aa)", other.Name, creator.Name, r.Hex)
	}
	expectOK(t, o, "unlock")
	expectOK(t, o, "detach")
	o.MustSucceed()
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "detach")
	return c
}

// TestNativeKeySwarm: Go processes (pure and native Qt 6.8 backends) and Qt 6.8 processes
// increment one counter under the lock of a native key, 20,000 times each, all at once; the
// total is exact.
func TestNativeKeySwarm(t *testing.T) {
	const each = 20_000
	_, qtK := nativeIPCPeers(t)
	gos := nativeIPCGoPeers(t)
	kinds := []peerKind{gos[0], qtK, gos[1], qtK, gos[0], gos[1]}
	for name, mk := range nativeIPCKeys(t) {
		t.Run(name, func(t *testing.T) {
			k := mk(t)
			m := qtshm.NewFromNativeKey(k)
			t.Cleanup(func() { m.Close() })
			if err := m.Create(8, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			var procs []*testenv.Proc
			for _, kind := range kinds {
				p := kind.startNative(t, k, nil, "attach", "rw", "wait", "inc", fmt.Sprint(each), "detach")
				expectOK(t, p, "attach")
				procs = append(procs, p)
			}
			for _, p := range procs {
				p.Send("go")
			}
			for _, p := range procs {
				expectOK(t, p, "wait")
				expectOK(t, p, "inc")
				p.MustSucceed()
			}
			if err := m.LockContext(testenv.Context(t, testenv.StepLimit)); err != nil {
				t.Fatal(err)
			}
			got := binary.LittleEndian.Uint64(m.Data())
			m.Unlock()
			t.Logf("%s: %d processes × %d increments: counter %d", k, len(kinds), each, got)
			if want := uint64(each * len(kinds)); got != want {
				t.Fatalf("counter %d, want %d: the lock did not exclude", got, want)
			}
		})
	}
}

// TestNativeKeySemaphores: a standalone semaphore of a native key, both directions. A Go
// Release(3) wakes three Qt processes blocked in acquire, and a Qt release(3) wakes three
// goroutines blocked in AcquireContext.
func TestNativeKeySemaphores(t *testing.T) {
	_, qtK := nativeIPCPeers(t)
	for name, mk := range nativeIPCKeys(t) {
		t.Run(name+"/Go_releases_3→3_Qt_acquires", func(t *testing.T) {
			k := mk(t)
			s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 0, qtshm.Create)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			var procs []*testenv.Proc
			for i := 0; i < 3; i++ {
				p := qtK.start(t, "unused", nil, "sem-open-native", hexArg(k.String()), "0", "open", "sem-acquire", "wait", "sem-close")
				expectOK(t, p, "sem-open-native")
				procs = append(procs, p)
			}
			time.Sleep(200 * time.Millisecond) // let them block in acquire (not needed for correctness)
			if err := s.Release(3); err != nil {
				t.Fatal(err)
			}
			for _, p := range procs {
				expectOK(t, p, "sem-acquire")
			}
			// Checked while the Qt processes live: System V gives a dead process's units back
			// (SEM_UNDO), POSIX does not.
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := s.AcquireContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("a fourth acquire = %v, want DeadlineExceeded: Release(3) made more than 3 units", err)
			}
			for _, p := range procs {
				p.Send("go")
				expectOK(t, p, "wait")
				expectOK(t, p, "sem-close")
				p.MustSucceed()
			}
		})
		t.Run(name+"/Qt_releases_3→3_Go_acquires", func(t *testing.T) {
			k := mk(t)
			q := qtK.start(t, "unused", nil, "sem-open-native", hexArg(k.String()), "0", "create", "wait", "sem-release", "3", "wait", "sem-close")
			expectOK(t, q, "sem-open-native")
			s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 0, qtshm.Open)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			ctx := testenv.Context(t, testenv.StepLimit)
			errs := make(chan error, 3)
			for i := 0; i < 3; i++ {
				go func() { errs <- s.AcquireContext(ctx) }()
			}
			time.Sleep(200 * time.Millisecond)
			q.Send("go")
			expectOK(t, q, "wait")
			expectOK(t, q, "sem-release")
			for i := 0; i < 3; i++ {
				if err := <-errs; err != nil {
					t.Fatalf("acquire %d: %v", i, err)
				}
			}
			q.Send("go")
			expectOK(t, q, "wait")
			expectOK(t, q, "sem-close")
			q.MustSucceed()
		})
	}
}

// TestNativeKeyStringHandover: Qt 6.8 makes a key, prints its string form; Go parses it and
// attaches — and the reverse, with the legacy form (…?legacyKey=K) meeting New(K) and Qt's
// QSharedMemory(K).
func TestNativeKeyStringHandover(t *testing.T) {
	goK, qtK := nativeIPCPeers(t)
	t.Run("Qt_prints→Go_parses", func(t *testing.T) {
		k := posixKey(t)
		q := qtK.startNative(t, k, nil, "create", "16", "rw", "writestr", "from-qt", "keys", "wait", "detach")
		expectOK(t, q, "create")
		expectOK(t, q, "writestr")
		r := expectOK(t, q, "keys")
		parsed, err := qtshm.ParseNativeIpcKey(r.NativeIpcKey)
		if err != nil || parsed != k {
			t.Fatalf("ParseNativeIpcKey(%q) = %+v, %v; want %+v", r.NativeIpcKey, parsed, err, k)
		}
		m := qtshm.NewFromNativeKey(parsed)
		defer m.Close()
		if err := m.Attach(qtshm.ReadOnly); err != nil {
			t.Fatal(err)
		}
		if got := string(m.Data()[:7]); got != "from-qt" {
			t.Fatalf("Go reads %q", got)
		}
		m.Close()
		q.Send("go")
		expectOK(t, q, "wait")
		expectOK(t, q, "detach")
		q.MustSucceed()
	})
	legacy := func(t *testing.T) (string, qtshm.NativeIpcKey) {
		key := keyFor(t)
		return key, qtshm.LegacyNativeIpcKey(key, qtshm.SystemV)
	}
	t.Run("legacy_string_Qt68→Go_New", func(t *testing.T) {
		key, lk := legacy(t)
		q := qtK.startNative(t, lk, nil, "create", "16", "rw", "writestr", "legacy", "lock", "wait", "sleep", "300", "write", "0", "hex:aa", "unlock", "detach")
		expectOK(t, q, "create")
		expectOK(t, q, "writestr")
		expectOK(t, q, "lock")
		m := qtshm.New(key)
		defer m.Close()
		if err := m.AttachContext(testenv.Context(t, 100*time.Millisecond), qtshm.ReadWrite); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("New(key).Attach while Qt holds the legacy lock = %v, want DeadlineExceeded (the same lock)", err)
		}
		q.Send("go")
		expectOK(t, q, "wait")
		if err := m.AttachContext(testenv.Context(t, testenv.StepLimit), qtshm.ReadWrite); err != nil {
			t.Fatal(err)
		}
		if m.Data()[0] != 0xaa {
			t.Fatalf("byte 0 = %#x after the Qt unlock, want 0xaa", m.Data()[0])
		}
		expectOK(t, q, "sleep")
		expectOK(t, q, "write")
		expectOK(t, q, "unlock")
		expectOK(t, q, "detach")
		q.MustSucceed()
	})
	for _, qk := range qtKinds(t) {
		t.Run("Go_legacy_string→"+qk.Name+"_QString_key", func(t *testing.T) {
			key, lk := legacy(t)
			parsed, err := qtshm.ParseNativeIpcKey(lk.String())
			if err != nil || parsed.Legacy != key {
				t.Fatalf("ParseNativeIpcKey(%q) = %+v, %v", lk.String(), parsed, err)
			}
			m := qtshm.NewFromNativeKey(parsed)
			defer m.Close()
			if err := m.Create(16, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			copy(m.Data(), "go-native\x00")
			if err := m.Lock(); err != nil {
				t.Fatal(err)
			}
			q := qk.start(t, key, nil, "attach", "rw", "readstr", "detach")
			time.Sleep(200 * time.Millisecond) // Qt's attach waits for our lock
			m.Data()[0] = 'G'
			m.Unlock()
			expectOK(t, q, "attach")
			if r := expectOK(t, q, "readstr"); r.Str != "Go-native" {
				t.Fatalf("%s reads %q: want Go-native (its attach must wait for our lock)", qk.Name, r.Str)
			}
			expectOK(t, q, "detach")
			q.MustSucceed()
		})
	}
	_ = goK
	_ = strings.TrimSpace
}

// TestPosixAbandonedLock: a Qt 6.8 process is SIGKILLed while it holds a POSIX lock (no
// SEM_UNDO: the lock stays taken). Go's LockContext reports the lock as abandoned, RecoverLock
// frees it, and Go and Qt lock again. While a live Qt process holds the lock, RecoverLock refuses.
func TestPosixAbandonedLock(t *testing.T) {
	_, qtK := nativeIPCPeers(t)
	k := posixKey(t)
	m := qtshm.NewFromNativeKey(k)
	defer m.Close()
	if err := m.Create(8, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}

	live := qtK.startNative(t, k, nil, "attach", "rw", "lock", "wait", "unlock", "detach")
	expectOK(t, live, "attach")
	expectOK(t, live, "lock")
	if err := m.RecoverLock(testenv.Context(t, testenv.StepLimit), 300*time.Millisecond); err == nil {
		t.Fatal("RecoverLock freed a lock a live Qt process holds")
	} else {
		t.Logf("RecoverLock with a live holder: %v", err)
	}
	live.Send("go")
	expectOK(t, live, "wait")
	expectOK(t, live, "unlock")
	expectOK(t, live, "detach")
	live.MustSucceed()

	c := qtK.startNative(t, k, nil, "attach", "rw", "lock", "crash")
	expectOK(t, c, "attach")
	expectOK(t, c, "lock")
	c.Kill()
	c.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := m.LockContext(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, qtshm.ErrLockAbandoned) {
		t.Fatalf("LockContext after the holder died = %v, want DeadlineExceeded and ErrLockAbandoned", err)
	}
	t.Logf("LockContext: %v", err)
	if err := m.RecoverLock(testenv.Context(t, testenv.StepLimit), 300*time.Millisecond); err != nil {
		t.Fatalf("RecoverLock: %v", err)
	}
	if err := m.LockContext(testenv.Context(t, testenv.StepLimit)); err != nil {
		t.Fatalf("Lock after RecoverLock: %v", err)
	}
	m.Unlock()
	after := qtK.startNative(t, k, nil, "attach", "rw", "inc", "100", "detach")
	expectOK(t, after, "attach")
	if r := expectOK(t, after, "inc"); r.Value != 100 {
		t.Fatalf("Qt counts %d after the recovery, want 100", r.Value)
	}
	after.MustSucceed()
}
