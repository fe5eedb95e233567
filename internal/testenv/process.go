package testenv

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is a started helper or peer process whose stdout is read line by line.
type Proc struct {
	t     testing.TB
	Cmd   *exec.Cmd
	Stdin io.WriteCloser
	lines chan string
	mu    sync.Mutex
	all   []string
	done  chan struct{}
	err   error
	waitd bool
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
	return Start(t, cmd)
}

// Start starts cmd with piped stdin/stdout (stderr goes to the test log) and registers a
// cleanup that kills it if still running and reports a process never waited for.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	p := &Proc{t: t, Cmd: cmd, lines: make(chan string, 1024), done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.Stdin = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &logWriter{t: t, prefix: cmd.Path}
	cmd.WaitDelay = 5 * time.Second
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.all = append(p.all, line)
			p.mu.Unlock()
			p.lines <- line
		}
		close(p.lines)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
			if !p.waitd && !t.Failed() {
				t.Errorf("process %v was started but the test did not wait for it", cmd.Args)
			}
		}
	})
	return p
}

// Expect reads lines until one contains want and returns it; it fails the test after timeout.
func (p *Proc) Expect(want string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%v exited (%v) before printing %q; output:\n%s", p.Cmd.Args, p.wait(), want, p.Output())
			}
			if strings.Contains(line, want) {
				return line
			}
		case <-deadline:
			p.t.Fatalf("%v did not print %q within %v; output so far:\n%s", p.Cmd.Args, want, timeout, p.Output())
		}
	}
}

// NextLine returns the next stdout line, or fails the test after timeout.
func (p *Proc) NextLine(timeout time.Duration) string {
	p.t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("%v exited (%v); output:\n%s", p.Cmd.Args, p.wait(), p.Output())
		}
		return line
	case <-time.After(timeout):
		p.t.Fatalf("%v printed nothing within %v; output so far:\n%s", p.Cmd.Args, timeout, p.Output())
	}
	return ""
}

// Send writes one line to the process's stdin.
func (p *Proc) Send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.Stdin, line+"\n"); err != nil {
		p.t.Fatalf("write to %v: %v", p.Cmd.Args, err)
	}
}

func (p *Proc) wait() error {
	<-p.done
	return p.err
}

// Wait closes stdin and waits for the process to exit, at most timeout; it returns the exit error.
func (p *Proc) Wait(timeout time.Duration) error {
	p.t.Helper()
	p.Stdin.Close()
	p.waitd = true
	select {
	case <-p.done:
		for range p.lines {
		}
		return p.err
	case <-time.After(timeout):
		p.Cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("%v did not exit within %v; output:\n%s", p.Cmd.Args, timeout, p.Output())
		return nil
	}
}

// MustSucceed waits and fails the test unless the process exited 0.
func (p *Proc) MustSucceed(timeout time.Duration) {
	p.t.Helper()
	if err := p.Wait(timeout); err != nil {
		p.t.Fatalf("%v: %v; output:\n%s", p.Cmd.Args, err, p.Output())
	}
}

// Kill sends SIGKILL and waits for the process to die.
func (p *Proc) Kill() {
	p.waitd = true
	p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Output returns all stdout lines read so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.all, "\n")
}

// Context returns a context bounded by the test's deadline (less a grace period) or by limit.
func Context(t testing.TB, limit time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	return ctx
}

type logWriter struct {
	t      testing.TB
	prefix string
	mu     sync.Mutex
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w.t.Logf("[%s stderr] %s", w.prefix, l)
	}
	return len(b), nil
}
