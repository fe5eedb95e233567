//go:build linux

package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/cmd/peer"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// The peer protocol is defined once (internal/cmd/peer: the package doc, ops.txt, and the
// transcripts in testdata/*.script). These tests hold every peer to it: the Go peer with the
// pure backend (both flavours) and with the native backend for Qt 5 and Qt 6, and the Qt peer
// built with Qt 5.15, 6.4 and 6.8.

const protoScripts = "../internal/cmd/peer/testdata"

// protoKinds are the peers the protocol tests run: every Go kind, the pure Go peer with the
// Qt 6.6.1+ flavour, and every Qt kind.
func protoKinds(t *testing.T) []peerKind {
	t.Helper()
	gos, qts := goKinds(t), qtKinds(t)
	return append(append(append([]peerKind{}, gos...), withFlavor(gos[0], "qt661")), qts...)
}

// protoDifference is a result where a peer differs from a script on purpose. Each one must
// still occur (an allowance that no longer applies fails the test, so the list stays true).
type protoDifference struct {
	script string
	// line is the script line of the operation. 0: every operation answers "unsupported" (want
	// unused). -1: a gap, the peers cannot run the script at all; want[0] is the result that
	// shows it, and while a peer prints it the script is not compared for that peer.
	line  int
	kinds peerSet  // the peers that differ
	want  []string // what they print instead
	why   string
}

// peerSet is a set of peer kinds, named for failure messages.
type peerSet struct {
	name string
	has  func(peerKind) bool
}

var (
	qtPeers = peerSet{"the Qt peers", func(k peerKind) bool { return k.Qt }}
	// qt661Peers behave like Qt 6.6.1 and later: Qt 6.8, and the pure Go peer with that flavour.
	qt661Peers = peerSet{"Qt 6.6.1+ and Go with --flavor qt661", func(k peerKind) bool {
		return k.Qt && k.version.AtLeast(6, 6, 1) || !k.Qt && k.flavor == "qt661" || k.Name == "Go[native Qt6.8]"
	}}
	// qtBefore66Peers are the Qt peers built with a Qt that has no QNativeIpcKey (Qt 5.15, 6.4).
	qtBefore66Peers = peerSet{"the Qt peers before Qt 6.6", func(k peerKind) bool { return k.Qt && !k.version.AtLeast(6, 6, 0) }}
	qtSince66Peers  = peerSet{"the Qt peers of Qt 6.6+", func(k peerKind) bool { return k.Qt && k.version.AtLeast(6, 6, 0) }}
	goNativePeers   = peerSet{"the Go peers with the native backend", func(k peerKind) bool { return k.backend == "native" }}
	goNativeQt5     = peerSet{"the Go peer with the native backend on Qt 5.15", func(k peerKind) bool { return k.Name == "Go[native Qt5]" }}
	goNativeQt6     = peerSet{"the Go peer with the native backend on Qt 6.4", func(k peerKind) bool { return k.Name == "Go[native Qt6]" }}
)

