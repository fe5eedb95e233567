//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// kind is one column of the table: a C++ Qt build running cmake/qtshm_bench.cpp, or a Go build
// of this program with one backend.
type kind struct {
	ID   string // "cpp-qt5", "go-pure", …
	Name string // column header, e.g. "C++ Qt 5.15"
	Cpp  bool
	argv []string // the loop program
	dir  string   // C++: the build directory (doorbell-writer, doorbell-reader, qtshm-bench)
}

// loopRow is one single-process loop, run once per kind per round.
type loopRow struct {
	ID, Label string
	Op        string
	Size      int
	N, NShort int
	Bytes     bool   // report GB/s (Size bytes per operation) instead of time per operation
	CppOnly   bool   // an operation of the C++ program only
	CppOp     string // what the C++ program runs for this row, if not Op
}

var copySizes = []int{64, 4 << 10, 1 << 20, 64 << 20}

func loopRows() []loopRow {
	rows := []loopRow{
		{ID: "lock", Label: "Lock+Unlock, uncontended", Op: "lock", N: 20000, NShort: 300},
		{ID: "shimlock", Label: "Lock+Unlock through the shim's C ABI (C++ calling what the native Go backend calls)", Op: "shimlock", N: 20000, NShort: 300, CppOnly: true},
		{ID: "attach", Label: "Attach+Detach of an existing segment", Op: "attach", N: 2000, NShort: 30},
		{ID: "create", Label: "Create+Close (4 KiB)", Op: "create", N: 500, NShort: 10},
	}
	n := map[int][2]int{64: {20000, 300}, 4 << 10: {20000, 300}, 1 << 20: {300, 5}, 64 << 20: {5, 1}}
	m := map[int][2]int{64: {1000000, 10000}, 4 << 10: {200000, 2000}, 1 << 20: {300, 5}, 64 << 20: {5, 1}}
	for _, s := range copySizes {
		rows = append(rows, loopRow{ID: "copy/" + strconv.Itoa(s), Label: "Lock + copy " + sizeName(s) + " + Unlock", Op: "copy", Size: s, N: n[s][0], NShort: n[s][1], Bytes: true})
	}
	for _, s := range copySizes {
		rows = append(rows, loopRow{ID: "writeat/" + strconv.Itoa(s), Label: "Lock + WriteAt " + sizeName(s) + " + Unlock (C++: memcpy)", Op: "writeat", CppOp: "copy", Size: s, N: n[s][0], NShort: n[s][1], Bytes: true})
	}
	for _, s := range copySizes {
		rows = append(rows, loopRow{ID: "memcpy/" + strconv.Itoa(s), Label: "copy " + sizeName(s) + " alone (Go copy, C++ memcpy)", Op: "memcpy", Size: s, N: m[s][0], NShort: m[s][1], Bytes: true})
	}
	return rows
}

// sizeName is 64 B, 4 KiB, 1 MiB, 64 MiB.
func sizeName(s int) string {
	switch {
	case s >= 1<<20 && s%(1<<20) == 0:
		return strconv.Itoa(s>>20) + " MiB"
	case s >= 1<<10 && s%(1<<10) == 0:
		return strconv.Itoa(s>>10) + " KiB"
	}
	return strconv.Itoa(s) + " B"
}

var contenders = []int{2, 4, 8}

// sections are the parts of a run --only can pick.
var sections = []string{"loops", "contended", "handoff", "article"}

// handoffPair is a doorbell writer → reader pair; Qt is the C++ Qt 5.15 build.
type handoffPair struct{ Name, Writer, Reader string }

var handoffPairs = []handoffPair{
	{"Go → Go", "go", "go"}, {"Go → Qt", "go", "qt"}, {"Qt → Go", "qt", "go"}, {"Qt → Qt", "qt", "qt"},
}

// cell is what the rounds measured for one row and one column.
type cell struct {
	Values  []float64 `json:"values"`            // per round: ns per op, GB/s, ops/s, or the median latency in ns
	Wall    []float64 `json:"wall,omitempty"`    // per round: the whole loop's mean ns per op (single-process loops)
	CPU     []float64 `json:"cpu,omitempty"`     // per round: CPU ns per op (single-process loops)
	Allocs  []float64 `json:"allocs,omitempty"`  // per round: heap allocations per op (Go loops)
	P99     []float64 `json:"p99,omitempty"`     // per round: the 99th percentile latency (hand-offs)
	Samples []float64 `json:"samples,omitempty"` // the article scenario: every delay, ns
	Qt      string    `json:"qt,omitempty"`      // the Qt version the run reported
	Errors  []string  `json:"errors,omitempty"`
}

