//go:build linux

package interop_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// TestOtherUserPermissionDenied: a peer running as another user (nobody) cannot attach to a
// segment root created: Qt and Go report the same code, PermissionDenied.
func TestOtherUserPermissionDenied(t *testing.T) {
	requireNobody(t)
	tmp := os.Getenv("TMPDIR")
	os.Chmod(tmp, 0o755) // let nobody reach the key files, as in /tmp
	t.Cleanup(func() { os.Chmod(tmp, 0o700) })
	if d := blockedForOthers(tmp); d != "" {
		t.Fatalf("nobody cannot reach the key files in TMPDIR=%s: other users cannot enter %s (no o+x)", tmp, d)
	}
	key := keyFor(t)
	createSegment(t, key, 64)
	gos, qts := goKinds(t), qtKinds(t)
	texts := map[string]string{}
	kinds := append(append([]peerKind{withFlavor(gos[0], "qt661")}, gos...), qts...)
	for _, k := range kinds {
		t.Run(k.Name+"_as_nobody", func(t *testing.T) {
			k = asNobody(t, k)
			p := k.start(t, key, nil, "attach", "ro")
			r := expect(t, p, "attach")
			if r.OK || r.Error != int(qtshm.PermissionDenied) {
				t.Fatalf("attach as nobody: ok=%v error=%d %q, want PermissionDenied (1)", r.OK, r.Error, r.ErrorString)
			}
			t.Logf("%s as nobody: PermissionDenied %q", k.Name, r.ErrorString)
			texts[k.Name] = r.ErrorString
			p.Wait()
		})
	}
	if t.Failed() {
		return // a peer that did not run has no text to compare
	}
	// The texts too: each Go flavour says what the Qt version it reproduces says.
	for goName, qtName := range map[string]string{gos[0].Name: qts[0].Name, "Go[sysv qt661]": qts[2].Name} {
		if texts[goName] != texts[qtName] {
			t.Errorf("as nobody: %s says %q, %s says %q", goName, texts[goName], qtName, texts[qtName])
		}
	}
}

// requireNobody requires what running peers as nobody takes: root and runuser.
func requireNobody(t *testing.T) {
	t.Helper()
	testenv.Require(t, os.Getuid() == 0, "root (to run peers as nobody with runuser)")
	_, err := exec.LookPath("runuser")
	testenv.Require(t, err == nil, "runuser (util-linux)")
}

// sharedTempDir returns a TMPDIR for root's and nobody's peers alike (mode 1777, as /tmp),
// removed at cleanup.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	shared, err := os.MkdirTemp(testenv.WorkDir(), "shared-tmp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o1777); err != nil {
		t.Fatal(err)
	}
	if d := blockedForOthers(shared); d != "" {
		t.Fatalf("nobody cannot reach %s: other users cannot enter %s (no o+x)", shared, d)
	}
	return shared
}

// asNobody returns k run as the user nobody through runuser. The clone, and with it the Qt
// builds in .cache/build, may sit in a directory other users cannot enter (a mode-0700 home,
// mktemp -d), so k's program is first copied into a directory of the test's work dir that every
// user can enter. The copy is then probed as nobody: a peer nobody cannot execute (or that hangs)
// fails the test here, naming the path, instead of surfacing later as a wrong answer.
func asNobody(t *testing.T, k peerKind) peerKind {
	t.Helper()
	orig := k.argv[0]
	k = forOthers(t, k)
	prog := k.argv[0]
	dir := filepath.Dir(prog)
	k.argv = append([]string{"runuser", "-u", "nobody", "--"}, k.argv...)

	ctx := testenv.Context(t, 30*time.Second)
	probe := exec.CommandContext(ctx, k.argv[0], append(k.argv[1:], "--key", "probe", "keys")...)
	probe.Env, probe.Dir, probe.WaitDelay = peerEnv(), dir, 5*time.Second
	// A process group of its own, killed whole on timeout: runuser's child outlives runuser.
	probe.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	probe.Cancel = func() error { return syscall.Kill(-probe.Process.Pid, syscall.SIGKILL) }
	out, err := probe.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("no answer in time (%v)", err)
	}
	if err != nil || !strings.Contains(string(out), `"op":"keys"`) {
		t.Fatalf("%s: nobody cannot run %s (a copy of %s): %v\n%s\n"+
			"Every directory on the way to the program and to what it loads (for Qt 6.8: the Debian 13 root, "+
			"$QTSHM_ROOT, see scripts/setup.sh) must be enterable by other users (o+x).",
			k.Name, prog, orig, err, strings.TrimSpace(string(out)))
	}
	return k
}

// forOthers returns k running a copy of its program in a directory of the test's work dir that
// every user can enter: the clone may sit in a private directory (a 0700 home, mktemp -d).
func forOthers(t *testing.T, k peerKind) peerKind {
	t.Helper()
	dir := filepath.Join(testenv.WorkDir(), "as-nobody", strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return '_'
	}, k.Name))
	prog := filepath.Join(dir, filepath.Base(k.argv[0]))
	if err := copyExecutable(k.argv[0], prog); err != nil {
		t.Fatalf("%s: a copy of its program for nobody: %v", k.Name, err)
	}
	if d := blockedForOthers(prog); d != "" {
		t.Fatalf("%s: nobody cannot execute %s: other users cannot enter %s (no o+x)", k.Name, prog, d)
	}
	k.argv = append([]string{prog}, k.argv[1:]...)
	return k
}