var protoDifferences = []protoDifference{
	{"basic", 50, qt661Peers, []string{`{"op":"attach","ok":false,"error":5,"errorString":"QSharedMemory::handle: doesn't exist"}`},
		"not Go against Qt but Qt against Qt: Qt 6.6.1+ words the missing key file differently, and Go's qt661 flavour does too"},
	{"lock", 5, qtPeers, []string{`{"op":"lockwithin","ok":false,"error":8,"errorString":"unsupported"}`},
		"lockwithin is Go's bounded lock: QSharedMemory::lock has no timeout"},
	{"lock", 5, goNativePeers, []string{`{"op":"lockwithin","ok":false,"error":6,"errorString":"QSharedMemory::lock: the native backend cannot honour a cancellable context (QSystemSemaphore::acquire cannot time out)"}`},
		"the native backend is Qt's QSharedMemory::lock, which cannot time out: it refuses a deadline"},
	{"lock", 7, qtPeers, []string{`{"op":"unlock","ok":false,"error":0,"errorString":""}`},
		"follows from lockwithin: no lock was taken, and Qt's unlock of a lock not held fails without an error"},
	{"lock", 7, goNativePeers, []string{`{"op":"unlock","ok":false,"error":6,"errorString":"QSharedMemory::unlock: not locked"}`},
		"follows from lockwithin: no lock was taken (qtshm names the error that Qt leaves unset)"},
	{"lock", 11, qtPeers, []string{`{"op":"detach","ok":true}`},
		"detach while this object holds the lock: Qt releases the lock as a side effect; qtshm refuses " +
			"with LockError, so that a goroutine's critical section is never ended behind its back"},
	{"loops", 18, qtPeers, []string{`{"op":"stale","ok":false,"error":8,"errorString":"unsupported"}`},
		"RemoveStale is qtshm-go's; Qt has nothing like it"},
	{"loops", 20, qtPeers, []string{`{"op":"threads","ok":false,"error":8,"errorString":"unsupported"}`},
		"QSharedMemory is not thread-safe: a Qt program may not share one object between threads"},
	{"loops", 22, qtPeers, []string{`{"op":"read","ok":true,"hex":"0500000000000000"}`},
		"follows from threads being unsupported in Qt: no 30 increments"},
	{"basic", 3, qtBefore66Peers, []string{`{"op":"keys","ok":true,"key":"$KEY","nativeKey":"$TMPDIR/qipc_sharedmemory_peerbasic209b8b6eabaa801dbb6b5f7f81e66fe781e1d462"}`}, nativeIpcKeyBefore66},
	{"crash", 2, qtBefore66Peers, []string{`{"op":"keys","ok":true,"key":"$KEY","nativeKey":"$TMPDIR/qipc_sharedmemory_peercrash48be24256b650881b1f3bfcdefe0b343d22b6cd8"}`}, nativeIpcKeyBefore66},
	// Line 0: every operation of the script answers "unsupported"; line -1: a gap.
	{"nativekeys", -1, goNativeQt5, []string{`{"op":"create","ok":false,"error":3,"errorString":"the native backend was built against Qt 5.15, which has no QNativeIpcKey (Qt 6.6+)"}`}, nativeBackendBefore66},
	{"nativekeys-sysv", -1, goNativeQt5, []string{`{"op":"create","ok":false,"error":3,"errorString":"the native backend was built against Qt 5.15, which has no QNativeIpcKey (Qt 6.6+)"}`}, nativeBackendBefore66},
	{"nativekeys", -1, goNativeQt6, []string{`{"op":"create","ok":false,"error":3,"errorString":"the native backend was built against Qt 6.4, which has no QNativeIpcKey (Qt 6.6+)"}`}, nativeBackendBefore66},
	{"nativekeys-sysv", -1, goNativeQt6, []string{`{"op":"create","ok":false,"error":3,"errorString":"the native backend was built against Qt 6.4, which has no QNativeIpcKey (Qt 6.6+)"}`}, nativeBackendBefore66},
	{"nativekeys", 0, qtBefore66Peers, nil, nkeyBefore66},
	{"nativekeys-sysv", 0, qtBefore66Peers, nil, nkeyBefore66},
	{"nativekeys-invalid", 0, qtBefore66Peers, nil, nkeyBefore66},
	{"nativekeys-invalid", 11, qtSince66Peers, []string{`{"op":"create","ok":false,"error":3,"errorString":"QSharedMemoryPrivate::initKey: unable to set key on lock (QSystemSemaphore::handle:: key is empty)"}`}, invalidKeyQt},
	{"nativekeys-invalid", 13, qtSince66Peers, []string{`{"op":"attach","ok":false,"error":3,"errorString":"QSharedMemoryPrivate::initKey: unable to set key on lock (QSystemSemaphore::handle:: key is empty)"}`}, invalidKeyQt},
	{"nativekeys-invalid", 15, qtSince66Peers, []string{`{"op":"lock","ok":false,"error":6,"errorString":"QSharedMemory::lock: unable to lock"}`}, invalidKeyQt},
	{"nativekeys-invalid", 21, qtSince66Peers, []string{`{"op":"sem-open-native","ok":true}`}, invalidKeyQt},
	{"nativekeys-invalid", 23, qtSince66Peers, []string{`{"op":"sem-acquire","ok":false,"error":3,"errorString":"QSystemSemaphore::handle:: key is empty"}`}, invalidKeyQt},
	{"nativekeys-invalid", 25, qtSince66Peers, []string{`{"op":"sem-open-native","ok":false,"error":3,"errorString":"QSystemSemaphore::handle:: key is empty"}`}, invalidKeyQt},
	{"nativekeys-invalid", 27, qtSince66Peers, []string{`{"op":"sem-open-native","ok":false,"error":3,"errorString":"QSystemSemaphore::setNativeKey: unsupported key type"}`}, invalidKeyQt},
	{"nativekey", 3, qtBefore66Peers, []string{`{"op":"nativekey-parse","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
	{"nativekey", 5, qtBefore66Peers, []string{`{"op":"nativekey-parse","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
	{"nativekey", 7, qtBefore66Peers, []string{`{"op":"nativekey-parse","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
	{"nativekey", 9, qtBefore66Peers, []string{`{"op":"nativekey-safe","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
	{"nativekey", 11, qtBefore66Peers, []string{`{"op":"nativekey-sem-safe","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
	{"nativekey", 13, qtBefore66Peers, []string{`{"op":"nativekey-legacy","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
	{"nativekey", 15, qtBefore66Peers, []string{`{"op":"nativekey-sem-legacy","ok":false,"error":8,"errorString":"unsupported"}`}, nativeKeyBefore66},
}

// nativeKeyBefore66 is why the Qt 5.15 and 6.4 peers cannot run the nativekey-* operations.
const nativeKeyBefore66 = "QNativeIpcKey, platformSafeKey and legacyNativeKey are new in Qt 6.6: " +
	"a Qt peer built with an older Qt answers unsupported"

// nativeIpcKeyBefore66 is why the Qt 5.15 and 6.4 peers print no nativeIpcKey.
const nativeIpcKeyBefore66 = "QSharedMemory::nativeIpcKey is new in Qt 6.6: keys has no nativeIpcKey before"

// nativeBackendBefore66 is why the Go peers with the native backend run no native key.
const nativeBackendBefore66 = "these Go peers' native backend is built against Qt 5.15 or 6.4, which have no QNativeIpcKey (the one built against Qt 6.8 runs the script)"

// invalidKeyQt is why Qt 6.8 and qtshm differ on the invalid native key.
const invalidKeyQt = "the invalid QNativeIpcKey: Qt's constructor accepts it without an error (it equals the " +
	"default key), so each call fails where the key is first needed, with that place's code and text " +
	"(lock: LockError; QSystemSemaphore Open: no error until acquire); qtshm fails every call with KeyError " +
	"naming the key type, and NewSystemSemaphoreFromNativeKey at once"

// nkeyBefore66 is why the Qt 5.15 and 6.4 peers run no operation with --nkey.
const nkeyBefore66 = "QNativeIpcKey is new in Qt 6.6: with --nkey, a Qt peer built with an older Qt answers " +
	"unsupported to every operation (the rule of internal/cmd/peer/doc.go)"

// protoRun runs a peer of kind k with args (the key flag, then the operations), stdin closed,
// bounded by the test's deadline.
func protoRun(t *testing.T, k peerKind, args []string) (lines []string, stderr string, err error) {
	t.Helper()
	limit, why := testenv.Bound(t, testenv.StepLimit)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	argv := append(append([]string{}, k.argv...), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = peerEnv()
	cmd.WaitDelay = 2 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not finish within %v (%s); output so far:\n%s", k.Name, args, limit, why, out.String())
	}
	if s := strings.TrimSuffix(out.String(), "\n"); s != "" {
		lines = strings.Split(s, "\n")
	}
	return lines, errb.String(), err
}

// TestProtocolOpsTable: every peer runs from the table in ops.txt (a Qt peer built from older
// sources would not).
func TestProtocolOpsTable(t *testing.T) {
	ops, err := peer.Ops()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range ops {
		want = append(want, o.String())
	}
	for _, k := range protoKinds(t) {
		lines, _, err := protoRun(t, k, []string{"--key", "proto-ops", "ops"})
		var r struct{ Ops []string }
		if err != nil || len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &r) != nil {
			t.Fatalf("%s ops: %v %q", k.Name, err, lines)
		}
		if !slices.Equal(r.Ops, want) {
			t.Errorf("%s runs from another table than ops.txt (rebuild it: scripts/setup.sh):\n got %q\nwant %q", k.Name, r.Ops, want)
		}
	}
}

// TestProtocolEveryOpImplemented runs every operation of the table in every peer: none may
// answer "unimplemented op" (an operation listed without code), and each prints one result.
func TestProtocolEveryOpImplemented(t *testing.T) {
	ops, err := peer.Ops()
	if err != nil {
		t.Fatal(err)
	}
	sample := map[string]string{"int": "8", "count": "1", "pos": "1", "mode": "rw", "semmode": "open", "data": "hex:00", "text": "proto-every-sem"}
	var list []string
	var names []string
	for _, o := range ops {
		if o.Name == "crash" {
			continue // last: it ends the process
		}
		list = append(list, o.Name)
		for _, a := range o.Args {
			list = append(list, sample[a.Type])
		}
		if o.Name != "stdin" { // stdin prints nothing of its own
			names = append(names, o.Name)
		}
		if o.Name == "lockwithin" { // a lock the crash at the end would leave taken
			list, names = append(list, "unlock"), append(names, "unlock")
		}
	}
	list, names = append(list, "crash"), append(names, "crash")
	removeRuntimeDir(t) // nativekey-safe with a relative System V key creates it, as Qt does
	for _, k := range protoKinds(t) {
		lines, _, _ := protoRun(t, k, append([]string{"--key", "proto-every"}, list...))
		if len(lines) != len(names) {
			t.Errorf("%s printed %d results for %d operations:\n%s", k.Name, len(lines), len(names), strings.Join(lines, "\n"))
			continue
		}
		for i, l := range lines {
			r := parseResult(t, l)
			if r.Op != names[i] || r.ErrorString == "unimplemented op" {
				t.Errorf("%s: operation %q answered %s", k.Name, names[i], l)
			}
		}
	}
}

// TestProtocolCoverage: every operation of the table is exercised by a script (ops by
// TestProtocolOpsTable).
func TestProtocolCoverage(t *testing.T) {
	ops, err := peer.Ops()
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := peer.LoadScripts(protoScripts)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		used := o.Name == "ops"
		for _, s := range scripts {
			used = used || s.Uses(o.Name)
		}
		if !used {
			t.Errorf("no script in %s runs operation %q", protoScripts, o.Name)
		}
	}
}

// TestProtocolScripts runs every script against every peer and compares the results line by
// line with the script, allowing only the differences in protoDifferences.
func TestProtocolScripts(t *testing.T) {
	scripts, err := peer.LoadScripts(protoScripts)
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no scripts")
	}
	used := make([]bool, len(protoDifferences))
	kinds := protoKinds(t)
	for _, s := range scripts {
		for _, k := range kinds {
			t.Run(s.Name+"/"+k.Name, func(t *testing.T) {
				key := s.Key()
				protoRemoveLeftovers(t, s, key)
				want, steps := protoExpected(s, k, key, used)
				got, stderr, err := protoRun(t, k, s.Args(key, qtshm.TempPath()))
				if protoGap(t, s, k, key, got, used) {
					return
				}
				for i := 0; i < len(got) || i < len(want); i++ {
					switch {
					case i >= len(got):
						t.Errorf("line %d (%s): no result, want %s", steps[i].Line, strings.Join(steps[i].Op, " "), want[i])
					case i >= len(want):
						t.Errorf("extra result %s", got[i])
					case !peer.SameResult(got[i], want[i]):
						t.Errorf("line %d (%s):\n got %s\nwant %s", steps[i].Line, strings.Join(steps[i].Op, " "), got[i], want[i])
					}
				}
				protoCheckExit(t, s, want, err, stderr)
			})
		}
	}
	for i, d := range protoDifferences {
		if !used[i] {
			t.Errorf("documented difference %s line %d (%s) matched no peer: remove it", d.script, d.line, d.kinds.name)
		}
	}
}

// protoExpected returns the results kind k must print for s: the script's, with the
// documented differences for k applied. A difference for line 0 applies to every operation of
// the script, each of whose results becomes "unsupported".
func protoExpected(s peer.Script, k peerKind, key string, used []bool) ([]string, []peer.Step) {
	var want []string
	var steps []peer.Step
	for _, st := range s.Steps {
		lines := st.Want
		for i, d := range protoDifferences {
			if d.script != s.Name || !d.kinds.has(k) {
				continue
			}
			switch d.line {
			case -1: // protoGap
			case 0:
				lines, used[i] = nil, true
				for range st.Want {
					lines = append(lines, `{"op":`+strconv.Quote(st.Op[0])+`,"ok":false,"error":8,"errorString":"unsupported"}`)
				}
			case st.Line:
				lines, used[i] = d.want, true
			}
		}
		for _, l := range lines {
			want = append(want, strings.NewReplacer("$KEY", key, "$TMPDIR", qtshm.TempPath()).Replace(l))
			steps = append(steps, st)
		}
	}
	return want, steps
}

// protoGap reports whether the peer of kind k printed, in got, the result that shows a gap of
// protoDifferences for s; the script is then not compared (and the difference is used).
func protoGap(t *testing.T, s peer.Script, k peerKind, key string, got []string, used []bool) bool {
	t.Helper()
	r := strings.NewReplacer("$KEY", key, "$TMPDIR", qtshm.TempPath())
	for i, d := range protoDifferences {
		if d.line != -1 || d.script != s.Name || !d.kinds.has(k) {
			continue
		}
		for _, l := range got {
			if peer.SameResult(l, r.Replace(d.want[0])) {
				used[i] = true
				t.Logf("not compared, a documented gap: %s", d.why)
				return true
			}
		}
	}
	return false
}

// protoRemoveLeftovers removes what a script with a native key left (/dev/shm, key files) now
// and when the test ends.
func protoRemoveLeftovers(t *testing.T, s peer.Script, key string) {
	t.Helper()
	rm := func() {
		for _, f := range s.Leftovers(key, qtshm.TempPath()) {
			if err := os.Remove(f); err != nil {
				t.Errorf("removing a leftover: %v", err)
			}
		}
	}
	rm()
	t.Cleanup(rm)
}

// protoCheckExit checks the exit status: killed by SIGKILL after crash, else 1 if an
// operation failed and 0 if none did.
func protoCheckExit(t *testing.T, s peer.Script, want []string, err error, stderr string) {
	t.Helper()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run: %v", err)
	}
	if s.Uses("crash") {
		if ee == nil || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Errorf("after crash: %v, want killed by SIGKILL", err)
		}
		return
	}
	status := 0
	for _, l := range want {
		if strings.Contains(l, `"ok":false`) {
			status = 1
		}
	}
	if got := 0; ee != nil {
		got = ee.ExitCode()
		if got != status {
			t.Errorf("exit status %d, want %d; stderr: %s", got, status, stderr)
		}
	} else if status != 0 {
		t.Errorf("exit status 0, want %d", status)
	}
}
