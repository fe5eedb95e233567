//go:build linux

package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// baseKind is the column every ratio refers to.
const baseKind = "cpp-qt5"

// fmtTime formats ns with three significant digits: 812 ns, 2.41 µs, 27.6 µs, 652 µs, 1.05 s.
func fmtTime(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "—"
	case ns < 1e3:
		return sig3(ns) + " ns"
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	}
	return sig3(ns/1e9) + " s"
}

// sig3 is x with three significant digits, without an exponent.
func sig3(x float64) string {
	switch a := math.Abs(x); {
	case a >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case a == 0:
		return "0"
	}
	d := 2 - int(math.Floor(math.Log10(math.Abs(x))))
	return strconv.FormatFloat(x, 'f', d, 64)
}

func fmtRate(gbps float64) string {
	if math.IsNaN(gbps) {
		return "—"
	}
	return sig3(gbps) + " GB/s"
}

func fmtOps(ops float64) string {
	switch {
	case math.IsNaN(ops):
		return "—"
	case ops >= 1e6:
		return sig3(ops/1e6) + "M ops/s"
	case ops >= 1e3:
		return sig3(ops/1e3) + "k ops/s"
	}
	return sig3(ops) + " ops/s"
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "—"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// med is the median of a cell's per-round values (NaN for a missing cell).
func (r *results) med(row, col string) float64 {
	if c := r.Cells[row][col]; c != nil {
		return median(c.Values)
	}
	return math.NaN()
}

func (r *results) medCPU(row, col string) float64 {
	if c := r.Cells[row][col]; c != nil {
		return median(c.CPU)
	}
	return math.NaN()
}

func (r *results) medP99(row, col string) float64 {
	if c := r.Cells[row][col]; c != nil {
		return median(c.P99)
	}
	return math.NaN()
}

// columnName is a kind's name with the exact Qt version its runs reported (Qt 5.15 → 5.15.8).
func (r *results) columnName(k kindInfo) string {
	v := ""
	for _, row := range r.Cells {
		if c := row[k.ID]; c != nil && c.Qt != "" {
			v = c.Qt
			break
		}
	}
	if v == "" || !strings.Contains(k.Name, "Qt ") {
		return k.Name
	}
	i := strings.LastIndex(k.Name, "Qt ")
	if strings.HasPrefix(v, strings.TrimPrefix(k.Name[i:], "Qt ")) {
		return k.Name[:i] + "Qt " + v
	}
	return k.Name + " (runs with " + v + ")"
}

func renderMarkdown(r *results) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	h := r.Host
	p("# qtshm-go benchmark\n\n")
	p("%s, %d round(s), interleaved (kinds in alternating order per round); every figure is the median of the rounds.\n",
		r.Started.UTC().Format("2006-01-02 15:04 UTC"), r.Rounds)
	virt := ""
	if h.Virtual != "" {
		virt = ", " + h.Virtual
	}
	p("Host: %d CPUs (%s%s), Linux %s, %s; load average %s before, %s after; key files on %s; took %s.\n",
		h.CPUs, h.Model, virt, h.Kernel, h.Go, h.LoadBefore, h.LoadAfter, h.TempFS, r.Finished.Sub(r.Started).Round(1e9))
	if r.Short {
		p("\n**--short run: tiny counts, one round. These figures only show that the harness works.**\n")
	}

	cols := r.Kinds
	header := func(first string) {
		p("| %s |", first)
		for _, k := range cols {
			p(" %s |", r.columnName(k))
		}
		p("\n|---|")
		for range cols {
			p("---:|")
		}
		p("\n")
	}

	p("\n## Single-process operations\n\n")
	p("Time per operation, and its ratio to C++ Qt 5.15 (lower is better); copies in GB/s, with the ratio of the throughput to C++ Qt 5.15's and to C++ memcpy of the same size (higher is better). Each loop is timed in about 100 batches and its figure is the median batch's, so that batches the scheduler interrupted do not count (results.json also has each loop's mean).\n\n")
	header("operation")
	for _, row := range loopRows() {
		p("| %s |", row.Label)
		base := r.med(row.ID, baseKind)
		for _, k := range cols {
			v := r.med(row.ID, k.ID)
			switch {
			case math.IsNaN(v):
				p(" — |")
			case !row.Bytes:
				p(" %s (%s) |", fmtTime(v), fmtRatio(v/base))
			case row.Op == "copy" || row.Op == "writeat":
				mc := r.med("memcpy/"+strconv.Itoa(row.Size), baseKind)
				p(" %s (%s, %s memcpy) |", fmtRate(v), fmtRatio(v/base), fmtRatio(v/mc))
			default:
				p(" %s (%s) |", fmtRate(v), fmtRatio(v/base))
			}
		}
		p("\n")
	}

	p("\nCPU time per operation (user + system, getrusage: what the process itself spent, without the time it waited for a CPU), ratio to C++ Qt 5.15:\n\n")
	header("operation")
	for _, row := range loopRows()[:4] {
		p("| %s |", row.Label)
		base := r.medCPU(row.ID, baseKind)
		for _, k := range cols {
			if v := r.medCPU(row.ID, k.ID); math.IsNaN(v) {
				p(" — |")
			} else {
				p(" %s (%s) |", fmtTime(v), fmtRatio(v/base))
			}
		}
		p("\n")
	}

	p("\n## Contended throughput\n\n")
	p("N processes of one kind each do locked increments of one counter (the total is checked); operations per second from the first start to the last end, ratio to C++ Qt 5.15 (higher is better). With more processes than CPUs these figures are mostly the scheduler's: a run either hands the lock to another process at almost every operation or lets one process take it again and again, and the two differ up to tenfold (results.json has every round).\n\n")
	header("processes")
	for _, n := range contenders {
		id := "incr/" + strconv.Itoa(n)
		p("| %d |", n)
		base := r.med(id, baseKind)
		for _, k := range cols {
			v := r.med(id, k.ID)
			p(" %s (%s) |", fmtOps(v), fmtRatio(v/base))
		}
		p("\n")
	}

	p("\n## Doorbell hand-off latency\n\n")
	p("A writer writes a message under the data segment's lock and rings the doorbell (qtshm.Doorbell; cmake/doorbell.h on the Qt side, Qt 5.15); the reader wakes and reads the message under the lock. Lockstep: the writer writes only when the reader waits. From the writer's clock reading before its lock to the reader's after its read.\n\n")
	p("| writer → reader | median | p99 | median vs Qt → Qt |\n|---|---:|---:|---:|\n")
	qq := r.med("handoff", "Qt → Qt")
	for _, pr := range handoffPairs {
		v := r.med("handoff", pr.Name)
		p("| %s | %s | %s | %s |\n", pr.Name, fmtTime(v), fmtTime(r.medP99("handoff", pr.Name)), fmtRatio(v/qq))
	}

	p("\n## The article's scenario: delivery delay\n\n")
	p("A Qt 5.15 writer writes a message every 1.05 s (so that its phase against a 1 s timer sweeps the whole second) and rings the doorbell; three readers see each message: the article's way (read under the lock every second), and woken by the doorbell (Qt and Go). Delay from the write to the reader having read it.\n\n")
	p("| reader | median | p99 | max | writes |\n|---|---:|---:|---:|---:|\n")
	for _, rd := range []struct{ id, name string }{{"poll", "Qt 5.15, polling every 1 s (the article)"}, {"bell-qt", "Qt 5.15, woken by the doorbell"}, {"bell-go", "Go, woken by the doorbell"}} {
		c := r.Cells["article"][rd.id]
		if c == nil || len(c.Samples) == 0 {
			p("| %s | — | — | — | 0 |\n", rd.name)
			continue
		}
		p("| %s | %s | %s | %s | %d |\n", rd.name, fmtTime(median(c.Samples)), fmtTime(quantile(c.Samples, 0.99)), fmtTime(slices.Max(c.Samples)), len(c.Samples))
	}

	p("\n## Issue 11's targets, from this run\n\n")
	for _, t := range targets(r) {
		p("- %s\n", t)
	}

	p("\n## Notes\n\n")
	var spreads []float64
	for _, row := range r.Cells {
		for _, c := range row {
			if len(c.Values) > 1 {
				spreads = append(spreads, spread(c.Values))
			}
		}
	}
	if len(spreads) > 0 {
		p("- Noise: a figure's rounds differ by %.0f%% (max − min over the median) at the median across figures, %.0f%% at worst. Ratios within about that of 1.00× are ties.\n",
			100*median(spreads), 100*slices.Max(spreads))
	}
	p("- Every measurement is its own process that times its own loop (start-up excluded) after a warm-up of a tenth of its iterations; the Go processes run with the backend they were built with.\n")
	for _, n := range r.Notes {
		p("- %s\n", n)
	}
	return b.String()
}

