//go:build linux && !android

package psem

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// plant creates what make makes at the file of a fresh name, and returns the name.
func plant(t *testing.T, tag string, make func(path string) error) string {
	t.Helper()
	name := testName(t, tag)
	path, _ := Path(name)
	t.Cleanup(func() { os.Remove(path) })
	if err := make(path); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestPlanted: what another user may plant at a semaphore's name is refused with an error
// (never a crash): with and without O_CREAT, and O_CREAT|O_EXCL says EEXIST.
func TestPlanted(t *testing.T) {
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, initialImage(3), 0o600); err != nil {
		t.Fatal(err)
	}
	notShared := initialImage(3)
	copy(notShared[privateOffset():], []byte{0, 0, 0, 0})
	cases := []struct {
		tag  string
		make func(path string) error
		want unix.Errno
	}{
		{"symlink", func(p string) error { return os.Symlink(target, p) }, unix.ELOOP},
		{"dangling", func(p string) error { return os.Symlink(target+".none", p) }, unix.ELOOP},
		{"dir", func(p string) error { return os.Mkdir(p, 0o700) }, unix.EISDIR},
		{"fifo", func(p string) error { return unix.Mkfifo(p, 0o600) }, unix.EINVAL},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o600) }, unix.EINVAL},
		{"short", func(p string) error { return os.WriteFile(p, initialImage(3)[:semSize-1], 0o600) }, unix.EINVAL},
		{"private0", func(p string) error { return os.WriteFile(p, notShared, 0o600) }, unix.EINVAL},
	}
	for _, tc := range cases {
		name := plant(t, tc.tag, tc.make)
		for _, flag := range []int{0, oCreate} {
			s, _, err := Open(name, flag, 0o600, 1)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("%s, flag %#x: Open = %v, want %v", tc.tag, flag, err, tc.want)
			}
		}
		if _, _, err := Open(name, oCreate|oExcl, 0o600, 1); !errors.Is(err, unix.EEXIST) {
			t.Errorf("%s: Open(O_CREAT|O_EXCL) = %v, want EEXIST", tc.tag, err)
		}
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != string(initialImage(3)) {
		t.Errorf("the symlink's target changed: %v", err)
	}
	// A longer file than sem_t is what glibc accepts too (it maps the first sem_t).
	name := plant(t, "long", func(p string) error { return os.WriteFile(p, append(initialImage(4), 1, 2, 3), 0o600) })
	s, _, err := Open(name, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := s.Value(); v != 4 {
		t.Errorf("value %d, want 4", v)
	}
}

// TestTruncated: a file truncated under the mapping makes the operations fail with
// ErrTruncated instead of dying of SIGBUS.
func TestTruncated(t *testing.T) {
	s, name := mustCreate(t, "t", 0o600, 2)
	path, _ := Path(name)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Post(); !errors.Is(err, ErrTruncated) {
		t.Errorf("Post: %v, want ErrTruncated", err)
	}
	if err := s.TryWait(); !errors.Is(err, ErrTruncated) {
		t.Errorf("TryWait: %v, want ErrTruncated", err)
	}
	if err := s.Wait(t.Context()); !errors.Is(err, ErrTruncated) {
		t.Errorf("Wait: %v, want ErrTruncated", err)
	}
	if v, w := s.Value(), s.Waiters(); v != -1 || w != -1 {
		t.Errorf("Value, Waiters: %d, %d; want -1, -1", v, w)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestCreateCleansUp: every temporary file a create makes is gone afterwards, whether the
// create succeeded or lost to an existing name.
func TestCreateCleansUp(t *testing.T) {
	var temps []string
	createdTemp = func(p string) { temps = append(temps, p) }
	t.Cleanup(func() { createdTemp = nil })
	_, name := mustCreate(t, "x", 0o600, 0)
	if _, _, err := Open(name, oCreate|oExcl, 0o600, 0); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second O_CREAT|O_EXCL: %v, want EEXIST", err)
	}
	s, created, err := Open(name, oCreate, 0o600, 0)
	if err != nil || created {
		t.Errorf("O_CREAT on an existing semaphore: created=%v, %v", created, err)
	} else {
		s.Close()
	}
	if _, _, err := Open(testName(t, "bad"), oCreate, 0o600, SemValueMax+1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("create with too big a value: %v", err)
	}
	if len(temps) != 2 {
		t.Errorf("%d temporary files made, want 2 (the successful create, the O_EXCL one)", len(temps))
	}
	for _, p := range temps {
		if !strings.HasPrefix(p, Dir+"/sem.") || len(p) != len(Dir+"/sem.XXXXXX") {
			t.Errorf("temporary name %q is not glibc's pattern", p)
		}
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("temporary file %s left behind (%v)", p, err)
			os.Remove(p)
		}
	}
}

// TestUmask: the mode given at creation is filtered by the umask, as open(2) does for glibc.
func TestUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	s, name := mustCreate(t, "u", 0o666, 0)
	path, _ := Path(name)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 || s.Mode() != 0o640 {
		t.Errorf("mode %v (Mode() %v), want 0640 from 0666 under umask 027", fi.Mode().Perm(), s.Mode())
	}
	if fi.Size() != semSize {
		t.Errorf("size %d, want %d", fi.Size(), semSize)
	}
}
