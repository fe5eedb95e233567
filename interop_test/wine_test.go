//go:build linux

package interop_test

import (
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The Windows tier: Go and real Qt for Windows (QtCore 5.15.8 and 6.8.2 built from Debian's
// sources with mingw-w64 by scripts/windows-setup.sh) as Windows processes under Wine, which
// share Wine's named kernel objects (file mappings, semaphores). This Linux test process only
// starts them and reads their peer-protocol lines.

// winDir is where scripts/windows-setup.sh puts the Windows programs and launchers.
func winDir() string { return filepath.Join(peersDir(), "win") }

var (
	winOnce  sync.Once
	winFound []peerKind
	winMiss  []string
)

// winKinds returns the Windows peers: Qt 5.15 and Qt 6.8 for Windows, and cmd/qtshm built
// for Windows (GOOS=windows), each run under Wine.
func winKinds(t *testing.T) (goK peerKind, qts []peerKind) {
	t.Helper()
	winOnce.Do(func() {
		run := filepath.Join(winDir(), "wine-run")
		if _, err := os.Stat(run); err != nil {
			winMiss = append(winMiss, "wine-run: "+err.Error())
			return
		}
		// Wine keeps temporary files in TMPDIR: give it one outside the leak check's. And a
		// wine server started here (persistent for 30 s after its last client), without our pipes: one that a peer started
		// would hold the peer's stdout open after it exits.
		wtmp := filepath.Join(testenv.WorkDir(), "wine-tmp")
		if err := os.MkdirAll(wtmp, 0o755); err != nil {
			winMiss = append(winMiss, err.Error())
			return
		}
		wenv := []string{"env", "TMPDIR=" + wtmp}
		srv := exec.Command(filepath.Join(winDir(), "wineserver"), "-p30")
		srv.Env = append(os.Environ(), "TMPDIR="+wtmp)
		if err := srv.Run(); err != nil {
			winMiss = append(winMiss, "wineserver -p: "+err.Error())
			return
		}
		// The first Wine process of a session starts Wine's own services (services.exe,
		// winedevice, …), which live as long as the server and inherit the starter's stdio:
		// start them here, on /dev/null.
		boot := exec.CommandContext(testenv.Context(t, 2*time.Minute), run, "cmd", "/c", "exit")
		boot.Env = append(os.Environ(), "TMPDIR="+wtmp)
		if err := boot.Run(); err != nil {
			winMiss = append(winMiss, "booting the Wine session: "+err.Error())
			return
		}
		bin := filepath.Join(testenv.WorkDir(), "qtshm.exe")
		cmd := exec.CommandContext(testenv.Context(t, 10*time.Minute), "go", "build", "-o", bin, "../cmd/qtshm")
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			winMiss = append(winMiss, fmt.Sprintf("GOOS=windows go build: %v\n%s", err, out))
			return
		}
		winFound = append(winFound, peerKind{Name: "Go[windows]", argv: append(wenv, run, bin, "peer"), bin: bin, backend: "windows"})
		for _, b := range []struct {
			dir          string
			major, minor int
		}{{"qt5", 5, 15}, {"qt68", 6, 8}} {
			dir := filepath.Join(winDir(), b.dir)
			peer := filepath.Join(dir, "qtshm-peer")
			probe := exec.CommandContext(testenv.Context(t, time.Minute), "env", "TMPDIR="+wtmp, peer, "--key", "probe", "keys")
			probe.Env = peerEnv()
			probe.WaitDelay = time.Second
			out, err := probe.Output()
			var v testenv.Version
			var r result
			if err == nil {
				r = parseResult(t, strings.TrimSpace(string(out)))
				v, err = testenv.ParseVersion(r.QtVersion)
			}
			if err != nil || !v.Series(b.major, b.minor) {
				winMiss = append(winMiss, fmt.Sprintf("Qt %d.%d for Windows %s (%v, %q)", b.major, b.minor, peer, err, out))
				continue
			}
			winFound = append(winFound, peerKind{Name: "Qt" + r.QtVersion + "[windows]", Qt: true, version: v, argv: append(append([]string{}, wenv...), peer), dir: dir})
		}
	})
	testenv.Require(t, len(winMiss) == 0, "the Windows tier: %s — run scripts/windows-setup.sh", strings.Join(winMiss, "; "))
	return winFound[0], winFound[1:]
}

// winKey is a key unique to the test in ASCII letters, digits and '-': a Qt program built with
// mingw reads its command line in the ANSI code page, so a non-ASCII key would reach it as
// another key; and the peer protocol splits words at spaces.
func winKey(t *testing.T) string {
	b := []byte("wine-" + t.Name())
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b[i] = '-'
		}
	}
	return string(b)
}

