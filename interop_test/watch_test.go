//go:build linux

package interop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// The doorbell tests (docs/doorbell.md). What they count, exactly:
//
//   - lockstep (the writer writes only when all readers are registered, i.e. waiting): every
//     reader sees every generation 1..N exactly once, in order, each with the data of that
//     write, and nothing else;
//   - free-running (the writer writes and rings as fast as it can): each reader's generations
//     strictly increase, the data it reads is never older than the generation it was woken
//     for, and every reader ends on generation N with the data of write N: nobody misses the
//     latest state.
//
// Latency is write → reader woken and the copy taken: the writer puts its wall-clock time in
// the data, the reader prints when it saw the change. The figures are logged, not asserted.

const watchWrites = 1000

// watchLine is one line of `qtshm watch --json`.
type watchLine struct {
	Time       time.Time
	Source     string
	Exists     bool
	Generation uint64
	Text       string
}

var rePayload = regexp.MustCompile(`^seq=(\d+) t=(\d+)$`)

// payload parses "seq=<i> t=<unix ns>".
func payload(t *testing.T, text string) (int, time.Time) {
	t.Helper()
	m := rePayload.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("data %q is not a writer's payload", text)
	}
	seq, _ := strconv.Atoi(m[1])
	ns, _ := strconv.ParseInt(m[2], 10, 64)
	return seq, time.Unix(0, ns)
}

func nextWatchLine(t *testing.T, p *testenv.Proc) watchLine {
	t.Helper()
	line := p.NextLine()
	var w watchLine
	if err := json.Unmarshal([]byte(line), &w); err != nil {
		t.Fatalf("bad watch line %q: %v\n%s", line, err, p.Output())
	}
	return w
}

// startWatchers starts n `qtshm watch KEY --doorbell DKEY --json` processes and reads their
// initial lines.
func startWatchers(t *testing.T, g peerKind, n int, key, dkey string, extra ...string) []*testenv.Proc {
	t.Helper()
	var ps []*testenv.Proc
	for i := 0; i < n; i++ {
		args := append([]string{g.bin, "watch", key, "--doorbell", dkey, "--json", "--backend", g.backend}, extra...)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = peerEnv()
		p := testenv.Start(t, cmd)
		// Even when the test fails: a clean stop, not the harness's SIGKILL, so that the
		// watcher's objects go away (a killed one leaves the control segment's lock behind).
		t.Cleanup(func() { p.Cmd.Process.Signal(syscall.SIGTERM); p.Wait() })
		if w := nextWatchLine(t, p); w.Source != "initial" {
			t.Fatalf("first line of a watcher: %+v, want the initial state", w)
		}
		ps = append(ps, p)
	}
	return ps
}

