//go:build linux

package interop_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/cmd/peer"
	"github.com/qtshm/qtshm-go/qtshm"
)

// Error codes and texts, line by line, against Qt for Windows. Every script of the peer protocol
// runs on Qt 5.15 and Qt 6.8 for Windows and on the Go peer for Windows with the matching flavour
// (qt515, qt661), all under Wine:
//
//   - the scripts of internal/cmd/peer/testdata/windows hold what Qt for Windows prints (Qt's
//     names, page-rounded sizes, Windows' error codes); every Windows peer must print it;
//   - the Linux scripts (internal/cmd/peer/testdata) are compared peer against peer: the Go peer
//     must print what the Qt peer of its flavour prints.
//
// Both fail on any difference not listed in wineDifferences, and on a listed one that no longer
// occurs.

const wineScripts = protoScripts + "/windows"

// wineDifference is a result where a peer for Windows differs from a script on purpose, on a
// script line (its operation's line; 0: every line), for the peers in who. want is what they print there (for
// a script of testdata/windows), or nil (a Linux script, compared Go against Qt: any difference
// on that line is allowed).
type wineDifference struct {
	script string
	line   int
	who    peerSet
	want   []string
	why    string
}

var (
	goWin    = peerSet{"the Go peer for Windows", func(k peerKind) bool { return !k.Qt }}
	goWin515 = peerSet{"the Go peer for Windows, flavour qt515", func(k peerKind) bool { return !k.Qt && k.flavor == "qt515" }}
	qt5Win   = peerSet{"Qt 5.15 for Windows", func(k peerKind) bool { return k.Qt && !k.version.AtLeast(6, 6, 0) }}
)

// clearErrors is why qtshm names errors that Qt leaves unset (the README's Differences).
const clearErrors = "Qt returns false without an error (errorString keeps the last one); qtshm names the error (the README's Differences from Qt: clear errors)"

var wineDifferences = []wineDifference{
	{"lock", 5, goWin, nil, "lockwithin (a bounded lock) is Go's: QSharedMemory::lock has no timeout"},
	{"lock", 7, goWin, nil, "follows from lockwithin: Qt took no lock to unlock"},
	{"lock", 11, goWin, nil, "detach while this object holds the lock: Qt releases the lock as a side effect; qtshm refuses"},
	{"loops", 18, goWin, nil, "RemoveStale is qtshm-go's; Qt has nothing like it"},
	{"loops", 20, goWin, nil, "QSharedMemory is not thread-safe: a Qt program may not share one object between threads"},
	{"loops", 22, goWin, nil, "follows from threads being unsupported in Qt: no 30 increments"},
	{"basic", 3, goWin515, nil, nativeIpcKeyBefore66 + " (the Go peer prints it)"},
	{"crash", 2, goWin515, nil, nativeIpcKeyBefore66 + " (the Go peer prints it)"},
	{"nativekey", 11, goWin, nil, mingwPosixSem},
	{"nativekeys-invalid", 11, goWin, nil, invalidKeyQt},
	{"nativekeys-invalid", 13, goWin, nil, invalidKeyQt},
	{"nativekeys-invalid", 15, goWin, nil, invalidKeyQt},
	{"nativekeys-invalid", 21, goWin, nil, invalidKeyQt},
	{"nativekeys-invalid", 23, goWin, nil, invalidKeyQt},
	{"nativekeys-invalid", 25, goWin, nil, invalidKeyQt},
	{"nativekeys", 0, goWin, nil, notWindowsKeys},
	{"nativekeys-sysv", 0, goWin, nil, notWindowsKeys},
	{"windows-legacy", 4, qt5Win, []string{`{"op":"keys","ok":true,"key":"$KEY","nativeKey":"qipc_sharedmemory_peerwindowslegacy8247524a7cebe71732cbc731295d3e3ddd7dcdfb"}`}, nativeIpcKeyBefore66},
	{"windows-legacy", 18, goWin, []string{`{"op":"create","ok":false,"error":4,"errorString":"QSharedMemory::create: already attached (Detach first)"}`}, "a create() on an attached object: Qt for Windows answers true and loses track of the first mapping handle; qtshm fails with AlreadyExists and changes nothing"},
	{"windows-legacy", 20, goWin, []string{`{"op":"attach","ok":false,"error":4,"errorString":"QSharedMemory::attach: already attached"}`}, clearErrors},
	{"windows-legacy", 26, goWin, []string{`{"op":"unlock","ok":false,"error":6,"errorString":"QSharedMemory::unlock: not locked"}`}, clearErrors},
	{"windows-legacy", 32, goWin, []string{`{"op":"detach","ok":false,"error":5,"errorString":"QSharedMemory::detach: not attached"}`}, clearErrors},
	{"windows-legacy", 40, goWin, []string{`{"op":"detach","ok":false,"error":5,"errorString":"QSharedMemory::detach: not attached"}`}, clearErrors},
	{"windows-legacy", 58, goWin, []string{`{"op":"sem-release","ok":false,"error":8,"errorString":"QSystemSemaphore::release: n is negative."}`}, "release(-1): Qt prints a warning and returns false without an error; qtshm fails with UnknownError and Qt's warning as the text"},
	{"windows-nkey", 58, goWin, []string{`{"op":"sem-open-native","ok":false,"error":3,"errorString":"QSystemSemaphore::setNativeKey: unsupported key type (type 0x100: only Windows keys exist on Windows)"}`}, "Qt's code and text, and the key type in parentheses"},
	{"windows-nkey", 60, goWin, []string{`{"op":"sem-open-native","ok":false,"error":3,"errorString":"QSystemSemaphore::setNativeKey: unsupported key type (type 0x51: only Windows keys exist on Windows)"}`}, "Qt's code and text, and the key type in parentheses"},
}