// winPairs lists (creator, other) for Go × each Qt, both ways.
func winPairs(t *testing.T) [][2]peerKind {
	g, qs := winKinds(t)
	var out [][2]peerKind
	for _, q := range qs {
		out = append(out, [2]peerKind{g, q}, [2]peerKind{q, g})
	}
	return out
}

// TestWineDataAndLock: data both ways, the size as Qt reports it (page-rounded), and a lock
// that excludes: the other side's lock returns only after the holder's unlock, shown by a byte
// the holder writes just before it.
func TestWineDataAndLock(t *testing.T) {
	for _, pr := range winPairs(t) {
		creator, other := pr[0], pr[1]
		t.Run(creator.Name+"_creates→"+other.Name, func(t *testing.T) {
			key := winKey(t)
			start := func(p peerKind, ops ...string) *testenv.Proc { return p.start(t, key, nil, ops...) }
			// Qt for Windows reports the size page-rounded: 100 → 4096.
			dataAndLock(t, creator, other, start, 100, 4096, func(result) {}).MustSucceed()
		})
	}
}

// TestWineSwarm: two Go and two Qt (5.15, 6.8) Windows processes increment one counter under
// the lock, all at once; the total is exact.
func TestWineSwarm(t *testing.T) {
	const each = 2000
	g, qs := winKinds(t)
	key := winKey(t)
	c := g.start(t, key, nil, "create", "8", "rw", "write", "0", "hex:0000000000000000", "wait", "lock", "read", "0", "8", "unlock", "detach")
	expectOK(t, c, "create")
	expectOK(t, c, "write")
	kinds := append([]peerKind{g, g}, qs...)
	var procs []*testenv.Proc
	for _, k := range kinds {
		p := k.start(t, key, nil, "attach", "rw", "wait", "inc", fmt.Sprint(each), "detach")
		expectOK(t, p, "attach")
		procs = append(procs, p)
	}
	for _, p := range procs {
		p.Send("go")
	}
	for _, p := range procs {
		expectOK(t, p, "wait")
		expectOK(t, p, "inc")
		p.MustSucceed()
	}
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "lock")
	r := expectOK(t, c, "read")
	b, _ := hex.DecodeString(r.Hex)
	var got uint64
	for i := 7; i >= 0; i-- {
		got = got<<8 | uint64(b[i])
	}
	t.Logf("%d Windows processes × %d increments under Wine: counter %d", len(kinds), each, got)
	if want := uint64(each * len(kinds)); got != want {
		t.Fatalf("counter %d, want %d: the lock did not exclude", got, want)
	}
	expectOK(t, c, "unlock")
	expectOK(t, c, "detach")
	c.MustSucceed()
}

// TestWineSemaphores: a Go Release(3) wakes three Qt processes blocked in acquire, and a Qt
// release(3) three Go processes.
func TestWineSemaphores(t *testing.T) {
	g, qs := winKinds(t)
	for _, q := range qs {
		for _, pr := range [][2]peerKind{{g, q}, {q, g}} {
			rel, acq := pr[0], pr[1]
			t.Run(rel.Name+"_releases_3→3_"+acq.Name, func(t *testing.T) {
				key := winKey(t)
				r := rel.start(t, key, nil, "sem-open", key, "0", "create", "wait", "sem-release", "3", "wait", "sem-close")
				expectOK(t, r, "sem-open")
				var ws []*testenv.Proc
				for i := 0; i < 3; i++ {
					w := acq.start(t, key, nil, "sem-open", key, "0", "open", "sem-acquire", "sem-close")
					expectOK(t, w, "sem-open")
					ws = append(ws, w)
				}
				time.Sleep(300 * time.Millisecond) // let them block (not needed for correctness)
				r.Send("go")
				expectOK(t, r, "wait")
				expectOK(t, r, "sem-release")
				for _, w := range ws {
					expectOK(t, w, "sem-acquire")
					expectOK(t, w, "sem-close")
					w.MustSucceed()
				}
				r.Send("go")
				expectOK(t, r, "wait")
				expectOK(t, r, "sem-close")
				r.MustSucceed()
			})
		}
	}
}