// stopWatchers stops each watcher with SIGTERM, which must end it cleanly (status 0).
func stopWatchers(t *testing.T, ps []*testenv.Proc) {
	t.Helper()
	for _, p := range ps {
		p.Cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range ps {
		p.MustSucceed()
	}
}

// waitWaiters polls the doorbell until n waiters are registered.
func waitWaiters(t *testing.T, d *qtshm.Doorbell, n int) {
	t.Helper()
	ctx := testenv.Context(t, testenv.StepLimit)
	for {
		_, w, err := d.Generation(ctx)
		if err != nil {
			t.Fatalf("doorbell generation: %v (waiting for %d waiters)", err, n)
		}
		if w >= n {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// goWrite writes the payload of write seq into m under its lock and rings d.
func goWrite(t *testing.T, m *qtshm.SharedMemory, d *qtshm.Doorbell, seq int) uint64 {
	t.Helper()
	ctx := testenv.Context(t, testenv.StepLimit)
	if err := m.LockContext(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := m.WriteAt([]byte(fmt.Sprintf("seq=%d t=%d\x00", seq, time.Now().UnixNano())), 0)
	m.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	g, err := d.RingContext(ctx)
	if err != nil {
		t.Fatalf("ring %d: %v", seq, err)
	}
	return g
}

// watchSetup creates the data segment and opens the doorbell (owning its bells) for a test.
func watchSetup(t *testing.T) (key, dkey string, m *qtshm.SharedMemory, d *qtshm.Doorbell) {
	t.Helper()
	key, dkey = keyFor(t), keyFor(t)+" doorbell"
	m = qtshm.New(key)
	if err := m.Create(1024, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	d, err := qtshm.OpenDoorbell(dkey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return key, dkey, m, d
}

// logLatencies logs the median, p99 and maximum of ds.
func logLatencies(t *testing.T, what string, ds []time.Duration) {
	t.Helper()
	slices.Sort(ds)
	if len(ds) == 0 {
		return
	}
	t.Logf("%s: %d deliveries, write → reader woken: median %v, p99 %v, max %v",
		what, len(ds), ds[len(ds)/2], ds[len(ds)*99/100], ds[len(ds)-1])
}

// checkLockstep reads watchWrites doorbell lines from each watcher: generation i carries
// write i, exactly, in order. It returns the latencies.
func checkLockstep(t *testing.T, ps []*testenv.Proc, base uint64) []time.Duration {
	t.Helper()
	var lat []time.Duration
	for r, p := range ps {
		for i := 1; i <= watchWrites; i++ {
			w := nextWatchLine(t, p)
			seq, sent := payload(t, w.Text)
			if w.Source != "doorbell" || w.Generation != base+uint64(i) || seq != i {
				t.Fatalf("reader %d, change %d: %+v; want generation %d by the doorbell with write %d\n%s", r, i, w, base+uint64(i), i, p.Output())
			}
			lat = append(lat, w.Time.Sub(sent))
		}
	}
	return lat
}

// TestWatchDoorbellLockstep: a Go writer and the Qt writers of every version, 1,000 writes each,
// 4 Go watcher processes: every watcher is woken once per write and sees every generation.
func TestWatchDoorbellLockstep(t *testing.T) {
	g := goKinds(t)[0]
	writers := []string{"Go"}
	qts := qtKinds(t)
	for _, q := range qts {
		writers = append(writers, q.Name)
	}
	for wi, name := range writers {
		t.Run(name+"_writer", func(t *testing.T) {
			key, dkey, m, d := watchSetup(t)
			ps := startWatchers(t, g, 4, key, dkey)
			if wi == 0 {
				for i := 1; i <= watchWrites; i++ {
					waitWaiters(t, d, 4)
					goWrite(t, m, d, i)
				}
			} else {
				cmd := exec.Command(qts[wi-1].dir+"/doorbell-writer", "--key", key, "--doorbell", dkey,
					"--count", strconv.Itoa(watchWrites), "--wait-waiters", "4", "--quit-on-eof")
				cmd.Env = peerEnv()
				w := testenv.Start(t, cmd)
				w.Expect("ready gen=0")
				defer w.MustSucceed() // closes its stdin: it exits after the readers are done
			}
			logLatencies(t, name+"→Go lockstep", checkLockstep(t, ps, 0))
			stopWatchers(t, ps)
			if _, n, _ := d.Generation(context.Background()); n != 0 {
				t.Fatalf("%d waiters still registered after the watchers stopped", n)
			}
		})
	}
}

// TestWatchDoorbellFreeRunning: a Go writer rings 1,000 times as fast as it can; 4 Go watchers
// never go back, never read data older than their generation, and all end on the last write.
func TestWatchDoorbellFreeRunning(t *testing.T) {
	g := goKinds(t)[0]
	key, dkey, m, d := watchSetup(t)
	ps := startWatchers(t, g, 4, key, dkey)
	waitWaiters(t, d, 4)
	for i := 1; i <= watchWrites; i++ {
		goWrite(t, m, d, i)
	}
	var lat []time.Duration
	for r, p := range ps {
		var last uint64
		wakes := 0
		for last < watchWrites {
			w := nextWatchLine(t, p)
			seq, sent := payload(t, w.Text)
			if w.Source != "doorbell" || w.Generation <= last || uint64(seq) < w.Generation {
				t.Fatalf("reader %d after generation %d: %+v\n%s", r, last, w, p.Output())
			}
			if uint64(seq) == w.Generation {
				lat = append(lat, w.Time.Sub(sent))
			}
			last = w.Generation
			wakes++
			if last == watchWrites && seq != watchWrites {
				t.Fatalf("reader %d ended on generation %d with write %d", r, last, seq)
			}
		}
		t.Logf("reader %d: woken %d times for %d writes, ended on generation %d", r, wakes, watchWrites, last)
	}
	logLatencies(t, "Go→Go free-running", lat)
	stopWatchers(t, ps)
}

// TestWatchDoorbellGoToQt: a Go writer wakes 4 Qt readers (doorbell-reader: Qt 5.15, 6.4, 6.8,
// and 5.15 again) in lockstep, 1,000 writes: each sees every generation with its write.
func TestWatchDoorbellGoToQt(t *testing.T) {
	qts := qtKinds(t)
	key, dkey, m, d := watchSetup(t)
	var ps []*testenv.Proc
	for i := 0; i < 4; i++ {
		cmd := exec.Command(qts[i%len(qts)].dir+"/doorbell-reader", "--key", key, "--doorbell", dkey, "--until", strconv.Itoa(watchWrites))
		cmd.Env = peerEnv()
		p := testenv.Start(t, cmd)
		p.Expect("ready gen=0")
		ps = append(ps, p)
	}
	for i := 1; i <= watchWrites; i++ {
		waitWaiters(t, d, 4)
		goWrite(t, m, d, i)
	}
	reLine := regexp.MustCompile(`^gen=(\d+) seen=(\d+) (.*)$`)
	var lat []time.Duration
	for r, p := range ps {
		for i := 1; i <= watchWrites; i++ {
			line := p.NextLine()
			f := reLine.FindStringSubmatch(line)
			if f == nil || f[1] != strconv.Itoa(i) {
				t.Fatalf("Qt reader %d, change %d: %q; want generation %d\n%s", r, i, line, i, p.Output())
			}
			seq, sent := payload(t, f[3])
			if seq != i {
				t.Fatalf("Qt reader %d, generation %d read write %d", r, i, seq)
			}
			ns, _ := strconv.ParseInt(f[2], 10, 64)
			lat = append(lat, time.Unix(0, ns).Sub(sent))
		}
		p.MustSucceed()
	}
	logLatencies(t, "Go→Qt lockstep", lat)
}

// TestWatchPollsArticleWriter: without a doorbell, `qtshm watch` sees the unmodified article
// writer's messages by comparing the segment: each change is a message the writer wrote, none
// twice, in order.
func TestWatchPollsArticleWriter(t *testing.T) {
	g := goKinds(t)[0]
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			key := keyFor(t)
			w := qtWriter(t, q, key)
			expectWriterStarted(t, w)
			cmd := exec.Command(g.bin, "watch", key, "--interval", "20ms", "--json")
			cmd.Env = peerEnv()
			p := testenv.Start(t, cmd)
			first := nextWatchLine(t, p)
			if first.Source != "initial" || !first.Exists || !strings.HasPrefix(first.Text, "程序1动态消息#") {
				t.Fatalf("initial line %+v", first)
			}
			prev := first.Text
			for i := 0; i < 5; i++ {
				c := nextWatchLine(t, p)
				if c.Source != "poll" || c.Text == prev || !strings.HasPrefix(c.Text, "程序1动态消息#") {
					t.Fatalf("change %d: %+v after %q", i, c, prev)
				}
				ts := strings.TrimPrefix(c.Text, "程序1动态消息#")
				deadline := time.Now().Add(2 * time.Second) // the writer prints after unlocking
				for !strings.Contains(w.Output(), ts) && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if !strings.Contains(w.Output(), ts) {
					t.Fatalf("watch saw %q, which the writer never wrote:\n%s", c.Text, w.Output())
				}
				sent, err := time.ParseInLocation("2006-01-02 15:04:05.000", ts, time.Local)
				if err != nil || !sent.After(mustParse(t, prev)) {
					t.Fatalf("change %d: %q is not after %q (%v)", i, c.Text, prev, err)
				}
				t.Logf("change %d: written %s, seen %v later (polling every 20ms)", i+1, ts, c.Time.Sub(sent).Round(time.Millisecond))
				prev = c.Text
			}
			stopWatchers(t, []*testenv.Proc{p})
			w.MustSucceed()
		})
	}
}

// mustParse parses the time of an article message.
func mustParse(t *testing.T, msg string) time.Time {
	t.Helper()
	ts, err := time.ParseInLocation("2006-01-02 15:04:05.000", strings.TrimPrefix(msg, "程序1动态消息#"), time.Local)
	if err != nil {
		t.Fatalf("message %q: %v", msg, err)
	}
	return ts
}

// TestWatchUsage: bad command lines exit with status 2 and one line on stderr.
func TestWatchUsage(t *testing.T) {
	g := goKinds(t)[0]
	for _, args := range [][]string{
		{"watch"},
		{"watch", ""},
		{"watch", "a", "b"},
		{"watch", "K", "--interval", "0"},
		{"watch", "K", "--doorbell", "K"},
		{"watch", "K", "--flavor", "qt4"},
		{"watch", "K", "--backend", "nope"},
		{"watch", "K", "--bogus"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, g.bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != 2 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("qtshm %q: status %d, stderr %q; want 2 and one line", args, code, stderr.String())
		}
	}
}
