//go:build linux

package interop_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// QNativeIpcKey (Qt 6.6+): the Go peer's nativekey-* operations against the real Qt 6.8 peer,
// result line by result line. Nothing here is hard-coded: Qt's answers are the expectations.

// nativeKeyStrings are the strings both peers parse (nativekey-parse), valid and invalid.
var nativeKeyStrings = []string{
	"", "posix:/x", "posix:x", "posix:", "posix:/", "posix://", "posix:///x", "posix:////x",
	"posix://host/x", "posix://@/x", "posix://:/x", "posix://:80/x", "posix://u@/x", "posix://[::1]/x",
	"systemv:/tmp/k", "SystemV:/tmp/k", "SYSTEMV:/tmp/k", "sYsTeMv-7:/k", "Posix:/x", "WINDOWS:Local\\k",
	"windows:abc", "windows:", "systemv-0:/k", "systemv-1:/k", "systemv-81:/k", "systemv-255:/k",
	"systemv-256:/k", "systemv--1:/k", "systemv-0x51:/k", "systemv-081:/k", "systemv-00001:/k",
	"systemv-+1:/k", "systemv+1:/k", "systemv-:/k", "systemv1:/k", "systemv-2147483648:/k",
	"systemv-99999999999:/k", "systemv.1:/k", "unknown:/k", "/tmp/k", "k", ":/k", "1posix:/k",
	"po six:/k", "pösix:/k",
	"posix:/a%2Fb", "posix:/a%2fb", "posix:/a%25b", "posix:/a%zzb", "posix:/a%", "posix:/a%2",
	"posix:/a%%41", "posix:/%41%42", "posix:/a%00b", "posix:/a%0Ab", "posix:/a%20b", "posix:/a b",
	"posix:/a%3Fb%23c", "posix:/é", "posix:/%C3%A9", "posix:/%c3%a9", "posix:/%E6%97%A5本",
	"posix:/%FF", "posix:/%C3", "posix:/%ED%A0%80", "posix:/\u00a0\U0001F600", "posix:/a\tb",
	"posix:/a\\b", "posix:/a\"<>^`{|}b", "posix:/a[b]", "posix:/a;b=c,d", "posix:/a/../b/./c",
	"posix:/x?", "posix:/x?&", "posix:/x?&&", "posix:/x?legacyKey=k", "posix:/x?legacyKey=",
	"posix:/x?legacyKey", "posix:/x?legacyKey=a%20b", "posix:/x?legacyKey=a b",
	"posix:/x?legacyKey=a%25b", "posix:/x?legacyKey=a%zz", "posix:/x?legacyKey=a%26b%3Dc",
	"posix:/x?legacyKey=a=b", "posix:/x?legacyKey=a+b", "posix:/x?legacyKey=%C3%A9", "posix:/x?legacyKey=%FF",
	"posix:/x?legacyKey=1&legacyKey=2", "posix:/x?legacyKey=k&", "posix:/x?legacyKey=k&x=1",
	"posix:/x?x=1", "posix:/x?LegacyKey=k", "posix:/x?legacy%4Bey=k", "posix:/x?legacy%4bey=k",
	"posix:/x?legacyKey%3Dk", "posix:/x?legacyKey=k?x=y", "posix:/x?legacyKey=k#frag",
	"posix:/x#", "posix:/x#frag", "posix:/x#frag?legacyKey=k", "posix:/x#a#b", "posix:/x#%zz",
	"systemv:/tmp/qipc_sharedmemory_k2c3f?legacyKey=k", "systemv:relative", "systemv:",
	"posix:/x\x00y", "posix:\x7f", "posix:/\xff", "posix:/a\xc3?legacyKey=\xe6\x97", "posix\xff:/k",
}

// nativeKeyTypes are the types handed to platformSafeKey and legacyNativeKey: the three, a
// System V project id or two, and types Qt does not know.
var nativeKeyTypes = []int{0x51, 1, 0xff, 0x100, 0x101, 0, 0x102, 300, 65535}

// nativeKeyKeys are the QString keys handed to platformSafeKey and legacyNativeKey.
var nativeKeyKeys = []string{"", "k", "/abs/key", "a b", "with/slash", "日本", "Local\\x", "Global\\x", "%25", "//x", ".", "..", "a?b#c", "\xffk\xc3"}

func hexArg(s string) string { return "hex:" + hex.EncodeToString([]byte(s)) }