// TestWineLocal8Bit936: under Wine with ACP 936 (LC_ALL=zh_CN.UTF-8), the article's message
// as the writers put it in the segment: the Qt writer's toLocal8Bit bytes are GBK, and the Go
// writer's are the same bytes, byte for byte (up to the timestamp).
func TestWineLocal8Bit936(t *testing.T) {
	g, qs := winKinds(t)
	env := []string{"LC_ALL=zh_CN.UTF-8", "LANG=zh_CN.UTF-8"}
	prefix, err := simplifiedchinese.GBK.NewEncoder().String("程序1动态消息#")
	if err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString([]byte(prefix))
	check := func(t *testing.T, who, h string) {
		t.Helper()
		if !strings.HasPrefix(h, want) {
			t.Fatalf("%s wrote %s…; want the GBK bytes %s then the timestamp", who, h[:min(len(h), 40)], want)
		}
		ts, _ := hex.DecodeString(h[len(want):])
		if n := strings.IndexByte(string(ts), 0); n != 23 {
			t.Fatalf("%s: timestamp %q is not yyyy-MM-dd hh:mm:ss.zzz then NUL", who, ts)
		}
	}
	for _, q := range qs {
		t.Run(q.Name+"_writes→Go_reads", func(t *testing.T) {
			key := winKey(t)
			w := startProgramEnv(t, env, q.dir+"/article-writer", "--key", key, "--interval", "150", "--ticks", "400", "--quit-on-eof")
			waitAttachable(t, g, key, env)
			check(t, q.Name, readMessage(t, g, key, env))
			w.Kill()
		})
		t.Run("Go_writes→"+q.Name+"_reads", func(t *testing.T) {
			key := winKey(t)
			w := startProgramEnv(t, env, filepath.Join(winDir(), "wine-run"), g.bin, "writer", "-key", key, "-interval", "150ms", "-ticks", "400", "-quit-on-eof")
			waitAttachable(t, q, key, env)
			check(t, "Go", readMessage(t, q, key, env))
			w.Kill()
		})
	}
}

// readMessage reads, under the lock, the first 64 bytes of key's segment with a peer of kind
// k, until the writer has written its first message (bounded).
func readMessage(t *testing.T, k peerKind, key string, env []string) string {
	t.Helper()
	deadline := time.Now().Add(testenv.StepLimit)
	for {
		r := k.start(t, key, env, "attach", "ro", "lock", "read", "0", "64", "unlock", "detach")
		expectOK(t, r, "attach")
		expectOK(t, r, "lock")
		h := expectOK(t, r, "read").Hex
		r.MustSucceed()
		if !strings.HasPrefix(h, "00") || time.Now().After(deadline) {
			return h
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startProgramEnv is startProgram with extra environment.
func startProgramEnv(t *testing.T, env []string, argv ...string) *testenv.Proc {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", `exec "$0" "$@" 2>&1`}, argv...)...)
	cmd.Env = peerEnv(append(env, "TMPDIR="+filepath.Join(testenv.WorkDir(), "wine-tmp"))...)
	return testenv.Start(t, cmd)
}

// waitAttachable waits (bounded) until a peer of kind k can attach to key's segment.
func waitAttachable(t *testing.T, k peerKind, key string, env []string) {
	t.Helper()
	deadline := time.Now().Add(testenv.StepLimit)
	for {
		p := k.start(t, key, env, "attach", "ro", "detach")
		r := expect(t, p, "attach")
		p.Wait()
		if r.OK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s could not attach to %q within %v: %s", k.Name, key, testenv.StepLimit, r.ErrorString)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