// mingwPosixSem is why QSystemSemaphore::platformSafeKey of a POSIX key differs on Windows.
const mingwPosixSem = "Qt built with mingw-w64 (as here, and as Qt's own MinGW packages) finds winpthreads' sem_open " +
	"and so believes POSIX semaphores exist on Windows: its QSystemSemaphore::platformSafeKey(\"a b\", PosixRealtime) " +
	"is \"/a b\"; an MSVC build's, and qtshm's, is empty (no such object exists on Windows)"

// notWindowsKeys is why the POSIX and System V native-key scripts differ on Windows.
const notWindowsKeys = "POSIX and System V keys do not exist on Windows: Qt empties the native key and fails each call " +
	"where it first needs the key (initKey: KeyError; lock: LockError); qtshm keeps the key as given and fails every " +
	"call with KeyError naming the type, wrapping ErrUnsupported (as for the invalid key on Linux)"

// winePair is a Qt peer for Windows and the Go peer for Windows with its flavour.
type winePair struct{ qt, goK peerKind }

func winePairs(t *testing.T) []winePair {
	g, qs := winKinds(t)
	var out []winePair
	for _, q := range qs {
		flavor := "qt515"
		if q.version.AtLeast(6, 6, 1) {
			flavor = "qt661"
		}
		out = append(out, winePair{q, withFlavor(g, flavor)})
	}
	return out
}

// wineRun runs script s on peer k: the result lines and the exit status (-1 killed, as by
// crash).
func wineRun(t *testing.T, k peerKind, s peer.Script) ([]string, int) {
	t.Helper()
	got, stderr, err := protoRun(t, k, s.Args(s.Key(), qtshm.TempPath()))
	status := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		status = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", k.Name, err)
	}
	if s.Uses("crash") {
		status = -1 // Qt exits with 137 (TerminateProcess), Go with 1 (os.Process.Kill)
	}
	if strings.TrimSpace(stderr) != "" {
		t.Logf("%s stderr: %s", k.Name, stderr)
	}
	return got, status
}

// wineDiffers returns the listed difference for script line and peer k, and marks it used.
func wineDiffers(s peer.Script, line int, k peerKind, used []bool) (wineDifference, bool) {
	for i, d := range wineDifferences {
		if d.script == s.Name && (d.line == line || d.line == 0) && d.who.has(k) {
			used[i] = true
			return d, true
		}
	}
	return wineDifference{}, false
}