// targets states issue 11's acceptance targets with this run's figures.
func targets(r *results) []string {
	var out []string
	verdict := verdictOf
	base := r.med("lock", baseKind)
	if v := r.med("lock", "go-pure"); !math.IsNaN(v) && !math.IsNaN(base) {
		out = append(out, fmt.Sprintf("pure-Go Lock+Unlock ≤ 1.00× C++ Qt 5.15: %s (%s).", fmtRatio(v/base), verdict(v/base <= 1.00)))
	}
	for _, id := range []string{"go-qt5", "go-qt6", "go-qt68"} {
		if v := r.med("lock", id); !math.IsNaN(v) && !math.IsNaN(base) {
			name := id
			for _, k := range r.Kinds {
				if k.ID == id {
					name = k.Name
				}
			}
			out = append(out, fmt.Sprintf("%s Lock+Unlock ≤ 1.10×: %s (%s).", name, fmtRatio(v/base), verdict(v/base <= 1.10)))
		}
	}
	for _, s := range copySizes {
		id := "memcpy/" + strconv.Itoa(s)
		mc := r.med(id, baseKind)
		if v := r.med(id, "go-pure"); !math.IsNaN(v) && !math.IsNaN(mc) {
			out = append(out, fmt.Sprintf("Go copy ≥ 0.95× C++ memcpy at %s: %s (%s).", sizeName(s), fmtRatio(v/mc), verdict(v/mc >= 0.95)))
		}
		wid := "writeat/" + strconv.Itoa(s)
		if v, b := r.med(wid, "go-pure"), r.med(wid, baseKind); !math.IsNaN(v) && !math.IsNaN(b) {
			out = append(out, fmt.Sprintf("Lock + WriteAt + Unlock ≥ 0.95× C++ Lock + memcpy + Unlock at %s: %s (%s).", sizeName(s), fmtRatio(v/b), verdict(v/b >= 0.95)))
		}
	}
	if v, b := r.med("attach", "go-pure"), r.med("attach", baseKind); !math.IsNaN(v) && !math.IsNaN(b) {
		out = append(out, fmt.Sprintf("pure Attach+Detach ≤ 0.8× Qt: %s (%s).", fmtRatio(v/b), verdict(v/b <= 0.8)))
	}
	for _, pr := range handoffPairs {
		if v := r.med("handoff", pr.Name); !math.IsNaN(v) {
			out = append(out, fmt.Sprintf("doorbell hand-off %s median ≤ 50 µs: %s (%s).", pr.Name, fmtTime(v), verdict(v <= 50e3)))
		}
	}
	if c := r.Cells["article"]["poll"]; c != nil && len(c.Samples) > 0 {
		out = append(out, fmt.Sprintf("the article's polling delay, for comparison: median %s.", fmtTime(median(c.Samples))))
	}
	out = append(out, hotPathAllocs(r)...)
	return out
}