// results are every cell by row ID and column ID.
type results struct {
	Started  time.Time                   `json:"started"`
	Finished time.Time                   `json:"finished"`
	Rounds   int                         `json:"rounds"`
	Short    bool                        `json:"short"`
	Host     hostInfo                    `json:"host"`
	Kinds    []kindInfo                  `json:"kinds"`
	Cells    map[string]map[string]*cell `json:"cells"`
	Notes    []string                    `json:"notes,omitempty"`
	Leftover string                      `json:"leftover,omitempty"`
}

type kindInfo struct {
	ID, Name string
	Cpp      bool
}

func (r *results) cell(row, col string) *cell {
	if r.Cells == nil {
		r.Cells = map[string]map[string]*cell{}
	}
	if r.Cells[row] == nil {
		r.Cells[row] = map[string]*cell{}
	}
	c := r.Cells[row][col]
	if c == nil {
		c = &cell{}
		r.Cells[row][col] = c
	}
	return c
}

type driver struct {
	kinds   []*kind
	res     *results
	tmp     string
	short   bool
	rounds  int
	only    map[string]bool
	seq     int
	failed  int
	log     io.Writer
	timeout time.Duration
}

// runDriver is `bench run`: it runs every measurement, writes results.md, results.json and
// chart.png to --out and prints the table.
func runDriver(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	peers := fs.String("peers", ".cache/build", "directory of the Qt builds (qt5, qt6, qt68 with qtshm-bench, doorbell-writer, doorbell-reader)")
	goPure := fs.String("go-pure", "", "this program built with the pure backend (default: this binary)")
	goQt5 := fs.String("go-qt5", "", "this program built with -tags qt5")
	goQt6 := fs.String("go-qt6", "", "this program built with -tags qt6")
	goQt68 := fs.String("go-qt68", "", "this program built with -tags qt6 against Qt 6.8 (scripts/bench.sh builds it in the Debian 13 root)")
	out := fs.String("out", ".cache/bench", "directory for results.md, results.json and chart.png")
	rounds := fs.Int("rounds", 5, "interleaved rounds")
	short := fs.Bool("short", false, "tiny counts and one round: checks that everything runs (seconds)")
	requireAll := fs.Bool("require-all", false, "fail when a Qt build or Go build is missing (CI)")
	only := fs.String("only", "", "comma-separated sections to run: loops,contended,handoff,article (default: all)")
	tmpParent := fs.String("tmpdir", "", "where to make the run's temp directory, which holds Qt's key files (default: $TMPDIR or /tmp)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *short {
		*rounds = 1
	}
	if *rounds < 1 {
		fmt.Fprintln(stderr, "bench run: --rounds must be >= 1")
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "bench run:", err)
		return 1
	}
	if *goPure == "" {
		*goPure = self
	}
	tmp, err := os.MkdirTemp(*tmpParent, "qtshm-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "bench run:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// This process creates segments too (the counter, the article's data): with the same
	// temp directory as the workers, so that the keys meet.
	os.Setenv("TMPDIR", tmp)

	host := readHost()
	host.TempFS = fsType(tmp)
	d := &driver{res: &results{Started: time.Now(), Rounds: *rounds, Short: *short, Host: host}, tmp: tmp,
		short: *short, rounds: *rounds, log: stderr, timeout: 3 * time.Minute}
	if *only != "" {
		d.only = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(sections, s) {
				fmt.Fprintf(stderr, "bench run: --only: unknown section %q (sections: %s)\n", s, strings.Join(sections, ","))
				return 2
			}
			d.only[s] = true
		}
	}
	var missing []string
	for _, q := range []struct{ id, dir, name string }{{"cpp-qt5", "qt5", "C++ Qt 5.15"}, {"cpp-qt6", "qt6", "C++ Qt 6.4"}, {"cpp-qt68", "qt68", "C++ Qt 6.8"}} {
		dir := filepath.Join(*peers, q.dir)
		prog := filepath.Join(dir, "qtshm-bench")
		if _, err := os.Stat(prog); err != nil {
			missing = append(missing, fmt.Sprintf("%s (%v; scripts/setup.sh builds it)", q.name, err))
			continue
		}
		d.kinds = append(d.kinds, &kind{ID: q.id, Name: q.name, Cpp: true, argv: []string{prog}, dir: dir})
	}
	for _, g := range []struct{ id, path, name string }{{"go-pure", *goPure, "Go pure"}, {"go-qt5", *goQt5, "Go native Qt 5.15"}, {"go-qt6", *goQt6, "Go native Qt 6.4"}, {"go-qt68", *goQt68, "Go native Qt 6.8"}} {
		if g.path == "" {
			missing = append(missing, g.name+" (no binary given)")
			continue
		}
		if _, err := os.Stat(g.path); err != nil {
			missing = append(missing, fmt.Sprintf("%s (%v)", g.name, err))
			continue
		}
		d.kinds = append(d.kinds, &kind{ID: g.id, Name: g.name, argv: []string{g.path}})
	}
	for _, m := range missing {
		d.note("not measured: " + m)
	}
	if *requireAll && len(missing) > 0 {
		fmt.Fprintf(stderr, "bench run: missing builds (--require-all): %s\n", strings.Join(missing, "; "))
		return 1
	}
	for _, k := range d.kinds {
		d.res.Kinds = append(d.res.Kinds, kindInfo{ID: k.ID, Name: k.Name, Cpp: k.Cpp})
	}

	for r := range d.rounds {
		fmt.Fprintf(stderr, "[bench] round %d of %d\n", r+1, d.rounds)
		if d.want("loops") {
			d.loopRound(r)
		}
		if d.want("contended") {
			d.contendedRound(r)
		}
		if d.want("handoff") {
			d.handoffRound(r)
		}
	}
	if d.want("article") {
		d.article()
	}
	d.res.Finished = time.Now()
	d.res.Host.LoadAfter = loadAverage()
	d.res.Leftover = leftovers(tmp)
	if d.res.Leftover != "" {
		d.note("left behind by the run: " + d.res.Leftover)
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "bench run:", err)
		return 1
	}
	md := renderMarkdown(d.res)
	js, _ := json.MarshalIndent(d.res, "", "  ")
	png, err := renderChart(d.res)
	for _, f := range []struct {
		name string
		data []byte
		err  error
	}{{"results.md", []byte(md), nil}, {"results.json", js, nil}, {"chart.png", png, err}} {
		if f.err != nil {
			fmt.Fprintf(stderr, "bench run: %s: %v\n", f.name, f.err)
			d.failed++
			continue
		}
		if err := os.WriteFile(filepath.Join(*out, f.name), f.data, 0o644); err != nil {
			fmt.Fprintln(stderr, "bench run:", err)
			d.failed++
		}
	}
	fmt.Fprint(stdout, md)
	fmt.Fprintf(stdout, "\nwritten: %s, %s, %s\n", filepath.Join(*out, "results.md"), filepath.Join(*out, "results.json"), filepath.Join(*out, "chart.png"))
	if d.failed > 0 {
		fmt.Fprintf(stderr, "bench run: %d measurement(s) failed (see the notes)\n", d.failed)
		return 1
	}
	return 0
}

