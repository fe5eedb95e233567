package qtshm_test

// Adversarial multi-process tests of the pure backends: each scenario runs for adversarialRun
// in several processes at once and ends with exact counts and no hang (every wait is bounded),
// on a QString key, a POSIX native key and a System V native key.
// They are the regression tests of issue 7's defects 1, 2, 3 and 5; the foreign-owner test
// (defect 4) is in foreign_test.go. The native backend is Qt itself and has Qt's hazards
// (README, "Differences from Qt"), so these run on the pure backend only.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// adversarialRun is how long each scenario runs.
const adversarialRun = 5 * time.Second

// adversarialKeys are the key kinds every scenario runs on: a QString key, and (for shorter)
// a POSIX native key and a System V native key. A loop's key is the QString key itself or
// "nk:" + the native key's string form (newObject).
func adversarialKeys(t *testing.T, f func(t *testing.T, key string, run time.Duration)) {
	t.Run("qstring", func(t *testing.T) { f(t, uniqueKey(t), adversarialRun) })
	t.Run("posix", func(t *testing.T) {
		k := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: fmt.Sprintf("/qtshm-adv-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))}
		t.Cleanup(func() {
			if _, err := qtshm.RemoveStaleNative(k); err != nil {
				t.Errorf("RemoveStaleNative: %v", err)
			}
		})
		f(t, "nk:"+k.String(), adversarialRun*3/5)
	})
	t.Run("systemv", func(t *testing.T) {
		k := qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: filepath.Join(t.TempDir(), "key")}
		f(t, "nk:"+k.String(), adversarialRun*3/5)
	})
}

// objectOf is the object of a loop key (see adversarialKeys), created with size bytes.
func objectOf(t *testing.T, key string, size int) *qtshm.SharedMemory {
	t.Helper()
	m := newObject(key)
	t.Cleanup(func() { m.Close() })
	if err := m.Create(size, qtshm.ReadWrite); err != nil {
		t.Fatalf("create %q: %v", key, err)
	}
	return m
}

// runLoops starts one helper per spec ("name extra..."), waits for all and returns their reports;
// it fails the test on any violation.
func runLoops(t *testing.T, key string, run time.Duration, specs ...string) []loopReport {
	t.Helper()
	secs := fmt.Sprint(run.Seconds())
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
	adversarialKeys(t, func(t *testing.T, key string, run time.Duration) {
		runLoops(t, key, run, "coa-loop", "coa-loop", "coa-loop", "stale-loop")
	})
}

// TestAdversarialCreateOrAttachLoops: three processes run Create-or-Attach + Close in a loop.
// They used to deadlock within seconds: a lock set created with plain IPC_CREAT after its owner
// removed it was never initialised (value 0 forever). Every step is bounded by stepTimeout, so a
// hang shows as a violation.
func TestAdversarialCreateOrAttachLoops(t *testing.T) {
	adversarialKeys(t, func(t *testing.T, key string, run time.Duration) {
		rs := runLoops(t, key, run, "coa-loop", "coa-loop", "coa-loop")
		for _, r := range rs {
			if r.Iters < 10 {
				t.Errorf("only %d iterations in %v: the loop is (nearly) stuck", r.Iters, run)
			}
		}
	})
}

// TestAdversarialCreatesDoNotBreakTheLock: a counter swarm (three processes with two goroutines
// each) increments under the lock while two processes Create the existing segment (failing with
// AlreadyExists, taking the lock's ownership) and Close in a loop. Qt's create resets the lock to
// 1 and its Close removes the lock from under the holder: increments were lost by the thousand.
// The count must be exact.
func TestAdversarialCreatesDoNotBreakTheLock(t *testing.T) {
	adversarialKeys(t, func(t *testing.T, key string, run time.Duration) {
		m := objectOf(t, key, 8)
		rs := runLoops(t, key, run, "inc-loop 2", "inc-loop 2", "inc-loop 2", "create-loop", "create-loop")
		checkCounter(t, m, rs)
	})
}

// TestAdversarialGoroutinesShareOneObject: three processes with four goroutines each, every
// process sharing one SharedMemory between its goroutines, count under the lock. Two goroutines
// on one object used to drive the kernel lock to values like 627.
func TestAdversarialGoroutinesShareOneObject(t *testing.T) {
	adversarialKeys(t, func(t *testing.T, key string, run time.Duration) {
		m := objectOf(t, key, 8)
		rs := runLoops(t, key, run, "inc-loop 4", "inc-loop 4", "inc-loop 4")
		checkCounter(t, m, rs)
	})
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
