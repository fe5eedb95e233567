package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxLine is the longest stdout line a Proc keeps; the rest of such an output is read and
// dropped (the process never blocks on it) and the test fails if it expects more lines.
const maxLine = 1 << 20

// stdoutDelay is how long a Proc keeps reading stdout after the process exited: a child of the
// process (runuser's, a shell's) may hold it open; after that, it is abandoned.
const stdoutDelay = 5 * time.Second

// Proc is a started helper or peer process. Its stdout is read line by line into a buffer that
// never fills: the process never blocks on output nobody consumes, so Kill and Wait always
// return. The test consumes the lines in order: [Proc.Expect] and [Proc.NextLine] take the next
// line; [Proc.ExpectAfter] passes over lines only of the kinds it names. Every wait is bounded
// by [Bound] (the step limit, cut to the test's deadline less [Grace]); a failure shows the
// whole output and where the test was in it.
type Proc struct {
	t     testing.TB
	Cmd   *exec.Cmd
	Stdin io.WriteCloser // closed by Wait and MustSucceed

	stdin  *os.File
	log    *logWriter
	limit  time.Duration
	decode func([]byte) string // nil: stdout is UTF-8

	mu      sync.Mutex
	lines   []line
	next    int           // index of the next line to consume
	eof     bool          // stdout is fully read (or abandoned)
	readErr error         // why reading stopped, when not at EOF
	changed chan struct{} // closed and replaced when a line arrives or reading stops

	exited chan struct{} // closed when the process has exited and been reaped
	done   chan struct{} // closed when the process has exited and stdout is read
	err    error         // the exit error, valid after exited
	waited bool
	last   time.Time // when the line the test last consumed arrived
}

type line struct {
	text string
	at   time.Time
}

// Helper starts the test binary as the registered helper name with args. The process is killed
// and waited for at cleanup.
func Helper(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"--"}, args...)...)
	cmd.Env = append(os.Environ(), envHelper+"="+name)
	// A -race binary sleeps 1 s at exit by default; a helper has nothing to report then.
	cmd.Env = append(cmd.Env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	return Start(t, cmd)
}

// Start starts cmd with its stdin and stdout connected to the Proc (stderr, unless set, goes to
// the test log). The process gets a process group of its own, which Kill and the cleanup kill
// whole, and SIGKILL when the test binary dies. A cleanup kills it if it is still running and
// reports a process the test never waited for.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	return start(t, cmd, nil)
}

// StartDecoded is Start for a process whose stdout is not UTF-8: decode turns each line's bytes
// into the text the test reads (e.g. a Windows program's output in its ANSI code page).
func StartDecoded(t testing.TB, cmd *exec.Cmd, decode func([]byte) string) *Proc {
	t.Helper()
	return start(t, cmd, decode)
}

func start(t testing.TB, cmd *exec.Cmd, decode func([]byte) string) *Proc {
	t.Helper()
	p := &Proc{t: t, Cmd: cmd, limit: StepLimit, changed: make(chan struct{}),
		exited: make(chan struct{}), done: make(chan struct{}), decode: decode}
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	if cmd.Stderr == nil {
		p.log = &logWriter{t: t, prefix: filepath.Base(cmd.Path)}
		cmd.Stderr = p.log
	}
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = stdoutDelay
	}
	ownGroup(cmd)
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	if p.log != nil {
		p.log.setPrefix(fmt.Sprintf("%s %d", filepath.Base(cmd.Path), cmd.Process.Pid))
	}
	p.stdin, p.Stdin = inW, inW
	stdoutRead := make(chan struct{})
	go func() {
		p.read(outR)
		close(stdoutRead)
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
		select {
		case <-stdoutRead:
		case <-time.After(stdoutDelay):
			outR.SetReadDeadline(time.Now()) // a child of the process holds stdout: stop reading
			<-stdoutRead
		}
		inW.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.killGroup()
			select {
			case <-p.done:
			case <-time.After(2 * stdoutDelay):
				t.Errorf("process %v did not die within %v of SIGKILL", cmd.Args, 2*stdoutDelay)
			}
			if !p.waited && !t.Failed() {
				t.Errorf("process %v was started but the test did not wait for it", cmd.Args)
			}
		}
		if p.log != nil {
			p.log.close()
		}
	})
	return p
}

// read reads stdout into p.lines until EOF; it never blocks on the consumer.
func (p *Proc) read(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		text := sc.Text()
		if p.decode != nil {
			text = p.decode(sc.Bytes())
		}
		p.mu.Lock()
		p.lines = append(p.lines, line{text, time.Now()})
		p.signalLocked()
		p.mu.Unlock()
	}
	err := sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		err = fmt.Errorf("a stdout line longer than %d bytes (the rest of stdout was dropped)", maxLine)
		io.Copy(io.Discard, r)
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("stdout still open %v after the process exited (held by a child?); abandoned", stdoutDelay)
	}
	p.mu.Lock()
	p.eof, p.readErr = true, err
	p.signalLocked()
	p.mu.Unlock()
}

