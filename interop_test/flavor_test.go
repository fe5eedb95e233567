//go:build linux

package interop_test

import (
	"fmt"
	"testing"
)

// flavorScript exercises the error paths whose codes and texts Qt versions differ in, one
// operation (with its arguments) a step. It does not lock twice: Qt's second lock() returns
// true at once ("already locked"), Go's waits for the Unlock, like sync.Mutex.
var flavorScript = [][]string{
	{"lock"}, {"attach", "rw"}, {"create", "0", "rw"}, {"create", "-1", "rw"}, {"create", "64", "rw"},
	{"lock"}, {"unlock"}, {"detach"}, {"close"}, {"attach", "ro"}, {"create", "64", "rw"}, {"close"},
}

// TestFlavorsMatchQt runs the same script in each Qt version and in the Go kinds that claim its
// behaviour, and compares every step: success, and where Qt reports an error, its code and text.
// (Where Qt returns false without setting an error — e.g. detach when not attached — its error()
// is 0 or the previous step's; Go reports a code of its own; those steps compare success only.)
func TestFlavorsMatchQt(t *testing.T) {
	qts, gos := qtKinds(t), goKinds(t)
	claims := map[string][]peerKind{
		qts[0].Name: {withFlavor(gos[0], "qt515"), gos[1]},
		qts[1].Name: {withFlavor(gos[0], "qt515"), gos[2]},
		qts[2].Name: {withFlavor(gos[0], "qt661")},
	}
	for _, key := range []string{"flavor key", ""} {
		for _, q := range qts {
			compareScript(t, key, q, claims[q.Name])
		}
	}
}

func compareScript(t *testing.T, key string, q peerKind, claims []peerKind) {
	qr := runScript(t, q, key)
	for _, g := range claims {
		t.Run(fmt.Sprintf("%s_as_%s/key=%q", g.Name, q.Name, key), func(t *testing.T) {
			gr := runScript(t, g, key)
			for i := range qr {
				// Qt returns false without touching error() for some calls (unlock when not locked,
				// detach when not attached): its error() then still shows the previous failure.
				stale := i > 0 && !qr[i-1].OK && qr[i].Error == qr[i-1].Error && qr[i].ErrorString == qr[i-1].ErrorString
				if qr[i].OK != gr[i].OK {
					t.Errorf("step %d %s: %s ok=%v (%d %q), %s ok=%v (%d %q)", i, qr[i].Op, q.Name, qr[i].OK, qr[i].Error, qr[i].ErrorString, g.Name, gr[i].OK, gr[i].Error, gr[i].ErrorString)
				} else if !qr[i].OK && qr[i].Error != 0 && !stale && (qr[i].Error != gr[i].Error || qr[i].ErrorString != gr[i].ErrorString) {
					t.Errorf("step %d %s: %s %d %q, %s %d %q", i, qr[i].Op, q.Name, qr[i].Error, qr[i].ErrorString, g.Name, gr[i].Error, gr[i].ErrorString)
				}
			}
			t.Logf("%d steps agree with %s", len(qr), q.Name)
		})
	}
}

func runScript(t *testing.T, k peerKind, key string) []result {
	t.Helper()
	var argv []string
	for _, step := range flavorScript {
		argv = append(argv, step...)
	}
	p := k.start(t, key, nil, argv...)
	var out []result
	for _, step := range flavorScript {
		out = append(out, expect(t, p, step[0]))
	}
	if err := p.Wait(); err == nil {
		t.Fatalf("%s exited 0 after a script with failing steps", k.Name)
	}
	return out
}
