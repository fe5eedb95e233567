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
	"github.com/qtshm/qtshm-go/qtshm"
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

// wineCodePage is a Wine ANSI code page, chosen by the locale: what Qt's toLocal8Bit makes of a
// string there, and how to read a Qt program's console output (qDebug writes it in that code
// page; a Go program writes UTF-8).
type wineCodePage struct {
	name   string
	env    []string
	encode func(string) (string, error)
}

// wineCodePages are the code pages the article runs in: 936 (GBK, a Chinese Windows), from
// zh_CN.UTF-8; and 65001 (UTF-8), from ka_GE.UTF-8, a locale that Windows has no ANSI code page
// for (Wine, like Windows, then uses UTF-8). Not hi_IN, which also has no ANSI code page: Qt 5's
// QDateTime::toString(format) writes the system locale's digits, and the article's Qt 5 writer
// there writes its timestamp in Devanagari digits (Qt 6 uses the C locale).
var wineCodePages = []wineCodePage{
	{"ACP936", []string{"LC_ALL=zh_CN.UTF-8", "LANG=zh_CN.UTF-8"}, simplifiedchinese.GBK.NewEncoder().String},
	{"ACP65001", []string{"LC_ALL=ka_GE.UTF-8", "LANG=ka_GE.UTF-8"}, func(s string) (string, error) { return s, nil }},
}

// decodeOutput returns the decoder of a Qt program's output in code page cp.
func (cp wineCodePage) decodeOutput() func([]byte) string {
	if cp.name != "ACP936" {
		return func(b []byte) string { return string(b) }
	}
	d := simplifiedchinese.GBK.NewDecoder()
	return func(b []byte) string {
		s, err := d.Bytes(b)
		if err != nil {
			return fmt.Sprintf("(not GBK: %q)", b)
		}
		return string(s)
	}
}

// TestWineLocal8Bit: in each code page, the article's message as the writers put it in the
// segment: the Qt writer's toLocal8Bit bytes, and the Go writer's, which are the same bytes,
// byte for byte (up to the timestamp): GBK under ACP 936, UTF-8 under ACP 65001.
func TestWineLocal8Bit(t *testing.T) {
	g, qs := winKinds(t)
	for _, cp := range wineCodePages {
		prefix, err := cp.encode("程序1动态消息#")
		if err != nil {
			t.Fatal(err)
		}
		want := hex.EncodeToString([]byte(prefix))
		check := func(t *testing.T, who, h string) {
			t.Helper()
			if !strings.HasPrefix(h, want) {
				t.Fatalf("%s wrote %s…; want the %s bytes %s then the timestamp", who, h[:min(len(h), 40)], cp.name, want)
			}
			ts, _ := hex.DecodeString(h[len(want):])
			if n := strings.IndexByte(string(ts), 0); n != 23 {
				t.Fatalf("%s: timestamp %q is not yyyy-MM-dd hh:mm:ss.zzz then NUL", who, ts)
			}
		}
		for _, q := range qs {
			t.Run(cp.name+"/"+q.Name+"_writes→Go_reads", func(t *testing.T) {
				key := winKey(t)
				w := startProgramEnv(t, cp.env, q.dir+"/article-writer", "--key", key, "--interval", "150", "--ticks", "400", "--quit-on-eof")
				waitAttachable(t, g, key, cp.env)
				check(t, q.Name, readMessage(t, g, key, cp.env))
				w.Kill()
			})
			t.Run(cp.name+"/Go_writes→"+q.Name+"_reads", func(t *testing.T) {
				key := winKey(t)
				w := startProgramEnv(t, cp.env, filepath.Join(winDir(), "wine-run"), g.bin, "writer", "-key", key, "-interval", "150ms", "-ticks", "400", "-quit-on-eof")
				waitAttachable(t, q, key, cp.env)
				check(t, "Go", readMessage(t, q, key, cp.env))
				w.Kill()
			})
		}
	}
}