func (p *Proc) signalLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// SetStepLimit sets how long each later wait on p may take at most (default [StepLimit]), for a
// step known to take longer; the test's deadline less [Grace] still applies. It returns p.
func (p *Proc) SetStepLimit(d time.Duration) *Proc {
	p.limit = d
	return p
}

type takeResult int

const (
	gotLine takeResult = iota
	gotEOF
	timedOut
)

// take consumes the next line, waiting until timeout fires.
func (p *Proc) take(timeout <-chan time.Time) (line, int, takeResult) {
	for {
		p.mu.Lock()
		if p.next < len(p.lines) {
			l, n := p.lines[p.next], p.next
			p.next++
			p.mu.Unlock()
			p.last = l.at
			return l, n, gotLine
		}
		eof, changed := p.eof, p.changed
		p.mu.Unlock()
		if eof {
			return line{}, -1, gotEOF
		}
		select {
		case <-changed:
		case <-timeout:
			return line{}, -1, timedOut
		}
	}
}

// nextLine is the body of NextLine, Expect and ExpectAfter: want describes what the test waits
// for, in failure messages. It fails the test on EOF or timeout.
func (p *Proc) nextLine(want string, timer *time.Timer, bound time.Duration, why string) (string, int) {
	p.t.Helper()
	l, n, r := p.take(timer.C)
	switch r {
	case gotEOF:
		select {
		case <-p.exited:
		case <-timer.C:
			p.t.Fatalf("%v closed its stdout but did not exit within %v (%s); the test waited for %s; output:\n%s",
				p.Cmd.Args, bound, why, want, p.format(-1))
		}
		p.mu.Lock()
		readErr := p.readErr
		p.mu.Unlock()
		if readErr != nil {
			p.t.Fatalf("%v: %v; the test waited for %s; output:\n%s", p.Cmd.Args, readErr, want, p.format(-1))
		}
		p.t.Fatalf("%v exited (%v) before printing %s; output:\n%s", p.Cmd.Args, exitText(p.err), want, p.format(-1))
	case timedOut:
		p.t.Fatalf("%v printed no %s within %v (%s); output so far:\n%s", p.Cmd.Args, want, bound, why, p.format(-1))
	}
	return l.text, n
}

// TryLine returns the next stdout line if one comes within d, and ok false if none does (the
// process may still be running, or may have exited): for showing that a process is blocked.
func (p *Proc) TryLine(d time.Duration) (text string, ok bool) {
	l, _, r := p.take(time.After(d))
	return l.text, r == gotLine
}

// NextLine returns the next stdout line. It fails the test if the process exits first or no
// line comes within the bound.
func (p *Proc) NextLine() string {
	p.t.Helper()
	bound, why := Bound(p.t, p.limit)
	timer := time.NewTimer(bound)
	defer timer.Stop()
	text, _ := p.nextLine("line", timer, bound, why)
	return text
}

// Expect returns the next stdout line and fails the test unless it contains want; the failure
// names the line that came instead and shows the whole output.
func (p *Proc) Expect(want string) string {
	p.t.Helper()
	bound, why := Bound(p.t, p.limit)
	timer := time.NewTimer(bound)
	defer timer.Stop()
	text, n := p.nextLine(fmt.Sprintf("line containing %q", want), timer, bound, why)
	if !strings.Contains(text, want) {
		p.settle(timer)
		p.t.Fatalf("%v: line %d is %q, expected a line containing %q; output:\n%s", p.Cmd.Args, n+1, text, want, p.format(n))
	}
	return text
}

// ExpectAfter returns the first of the next stdout lines that contains want, passing over lines
// that contain one of skippable. Any other line fails the test, as in Expect. The whole wait
// is one step.
func (p *Proc) ExpectAfter(want string, skippable ...string) string {
	p.t.Helper()
	bound, why := Bound(p.t, p.limit)
	timer := time.NewTimer(bound)
	defer timer.Stop()
	desc := fmt.Sprintf("line containing %q (after lines containing any of %q)", want, skippable)
	for {
		text, n := p.nextLine(desc, timer, bound, why)
		if strings.Contains(text, want) {
			return text
		}
		skip := false
		for _, s := range skippable {
			skip = skip || strings.Contains(text, s)
		}
		if !skip {
			p.settle(timer)
			p.t.Fatalf("%v: line %d is %q, expected a line containing %q, or one containing any of %q; output:\n%s",
				p.Cmd.Args, n+1, text, want, skippable, p.format(n))
		}
	}
}

// settleTime is how long a failing expectation waits for more output to show.
const settleTime = time.Second

