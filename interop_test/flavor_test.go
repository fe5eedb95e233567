package interop_test

import (
	"testing"
)

// flavorScript exercises the error paths whose codes and texts Qt versions differ in.
var flavorScript = []string{
	"lock", "attach", "rw", "create", "0", "rw", "create", "-1", "rw", "create", "64", "rw",
	"lock", "lock", "unlock", "detach", "close", "attach", "ro", "create", "64", "rw", "close",
}

// TestFlavorsMatchQt runs the same script in each Qt version and in the Go kinds that claim its
// behaviour, and compares every step: success, and where Qt reports an error, its code and text.
// (Where Qt returns false without setting an error — e.g. detach when not attached — Go reports
// a code of its own; those steps compare success only.)
func TestFlavorsMatchQt(t *testing.T) {
	qts, gos := qtKinds(t), goKinds(t)
	claims := map[string][]peerKind{
		qts[0].Name: {withFlavor(gos[0], "qt515"), gos[1]},
		qts[1].Name: {withFlavor(gos[0], "qt515"), gos[2]},
		qts[2].Name: {withFlavor(gos[0], "qt661")},
	}
	for _, q := range qts {
		qr := runScript(t, q)
		for _, g := range claims[q.Name] {
			t.Run(g.Name+"_as_"+q.Name, func(t *testing.T) {
				gr := runScript(t, g)
				for i := range qr {
					if qr[i].OK != gr[i].OK {
						t.Errorf("step %d %s: %s ok=%v (%d %q), %s ok=%v (%d %q)", i, qr[i].Op, q.Name, qr[i].OK, qr[i].Error, qr[i].ErrorString, g.Name, gr[i].OK, gr[i].Error, gr[i].ErrorString)
					} else if !qr[i].OK && qr[i].Error != 0 && (qr[i].Error != gr[i].Error || qr[i].ErrorString != gr[i].ErrorString) {
						t.Errorf("step %d %s: %s %d %q, %s %d %q", i, qr[i].Op, q.Name, qr[i].Error, qr[i].ErrorString, g.Name, gr[i].Error, gr[i].ErrorString)
					}
				}
				t.Logf("%d steps agree with %s", len(qr), q.Name)
			})
		}
	}
}

func runScript(t *testing.T, k peerKind) []result {
	t.Helper()
	key := keyFor(t) + " " + k.Name
	p := k.start(t, key, nil, flavorScript...)
	var out []result
	for i := 0; i < 13; i++ { // the script's operations
		line := p.NextLine(procTimeout)
		out = append(out, parseResult(t, line))
	}
	p.Wait(procTimeout)
	return out
}
