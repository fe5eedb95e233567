//go:build windows

package qtshm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// The public API on Windows (the Windows backend, run under Wine by the test command's Windows
// tier with -test.run Windows): legacy keys, native keys of type Windows, semaphores, and the
// key types Windows does not have. The backend's own tests are in internal/winipc; these catch
// what the public package adds in front of it (key checks, backend choice).

// lockExcludes: while a holds the lock, b's bounded lock times out; after a's unlock b gets it.
func lockExcludes(t *testing.T, a, b *qtshm.SharedMemory) {
	t.Helper()
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := b.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b locked a lock a holds: %v", err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := b.LockContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestWindowsLegacyKeySharesDataAndLock(t *testing.T) {
	key := uniqueKey(t)
	a, b := qtshm.New(key), qtshm.New(key)
	defer a.Close()
	defer b.Close()
	if err := a.Create(100, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := b.Attach(qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if a.Size() != 4096 || b.Size() != 4096 {
		t.Fatalf("sizes %d, %d; want 4096 (page-rounded, as Qt reports)", a.Size(), b.Size())
	}
	copy(a.Data(), "hello")
	if got := string(b.Data()[:5]); got != "hello" {
		t.Fatalf("b reads %q", got)
	}
	lockExcludes(t, a, b)
}

func TestWindowsNativeKey(t *testing.T) {
	k := qtshm.NativeIpcKey{Type: qtshm.Windows, Native: `Local\` + "qtshm-" + t.Name()}
	a, b := qtshm.NewFromNativeKey(k), qtshm.NewFromNativeKey(k)
	defer a.Close()
	defer b.Close()
	if err := a.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatalf("Create on %s: %v", k, err)
	}
	if err := b.Attach(qtshm.ReadOnly); err != nil {
		t.Fatal(err)
	}
	if got := b.NativeIpcKey(); got != k || b.NativeKey() != k.Native {
		t.Fatalf("keys %v %q; want %v", got, b.NativeKey(), k)
	}
	lockExcludes(t, a, b)
	sk := qtshm.NativeIpcKey{Type: qtshm.Windows, Native: k.Native + "-sem"}
	s, err := qtshm.NewSystemSemaphoreFromNativeKey(sk, 0, qtshm.Create)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Release(2); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.Acquire(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWindowsOtherKeyTypesRefused(t *testing.T) {
	for _, k := range []qtshm.NativeIpcKey{
		{Type: qtshm.PosixRealtime, Native: "/qtshm-x"},
		{Type: qtshm.SystemV, Native: `C:\qtshm-x`},
	} {
		m := qtshm.NewFromNativeKey(k)
		wantCode(t, k.String(), m.Create(64, qtshm.ReadWrite), qtshm.KeyError, errors.ErrUnsupported)
		m.Close()
		if _, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.Create); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("semaphore of %s: %v; want KeyError wrapping ErrUnsupported", k, err)
		}
	}
}
