//go:build linux

package qtshm_test

import (
	"context"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestWatchNativeKey: a Watcher of a POSIX-realtime native key sees the initial state and a
// write (by polling), and an invalid key is refused.
func TestWatchNativeKey(t *testing.T) {
	k := review8PosixKey(t)
	m := qtshm.NewFromNativeKey(k)
	defer m.Close()
	if err := m.Create(16, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := qtshm.NewWatcherFromNativeKey(ctx, k, qtshm.WatchOptions{Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Key() != k.String() {
		t.Errorf("Key() = %q, want %q", w.Key(), k.String())
	}
	c, err := w.Next(ctx)
	if err != nil || c.Source != qtshm.ChangeInitial || !c.Exists || len(c.Data) != 16 {
		t.Fatalf("initial: %+v, %v", c, err)
	}
	if err := m.Lock(); err != nil {
		t.Fatal(err)
	}
	copy(m.Data(), "changed")
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
	c, err = w.Next(ctx)
	if err != nil || string(c.Data[:7]) != "changed" {
		t.Fatalf("after a write: %+v, %v", c, err)
	}
	if _, err := qtshm.NewWatcherFromNativeKey(ctx, qtshm.NativeIpcKey{}, qtshm.WatchOptions{}); err == nil {
		t.Error("the invalid key was accepted")
	}
}
