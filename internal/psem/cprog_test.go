//go:build linux && !android

package psem

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/sys/unix"
)

const (
	oCreate = unix.O_CREAT
	oExcl   = unix.O_EXCL
)

// glibc is a way to run the C test program (testdata/semprog.c): on the host's glibc, or on
// the Debian 13 root's (the glibc the Qt 6.8 programs run on) through that root's loader.
type glibc struct {
	name   string   // "host" or "trixie"
	prefix []string // the command that runs the program
}

var (
	buildOnce sync.Once
	semprog   string // the built program, "" if it could not be built
	buildErr  string
)

// buildSemprog compiles testdata/semprog.c with gcc for GOARCH (386: gcc -m32), once per run.
func buildSemprog(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			buildErr = "gcc: " + err.Error()
			return
		}
		src, err := filepath.Abs("testdata/semprog.c")
		if err != nil {
			buildErr = err.Error()
			return
		}
		out := filepath.Join(testenv.WorkDir(), "semprog")
		args := []string{"-O2", "-Wall", "-pthread", "-o", out, src}
		switch runtime.GOARCH {
		case "amd64":
		case "386":
			args = append([]string{"-m32"}, args...)
		default:
			buildErr = "no C compiler set up for GOARCH=" + runtime.GOARCH
			return
		}
		if b, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
			buildErr = "gcc " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(b)
			return
		}
		semprog = out
	})
	testenv.Require(t, semprog != "", "a C program built against glibc for GOARCH=%s: %s", runtime.GOARCH, buildErr)
	return semprog
}

// trixieRoot is the machine-wide Debian 13 root (scripts/setup.sh).
func trixieRoot() string {
	if r := os.Getenv("QTSHM_ROOT"); r != "" {
		return r
	}
	return "/var/cache/qtshm-go/trixie-root"
}

// glibcs returns the glibcs the C program can run on here: the host's, and the Debian 13
// root's (glibc 2.41) when the root exists (missing: skipped, or failed under CI=true, unless
// QTSHM_SKIP_QT68=1 outside CI).
func glibcs(t *testing.T) []glibc {
	t.Helper()
	prog := buildSemprog(t)
	list := []glibc{{name: "host", prefix: []string{prog}}}
	if runtime.GOARCH != "amd64" || (os.Getenv("QTSHM_SKIP_QT68") == "1" && !testenv.CI()) {
		return list
	}
	root := trixieRoot()
	ld := filepath.Join(root, "lib64/ld-linux-x86-64.so.2")
	if _, err := os.Stat(ld); err != nil {
		testenv.Require(t, false, "the Debian 13 root's loader (%v; run scripts/setup.sh, or QTSHM_SKIP_QT68=1)", err)
		return list
	}
	libs := filepath.Join(root, "usr/lib/x86_64-linux-gnu") + ":" + filepath.Join(root, "lib/x86_64-linux-gnu")
	return append(list, glibc{name: "trixie", prefix: []string{ld, "--library-path", libs, prog}})
}

// forEachGlibc runs f as a subtest per glibc, logging the glibc's version.
func forEachGlibc(t *testing.T, f func(t *testing.T, c glibc)) {
	for _, c := range glibcs(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("C side: %s", c.run(t, "version"))
			f(t, c)
		})
	}
}

// cmd returns the command running the C program with args.
func (c glibc) cmd(args ...string) *exec.Cmd {
	all := append(append([]string{}, c.prefix...), args...)
	return exec.Command(all[0], all[1:]...)
}

// start starts the C program with args.
func (c glibc) start(t *testing.T, args ...string) *testenv.Proc {
	t.Helper()
	return testenv.Start(t, c.cmd(args...))
}

// run runs the C program with args to completion and returns its one output line.
func (c glibc) run(t *testing.T, args ...string) string {
	t.Helper()
	p := c.start(t, args...)
	line := p.NextLine()
	p.MustSucceed()
	return line
}
