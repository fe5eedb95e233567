//go:build linux

package interop_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

// TestSwarm: Go processes (every backend) and Qt processes (every version) increment one
// little-endian uint64 under the lock 10,000 times each, all at once; the final value is exact.
func TestSwarm(t *testing.T) {
	const each = 10_000
	kinds := append(append([]peerKind{}, goKinds(t)...), qtKinds(t)...)
	kinds = append(kinds, kinds...) // two processes of each kind: 12 in all
	key := keyFor(t)
	m := createSegment(t, key, 8)
	var procs []*testenv.Proc
	for _, k := range kinds {
		p := k.start(t, key, nil, "attach", "rw", "wait", "inc", fmt.Sprint(each), "detach")
		expectOK(t, p, "attach")
		procs = append(procs, p)
	}
	for _, p := range procs {
		p.Send("go") // start together
	}
	for i, p := range procs {
		expectOK(t, p, "wait")
		r := expectOK(t, p, "inc")
		t.Logf("%-16s done, saw %d", kinds[i].Name, r.Value)
		p.MustSucceed()
	}
	got := binary.LittleEndian.Uint64(m.Data())
	want := uint64(each * len(kinds))
	t.Logf("swarm of %d processes × %d increments: final counter %d (want %d)", len(kinds), each, got, want)
	if got != want {
		t.Fatalf("final counter %d, want %d: lost updates, the lock did not exclude", got, want)
	}
}
