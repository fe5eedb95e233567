//go:build linux

// Package interop_test proves Go ↔ Qt interop with real processes: Qt 5.15, 6.4 and 6.8 builds
// of cmake/'s article-writer, article-reader and qtshm-peer, and Go binaries of cmd/qtshm built
// with the pure backend and with the native backend for Qt 5 and for Qt 6. No Qt is mocked.
//
// The Qt programs are found in $QTSHM_PEERS/{qt5,qt6,qt68} (default: ../.cache/build, where
// scripts/setup.sh puts them). A missing one skips the tests that need it — or fails them when
// CI=true.
package interop_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// peerKind is one kind of peer process: a Go binary with one backend, or a Qt build.
type peerKind struct {
	Name    string // "Go[sysv]", "Go[native Qt5]", "Qt5.15.8", …
	Qt      bool
	version testenv.Version // Qt: the Qt version the peer runs with
	flavor  string          // Go: the --flavor it is run with ("" for the default)
	argv    []string        // the peer protocol command, before --key
	dir     string          // Qt: the directory of article-writer / article-reader
	bin     string          // Go: the qtshm binary
	backend string          // Go: the backend name
}

func peersDir() string {
	if d := os.Getenv("QTSHM_PEERS"); d != "" {
		return d
	}
	abs, _ := filepath.Abs("../.cache/build")
	return abs
}

// qtBuilds are the Qt builds scripts/setup.sh makes: the directory and the Qt series in it.
var qtBuilds = []struct {
	dir          string
	major, minor int
}{{"qt5", 5, 15}, {"qt6", 6, 4}, {"qt68", 6, 8}}

var (
	qtOnce  sync.Once
	qtFound []peerKind
	qtMiss  []string
)

// qtKinds returns the Qt peers, one per Qt version; each missing one skips (or, in CI, fails).
func qtKinds(t testing.TB) []peerKind {
	t.Helper()
	qtOnce.Do(func() {
		for _, b := range qtBuilds {
			dir := filepath.Join(peersDir(), b.dir)
			peer := filepath.Join(dir, "qtshm-peer")
			probe := exec.CommandContext(testenv.Context(t, 30*time.Second), peer, "--key", "probe", "keys")
			probe.WaitDelay = time.Second
			out, err := probe.Output()
			var r struct{ QtVersion string }
			if err == nil {
				err = json.Unmarshal(out, &r)
			}
			var v testenv.Version
			if err == nil {
				v, err = testenv.ParseVersion(r.QtVersion)
			}
			if err != nil || !v.Series(b.major, b.minor) {
				qtMiss = append(qtMiss, fmt.Sprintf("Qt %d.%d peer %s (%v, version %q)", b.major, b.minor, peer, err, r.QtVersion))
				continue
			}
			qtFound = append(qtFound, peerKind{Name: "Qt" + r.QtVersion, Qt: true, version: v, argv: []string{peer}, dir: dir})
		}
	})
	testenv.Require(t, len(qtMiss) == 0, "%s — run scripts/setup.sh", strings.Join(qtMiss, "; "))
	return qtFound
}

var goBuilds = []struct {
	name, backend string
	env, tags     []string
}{
	{"Go[sysv]", "sysv", []string{"CGO_ENABLED=0"}, nil},
	{"Go[native Qt5]", "native", []string{"CGO_ENABLED=1"}, []string{"-tags", "qt5"}},
	{"Go[native Qt6]", "native", []string{"CGO_ENABLED=1"}, []string{"-tags", "qt6"}},
}

var (
	goOnce  sync.Once
	goFound []peerKind
	goMiss  []string
)

// goKinds returns the Go peers: cmd/qtshm built with the pure backend and with the native
// backend for Qt 5 and Qt 6.
func goKinds(t testing.TB) []peerKind {
	t.Helper()
	goOnce.Do(func() {
		for i, b := range goBuilds {
			bin := filepath.Join(testenv.WorkDir(), fmt.Sprintf("qtshm-%d", i))
			args := append([]string{"build", "-o", bin}, b.tags...)
			cmd := exec.CommandContext(testenv.Context(t, 10*time.Minute), "go", append(args, "../cmd/qtshm")...)
			cmd.Env = append(os.Environ(), b.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				goMiss = append(goMiss, fmt.Sprintf("%s: go build %v: %v\n%s", b.name, b.tags, err, out))
				continue
			}
			goFound = append(goFound, peerKind{Name: b.name, argv: []string{bin, "peer", "--backend", b.backend}, bin: bin, backend: b.backend})
		}
		// cmd/qtshm with the native backend on Qt 6.8.2, built by scripts/setup.sh inside the
		// Debian 13 root (it runs on the host through that root's loader).
		bin := filepath.Join(peersDir(), "qt68", "qtshm-go")
		if _, err := os.Stat(bin); err != nil {
			goMiss = append(goMiss, "Go[native Qt6.8]: "+err.Error()+" (scripts/setup.sh builds it)")
		} else {
			goFound = append(goFound, peerKind{Name: "Go[native Qt6.8]", argv: []string{bin, "peer", "--backend", "native"}, bin: bin, backend: "native"})
		}
	})
	testenv.Require(t, len(goMiss) == 0, "Go peers: %s", strings.Join(goMiss, "; "))
	return goFound
}

// peerEnv is the environment of every peer: the test's (TMPDIR included) and a UTF-8 locale,
// so that Qt's local 8-bit encoding is UTF-8 as on a desktop.
func peerEnv(extra ...string) []string {
	return append(append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "QT_MESSAGE_PATTERN=%{message}"), extra...)
}

// start runs a peer-protocol process of kind k on key with the given operations.
func (k peerKind) start(t testing.TB, key string, env []string, ops ...string) *testenv.Proc {
	t.Helper()
	argv := append(append(append([]string{}, k.argv...), "--key", key), ops...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = peerEnv(env...)
	return testenv.Start(t, cmd)
}

// result is one line of the peer protocol.
type result struct {
	Op           string
	OK           bool
	Error        int
	ErrorString  string
	Hex          string
	Str          string
	Value        uint64
	NativeKey    string
	NativeIpcKey string
	QtVersion    string
	Size         int
	NsPerOp      float64
	at           time.Time
}

func parseResult(t testing.TB, line string) result {
	t.Helper()
	var r result
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("bad peer line %q: %v", line, err)
	}
	r.at = time.Now()
	return r
}

// expect reads p's next line, which must be the result of op, and returns it; its time is
// when the line was read.
func expect(t testing.TB, p *testenv.Proc, op string) result {
	t.Helper()
	return checkOp(t, p, op, p.Expect(opField(op)))
}

// opField is how a result line of op names it (both peers print it so).
func opField(op string) string { return `"op":"` + op + `"` }

func checkOp(t testing.TB, p *testenv.Proc, op, line string) result {
	t.Helper()
	r := parseResult(t, line)
	if r.Op != op {
		t.Fatalf("%v: line %q is not the result of %s; output:\n%s", p.Cmd.Args, line, op, p.Output())
	}
	r.at = p.LastLineTime()
	return r
}

// expectOK is expect that fails the test unless the operation succeeded.
func expectOK(t testing.TB, p *testenv.Proc, op string) result {
	t.Helper()
	r := expect(t, p, op)
	if !r.OK {
		t.Fatalf("%s: %s failed: error %d %q", p.Cmd.Path, op, r.Error, r.ErrorString)
	}
	return r
}

// keyFor makes a key unique to the test.
func keyFor(t testing.TB) string { return "interop " + t.Name() }