// settle waits a moment (at most settleTime, and not past timer) for the process to finish
// its output, so that a failure shows what came after the unexpected line too.
func (p *Proc) settle(timer *time.Timer) {
	select {
	case <-p.done:
	case <-timer.C:
	case <-time.After(settleTime):
	}
}

// LastLineTime returns when the line that NextLine, Expect or ExpectAfter last returned was
// read from the process.
func (p *Proc) LastLineTime() time.Time { return p.last }

// Send writes one line to the process's stdin, failing the test if that does not complete
// within the bound (a process that does not read) or the process has closed its stdin.
func (p *Proc) Send(text string) {
	p.t.Helper()
	bound, why := Bound(p.t, p.limit)
	p.stdin.SetWriteDeadline(time.Now().Add(bound))
	if _, err := io.WriteString(p.stdin, text+"\n"); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("not read within %v (%s)", bound, why)
		}
		p.t.Fatalf("write %q to %v: %v; output so far:\n%s", text, p.Cmd.Args, err, p.format(-1))
	}
}

// Wait closes stdin and waits for the process to exit and its output to be read, within the
// bound; it returns the exit error. A process still running then is killed and fails the test.
func (p *Proc) Wait() error {
	p.t.Helper()
	p.waited = true
	p.stdin.Close()
	bound, why := Bound(p.t, p.limit)
	select {
	case <-p.done:
		return p.err
	case <-time.After(bound):
	}
	p.killGroup()
	select {
	case <-p.done:
	case <-time.After(2 * stdoutDelay):
	}
	p.t.Fatalf("%v did not exit within %v (%s); killed; output:\n%s", p.Cmd.Args, bound, why, p.format(-1))
	return nil
}

// MustSucceed waits (as Wait) and fails the test unless the process exited with status 0.
func (p *Proc) MustSucceed() {
	p.t.Helper()
	if err := p.Wait(); err != nil {
		p.t.Fatalf("%v: %v; output:\n%s", p.Cmd.Args, exitText(err), p.format(-1))
	}
}

// Kill sends SIGKILL to the process's group and waits for the process to die and its output to
// be read, within the bound.
func (p *Proc) Kill() {
	p.t.Helper()
	p.waited = true
	p.killGroup()
	bound, why := Bound(p.t, p.limit)
	select {
	case <-p.done:
	case <-time.After(bound):
		p.t.Fatalf("%v did not die within %v (%s) of SIGKILL; output:\n%s", p.Cmd.Args, bound, why, p.format(-1))
	}
}

// killGroup kills the process and, while it has not been reaped (its pid cannot have been
// reused), its process group.
func (p *Proc) killGroup() {
	select {
	case <-p.exited:
		return
	default:
	}
	killGroup(p.Cmd.Process.Pid)
	p.Cmd.Process.Kill()
}

// Output returns all stdout lines read so far, consumed or not, joined by newlines.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for i, l := range p.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// maxShown is how many lines of output a failure message shows at most.
const maxShown = 1000

// format numbers the output's lines for a failure message, marking with '>' the line at (the
// one that failed; -1: none) and with '|' where the test has consumed up to. A long output is
// shortened in the middle, keeping its beginning and the lines up to the failure.
func (p *Proc) format(at int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.lines) == 0 {
		return "\t(no output)"
	}
	focus := at
	if focus < 0 {
		focus = p.next
	}
	show := func(i int) bool { return true }
	if len(p.lines) > maxShown {
		head, tail := maxShown/10, maxShown*9/10
		from := min(max(focus-tail/2, head), len(p.lines)-tail)
		show = func(i int) bool { return i < head || i >= from && i < from+tail }
	}
	var b strings.Builder
	skipped := 0
	flush := func() {
		if skipped > 0 {
			fmt.Fprintf(&b, "\t… %d lines not shown …\n", skipped)
			skipped = 0
		}
	}
	for i, l := range p.lines {
		if !show(i) {
			skipped++
			continue
		}
		flush()
		mark := " "
		switch {
		case i == at:
			mark = ">"
		case i < p.next:
			mark = "|"
		}
		fmt.Fprintf(&b, "\t%s%5d  %s\n", mark, i+1, l.text)
	}
	flush()
	fmt.Fprintf(&b, "\t(%d lines; '|' consumed by the test, '>' the one that failed)", len(p.lines))
	return b.String()
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// logWriter copies a process's stderr to the test log until the test's cleanup.
type logWriter struct {
	t      testing.TB
	mu     sync.Mutex
	prefix string
	closed bool
}

func (w *logWriter) setPrefix(s string) {
	w.mu.Lock()
	w.prefix = s
	w.mu.Unlock()
}

func (w *logWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return len(b), nil // logging after the test completed would panic
	}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w.t.Logf("[%s stderr] %s", w.prefix, l)
	}
	return len(b), nil
}
