//go:build linux

package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestStats(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if m := median(xs); m != 3 {
		t.Errorf("median = %v, want 3", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even count = %v, want 2.5", m)
	}
	if q := quantile(xs, 0.99); math.Abs(q-4.96) > 1e-9 {
		t.Errorf("p99 = %v, want 4.96", q)
	}
	if q := quantile(xs, 0); q != 1 {
		t.Errorf("p0 = %v, want 1", q)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	if s := spread(xs); s != 4.0/3 {
		t.Errorf("spread = %v, want 4/3", s)
	}
	if xs[0] != 5 {
		t.Error("quantile sorted its argument in place")
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{fmtTime(812.4), "812 ns"}, {fmtTime(2412), "2.41 µs"}, {fmtTime(27600), "27.6 µs"},
		{fmtTime(652e3), "652 µs"}, {fmtTime(1.05e9), "1.05 s"}, {fmtTime(math.NaN()), "—"},
		{fmtRate(0.0476), "0.0476 GB/s"}, {fmtRate(12.43), "12.4 GB/s"},
		{fmtOps(28700), "28.7k ops/s"}, {fmtOps(1.5e6), "1.50M ops/s"},
		{fmtRatio(1), "1.00×"}, {fmtRatio(math.Inf(1)), "—"},
		{sizeName(64), "64 B"}, {sizeName(4096), "4 KiB"}, {sizeName(64 << 20), "64 MiB"},
		{decadeName(0), "1 ns"}, {decadeName(4), "10 µs"}, {decadeName(8), "100 ms"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// fakeResults has every row for two kinds: the base and a Go kind twice as slow.
func fakeResults() *results {
	r := &results{Started: time.Unix(0, 0), Finished: time.Unix(60, 0), Rounds: 3,
		Kinds: []kindInfo{{ID: baseKind, Name: "C++ Qt 5.15", Cpp: true}, {ID: "go-pure", Name: "Go pure"}}}
	for _, row := range loopRows() {
		base := 1000.0
		if row.Bytes {
			base = 1 // GB/s
		}
		for _, k := range r.Kinds {
			v := base
			if k.ID == "go-pure" {
				if row.Bytes {
					v /= 2
				} else {
					v *= 2
				}
			}
			c := r.cell(row.ID, k.ID)
			c.Values = []float64{v, v * 1.1, v * 0.9}
			c.CPU = c.Values
			if k.ID == baseKind {
				c.Qt = "5.15.8"
			} else {
				c.Allocs = []float64{0, 0, 0}
			}
		}
	}
	r.cell("writeat/4096", "go-pure").Allocs[1] = 0.5 // one round of one hot loop allocated
	for _, pr := range handoffPairs {
		c := r.cell("handoff", pr.Name)
		c.Values, c.P99 = []float64{30e3}, []float64{90e3}
	}
	r.cell("article", "poll").Samples = []float64{100e6, 500e6, 900e6}
	return r
}

func TestMarkdown(t *testing.T) {
	md := renderMarkdown(fakeResults())
	for _, want := range []string{
		"| operation | C++ Qt 5.15.8 | Go pure |",
		"| Lock+Unlock, uncontended | 1.00 µs (1.00×) | 2.00 µs (2.00×) |",
		"| Lock + copy 1 MiB + Unlock | 1.00 GB/s (1.00×, 1.00× memcpy) | 0.500 GB/s (0.50×, 0.50× memcpy) |",
		"| Go → Qt | 30.0 µs | 90.0 µs | 1.00× |",
		"| Qt 5.15, polling every 1 s (the article) | 500 ms | 892 ms | 900 ms | 3 |",
		"| Go, woken by the doorbell | — | — | — | 0 |",
		"pure-Go Lock+Unlock ≤ 1.00× C++ Qt 5.15: 2.00× (not met).",
		"doorbell hand-off Qt → Qt median ≤ 50 µs: 30.0 µs (met).",
		"- Noise: a figure's rounds differ by 20% ",
		"Go pure: 0 allocs/op on the hot paths (Lock+Unlock, Lock + copy into Data() + Unlock, Lock + WriteAt + Unlock; 27 loops): at most 0.5 (not met).",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q:\n%s", want, md)
		}
	}
}

func TestChart(t *testing.T) {
	for _, r := range []*results{fakeResults(), {Rounds: 1}} {
		b, err := renderChart(r)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got.X != chartW || got.Y != chartH {
			t.Fatalf("chart is %v, want %dx%d", got, chartW, chartH)
		}
		want := kindColor[baseKind]
		found := false
		for y := plotT; y < plotB && !found; y++ {
			for x := plotL; x < plotR; x++ {
				if cr, cg, cb, _ := img.At(x, y).RGBA(); cr>>8 == uint32(want.R) && cg>>8 == uint32(want.G) && cb>>8 == uint32(want.B) {
					found = true
					break
				}
			}
		}
		if found != (len(r.Kinds) > 0) {
			t.Errorf("C++ Qt 5.15's line drawn: %v, want %v", found, len(r.Kinds) > 0)
		}
	}
	for _, s := range []string{"Time per Lock + copy + Unlock", "10 µs", "C++ Qt 6.8.2", "Go native Qt 5.15.8", "×→%"} {
		for _, ch := range textGlyphs(s) {
			if _, ok := font5x7[ch]; !ok {
				t.Errorf("no glyph for %q (in %q)", ch, s)
			}
		}
	}
}

// work runs one worker operation in this process (pure backend) and returns its output.
func work(t *testing.T, stdin io.Reader, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runWorker(args, stdin, &out, &errOut)
	return code, out.String() + errOut.String()
}

func TestWorkerLoops(t *testing.T) {
	for _, args := range [][]string{
		{"lock", "--n", "20"}, {"attach", "--n", "5"}, {"create", "--n", "5"},
		{"copy", "--n", "20", "--size", "4096"}, {"memcpy", "--n", "20", "--size", "100"},
	} {
		code, out := work(t, nil, append(args, "--key", "bench test "+args[0])...)
		var r record
		if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || !r.OK || r.Op != args[0] || r.NsPerOp <= 0 || r.AllocsPerOp == nil || r.Backend != qtshm.Backends()[0] {
			t.Errorf("%v: status %d, %q (%v)", args, code, out, err)
		}
	}
}

func TestWorkerUsage(t *testing.T) {
	for _, args := range [][]string{{"nosuch", "--key", "k"}, {"lock"}, {"lock", "--key", "k", "--n", "0"}, {"lock", "--key", "k", "extra"}, {"dbreader", "--key", "k"}} {
		if code, out := work(t, nil, args...); code != 2 {
			t.Errorf("%v: status %d, want 2: %s", args, code, out)
		}
	}
	// A Qt failure is a result line with "ok":false and status 1.
	code, out := work(t, nil, "incr", "--key", "bench test no segment")
	if code != 1 || !strings.Contains(out, `"ok":false`) {
		t.Errorf("incr without a segment: status %d, %q", code, out)
	}
}

func TestWorkerIncr(t *testing.T) {
	const key, procs, n = "bench test incr", 3, 50
	counter := qtshm.New(key)
	defer counter.Close()
	if err := counter.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	outs := make([]string, procs)
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, outs[i] = work(t, strings.NewReader("go\n"), "incr", "--key", key, "--n", strconv.Itoa(n))
		}()
	}
	wg.Wait()
	for _, o := range outs {
		r, err := lastRecord([]byte(o))
		if err != nil || !r.OK || r.StartNs <= 0 || r.EndNs < r.StartNs || !strings.HasPrefix(o, `{"op":"ready"`) {
			t.Errorf("incr: %q (%v)", o, err)
		}
	}
	counter.Lock()
	v := binary.LittleEndian.Uint64(counter.Data())
	counter.Unlock()
	if v != procs*n {
		t.Errorf("counter = %d, want %d", v, procs*n)
	}
}

// The Go doorbell writer and reader in lockstep: the reader sees every write once, in order,
// and the driver's parser finds a latency for each.
func TestWorkerDoorbell(t *testing.T) {
	const key, bell, count = "bench test data", "bench test bell", 20
	wr, ww := io.Pipe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ww.Close()
		code := runWorker([]string{"dbwriter", "--key", key, "--doorbell", bell, "--count", strconv.Itoa(count), "--wait-waiters", "1"}, nil, ww, io.Discard)
		if code != 0 {
			t.Errorf("dbwriter: status %d", code)
		}
	}()
	first := make([]byte, len("ready gen=0\n"))
	if _, err := io.ReadFull(wr, first); err != nil || string(first) != "ready gen=0\n" {
		t.Fatalf("dbwriter's first line %q (%v)", first, err)
	}
	go io.Copy(io.Discard, wr)
	code, out := work(t, nil, "dbreader", "--key", key, "--doorbell", bell, "--until", strconv.Itoa(count))
	wg.Wait()
	if code != 0 {
		t.Fatalf("dbreader: status %d: %s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "ready gen=0" {
		t.Errorf("dbreader's first line %q", lines[0])
	}
	lat := delays(lines[1:])
	if len(lat) != count {
		t.Fatalf("%d latencies from %d lines:\n%s", len(lat), len(lines)-1, out)
	}
	for i, l := range lines[1:] {
		if !strings.HasPrefix(l, "gen="+strconv.Itoa(i+1)+" ") || !strings.Contains(l, " seq="+strconv.Itoa(i+1)+" t=") {
			t.Errorf("line %d: %q", i+1, l)
		}
	}
	for _, l := range lat {
		if l < 0 {
			t.Errorf("negative latency %v", l)
		}
	}
}