// TestWineProtocol runs both kinds of scripts on every pair.
func TestWineProtocol(t *testing.T) {
	pairs := winePairs(t)
	linux, err := peer.LoadScripts(protoScripts)
	if err != nil {
		t.Fatal(err)
	}
	windows, err := peer.LoadScripts(wineScripts)
	if err != nil {
		t.Fatal(err)
	}
	if len(linux) == 0 || len(windows) == 0 {
		t.Fatalf("scripts: %d Linux, %d Windows", len(linux), len(windows))
	}
	used := make([]bool, len(wineDifferences))
	for _, p := range pairs {
		for _, s := range windows {
			t.Run("windows/"+s.Name+"/"+p.qt.Name, func(t *testing.T) { wineScript(t, s, p, used) })
		}
		for _, s := range linux {
			t.Run("linux/"+s.Name+"/"+p.qt.Name, func(t *testing.T) { wineCompare(t, s, p, used) })
		}
	}
	for i, d := range wineDifferences {
		if !used[i] {
			t.Errorf("documented difference %s line %d matched no peer: remove it", d.script, d.line)
		}
	}
}

// wineScript checks a Windows script on both peers of p: each prints the script's results (Go:
// but for its listed differences).
func wineScript(t *testing.T, s peer.Script, p winePair, used []bool) {
	if !p.qt.version.AtLeast(6, 6, 0) && s.Flags != nil {
		t.Log("not run: Qt before 6.6 has no QNativeIpcKey, which the script uses")
		return
	}
	want, steps := s.Expected(s.Key(), qtshm.TempPath())
	for _, k := range []peerKind{p.qt, p.goK} {
		got, status := wineRun(t, k, s)
		failed := 0
		for i := 0; i < len(got) || i < len(want); i++ {
			w := ""
			if i < len(want) {
				w = want[i]
				if d, ok := wineDiffers(s, steps[i].Line, k, used); ok {
					w = strings.NewReplacer("$KEY", s.Key()).Replace(d.want[0])
				}
				if strings.Contains(w, `"ok":false`) {
					failed = 1
				}
			}
			switch {
			case i >= len(got):
				t.Errorf("%s line %d (%s): no result, want %s", k.Name, steps[i].Line, strings.Join(steps[i].Op, " "), w)
			case i >= len(want):
				t.Errorf("%s: extra result %s", k.Name, got[i])
			case !peer.SameResult(got[i], w):
				t.Errorf("%s line %d (%s):\n got %s\nwant %s", k.Name, steps[i].Line, strings.Join(steps[i].Op, " "), got[i], w)
			}
		}
		if status != -1 && status != failed {
			t.Errorf("%s: exit status %d, want %d", k.Name, status, failed)
		}
	}
}

// wineCompare runs a Linux script on both peers of p and compares Go's results with Qt's.
func wineCompare(t *testing.T, s peer.Script, p winePair, used []bool) {
	if !p.qt.version.AtLeast(6, 6, 0) && (s.Flags != nil || s.Uses("nativekey-parse")) {
		t.Log("not compared: Qt before 6.6 has no QNativeIpcKey (every operation answers unsupported)")
		return
	}
	qt, qs := wineRun(t, p.qt, s)
	gl, gs := wineRun(t, p.goK, s)
	_, steps := s.Expected(s.Key(), qtshm.TempPath())
	differs := false
	for i := 0; i < len(qt) || i < len(gl); i++ {
		line := 0
		if i < len(steps) {
			line = steps[i].Line
		}
		switch {
		case i >= len(gl):
			t.Errorf("line %d: Go printed no result; Qt %s", line, qt[i])
		case i >= len(qt):
			t.Errorf("line %d: Go printed %s; Qt no result", line, gl[i])
		case !peer.SameResult(gl[i], qt[i]):
			if _, ok := wineDiffers(s, line, p.goK, used); ok {
				differs = true
				continue
			}
			t.Errorf("line %d (%s):\n  Go %s\n  Qt %s", line, strings.Join(steps[i].Op, " "), gl[i], qt[i])
		}
	}
	if qs != gs && !differs {
		t.Errorf("exit status: Go %d, Qt %d", gs, qs)
	}
}
