package testenv

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

func init() {
	// lines prints its arguments, one a line, and exits 0.
	RegisterHelper("lines", func(args []string) int {
		for _, a := range args {
			fmt.Println(a)
		}
		return 0
	})
	// chatter prints N numbered lines as fast as it can, then reads stdin until EOF and exits 0.
	RegisterHelper("chatter", func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		w := bufio.NewWriter(os.Stdout)
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "line %d of the chatter\n", i)
		}
		w.Flush()
		bufio.NewScanner(os.Stdin).Scan()
		return 0
	})
	// stubborn prints nothing and does not exit when its stdin closes.
	RegisterHelper("stubborn", func([]string) int {
		time.Sleep(time.Hour)
		return 0
	})
	// silent prints nothing and reads stdin until EOF.
	RegisterHelper("silent", func([]string) int {
		bufio.NewScanner(os.Stdin).Scan()
		return 0
	})
}

// hangBound bounds each case below: a harness call that has not returned by then hangs.
const hangBound = 45 * time.Second

// fakeTB stands for the test in the code under test: its failures are recorded instead of
// failing the real test (Fatal ends the calling goroutine, as testing does), and its deadline
// is set by the case. Everything else (Cleanup, Logf, Helper) is the real test's.
type fakeTB struct {
	testing.TB
	deadline time.Time
	mu       sync.Mutex
	msgs     []string
}

func (f *fakeTB) Deadline() (time.Time, bool) { return f.deadline, !f.deadline.IsZero() }

func (f *fakeTB) record(msg string) {
	f.mu.Lock()
	f.msgs = append(f.msgs, msg)
	f.mu.Unlock()
}

func (f *fakeTB) Errorf(format string, args ...any) { f.record(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Error(args ...any)                 { f.record(fmt.Sprint(args...)) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.record(fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) { f.record(fmt.Sprint(args...)); runtime.Goexit() }

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.msgs) > 0
}

func (f *fakeTB) failure() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "\n")
}

// run runs fn as the fake test's body (in a goroutine of its own, so that Fatal can end it) and
// fails the real test if fn does not return within hangBound.
func (f *fakeTB) run(what string, fn func()) {
	f.TB.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(hangBound):
		f.TB.Fatalf("%s did not return within %v: the harness hangs", what, hangBound)
	}
}

func newFake(t *testing.T) *fakeTB { return &fakeTB{TB: t} }

func TestExpectTakesLinesInOrder(t *testing.T) {
	f := newFake(t)
	f.run("Expect", func() {
		p := Helper(f, "lines", "one", "two", "three")
		p.Expect("one")
		if got := p.NextLine(); got != "two" {
			t.Errorf("NextLine after the first line: %q, want %q", got, "two")
		}
		p.Expect("thr")
		p.MustSucceed()
	})
	if f.Failed() {
		t.Fatalf("the harness failed a correct test:\n%s", f.failure())
	}
}

func TestExpectFailsOnOtherNextLine(t *testing.T) {
	f := newFake(t)
	f.run("Expect", func() {
		p := Helper(f, "lines", "first", "second")
		p.Expect("second") // the next line is "first": a failure, not a skip
		t.Error("Expect returned although the next line does not contain what it expects")
	})
	msg := f.failure()
	for _, want := range []string{`line 1 is "first"`, `expected a line containing "second"`, ">    1  first", "     2  second"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure does not say %q:\n%s", want, msg)
		}
	}
	t.Logf("the failure reads:\n%s", msg)
}

func TestExpectAfterSkipsOnlyWhatItNames(t *testing.T) {
	f := newFake(t)
	f.run("ExpectAfter", func() {
		p := Helper(f, "lines", "noise 1", "noise 2", "target", "noise 3", "other", "target")
		if got := p.ExpectAfter("target", "noise"); got != "target" {
			t.Errorf("ExpectAfter returned %q", got)
		}
		p.ExpectAfter("target", "noise") // "other" is not skippable
		t.Error("ExpectAfter passed over a line it was not told it may skip")
	})
	if msg := f.failure(); !strings.Contains(msg, `line 5 is "other"`) {
		t.Errorf("the failure does not name the unexpected line 5:\n%s", msg)
	}
}

