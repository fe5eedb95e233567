//go:build linux

package qtshm_test

import (
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
	"golang.org/x/sys/unix"
)

func TestBadInputErrorCodes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		opt := qtshm.WithBackend(be)
		key := uniqueKey(t)

		empty := qtshm.New("", opt)
		wantCode(t, "create with empty key", empty.Create(1024, qtshm.ReadWrite), qtshm.KeyError, qtshm.ErrKeyError)
		wantCode(t, "attach with empty key", empty.Attach(qtshm.ReadWrite), qtshm.KeyError, qtshm.ErrKeyError)
		empty.Close()

		m := qtshm.New(key, opt)
		defer m.Close()
		wantCode(t, "create size 0", m.Create(0, qtshm.ReadWrite), qtshm.InvalidSize, qtshm.ErrInvalidSize)
		wantCode(t, "create size -1", m.Create(-1, qtshm.ReadWrite), qtshm.InvalidSize, qtshm.ErrInvalidSize)
		// More than the machine can back: shmget fails with ENOMEM, which Qt reports as OutOfResources.
		if strconv.IntSize == 64 { // a 32-bit process can ask for no more than the kernel backs
			wantCode(t, "create size too large", m.Create(math.MaxInt>>1, qtshm.ReadWrite), qtshm.OutOfResources, qtshm.ErrOutOfResources)
		}
		err := m.Attach(qtshm.ReadWrite)
		if be == qtshm.BackendNative && nativeQt66 && strconv.IntSize == 64 {
			// Qt 6.6+: the failed create left its SysV key cached; the next call's cleanHandle
			// finds no segment, returns false, and attach fails with the create's error unchanged.
			wantCode(t, "attach after a failed create (Qt 6.6+)", err, qtshm.OutOfResources, qtshm.ErrOutOfResources)
			err = m.Attach(qtshm.ReadWrite)
		}
		wantCode(t, "attach to nothing", err, qtshm.NotFound, qtshm.ErrNotFound)
		if !errors.Is(err, unix.ENOENT) {
			t.Errorf("attach to nothing: errors.Is(err, ENOENT) = false for %v", err)
		}
		wantCode(t, "unlock without lock", m.Unlock(), qtshm.LockError, qtshm.ErrLockError)
		wantCode(t, "detach when not attached", m.Detach(), qtshm.NotFound, qtshm.ErrNotFound)

		if err := m.Create(64, qtshm.ReadWrite); err != nil {
			t.Fatalf("create: %v", err)
		}
		other := qtshm.New(key, opt)
		defer other.Close()
		wantCode(t, "create twice", other.Create(64, qtshm.ReadWrite), qtshm.AlreadyExists, qtshm.ErrAlreadyExists)
		wantCode(t, "attach twice", m.Attach(qtshm.ReadWrite), qtshm.AlreadyExists, qtshm.ErrAlreadyExists)

		ro := qtshm.New(key, opt)
		defer ro.Close()
		if err := ro.Attach(qtshm.ReadOnly); err != nil {
			t.Fatalf("attach read-only: %v", err)
		}
		_, err = ro.WriteAt([]byte("x"), 0)
		wantCode(t, "write to a read-only attachment", err, qtshm.PermissionDenied, qtshm.ErrPermissionDenied)
		_, err = m.WriteAt(make([]byte, 65), 0)
		wantCode(t, "write past the end", err, qtshm.InvalidSize, qtshm.ErrInvalidSize)
		if n, err := m.WriteAt([]byte("hello"), 59); n != 5 || err != nil {
			t.Fatalf("WriteAt at the end: %d, %v", n, err)
		}
		buf := make([]byte, 5)
		if n, err := ro.ReadAt(buf, 59); n != 5 || err != nil || string(buf) != "hello" {
			t.Fatalf("ReadAt: %d %v %q", n, err, buf)
		}
		if len(m.Data()) != 64 || cap(m.Data()) != 64 || m.Size() != 64 {
			t.Fatalf("Data len/cap %d/%d, Size %d; want 64", len(m.Data()), cap(m.Data()), m.Size())
		}
		ro.Close()
		m.Close()
		if m.Data() != nil || m.IsAttached() {
			t.Fatal("Data after Close is not nil")
		}
		wantCode(t, "lock after close", m.Lock(), qtshm.KeyError, qtshm.ErrKeyError)
		if !errors.Is(m.Lock(), qtshm.ErrClosed) {
			t.Fatal("lock after close does not wrap ErrClosed")
		}

		if _, err := qtshm.NewSystemSemaphore("", 1, qtshm.Open, opt); err == nil {
			t.Fatal("NewSystemSemaphore with empty key succeeded")
		} else {
			wantCode(t, "semaphore with empty key", err, qtshm.KeyError, qtshm.ErrKeyError)
		}
	})
}

func TestLockBeforeCreateOrAttach(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		m := qtshm.New(uniqueKey(t), qtshm.WithBackend(be))
		defer m.Close()
		wantCode(t, "lock before create/attach", m.Lock(), qtshm.LockError, qtshm.ErrLockError)
	})
}

func TestMissingBackend(t *testing.T) {
	m := qtshm.New("k", qtshm.WithBackend("nosuch"))
	wantCode(t, "unknown backend", m.Create(1, qtshm.ReadWrite), qtshm.KeyError, qtshm.ErrKeyError)
	m = qtshm.New("bad\xffkey")
	wantCode(t, "invalid UTF-8 key", m.Attach(qtshm.ReadWrite), qtshm.KeyError, qtshm.ErrKeyError)
}

func TestErrorFormatting(t *testing.T) {
	m := qtshm.New("fmt key", qtshm.WithBackend(qtshm.BackendSysV)) // the default flavour's text
	defer m.Close()
	err := m.Attach(qtshm.ReadWrite)
	want := `qtshm: attach "fmt key": QSharedMemory::handle:: UNIX key file doesn't exist: no such file or directory`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if qtshm.NotFound.String() != "NotFound" {
		t.Fatal(qtshm.NotFound.String())
	}
}