// TestWineArticle runs the article's programs for Windows, as they are, in each code page: every
// Qt writer with the Go reader and the Go writer with every Qt reader. Each reader decodes the
// message (fromLocal8Bit), splits it at '#', parses the timestamp and prints the delay, exactly
// as on Linux (checkReader).
func TestWineArticle(t *testing.T) {
	g, qs := winKinds(t)
	run := filepath.Join(winDir(), "wine-run")
	for _, cp := range wineCodePages {
		qt := func(t *testing.T, argv ...string) *testenv.Proc {
			return startProgramDecoded(t, cp.env, cp.decodeOutput(), argv...)
		}
		goP := func(t *testing.T, argv ...string) *testenv.Proc {
			return startProgramEnv(t, cp.env, append([]string{run, g.bin}, argv...)...)
		}
		for _, q := range qs {
			t.Run(cp.name+"/"+q.Name+"_writer→Go_reader", func(t *testing.T) {
				key := winKey(t)
				w := qt(t, q.dir+"/article-writer", "--key", key, "--interval", "150", "--ticks", "400", "--quit-on-eof")
				if line := expectWriterStarted(t, w); !reWritten.MatchString(line) {
					t.Fatalf("Qt writer line %q does not match the article's", line)
				}
				checkReader(t, goP(t, "reader", "-key", key, "-interval", "150ms", "-ticks", "3"), w)
			})
			t.Run(cp.name+"/Go_writer→"+q.Name+"_reader", func(t *testing.T) {
				key := winKey(t)
				w := goP(t, "writer", "-key", key, "-interval", "150ms", "-ticks", "400", "-quit-on-eof")
				if line := expectWriterStarted(t, w); !reWritten.MatchString(line) {
					t.Fatalf("Go writer line %q does not match the article's", line)
				}
				checkReader(t, qt(t, q.dir+"/article-reader", "--key", key, "--interval", "150", "--ticks", "3"), w)
			})
		}
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

// startProgramEnv is startProgram with extra environment, for a Windows program.
func startProgramEnv(t *testing.T, env []string, argv ...string) *testenv.Proc {
	t.Helper()
	return startProgramDecoded(t, env, nil, argv...)
}

// startProgramDecoded is startProgramEnv for a program whose output decode reads (nil: UTF-8).
func startProgramDecoded(t *testing.T, env []string, decode func([]byte) string, argv ...string) *testenv.Proc {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", `exec "$0" "$@" 2>&1`}, argv...)...)
	cmd.Env = peerEnv(append(env, "TMPDIR="+filepath.Join(testenv.WorkDir(), "wine-tmp"))...)
	if decode == nil {
		return testenv.Start(t, cmd)
	}
	return testenv.StartDecoded(t, cmd, decode)
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

// TestWineNativeKeyLocal: a Qt 6.6+ native key of type Windows with the "Local\" prefix: Go and
// Qt 6.8 for Windows print the same keys, share data, and exclude each other with the lock
// ("<native key>_sem"), in both directions.
func TestWineNativeKeyLocal(t *testing.T) {
	g, qs := winKinds(t)
	for _, q := range qs {
		if !q.version.AtLeast(6, 6, 0) {
			continue // no QNativeIpcKey before Qt 6.6
		}
		for _, pr := range [][2]peerKind{{g, q}, {q, g}} {
			creator, other := pr[0], pr[1]
			t.Run(creator.Name+"_creates→"+other.Name, func(t *testing.T) {
				k := qtshm.NativeIpcKey{Type: qtshm.Windows, Native: `Local\` + winKey(t)}
				start := func(p peerKind, ops ...string) *testenv.Proc { return p.startNative(t, k, nil, ops...) }
				dataAndLock(t, creator, other, start, 64, 4096, func(r result) {
					if r.NativeIpcKey != k.String() || r.NativeKey != k.Native {
						t.Fatalf("%s: keys: nativeIpcKey %q nativeKey %q; want %q, %q", creator.Name, r.NativeIpcKey, r.NativeKey, k.String(), k.Native)
					}
				}).MustSucceed()
			})
		}
	}
}

// TestWineKilledLockHolder: a Windows semaphore has no owner, so a process killed while it
// holds the lock never gives it back. What happens, for a Go and each Qt holder: a Qt process
// that then attaches (which takes the lock) or locks waits for ever (shown for 2 s, then killed);
// a Go process's bounded lock (LockContext) fails with LockError and says why. When every process has closed the
// segment and its lock, the kernel frees both, and the next creator's lock works again: Windows
// leaves no stale state.
func TestWineKilledLockHolder(t *testing.T) {
	g, qs := winKinds(t)
	for _, h := range append([]peerKind{g}, qs...) {
		t.Run(h.Name+"_killed_holding_the_lock", func(t *testing.T) {
			key := winKey(t)
			keeper := g.start(t, key, nil, "create", "64", "rw", "wait", "lockwithin", "1000", "wait", "detach")
			expectOK(t, keeper, "create")
			holder := h.start(t, key, nil, "attach", "rw", "lock", "crash")
			expectOK(t, holder, "attach")
			expectOK(t, holder, "lock")
			expectOK(t, holder, "crash")
			holder.Wait()
			// Qt's attach takes the lock too (QSharedMemoryLocker), so it is the attach that
			// waits for ever.
			for _, q := range qs {
				w := q.start(t, key, nil, "attach", "rw")
				if line, ok := w.TryLine(2 * time.Second); ok {
					t.Fatalf("%s attached past a lock whose holder was killed: %s", q.Name, line)
				}
				w.Kill()
				t.Logf("%s: attach still waiting for the lock after 2 s (as Qt does, for ever)", q.Name)
			}
			keeper.Send("go")
			expectOK(t, keeper, "wait")
			r := expect(t, keeper, "lockwithin")
			if r.OK || r.Error != int(qtshm.LockError) || !strings.Contains(r.ErrorString, "no owner") {
				t.Fatalf("Go's bounded lock after the holder was killed: %+v; want LockError saying the semaphore has no owner", r)
			}
			t.Logf("Go: %s", r.ErrorString)
			keeper.Send("go")
			expectOK(t, keeper, "wait")
			expectOK(t, keeper, "detach")
			keeper.Wait() // exit status 1: its lockwithin failed
			// Every handle is closed: the next creator gets a fresh mapping and lock.
			for _, c := range append([]peerKind{g}, qs...) {
				p := c.start(t, key, nil, "create", "64", "rw", "lock", "unlock", "detach")
				expectOK(t, p, "create")
				expectOK(t, p, "lock")
				expectOK(t, p, "unlock")
				expectOK(t, p, "detach")
				p.MustSucceed()
			}
		})
	}
}
