//go:build linux

package interop_test

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// BenchmarkLockUnlockVsQt measures an uncontended lock+unlock pair inside each C++ Qt build and
// each Go kind, in the same run, and reports each as a ratio to Qt 5.15's C++ figure:
//
//	go test -run XXX -bench LockUnlockVsQt ./interop_test/
//
// Each sub-benchmark runs b.N pairs in one peer process (the peer times its own loop, so
// process start-up is not counted). scripts/bench.sh is the full harness (every operation,
// interleaved rounds, a table and a chart).
func BenchmarkLockUnlockVsQt(b *testing.B) {
	kinds := append(append([]peerKind{}, qtKinds(b)...), goKinds(b)...)
	var base float64
	for _, k := range kinds {
		b.Run(k.Name, func(b *testing.B) {
			key := keyFor(b)
			p := k.start(b, key, nil, "create", "64", "rw", "bench", strconv.Itoa(max(b.N, 1000)), "close")
			expectOK(b, p, "create")
			r := expectOK(b, p, "bench")
			p.MustSucceed()
			if k.Name == kinds[0].Name {
				base = r.NsPerOp // the last (full-length) run of Qt 5.15's C++ loop
			}
			b.ReportMetric(r.NsPerOp, "ns/pair")
			b.ReportMetric(r.NsPerOp/base, "×Qt5.15-C++")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestBenchProgram runs each Qt build of cmake/qtshm_bench.cpp (the C++ side of
// scripts/bench.sh) through every operation with tiny counts: each prints one result line that
// names the Qt it runs with, locked increments from two processes add up, the polling reader
// sees a write, and (the package's leak check) nothing is left behind. No figure is checked.
func TestBenchProgram(t *testing.T) {
	for _, k := range qtKinds(t) {
		t.Run(k.Name, func(t *testing.T) {
			prog := filepath.Join(k.dir, "qtshm-bench")
			testenv.Require(t, fileExists(prog), "%s (scripts/setup.sh builds it)", prog)
			run := func(args ...string) (*exec.Cmd, []byte, error) {
				cmd := exec.CommandContext(testenv.Context(t, time.Minute), prog, args...)
				cmd.Env = peerEnv()
				out, err := cmd.Output()
				return cmd, out, err
			}
			for _, args := range [][]string{
				{"lock", "--n", "50"}, {"shimlock", "--n", "50"}, {"attach", "--n", "5"}, {"create", "--n", "5"},
				{"copy", "--n", "10", "--size", "4096"}, {"memcpy", "--n", "10", "--size", "100"},
			} {
				_, out, err := run(append(args, "--key", keyFor(t))...)
				var r struct {
					Op      string
					OK      bool
					NsPerOp float64
					Qt      string
				}
				if err != nil || json.Unmarshal(out, &r) != nil || !r.OK || r.Op != args[0] || r.NsPerOp <= 0 || r.Qt != k.version.String() {
					t.Errorf("qtshm-bench %v: %v, %q", args, err, out)
				}
			}
			if _, out, err := run("lock", "--key", keyFor(t), "--n", "x"); err == nil || len(out) != 0 {
				t.Errorf("qtshm-bench with a bad --n: %v, %q (want status 2, no output)", err, out)
			}

			key := keyFor(t) + " shared"
			m := qtshm.New(key)
			defer m.Close()
			if err := m.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			var ps []*testenv.Proc
			for range 2 {
				cmd := exec.Command(prog, "incr", "--key", key, "--n", "200")
				cmd.Env = peerEnv()
				p := testenv.Start(t, cmd)
				p.Expect(`"op":"ready"`)
				ps = append(ps, p)
			}
			for _, p := range ps {
				p.Send("go")
			}
			for _, p := range ps {
				p.Expect(`"op":"incr","ok":true`)
				p.MustSucceed()
			}
			m.Lock()
			v := binary.LittleEndian.Uint64(m.Data())
			copy(m.Data(), "seq=1 t=5\x00")
			m.Unlock()
			if v != 400 {
				t.Errorf("counter after 2 × 200 locked increments from %s: %d", k.Name, v)
			}
			cmd := exec.Command(prog, "pollreader", "--key", key, "--interval", "10", "--until", "1")
			cmd.Env = peerEnv()
			p := testenv.Start(t, cmd)
			p.Expect("ready gen=0")
			p.Expect(" seq=1 t=5")
			p.MustSucceed()
		})
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