func (d *driver) want(section string) bool { return d.only == nil || d.only[section] }

func (d *driver) note(s string) {
	d.res.Notes = append(d.res.Notes, s)
	fmt.Fprintln(d.log, "[bench]", s)
}

func (d *driver) fail(c *cell, what string, err error) {
	d.failed++
	msg := fmt.Sprintf("%s: %v", what, err)
	c.Errors = append(c.Errors, msg)
	d.note("failed: " + msg)
}

// order is the kinds in this round's order: forwards in even rounds, backwards in odd ones.
func (d *driver) order(round int) []*kind {
	ks := slices.Clone(d.kinds)
	if round%2 == 1 {
		slices.Reverse(ks)
	}
	return ks
}

func (d *driver) newKey(what string) string {
	d.seq++
	return fmt.Sprintf("qtshm-bench-%s-%d-%d", what, os.Getpid(), d.seq)
}

func (d *driver) n(r loopRow) int {
	if d.short {
		return r.NShort
	}
	return r.N
}

func (d *driver) loopRound(round int) {
	for _, row := range loopRows() {
		for _, k := range d.order(round) {
			if row.CppOnly && !k.Cpp {
				continue
			}
			c := d.res.cell(row.ID, k.ID)
			op := row.Op
			if k.Cpp && row.CppOp != "" {
				op = row.CppOp
			}
			rec, err := d.runLoop(k, op, d.newKey(op), d.n(row), max(row.Size, 1))
			if err != nil {
				d.fail(c, row.Label+" on "+k.Name, err)
				continue
			}
			v := rec.NsPerOp
			if row.Bytes {
				v = float64(row.Size) / rec.NsPerOp // bytes per ns = GB/s
			}
			c.Values = append(c.Values, v)
			c.Wall = append(c.Wall, rec.WallNsPerOp)
			c.CPU = append(c.CPU, rec.CPUNsPerOp)
			if rec.AllocsPerOp != nil {
				c.Allocs = append(c.Allocs, *rec.AllocsPerOp)
			}
			c.Qt = rec.Qt
		}
	}
}

