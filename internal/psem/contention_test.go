//go:build linux && !android

package psem

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

// totalIncrements is how many increments the processes of a contention run make in all.
const totalIncrements = 10000

// contender starts one process of a contention run: a C program or a Go helper.
type contender struct {
	desc  string
	start func(t *testing.T, args ...string) *testenv.Proc
}

func goContender() contender {
	return contender{"go", func(t *testing.T, args ...string) *testenv.Proc {
		return testenv.Helper(t, "psem-mutex", args...)
	}}
}

func cContender(c glibc) contender {
	return contender{"c-" + c.name, func(t *testing.T, args ...string) *testenv.Proc {
		return c.start(t, append([]string{"mutex"}, args...)...)
	}}
}

// runContention: the processes share a semaphore of value 1 as a mutex over a counter in a
// file, and increment it totalIncrements times in all, back to back; the counter must be
// exact, and no process may stall (each wait is bounded, and sleeps without slices, so a lost
// wake-up is a stall).
func runContention(t *testing.T, procs []contender) {
	noSlices(t)
	_, startName := mustCreate(t, "start", 0o600, 0)
	start, _, err := Open(startName, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer start.Close()
	lock, lockName := mustCreate(t, "lock", 0o600, 1)
	counter := filepath.Join(t.TempDir(), "counter")
	if err := os.WriteFile(counter, make([]byte, 8), 0o600); err != nil {
		t.Fatal(err)
	}
	var ps []*testenv.Proc
	var want []int
	for i, c := range procs {
		n := totalIncrements / len(procs)
		if i == 0 {
			n += totalIncrements % len(procs)
		}
		p := c.start(t, startName, lockName, counter, strconv.Itoa(n))
		p.Expect("ready")
		ps, want = append(ps, p), append(want, n)
	}
	for range ps {
		if err := start.Post(); err != nil {
			t.Fatal(err)
		}
	}
	contended := 0
	for i, p := range ps {
		line := p.Expect(fmt.Sprintf("done %d contended ", want[i]))
		var n, k int
		if _, err := fmt.Sscanf(line, "done %d contended %d", &n, &k); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		contended += k
		p.MustSucceed()
	}
	t.Logf("%d of %d lock acquisitions found the lock taken and slept or spun in Wait", contended, totalIncrements)
	b, err := os.ReadFile(counter)
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.NativeEndian.Uint64(b); got != totalIncrements {
		t.Errorf("counter = %d after %d increments under the semaphore by %d processes", got, totalIncrements, len(procs))
	}
	if v, w := lock.Value(), lock.Waiters(); v != 1 || w != 0 {
		t.Errorf("lock semaphore ends with value %d, waiters %d; want 1, 0", v, w)
	}
	if v, w := start.Value(), start.Waiters(); v != 0 || w != 0 {
		t.Errorf("start semaphore ends with value %d, waiters %d; want 0, 0", v, w)
	}
}

// TestContentionGo: four Go processes.
func TestContentionGo(t *testing.T) {
	runContention(t, []contender{goContender(), goContender(), goContender(), goContender()})
}

// TestContentionMixed: two C processes per glibc and two Go processes.
func TestContentionMixed(t *testing.T) {
	var procs []contender
	for _, c := range glibcs(t) {
		procs = append(procs, cContender(c), cContender(c))
	}
	procs = append(procs, goContender(), goContender())
	for _, c := range procs {
		t.Log("process:", c.desc)
	}
	runContention(t, procs)
}
