//go:build linux

package interop_test

import (
	"strconv"
	"testing"
)

// BenchmarkLockUnlockVsQt measures an uncontended lock+unlock pair inside each C++ Qt build and
// each Go kind, in the same run, and reports each as a ratio to Qt 5.15's C++ figure:
//
//	go test -run XXX -bench LockUnlockVsQt ./interop_test/
//
// Each sub-benchmark runs b.N pairs in one peer process (the peer times its own loop, so
// process start-up is not counted).
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
