//go:build linux && !android

package psem

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

// glibcImage writes struct new_sem as glibc declares it for this architecture, field by field,
// independently of the package's offsets: value and nwaiters, private, pad, zero to sem_t's
// size.
func glibcImage(value, nwaiters uint32, waitersBit bool) []byte {
	ne := binary.NativeEndian
	var b []byte
	if layout64 {
		b = ne.AppendUint64(b, uint64(nwaiters)<<32|uint64(value)) // uint64_t data
		b = ne.AppendUint32(b, 128)                                // int private = FUTEX_SHARED
		b = ne.AppendUint32(b, 0)                                  // int pad
		return append(b, make([]byte, 32-len(b))...)               // sizeof (sem_t) = 32
	}
	v := value << 1
	if waitersBit {
		v |= 1
	}
	b = ne.AppendUint32(b, v)        // unsigned int value (<< SEM_VALUE_SHIFT | SEM_NWAITERS_MASK)
	b = ne.AppendUint32(b, 128)      // int private
	b = ne.AppendUint32(b, 0)        // int pad
	b = ne.AppendUint32(b, nwaiters) // unsigned int nwaiters; sizeof (sem_t) = 16
	return b
}

// TestImage: a new semaphore's file is glibc's struct new_sem for this architecture (the
// 64-bit one on 64-bit GOARCHes, the 32-bit one on 386, arm and mips).
func TestImage(t *testing.T) {
	for _, v := range []uint32{0, 1, 7, SemValueMax} {
		if got, want := initialImage(v), glibcImage(v, 0, false); !bytes.Equal(got, want) {
			t.Errorf("initial image for %d:\n% x\nglibc:\n% x", v, got, want)
		}
	}
	_, name := mustCreate(t, "img", 0o600, 9)
	path, _ := Path(name)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := glibcImage(9, 0, false); !bytes.Equal(raw, want) {
		t.Errorf("file:\n% x\nglibc:\n% x", raw, want)
	}
}

// TestRawWaiter: a sleeping Wait is registered in the file as glibc registers a waiter (the
// waiter count, and on 32-bit the waiters bit), and a Post clears it again.
func TestRawWaiter(t *testing.T) {
	s, name := mustCreate(t, "raw", 0o600, 0)
	path, _ := Path(name)
	done := make(chan error, 1)
	go func() { done <- s.Wait(testenv.Context(t, 60*time.Second)) }()
	waitFor(t, "the Wait to register", func() bool { return s.Waiters() == 1 })
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := glibcImage(0, 1, true); !bytes.Equal(raw, want) {
		t.Errorf("file with one sleeping waiter:\n% x\nglibc's state:\n% x", raw, want)
	}
	if err := s.Post(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := glibcImage(0, 0, false); !bytes.Equal(raw, want) {
		t.Errorf("file after the wake-up:\n% x\nglibc's state:\n% x", raw, want)
	}
}