// env is the environment of every program the driver runs: the private temp directory (so
// that every key file lands there) and a UTF-8 locale, as on a desktop.
func (d *driver) env() []string {
	return append(os.Environ(), "TMPDIR="+d.tmp, "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
}

func (d *driver) runLoop(k *kind, op, key string, n, size int) (record, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	args := append(slices.Clone(k.argv[1:]), op, "--key", key, "--n", strconv.Itoa(n), "--size", strconv.Itoa(size))
	cmd := exec.CommandContext(ctx, k.argv[0], args...)
	cmd.Env = d.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	rec, perr := lastRecord(out)
	switch {
	case perr == nil && !rec.OK:
		return rec, fmt.Errorf("%s", rec.Error)
	case err != nil:
		return rec, fmt.Errorf("%v: %v %s", cmd.Args, err, strings.TrimSpace(stderr.String()))
	case perr != nil:
		return rec, fmt.Errorf("%v: %v", cmd.Args, perr)
	}
	return rec, nil
}

// lastRecord parses the last line of a worker's output.
func lastRecord(out []byte) (record, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var r record
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return r, fmt.Errorf("bad result line %q: %v", lines[len(lines)-1], err)
	}
	return r, nil
}

// proc is a running program whose output lines the driver reads.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func (d *driver) start(ctx context.Context, argv ...string) (*proc, error) {
	p := &proc{lines: make(chan string, 1<<16), done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, argv[0], argv[1:]...)
	p.cmd.Env = d.env()
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = 5 * time.Second
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			p.lines <- s.Text()
		}
		close(p.lines)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// next is the program's next output line.
func (p *proc) next(timeout time.Duration) (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			<-p.done
			return "", fmt.Errorf("%v exited (%v) %s", p.cmd.Args, p.err, strings.TrimSpace(p.stderr.String()))
		}
		return l, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("%v: no output for %v", p.cmd.Args, timeout)
	}
}

// wait waits for the program to exit and returns its remaining output lines.
func (p *proc) wait() ([]string, error) {
	var rest []string
	for l := range p.lines {
		rest = append(rest, l)
	}
	<-p.done
	if p.err != nil {
		return rest, fmt.Errorf("%v: %v %s", p.cmd.Args, p.err, strings.TrimSpace(p.stderr.String()))
	}
	return rest, nil
}

