//go:build linux && !android

package psem

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLayout: a semaphore glibc's sem_open created is read by Go, its file is byte for byte
// what Go writes for a new one, and one Go created is read by glibc.
func TestLayout(t *testing.T) {
	forEachGlibc(t, func(t *testing.T, c glibc) {
		name := testName(t, "c5")
		cleanupName(t, name)
		if got := c.run(t, "create", name, "600", "5"); got != "ok" {
			t.Fatalf("C create: %q", got)
		}
		path, _ := Path(name)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := initialImage(5); !bytes.Equal(raw, want) {
			t.Fatalf("glibc's file for value 5 is\n% x\nGo writes\n% x", raw, want)
		}
		s, created, err := Open(name, 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if created {
			t.Error("Open without O_CREAT reported created")
		}
		if v, w := s.Value(), s.Waiters(); v != 5 || w != 0 {
			t.Errorf("Go reads value %d, waiters %d from glibc's semaphore; want 5, 0", v, w)
		}
		if s.Owner() != uint32(os.Getuid()) || s.Mode()&0o077 != 0 {
			t.Errorf("owner %d mode %v; want %d and no group/other bits (created 0600)", s.Owner(), s.Mode(), os.Getuid())
		}
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			t.Fatal(err)
		}
		if dev, ino := s.File(); dev != uint64(st.Dev) || ino != uint64(st.Ino) {
			t.Errorf("File() = %d, %d; stat says %d, %d", dev, ino, st.Dev, st.Ino)
		}

		g, gname := mustCreate(t, "go7", 0o600, 7)
		if got := c.run(t, "getvalue", gname); got != "value 7" {
			t.Errorf("C sem_getvalue of Go's semaphore: %q, want \"value 7\"", got)
		}
		if err := g.TryWait(); err != nil {
			t.Fatal(err)
		}
		if got := c.run(t, "getvalue", gname); got != "value 6" {
			t.Errorf("C sem_getvalue after a Go TryWait: %q, want \"value 6\"", got)
		}
		if got := c.run(t, "post", gname); got != "ok" {
			t.Fatal(got)
		}
		if v := g.Value(); v != 7 {
			t.Errorf("Go Value after a C sem_post: %d, want 7", v)
		}
	})
}

// TestNameErrors: Path and Open reject the names glibc's sem_open rejects, with its errno.
func TestNameErrors(t *testing.T) {
	long := func(n int) string { return strings.Repeat("q", n) }
	cases := []struct {
		name string
		want unix.Errno
	}{
		{"", unix.EINVAL},
		{"/", unix.EINVAL},
		{"///", unix.EINVAL},
		{"/a/b", unix.EINVAL},
		{"a\x00b", unix.EINVAL},
		{"/" + long(252), unix.ENAMETOOLONG},
		{"/" + long(256), unix.ENAMETOOLONG},
		{"/////" + long(251), unix.ENAMETOOLONG}, // glibc creates the file, then fails
	}
	for _, tc := range cases {
		_, _, err := Open(tc.name, oCreate, 0o600, 0)
		if !errors.Is(err, tc.want) {
			t.Errorf("Open(%.20q…, O_CREAT) = %v, want %v", tc.name, err, tc.want)
		}
		if tc.name != "/////"+long(251) {
			if _, err := Path(tc.name); err != tc.want {
				t.Errorf("Path(%.20q…) = %v, want %v", tc.name, err, tc.want)
			}
		}
		if err := Unlink(tc.name); !errors.Is(err, unix.ENOENT) {
			t.Errorf("Unlink(%.20q…) = %v, want ENOENT (as sem_unlink)", tc.name, err)
		}
	}
	if p, err := Path("//x"); err != nil || p != "/dev/shm/sem.x" {
		t.Errorf(`Path("//x") = %q, %v`, p, err)
	}
	if p, err := Path("/" + long(251)); err != nil || p != "/dev/shm/sem."+long(251) {
		t.Errorf("Path(251 bytes) = %.30q…, %v", p, err)
	}
	for _, flag := range []int{unix.O_RDWR, unix.O_TRUNC, oCreate | unix.O_NOFOLLOW} {
		if _, _, err := Open(testName(t, "flag"), flag, 0o600, 0); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Open with flag %#x: %v, want EINVAL", flag, err)
		}
	}
	name := testName(t, "big")
	cleanupName(t, name)
	if _, _, err := Open(name, oCreate, 0o600, SemValueMax+1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Open(value SEM_VALUE_MAX+1): %v, want EINVAL", err)
	}
	if _, _, err := Open(name, 0, 0, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Open of a missing semaphore: %v, want ENOENT", err)
	}
}

// TestNameErrorsGlibc: glibc's sem_open gives the same errno for the names Path rejects
// (glibc 2.36 says EINVAL where 2.41 and Path say ENAMETOOLONG for more than 255 bytes).
func TestNameErrorsGlibc(t *testing.T) {
	forEachGlibc(t, func(t *testing.T, c glibc) {
		v := c.run(t, "version")
		for _, name := range []string{"", "/", "/a/b", "/" + strings.Repeat("q", 252), "/" + strings.Repeat("q", 256)} {
			_, err := Path(name)
			want := err.(unix.Errno)
			if strings.Contains(v, "glibc 2.36") && len(name) > 256 {
				want = unix.EINVAL
			}
			if got := c.run(t, "open", name, "c"); got != fmt.Sprintf("errno %d", int(want)) {
				t.Errorf("C sem_open(%.20q…, O_CREAT): %q; want errno %d (%v)", name, got, want, want)
			}
		}
	})
}
