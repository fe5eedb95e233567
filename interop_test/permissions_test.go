package interop_test

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// TestOtherUserPermissionDenied: a peer running as another user (nobody) cannot attach to a
// segment root created: Qt and Go report the same code, PermissionDenied.
func TestOtherUserPermissionDenied(t *testing.T) {
	testenv.Require(t, os.Getuid() == 0, "root (to run peers as nobody with runuser)")
	_, err := exec.LookPath("runuser")
	testenv.Require(t, err == nil, "runuser (util-linux)")
	tmp := os.Getenv("TMPDIR")
	os.Chmod(tmp, 0o755) // let nobody reach the key files, as in /tmp
	t.Cleanup(func() { os.Chmod(tmp, 0o700) })
	key := keyFor(t)
	createSegment(t, key, 64)
	gos, qts := goKinds(t), qtKinds(t)
	texts := map[string]string{}
	kinds := append(append([]peerKind{withFlavor(gos[0], "qt661")}, gos...), qts...)
	for _, k := range kinds {
		t.Run(k.Name+"_as_nobody", func(t *testing.T) {
			k.argv = append([]string{"runuser", "-u", "nobody", "--"}, k.argv...)
			p := k.start(t, key, nil, "attach", "ro")
			r := expect(t, p, "attach")
			if r.OK || r.Error != int(qtshm.PermissionDenied) {
				t.Fatalf("attach as nobody: ok=%v error=%d %q, want PermissionDenied (1)", r.OK, r.Error, r.ErrorString)
			}
			t.Logf("%s as nobody: PermissionDenied %q", k.Name, r.ErrorString)
			texts[k.Name] = r.ErrorString
			p.Wait(procTimeout)
		})
	}
	// The texts too: each Go flavour says what the Qt version it reproduces says.
	for goName, qtName := range map[string]string{gos[0].Name: qts[0].Name, "Go[sysv qt661]": qts[2].Name} {
		if texts[goName] != texts[qtName] {
			t.Errorf("as nobody: %s says %q, %s says %q", goName, texts[goName], qtName, texts[qtName])
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
		if r := expect(t, p, "write"); r.OK || r.Error != int(qtshm.PermissionDenied) {
			t.Fatalf("%s write after a ReadOnly attach: %+v", g.Name, r)
		}
		p.Wait(procTimeout)
	}
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			p := q.start(t, key, nil, "attach", "ro", "write", "0", "hex:01", "detach")
			expectOK(t, p, "attach")
			err := p.Wait(procTimeout)
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
