//go:build unix

package article

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// brokenPipe accepts n writes, then fails like a write to a pipe nobody reads.
type brokenPipe struct{ n int }

func (w *brokenPipe) Write(b []byte) (int, error) {
	if w.n <= 0 {
		return 0, syscall.EPIPE
	}
	w.n--
	return len(b), nil
}

// gone fails the test unless key's segment and key file are gone.
func gone(t *testing.T, key string) {
	t.Helper()
	m := qtshm.New(key)
	defer m.Close()
	if err := m.Attach(qtshm.ReadOnly); !errors.Is(err, qtshm.ErrNotFound) {
		t.Errorf("attach after the program stopped: %v, want NotFound (segment removed)", err)
	}
	if _, err := os.Stat(qtshm.LegacyNativeKey(key)); !os.IsNotExist(err) {
		t.Errorf("key file: %v, want it removed", err)
	}
}

// TestWriterStopsOnClosedOutput: a failed write of the output (as under `| head -2`) stops the
// writer with an error wrapping EPIPE, after it removed its segment.
func TestWriterStopsOnClosedOutput(t *testing.T) {
	const key = "article stop writer"
	ctx := testenv.Context(t, time.Minute)
	err := RunWriter(ctx, Options{Key: key, Interval: time.Millisecond}, &brokenPipe{n: 2})
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("RunWriter: %v, want an error wrapping EPIPE", err)
	}
	gone(t, key)
}

// gatedPipe accepts the first write, then blocks the next one until release is closed and
// fails it with EPIPE.
type gatedPipe struct {
	calls             int
	attached, release chan struct{}
}

func (w *gatedPipe) Write(b []byte) (int, error) {
	w.calls++
	if w.calls == 1 {
		close(w.attached)
		return len(b), nil
	}
	<-w.release
	return 0, syscall.EPIPE
}

// TestReaderStopsOnClosedOutput: the same for the reader, which is the segment's last process
// by then, so its Close removes the segment.
func TestReaderStopsOnClosedOutput(t *testing.T) {
	const key = "article stop reader"
	w := qtshm.New(key)
	if err := w.Create(DefaultSize, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	copy(w.Data(), Message(time.Now())+"\x00")
	out := &gatedPipe{attached: make(chan struct{}), release: make(chan struct{})}
	ctx := testenv.Context(t, time.Minute)
	done := make(chan error, 1)
	go func() { done <- RunReader(ctx, Options{Key: key, Interval: time.Millisecond}, out) }()
	select {
	case <-out.attached:
	case err := <-done:
		t.Fatalf("RunReader: %v", err)
	case <-ctx.Done():
		t.Fatal("the reader did not attach")
	}
	w.Close() // the reader is alone with the segment now
	close(out.release)
	select {
	case err := <-done:
		if !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("RunReader: %v, want an error wrapping EPIPE", err)
		}
	case <-ctx.Done():
		t.Fatal("RunReader did not stop")
	}
	gone(t, key)
}
