//go:build unix

package qtkey

import (
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const envUnsearchable = "QTKEY_TEST_UNSEARCHABLE" // the fixture directory, in the child run

// TestTempPathUnsearchable: a TMPDIR below a directory the user may not search (EACCES) is
// returned unchanged, not as "" — as a user that is not root. As root the test runs itself
// again as nobody.
func TestTempPathUnsearchable(t *testing.T) {
	if dir := os.Getenv(envUnsearchable); dir != "" {
		checkUnsearchable(t, dir)
		return
	}
	base := worldReachableDir(t)
	priv := filepath.Join(base, "priv")
	if err := os.MkdirAll(filepath.Join(priv, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(base, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() != 0 {
		// Without search (x) permission the owner gets EACCES too.
		if err := os.Chmod(priv, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(priv, 0o755) })
		checkUnsearchable(t, base)
		return
	}
	if err := os.Chmod(priv, 0o700); err != nil { // root's: nobody may not search it
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "qtkey.test")
	copyFile(t, exe, bin)
	uid, gid := nobody(t)
	cmd := exec.Command(bin, "-test.run=^TestTempPathUnsearchable$", "-test.v")
	cmd.Dir = base
	cmd.Env = append(os.Environ(), envUnsearchable+"="+base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	t.Logf("as nobody (uid %d):\n%s", uid, out)
	if err != nil {
		t.Fatalf("the run as nobody failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestTempPathUnsearchable") {
		t.Fatal("the run as nobody did not run the test")
	}
}

func checkUnsearchable(t *testing.T, base string) {
	t.Chdir(base)
	// The premise: this user really cannot search priv.
	if _, err := os.Stat("priv/sub"); errnoOf(err) != syscall.EACCES {
		t.Fatalf("stat priv/sub as uid %d: %v, want EACCES", os.Getuid(), err)
	}
	for _, c := range []struct{ tmpdir, want string }{
		{"priv", base + "/priv"}, // the directory itself resolves: its parent is searchable
		{"priv/sub", "priv/sub"},
		{"./priv//sub/", "priv/sub"},
		{"priv/missing", "priv/missing"}, // EACCES comes before ENOENT
		{base + "/priv/sub", base + "/priv/sub"},
		{"priv/sub/x/..", "priv/sub"},
		{"priv/../real", base + "/real"}, // cleanPath removes priv before realpath
	} {
		for _, r := range []PathRules{RulesQt5, RulesQt68} {
			if got := TempPathFor(c.tmpdir, r); got != c.want {
				t.Errorf("uid %d: TempPathFor(%q, %v) = %q, want %q", os.Getuid(), c.tmpdir, r, got, c.want)
			}
		}
	}
}

// worldReachableDir is a fresh directory that every user can reach (mode 0755 up to the root),
// removed at cleanup.
func worldReachableDir(t *testing.T) string {
	t.Helper()
	for _, parent := range []string{os.TempDir(), "/tmp"} {
		if !searchableByAll(parent) {
			continue
		}
		d, err := os.MkdirTemp(parent, "qtkey-test-")
		if err != nil {
			continue
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if d, err = filepath.EvalSymlinks(d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Fatalf("no directory that other users can reach (tried %s and /tmp)", os.TempDir())
	return ""
}

func searchableByAll(dir string) bool {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	for d := real; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == "/" {
			return true
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// nobody returns the uid and gid of the user nobody (65534 when the user database has none).
func nobody(t *testing.T) (uint32, uint32) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return 65534, 65534
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		t.Fatalf("user nobody: uid %q gid %q", u.Uid, u.Gid)
	}
	return uint32(uid), uint32(gid)
}