func TestExpectFailsWhenProcessExits(t *testing.T) {
	f := newFake(t)
	f.run("Expect", func() {
		p := Helper(f, "lines", "only")
		p.Expect("only")
		p.Expect("more")
		t.Error("Expect returned a line the process never printed")
	})
	if msg := f.failure(); !strings.Contains(msg, "exited (exit status 0) before printing") {
		t.Errorf("the failure does not say the process exited:\n%s", msg)
	}
}

// TestDeadlineBoundsWaits: a wait ends at the test's deadline less Grace, long before its step
// limit (an hour here), and the failure says so.
func TestDeadlineBoundsWaits(t *testing.T) {
	f := newFake(t)
	f.deadline = time.Now().Add(Grace + 500*time.Millisecond)
	f.run("Expect on a silent process", func() {
		p := Helper(f, "silent").SetStepLimit(time.Hour)
		p.Expect("anything")
		t.Error("Expect returned although the process printed nothing")
	})
	msg := f.failure()
	if !strings.Contains(msg, "test deadline") || !strings.Contains(msg, "printed no line") {
		t.Errorf("the failure does not blame the deadline:\n%s", msg)
	}
	t.Logf("the failure reads: %s", msg)

	f = newFake(t)
	f.deadline = time.Now().Add(Grace + 500*time.Millisecond)
	f.run("Wait on a process that does not exit", func() {
		p := Helper(f, "stubborn").SetStepLimit(time.Hour)
		p.Wait()
		t.Error("Wait returned although the process did not exit")
	})
	if msg := f.failure(); !strings.Contains(msg, "did not exit within") || !strings.Contains(msg, "test deadline") {
		t.Errorf("the failure does not blame the deadline:\n%s", msg)
	}
}

func TestBound(t *testing.T) {
	f := newFake(t)
	if d, why := Bound(f, time.Minute); d != time.Minute || why != "the step limit" {
		t.Errorf("no deadline: Bound = %v (%s), want the limit", d, why)
	}
	f.deadline = time.Now().Add(Grace + time.Hour)
	if d, _ := Bound(f, time.Minute); d != time.Minute {
		t.Errorf("a distant deadline: Bound = %v, want the limit", d)
	}
	f.deadline = time.Now().Add(Grace + 10*time.Second)
	if d, why := Bound(f, time.Hour); d <= 0 || d > 10*time.Second || !strings.Contains(why, "deadline") {
		t.Errorf("a near deadline: Bound = %v (%s), want at most 10s, from the deadline", d, why)
	}
	f.deadline = time.Now().Add(Grace / 2)
	if d, _ := Bound(f, time.Hour); d != 0 {
		t.Errorf("inside the grace period: Bound = %v, want 0", d)
	}
	f.deadline = time.Now().Add(Grace + 10*time.Second)
	ctx := Context(f, time.Hour)
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > 10*time.Second {
		t.Errorf("Context: deadline %v (%v), want within 10s", dl, ok)
	}
}

// chatterLines is more than any pipe and channel buffer holds: a harness whose reader blocks
// when nobody consumes lines would hang Kill and Wait.
const chatterLines = 100_000

func TestChattyProcessCanBeKilled(t *testing.T) {
	f := newFake(t)
	var p *Proc
	f.run("Kill of a process that printed 100k unread lines", func() {
		p = Helper(f, "chatter", strconv.Itoa(chatterLines))
		p.Expect("line 0 ")
		waitForLines(f, p, chatterLines) // it has printed everything and now blocks on stdin
		p.Kill()
	})
	if f.Failed() {
		t.Fatal(f.failure())
	}
}

func TestChattyProcessCanBeWaitedFor(t *testing.T) {
	f := newFake(t)
	var p *Proc
	f.run("Wait for a process that printed 100k unread lines", func() {
		p = Helper(f, "chatter", strconv.Itoa(chatterLines))
		p.MustSucceed() // closes its stdin: it exits once it has printed everything
	})
	if f.Failed() {
		t.Fatal(f.failure())
	}
	if n := strings.Count(p.Output(), "\n") + 1; n != chatterLines {
		t.Fatalf("Output has %d lines, want %d", n, chatterLines)
	}
}

// waitForLines waits until p has read n lines (bounded by the fake test's hang bound).
func waitForLines(f *fakeTB, p *Proc, n int) {
	for i := 0; ; i++ {
		p.mu.Lock()
		got := len(p.lines)
		p.mu.Unlock()
		if got >= n {
			return
		}
		if i > int(hangBound/(10*time.Millisecond)) {
			f.Fatalf("only %d of %d lines read", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