// hotRows are the loops of the hot paths: Lock+Unlock, and Lock + a copy into Data() or a
// WriteAt + Unlock.
func hotRows() []string {
	rows := []string{"lock"}
	for _, s := range copySizes {
		rows = append(rows, "copy/"+strconv.Itoa(s), "writeat/"+strconv.Itoa(s))
	}
	return rows
}

// hotPathAllocs states, for each Go kind, the most heap allocations per operation that any
// round of a hot-path loop made (the workers count them with runtime.ReadMemStats around the
// timed loop).
func hotPathAllocs(r *results) []string {
	var out []string
	for _, k := range r.Kinds {
		if k.Cpp {
			continue
		}
		worst, counted := 0.0, 0
		for _, row := range hotRows() {
			if c := r.Cells[row][k.ID]; c != nil {
				for _, a := range c.Allocs {
					worst = max(worst, a)
					counted++
				}
			}
		}
		if counted == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s: 0 allocs/op on the hot paths (Lock+Unlock, Lock + copy into Data() + Unlock, Lock + WriteAt + Unlock; %d loops): at most %.3g (%s).",
			k.Name, counted, worst, verdictOf(worst == 0)))
	}
	out = append(out, "ReadAt and Data alone: `go test -run - -bench 'Data|ReadAt' -benchmem ./qtshm/`.")
	return out
}

func verdictOf(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}
