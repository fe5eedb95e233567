package qtshm_test

// Adversarial multi-process tests of the pure backend: each scenario runs for adversarialRun
// in several processes at once and ends with exact counts and no hang (every wait is bounded).
// They are the regression tests of issue 7's defects 1, 2, 3 and 5; the foreign-owner test
// (defect 4) is in foreign_test.go. The native backend is Qt itself and has Qt's hazards
// (README, "Differences from Qt"), so these run on the pure backend only.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// adversarialRun is how long each scenario runs.
const adversarialRun = 5 * time.Second

// runLoops starts one helper per spec ("name extra..."), waits for all and returns their reports;
// it fails the test on any violation.
func runLoops(t *testing.T, key string, specs ...string) []loopReport {
	t.Helper()
	secs := fmt.Sprint(adversarialRun.Seconds())
	var ps []*testenv.Proc
	for _, s := range specs {
		f := strings.Fields(s)
		ps = append(ps, testenv.Helper(t, f[0], append([]string{key, secs}, f[1:]...)...))
	}
	var out []loopReport
	for i, p := range ps {
		line := p.NextLine()
		var r loopReport
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s: bad report %q: %v", specs[i], line, err)
		}
		p.MustSucceed()
		for _, v := range r.Violations {
			t.Errorf("%s: %s", specs[i], v)
		}
		t.Logf("%-18s iterations %6d  increments %6d  removed %4d  races %4d", specs[i], r.Iters, r.Incs, r.Removed, r.Races)
		out = append(out, r)
	}
	return out
}

// TestAdversarialRemoveStaleRacesCreators: three processes create-or-attach, check under the lock
// that the key file still names their segment, and close, in a loop; a fourth removes stale
// segments in a loop. RemoveStale used to take no lock: it removed segments still being created
// and key files of live segments (split brain), and reported a vanished segment as an error.
func TestAdversarialRemoveStaleRacesCreators(t *testing.T) {
	key := uniqueKey(t)
	runLoops(t, key, "coa-loop", "coa-loop", "coa-loop", "stale-loop")
}

// TestAdversarialCreateOrAttachLoops: three processes run Create-or-Attach + Close in a loop.
// They used to deadlock within seconds: a lock set created with plain IPC_CREAT after its owner
// removed it was never initialised (value 0 forever). Every step is bounded by stepTimeout, so a
// hang shows as a violation.
func TestAdversarialCreateOrAttachLoops(t *testing.T) {
	key := uniqueKey(t)
	rs := runLoops(t, key, "coa-loop", "coa-loop", "coa-loop")
	for _, r := range rs {
		if r.Iters < 10 {
			t.Errorf("only %d iterations in %v: the loop is (nearly) stuck", r.Iters, adversarialRun)
		}
	}
}

// TestAdversarialCreatesDoNotBreakTheLock: a counter swarm (three processes with two goroutines
// each) increments under the lock while two processes Create the existing segment (failing with
// AlreadyExists, taking the lock's ownership) and Close in a loop. Qt's create resets the lock to
// 1 and its Close removes the lock from under the holder: increments were lost by the thousand.
// The count must be exact.
func TestAdversarialCreatesDoNotBreakTheLock(t *testing.T) {
	key := uniqueKey(t)
	m := create(t, qtshm.BackendSysV, key, 8)
	rs := runLoops(t, key, "inc-loop 2", "inc-loop 2", "inc-loop 2", "create-loop", "create-loop")
	checkCounter(t, m, rs)
}

// TestAdversarialGoroutinesShareOneObject: three processes with four goroutines each, every
// process sharing one SharedMemory between its goroutines, count under the lock. Two goroutines
// on one object used to drive the kernel lock to values like 627.
func TestAdversarialGoroutinesShareOneObject(t *testing.T) {
	key := uniqueKey(t)
	m := create(t, qtshm.BackendSysV, key, 8)
	rs := runLoops(t, key, "inc-loop 4", "inc-loop 4", "inc-loop 4")
	checkCounter(t, m, rs)
}

// checkCounter fails unless the uint64 at offset 0 of m equals the increments the loops counted.
func checkCounter(t *testing.T, m *qtshm.SharedMemory, rs []loopReport) {
	t.Helper()
	var want uint64
	for _, r := range rs {
		want += r.Incs
	}
	if err := m.Lock(); err != nil {
		t.Fatal(err)
	}
	got := binary.LittleEndian.Uint64(m.Data())
	m.Unlock()
	if got != want || want == 0 {
		t.Fatalf("counter = %d, the loops counted %d increments: %d lost", got, want, int64(want)-int64(got))
	}
	t.Logf("counter %d = the sum of the increments", got)
}