// stop kills the program if it still runs.
func (p *proc) stop() {
	if p == nil {
		return
	}
	p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// contendedRound: N processes of one kind do M locked increments each on one counter.
func (d *driver) contendedRound(round int) {
	m := 3000
	if d.short {
		m = 30
	}
	for _, n := range contenders {
		for _, k := range d.order(round) {
			c := d.res.cell("incr/"+strconv.Itoa(n), k.ID)
			opsPerSec, qt, err := d.contended(k, n, m)
			if err != nil {
				d.fail(c, fmt.Sprintf("%d processes on %s", n, k.Name), err)
				continue
			}
			c.Values = append(c.Values, opsPerSec)
			c.Qt = qt
		}
	}
}

func (d *driver) contended(k *kind, n, m int) (float64, string, error) {
	key := d.newKey("incr")
	counter := qtshm.New(key)
	defer counter.Close()
	if err := counter.Create(64, qtshm.ReadWrite); err != nil {
		return 0, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	var ps []*proc
	defer func() {
		for _, p := range ps {
			p.stop()
		}
	}()
	for range n {
		p, err := d.start(ctx, append(slices.Clone(k.argv), "incr", "--key", key, "--n", strconv.Itoa(m))...)
		if err != nil {
			return 0, "", err
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		l, err := p.next(time.Minute)
		if err != nil {
			return 0, "", err
		}
		if !strings.Contains(l, `"op":"ready"`) {
			return 0, "", fmt.Errorf("%v: %s", p.cmd.Args, l)
		}
	}
	for _, p := range ps {
		io.WriteString(p.stdin, "go\n")
	}
	var first, last int64
	qt := ""
	for i, p := range ps {
		lines, err := p.wait()
		if err != nil {
			return 0, "", err
		}
		r, err := lastRecord([]byte(strings.Join(lines, "\n")))
		if err != nil {
			return 0, "", err
		}
		if !r.OK {
			return 0, "", errors.New(r.Error)
		}
		if i == 0 || r.StartNs < first {
			first = r.StartNs
		}
		last = max(last, r.EndNs)
		qt = r.Qt
	}
	if err := counter.Lock(); err != nil {
		return 0, "", err
	}
	v := binary.LittleEndian.Uint64(counter.Data())
	counter.Unlock()
	if v != uint64(n*m) {
		return 0, "", fmt.Errorf("the counter is %d after %d × %d locked increments: the lock did not exclude", v, n, m)
	}
	return float64(n*m) / (float64(last-first) / 1e9), qt, nil
}

// endpoint is the argv prefix of a doorbell writer or reader: the Qt 5.15 programs, or this
// program built with the pure backend (the doorbell always uses it).
func (d *driver) endpoint(side, role string) ([]string, error) {
	if side == "go" {
		for _, k := range d.kinds {
			if k.ID == "go-pure" {
				return append(slices.Clone(k.argv), "db"+role), nil
			}
		}
		return nil, errors.New("no pure Go build")
	}
	for _, k := range d.kinds {
		if k.ID == "cpp-qt5" {
			return []string{filepath.Join(k.dir, "doorbell-"+role)}, nil
		}
	}
	return nil, errors.New("no Qt 5.15 build")
}

func (d *driver) handoffRound(round int) {
	count := 300
	if d.short {
		count = 10
	}
	pairs := slices.Clone(handoffPairs)
	if round%2 == 1 {
		slices.Reverse(pairs)
	}
	for _, pr := range pairs {
		c := d.res.cell("handoff", pr.Name)
		lat, err := d.handoff(pr, count)
		if err != nil {
			d.fail(c, "doorbell hand-off "+pr.Name, err)
			continue
		}
		c.Values = append(c.Values, median(lat))
		c.P99 = append(c.P99, quantile(lat, 0.99))
	}
}

// handoff runs count lockstep hand-offs (the writer writes only when the reader waits) and
// returns each one's latency in ns: from the writer's clock reading before it takes the data
// segment's lock to the reader's after it has read the data.
func (d *driver) handoff(pr handoffPair, count int) ([]float64, error) {
	wArgv, err := d.endpoint(pr.Writer, "writer")
	if err != nil {
		return nil, err
	}
	rArgv, err := d.endpoint(pr.Reader, "reader")
	if err != nil {
		return nil, err
	}
	key, bell := d.newKey("data"), d.newKey("bell")
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	w, err := d.start(ctx, append(wArgv, "--key", key, "--doorbell", bell, "--count", strconv.Itoa(count), "--wait-waiters", "1")...)
	if err != nil {
		return nil, err
	}
	defer w.stop()
	var g0 uint64
	if err := expectReady(w, &g0); err != nil {
		return nil, err
	}
	r, err := d.start(ctx, append(rArgv, "--key", key, "--doorbell", bell, "--until", strconv.FormatUint(g0+uint64(count), 10))...)
	if err != nil {
		return nil, err
	}
	defer r.stop()
	var ignored uint64
	if err := expectReady(r, &ignored); err != nil {
		return nil, err
	}
	lines, err := r.wait()
	if err != nil {
		return nil, err
	}
	if _, err := w.wait(); err != nil {
		return nil, err
	}
	lat := delays(lines)
	if len(lat) != count {
		return nil, fmt.Errorf("the reader saw %d of %d writes: %q", len(lat), count, lines)
	}
	return lat, nil
}

func expectReady(p *proc, gen *uint64) error {
	l, err := p.next(time.Minute)
	if err != nil {
		return err
	}
	if _, err := fmt.Sscanf(l, "ready gen=%d", gen); err != nil {
		return fmt.Errorf("%v: %q is not the ready line", p.cmd.Args, l)
	}
	return nil
}

// delays are the latencies of a reader's lines "gen=<G> seen=<ns> seq=<i> t=<ns>".
func delays(lines []string) []float64 {
	var out []float64
	for _, l := range lines {
		var g, seq uint64
		var seen, t int64
		if n, _ := fmt.Sscanf(l, "gen=%d seen=%d seq=%d t=%d", &g, &seen, &seq, &t); n == 4 {
			out = append(out, float64(seen-t))
		}
	}
	return out
}

// article is the article's scenario: a Qt writer writes a new message now and then (here every
// 1.05 s, so that the phase against the reader's timer sweeps the whole second), and readers see
// it: the article's reader polling every second, and doorbell readers (Qt and Go) woken by it.
func (d *driver) article() {
	writes := 20
	if d.short {
		writes = 2
	}
	readers := []struct{ id, name string }{{"poll", "Qt 5.15 reader polling every 1 s (the article)"}, {"bell-qt", "Qt 5.15 reader woken by the doorbell"}, {"bell-go", "Go reader woken by the doorbell"}}
	samples, err := d.articleRun(writes)
	for i, r := range readers {
		c := d.res.cell("article", r.id)
		if err != nil {
			if i == 0 {
				d.fail(c, "article scenario", err)
			}
			continue
		}
		c.Samples = samples[i]
		c.Values = []float64{median(samples[i])}
		c.P99 = []float64{quantile(samples[i], 0.99)}
	}
}

func (d *driver) articleRun(writes int) ([3][]float64, error) {
	var out [3][]float64
	var cpp *kind
	for _, k := range d.kinds {
		if k.ID == "cpp-qt5" {
			cpp = k
		}
	}
	goReader, err := d.endpoint("go", "reader")
	if cpp == nil || err != nil {
		return out, errors.New("needs the C++ Qt 5.15 build and the pure Go build")
	}
	key, bell := d.newKey("article"), d.newKey("articlebell")
	data := qtshm.New(key)
	defer data.Close()
	if err := data.Create(1024, qtshm.ReadWrite); err != nil {
		return out, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	until := strconv.Itoa(writes)
	argvs := [][]string{
		{filepath.Join(cpp.dir, "qtshm-bench"), "pollreader", "--key", key, "--interval", "1000", "--until", until},
		{filepath.Join(cpp.dir, "doorbell-reader"), "--key", key, "--doorbell", bell, "--until", until},
		append(goReader, "--key", key, "--doorbell", bell, "--until", until),
	}
	var ps []*proc
	defer func() {
		for _, p := range ps {
			p.stop()
		}
	}()
	for _, argv := range argvs {
		p, err := d.start(ctx, argv...)
		if err != nil {
			return out, err
		}
		ps = append(ps, p)
		var g uint64
		if err := expectReady(p, &g); err != nil {
			return out, err
		}
		if g != 0 {
			return out, fmt.Errorf("%v: a new doorbell is at generation %d", argv, g)
		}
	}
	w, err := d.start(ctx, filepath.Join(cpp.dir, "doorbell-writer"), "--key", key, "--doorbell", bell, "--count", until, "--interval", "1050")
	if err != nil {
		return out, err
	}
	defer w.stop()
	for i, p := range ps {
		lines, err := p.wait()
		if err != nil {
			return out, err
		}
		out[i] = delays(lines)
		if len(out[i]) != writes {
			return out, fmt.Errorf("%v saw %d of %d writes", p.cmd.Args, len(out[i]), writes)
		}
	}
	if _, err := w.wait(); err != nil {
		return out, err
	}
	return out, nil
}