// copyExecutable copies the file src to dst, mode 0755, creating dst's directory (mode 0755).
func copyExecutable(src, dst string) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o755); err != nil { // MkdirAll's mode is subject to the umask
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, 0o755)
}

// blockedForOthers returns the first directory on the way to path (path included, when it is a
// directory) that other users cannot enter, or "" when there is none.
func blockedForOthers(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	for p := abs; ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() && fi.Mode().Perm()&0o001 == 0 {
			return p
		}
		if p == filepath.Dir(p) {
			return ""
		}
	}
}

// TestReadOnlyCannotWrite: after a ReadOnly attach, Go refuses writes with PermissionDenied and
// a Qt process that writes is killed by SIGSEGV: the mapping really is read-only.
func TestReadOnlyCannotWrite(t *testing.T) {
	key := keyFor(t)
	createSegment(t, key, 64)
	ro := qtshm.New(key)
	defer ro.Close()
	if err := ro.Attach(qtshm.ReadOnly); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.WriteAt([]byte{1}, 0); !errorsIsCode(err, qtshm.PermissionDenied) {
		t.Fatalf("Go WriteAt after a ReadOnly attach: %v", err)
	}
	for _, g := range goKinds(t) {
		p := g.start(t, key, nil, "attach", "ro", "write", "0", "hex:01", "detach")
		expectOK(t, p, "attach")
		if r := expect(t, p, "write"); r.OK || r.Error != int(qtshm.PermissionDenied) {
			t.Fatalf("%s write after a ReadOnly attach: %+v", g.Name, r)
		}
		p.Wait()
	}
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			p := q.start(t, key, nil, "attach", "ro", "write", "0", "hex:01", "detach")
			expectOK(t, p, "attach")
			err := p.Wait()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGSEGV {
				t.Fatalf("%s wrote to a ReadOnly attachment without faulting: %v", q.Name, err)
			}
			t.Logf("%s: writing after attach(ReadOnly) faults (SIGSEGV), as Qt documents", q.Name)
		})
	}
	if ro.Data()[0] != 0 {
		t.Fatal("a read-only attachment changed the segment")
	}
}

func errorsIsCode(err error, code qtshm.ErrorCode) bool {
	var e *qtshm.Error
	return errors.As(err, &e) && e.Code == code
}

// TestForeignOwnedSegmentRefused: a segment another user (nobody) created, with the key files
// in a TMPDIR both users share (mode 1777, as /tmp), is refused by every Go kind running as
// root — PermissionDenied, naming the owner — while a Qt process running as root attaches
// and reads it: Qt checks no owner. qtshm-go differs from Qt here on purpose (another user
// could otherwise plant a segment and read what we write; qtshm.WithForeignOwner opts in).
func TestForeignOwnedSegmentRefused(t *testing.T) {
	requireNobody(t)
	gos, qts := goKinds(t), qtKinds(t)
	creators := append(append([]peerKind{}, qts...), gos[0])
	for _, c := range creators {
		t.Run(c.Name+"_as_nobody_creates", func(t *testing.T) {
			shared := sharedTempDir(t)
			t.Cleanup(func() { // runs before sharedTempDir's removal
				if left, _ := os.ReadDir(shared); len(left) > 0 {
					t.Errorf("key files left in the shared TMPDIR: %v", left)
				}
			})
			env := []string{"TMPDIR=" + shared}
			key := keyFor(t)
			cr := asNobody(t, c).start(t, key, env, "create", "64", "rw", "write", "0", "str:nobody", "wait", "close")
			expectOK(t, cr, "create")
			expectOK(t, cr, "write")
			for _, g := range gos {
				p := g.start(t, key, env, "attach", "ro")
				r := expect(t, p, "attach")
				if r.OK || r.Error != int(qtshm.PermissionDenied) || !strings.Contains(r.ErrorString, "nobody") {
					t.Errorf("%s as root, attach to the segment nobody created: ok=%v error=%d %q; want PermissionDenied naming nobody",
						g.Name, r.OK, r.Error, r.ErrorString)
				}
				t.Logf("%s as root: %d %q", g.Name, r.Error, r.ErrorString)
				if err := p.Wait(); err == nil {
					t.Errorf("%s exited 0 after a failed attach", g.Name)
				}
			}
			for _, q := range qts {
				p := q.start(t, key, env, "attach", "ro", "read", "0", "6", "detach")
				expectOK(t, p, "attach")
				if r := expectOK(t, p, "read"); r.Hex != fmt.Sprintf("%x", "nobody") {
					t.Errorf("%s as root read %s from nobody's segment", q.Name, r.Hex)
				}
				expectOK(t, p, "detach")
				p.MustSucceed()
				t.Logf("%s as root: attaches to nobody's segment and reads it (Qt checks no owner)", q.Name)
			}
			cr.Send("go")
			expectOK(t, cr, "wait")
			expectOK(t, cr, "close")
			cr.MustSucceed()
		})
	}
}
