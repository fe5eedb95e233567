//go:build linux

package interop_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

// withFlavor is a Go pure-backend kind that reproduces the given Qt flavour.
func withFlavor(g peerKind, flavor string) peerKind {
	g.Name = strings.TrimSuffix(g.Name, "]") + " " + flavor + "]" // Go[sysv] → Go[sysv qt661]
	g.flavor = flavor
	g.argv = append(append([]string{}, g.argv...), "--flavor", flavor)
	return g
}

// makeStale leaves a stale segment behind: a creator SIGKILLed while attached.
func makeStale(t *testing.T, creator peerKind, key string) {
	t.Helper()
	c := creator.start(t, key, nil, "create", "64", "rw", "write", "0", "str:stale", "crash")
	expectOK(t, c, "create")
	expectOK(t, c, "write")
	expectOK(t, c, "crash")
	c.Kill()
}

// TestStaleSegment: the creator is SIGKILLed. Then the usual "create, else attach" runs in each
// Qt version and in our flavours: create reports AlreadyExists everywhere; attach joins the
// stale segment in Qt ≤ 6.5 (and our Qt 5.15 flavour), and removes it in Qt 6.6.1+ (and our
// Qt 6.6.1 flavour). After our RemoveStale, a Qt create() succeeds.
func TestStaleSegment(t *testing.T) {
	qts, gos := qtKinds(t), goKinds(t)
	nexts := append(append([]peerKind{}, qts...), withFlavor(gos[0], "qt515"), withFlavor(gos[0], "qt661"), gos[1], gos[2])
	for _, creator := range []peerKind{qts[0], gos[0]} {
		for _, next := range nexts {
			t.Run(fmt.Sprintf("%s_killed→%s", creator.Name, next.Name), func(t *testing.T) {
				key := keyFor(t)
				makeStale(t, creator, key)
				n := next.start(t, key, nil, "create", "64", "rw", "attach", "rw", "read", "0", "5", "close")
				cr := expect(t, n, "create")
				at := expect(t, n, "attach")
				if cr.OK || cr.Error != int(qtshm.AlreadyExists) {
					t.Fatalf("create over a stale segment: ok=%v error=%d %q, want AlreadyExists", cr.OK, cr.Error, cr.ErrorString)
				}
				// The native backend behaves as the host's Qt it links: 5.15 and 6.4, both before 6.6.1.
				joins := next.flavor == "qt515" || next.backend == "native" || (next.Qt && !next.version.AtLeast(6, 6, 1))
				switch {
				case joins && at.OK:
					if r := expectOK(t, n, "read"); r.Hex != fmt.Sprintf("%x", "stale") {
						t.Fatalf("joined the stale segment but read %s", r.Hex)
					}
					t.Logf("%s: create → AlreadyExists %q; attach joins the stale segment", next.Name, cr.ErrorString)
				case !joins && !at.OK && at.Error == int(qtshm.NotFound):
					t.Logf("%s: create → AlreadyExists %q; attach removes the stale segment → NotFound %q", next.Name, cr.ErrorString, at.ErrorString)
				default:
					t.Fatalf("%s: attach after the failed create: ok=%v error=%d %q (expected it to %s)", next.Name, at.OK, at.Error, at.ErrorString,
						map[bool]string{true: "join", false: "remove it and report NotFound"}[joins])
				}
				n.Wait()
				// Whatever happened, the segment is gone now (last detach, or removal): a create works.
				final := qts[len(qts)-1].start(t, key, nil, "create", "64", "rw", "close")
				expectOK(t, final, "create")
				final.MustSucceed()
			})
		}
	}
	for _, q := range qts {
		t.Run("RemoveStale→"+q.Name+"_create", func(t *testing.T) {
			key := keyFor(t)
			makeStale(t, qts[0], key)
			if removed, err := qtshm.RemoveStale(key); !removed || err != nil {
				t.Fatalf("RemoveStale: %v, %v", removed, err)
			}
			p := q.start(t, key, nil, "create", "64", "rw", "close")
			expectOK(t, p, "create")
			p.MustSucceed()
		})
	}
}