// nativeKeyPeers returns the Go peer (pure backend) and the Qt 6.8 peer.
func nativeKeyPeers(t *testing.T) (goPeer, qtPeer peerKind) {
	t.Helper()
	goPeer = goKinds(t)[0]
	for _, k := range qtKinds(t) {
		if k.version.AtLeast(6, 8, 0) {
			return goPeer, k
		}
	}
	testenv.Require(t, false, "no Qt 6.8 peer")
	t.SkipNow()
	return
}

// nativeKeyRun runs peer k with ops under env (the whole environment) and returns its lines.
func nativeKeyRun(t *testing.T, k peerKind, env []string, ops []string) []string {
	t.Helper()
	ctx := testenv.Context(t, time.Minute)
	argv := append(append(append([]string{}, k.argv...), "--key", "nativekey"), ops...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.WaitDelay = 2 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", k.Name, err, out)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// compareLines fails for every line where got (Go) differs from want (Qt).
func compareLines(t *testing.T, what []string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Go printed %d lines, Qt %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		if got[i] != want[i] {
			bad++
			t.Errorf("%s:\n Go %s\n Qt %s", what[i], got[i], want[i])
		}
	}
	t.Logf("%d cases, %d differ", len(want), bad)
}

// TestNativeKeyParse: QNativeIpcKey::fromString and toString, Go against Qt 6.8.
func TestNativeKeyParse(t *testing.T) {
	goPeer, qtPeer := nativeKeyPeers(t)
	if len(nativeKeyStrings) < 40 {
		t.Fatalf("only %d strings", len(nativeKeyStrings))
	}
	var ops, what []string
	for _, s := range nativeKeyStrings {
		ops = append(ops, "nativekey-parse", hexArg(s))
		what = append(what, fmt.Sprintf("parse %q", s))
	}
	env := peerEnv()
	want := nativeKeyRun(t, qtPeer, env, ops)
	got := nativeKeyRun(t, goPeer, env, ops)
	compareLines(t, what, got, want)

	// Round trip: every string Qt printed parses back (in Qt) to the key it came from.
	ops, what = nil, nil
	for i, l := range want {
		var r struct{ String string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if s := r.String; s != "" {
			ops = append(ops, "nativekey-parse", hexArg(s))
			what = append(what, fmt.Sprintf("reparse %q (from %q)", s, nativeKeyStrings[i]))
		}
	}
	want = nativeKeyRun(t, qtPeer, env, ops)
	got = nativeKeyRun(t, goPeer, env, ops)
	compareLines(t, what, got, want)
}

// nativeKeyDerive runs every key × type through the four derivations.
func nativeKeyDerive() (ops, what []string) {
	for _, op := range []string{"nativekey-safe", "nativekey-sem-safe", "nativekey-legacy", "nativekey-sem-legacy"} {
		for _, key := range nativeKeyKeys {
			for _, typ := range nativeKeyTypes {
				ops = append(ops, op, hexArg(key), fmt.Sprint(typ))
				what = append(what, fmt.Sprintf("%s %q %#x", op, key, typ))
			}
		}
	}
	return ops, what
}

// envWithout is os.Environ with the UTF-8 locale of peerEnv, without the named variables,
// plus extra.
func envWithout(names []string, extra ...string) []string {
	var env []string
	for _, kv := range peerEnv() {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || n == name
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// dirState describes what is at each path: missing, or its type, mode and owner.
func dirState(paths ...string) string {
	var b strings.Builder
	for _, p := range paths {
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			fmt.Fprintf(&b, "%s: missing; ", p)
		} else {
			fmt.Fprintf(&b, "%s: mode %o uid %d; ", p, st.Mode, st.Uid)
		}
	}
	return b.String()
}

// TestNativeKeyDerive: platformSafeKey (the RuntimeLocation rules) and legacyNativeKey of both
// classes, Go against Qt 6.8, under environments that change QStandardPaths' answer. Each
// environment is set up afresh for each peer, and what the peer left on disk (Qt creates the
// runtime directory) must agree too.
func TestNativeKeyDerive(t *testing.T) {
	goPeer, qtPeer := nativeKeyPeers(t)
	ops, what := nativeKeyDerive()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	name := u.Username
	cases := []struct {
		name  string
		setup func(t *testing.T, base string) (env []string, watch []string)
	}{
		{"XDG unset", func(t *testing.T, base string) ([]string, []string) {
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "TMPDIR="+base), []string{base + "/runtime-" + name}
		}},
		{"XDG empty", func(t *testing.T, base string) ([]string, []string) {
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR=", "TMPDIR="+base), []string{base + "/runtime-" + name}
		}},
		{"XDG good", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/xdg"
			mustOK(t, os.Mkdir(d, 0o700))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base), []string{d, base + "/runtime-" + name}
		}},
		{"XDG mode 0755", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/xdg"
			mustOK(t, os.Mkdir(d, 0o700))
			mustOK(t, os.Chmod(d, 0o755))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base), []string{d, base + "/runtime-" + name}
		}},
		{"XDG mode 0711", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/xdg"
			mustOK(t, os.Mkdir(d, 0o700))
			mustOK(t, os.Chmod(d, 0o711))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base), []string{d, base + "/runtime-" + name}
		}},
		{"XDG missing", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/nonexistent"
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base), []string{d, base + "/runtime-" + name}
		}},
		{"XDG a file", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/file"
			mustOK(t, os.WriteFile(d, nil, 0o600))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base), []string{d, base + "/runtime-" + name}
		}},
		{"XDG a symlink to a good dir", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/real"
			mustOK(t, os.Mkdir(d, 0o700))
			mustOK(t, os.Symlink(d, base+"/link"))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+base+"/link", "TMPDIR="+base), []string{base + "/link", base + "/runtime-" + name}
		}},
		{"XDG wrong owner", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/xdg"
			mustOK(t, os.Mkdir(d, 0o700))
			if err := os.Chown(d, 65534, 65534); err != nil {
				return nil, nil // not root: cannot make one
			}
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base), []string{d, base + "/runtime-" + name}
		}},
		{"fallback exists with mode 0755", func(t *testing.T, base string) ([]string, []string) {
			d := base + "/runtime-" + name
			mustOK(t, os.Mkdir(d, 0o700))
			mustOK(t, os.Chmod(d, 0o755))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "TMPDIR="+base), []string{d}
		}},
		{"TMPDIR with trailing slash and dots", func(t *testing.T, base string) ([]string, []string) {
			mustOK(t, os.Mkdir(base+"/sub", 0o700))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "TMPDIR="+base+"/sub/..//"), []string{base + "/runtime-" + name}
		}},
		{"TMPDIR missing", func(t *testing.T, base string) ([]string, []string) {
			// the temp path is then "" and the fallback would be /runtime-USER: give a good XDG
			// dir instead, so that nothing is created in /.
			d := base + "/xdg"
			mustOK(t, os.Mkdir(d, 0o700))
			return envWithout([]string{"XDG_RUNTIME_DIR", "TMPDIR"}, "XDG_RUNTIME_DIR="+d, "TMPDIR="+base+"/missing"), []string{d}
		}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			var results [2][]string
			var states [2]string
			for i, k := range []peerKind{qtPeer, goPeer} {
				base := filepath.Join(testenv.WorkDir(), fmt.Sprintf("nk-%s-%d", strings.ReplaceAll(c.name, " ", "_"), i))
				// The same path for both peers (it appears in the keys): cleared in between.
				base = filepath.Join(filepath.Dir(base), "nk-"+strings.ReplaceAll(c.name, " ", "_"))
				os.RemoveAll(base)
				mustOK(t, os.Mkdir(base, 0o755))
				t.Cleanup(func() { os.RemoveAll(base) })
				env, watch := c.setup(t, base)
				if env == nil {
					testenv.Require(t, false, "cannot set up %s (not root?)", c.name)
					t.SkipNow()
				}
				results[i] = nativeKeyRun(t, k, env, ops)
				states[i] = dirState(watch...)
				os.RemoveAll(base)
			}
			compareLines(t, what, results[1], results[0])
			if states[0] != states[1] {
				t.Errorf("left behind:\n Go %s\n Qt %s", states[1], states[0])
			}
		})
	}
}

// removeRuntimeDir removes, at the end of the test, the directory QStandardPaths falls back to
// for RuntimeLocation (TMPDIR/runtime-USER), which platformSafeKey creates when
// XDG_RUNTIME_DIR is unset or unsuitable — if it did not exist before.
func removeRuntimeDir(t *testing.T) {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(qtshm.TempPath(), "runtime-"+u.Username)
	if _, err := os.Lstat(dir); err == nil {
		return
	}
	t.Cleanup(func() { os.Remove(dir) })
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
