//go:build linux

package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// progLimit bounds every wait of the program tests: limit, or less if the test's deadline is
// nearer (testenv.Bound).
func progLimit(t *testing.T, limit time.Duration) time.Duration {
	d, _ := testenv.Bound(t, limit)
	return d
}

// TestProgramUsage: every program rejects bad usage — an unknown command or option, a missing
// or empty argument, a stray positional argument, a malformed number — with exit status 2 and
// one line on stderr, at once (a program that ignored the problem and ran would time out here).
func TestProgramUsage(t *testing.T) {
	goBin := goKinds(t)[0].bin
	cases := [][]string{
		{goBin},
		{goBin, "bogus"},
		{goBin, "key"},
		{goBin, "key", ""},
		{goBin, "key", "a", "b"},
		{goBin, "backends", "x"},
		{goBin, "writer", "stray", "-ticks", "1"},
		{goBin, "writer", "-ticks", "1", "stray"},
		{goBin, "writer", "-key", ""},
		{goBin, "writer", "-key"},
		{goBin, "writer", "-bogus"},
		{goBin, "writer", "-interval", "0"},
		{goBin, "writer", "-interval", "x"},
		{goBin, "writer", "-ticks", "-1"},
		{goBin, "writer", "-backend", "nope"},
		{goBin, "reader", "stray"},
		{goBin, "reader", "-key", ""},
		{goBin, "peer"},
		{goBin, "peer", "keys"},
		{goBin, "peer", "--key"},
		{goBin, "peer", "--key", "k"},
		{goBin, "peer", "--key", "k", "bogus"},
		{goBin, "peer", "--key", "k", "read", "0"},
		{goBin, "peer", "--bogus", "x", "--key", "k", "keys"},
	}
	for _, q := range qtKinds(t) {
		for _, prog := range []string{"article-writer", "article-reader"} {
			p := q.dir + "/" + prog
			cases = append(cases, []string{p, "stray"}, []string{p, "--ticks", "1", "stray"}, []string{p, "--key", ""},
				[]string{p, "--key"}, []string{p, "--bogus"}, []string{p, "--interval", "x"}, []string{p, "--interval", "0"},
				[]string{p, "--ticks", "-1"}, []string{p, "--ticks", "x"})
		}
		p := q.dir + "/qtshm-peer"
		cases = append(cases, []string{p}, []string{p, "keys"}, []string{p, "--key"}, []string{p, "--key", "k"},
			[]string{p, "--key", "k", "bogus"}, []string{p, "--key", "k", "read", "0"}, []string{p, "--bogus", "x", "--key", "k", "keys"})
	}
	for _, argv := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), progLimit(t, 20*time.Second))
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = peerEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.WaitDelay = 2 * time.Second
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		var ee *exec.ExitError
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		switch {
		case timedOut:
			t.Errorf("%q did not exit (it ignored the bad usage and ran)", argv)
		case !errors.As(err, &ee) || ee.ExitCode() != 2:
			t.Errorf("%q: %v, want exit status 2", argv, err)
		case len(lines) != 1 || lines[0] == "":
			t.Errorf("%q: stderr %q, want one line", argv, stderr.String())
		}
	}
	t.Logf("%d bad command lines rejected", len(cases))
}

// progProc is a program under test with stdout and stderr on one pipe (2>&1), which the test
// reads line by line and may close, as `| head -N` does.
type progProc struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *os.File
	lines chan string
	done  chan struct{}
	err   error
}

func progStart(t *testing.T, name string, argv ...string) *progProc {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &progProc{t: t, name: name, cmd: exec.Command(argv[0], argv[1:]...), out: r, lines: make(chan string, 4096), done: make(chan struct{})}
	p.cmd.Env = peerEnv()
	p.cmd.Stdout, p.cmd.Stderr = w, w
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %q: %v", argv, err)
	}
	w.Close()
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody reads that much; never block the program
			}
		}
		close(p.lines)
	}()
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		r.Close()
	})
	return p
}

// expect returns the next line containing want, failing after the bounded wait.
func (p *progProc) expect(want string) string {
	p.t.Helper()
	deadline := time.After(progLimit(p.t, testenv.StepLimit))
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%s ended (%v) before printing %q", p.name, p.waitErr(), want)
			}
			if strings.Contains(line, want) {
				return line
			}
		case <-deadline:
			p.t.Fatalf("%s did not print %q in time", p.name, want)
		}
	}
}

func (p *progProc) waitErr() error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(5 * time.Second):
		return errors.New("still running")
	}
}

// exit waits (bounded) for the program to end and returns its exit error.
func (p *progProc) exit() error {
	p.t.Helper()
	p.stdin.Close()
	select {
	case <-p.done:
		return p.err
	case <-time.After(progLimit(p.t, testenv.StepLimit)):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("%s did not exit in time", p.name)
		return nil
	}
}

// progWays are the ways a program is told to stop; each must end it with status 0 after it
// cleaned up.
var progWays = []struct {
	name string
	stop func(p *progProc)
}{
	{"closed_stdout", func(p *progProc) { p.out.Close() }}, // the reader of `| head -N` has exited
	{"SIGINT", func(p *progProc) { p.cmd.Process.Signal(syscall.SIGINT) }},
	{"SIGTERM", func(p *progProc) { p.cmd.Process.Signal(syscall.SIGTERM) }},
}

// progWriterArgv is the article writer of kind k on key, ticking every 50 ms (ticks: 0 = forever).
func progWriterArgv(k peerKind, key string, ticks int) []string {
	if k.Qt {
		return []string{k.dir + "/article-writer", "--key", key, "--interval", "50", "--ticks", fmt.Sprint(ticks)}
	}
	return []string{k.bin, "writer", "-backend", k.backend, "-key", key, "-interval", "50ms", "-ticks", fmt.Sprint(ticks)}
}

func progReaderArgv(k peerKind, key string) []string {
	if k.Qt {
		return []string{k.dir + "/article-reader", "--key", key, "--interval", "50"}
	}
	return []string{k.bin, "reader", "-backend", k.backend, "-key", key, "-interval", "50ms"}
}

// progBefore snapshots the System V objects before a test on key and registers a cleanup that
// removes, should the test fail halfway, whatever appeared since and key's files (it runs
// after the test's processes were killed).
func progBefore(t *testing.T, key string) testenv.Objects {
	before := testenv.Snapshot()
	t.Cleanup(func() {
		for _, o := range testenv.Snapshot().Minus(before) {
			o.Remove()
		}
		os.Remove(qtshm.LegacyNativeKey(key))
		os.Remove(qtshm.LegacySemaphoreNativeKey(key))
	})
	return before
}

// progCheckClean fails unless key's segment, lock and key files are gone and no System V
// object appeared since before; then a new writer of kind k on the key must succeed.
func progCheckClean(t *testing.T, k peerKind, key string, before testenv.Objects) {
	t.Helper()
	left := testenv.Snapshot().Minus(before)
	for _, f := range []string{qtshm.LegacyNativeKey(key), qtshm.LegacySemaphoreNativeKey(key)} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("key file %s left behind", f)
		}
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
		return // progBefore's cleanup removes them
	}
	w := progStart(t, "second writer", progWriterArgv(k, key, 1)...)
	if err := w.exit(); err != nil {
		t.Errorf("a second writer on the key failed: %v", err)
	}
}

func progMustExit0(t *testing.T, p *progProc) {
	t.Helper()
	if err := p.exit(); err != nil {
		t.Errorf("%s: %v, want exit status 0 after a requested stop", p.name, err)
	}
}

// TestProgramStopsCleanly: each article writer and reader (Go with each backend, Qt 5.15, 6.4
// and 6.8) and each peer, told to stop by a closed stdout (`| head -2`), SIGINT or SIGTERM,
// exits with status 0 and leaves no segment, semaphore or key file behind — it used to die of
// SIGPIPE and leave its segment, so that the next writer failed with AlreadyExists.
func TestProgramStopsCleanly(t *testing.T) {
	kinds := append(append([]peerKind{}, goKinds(t)...), qtKinds(t)...)
	for _, k := range kinds {
		for _, way := range progWays {
			t.Run(k.Name+"/writer/"+way.name, func(t *testing.T) {
				key := "prog " + t.Name()
				before := progBefore(t, key)
				w := progStart(t, k.Name+" writer", progWriterArgv(k, key, 0)...)
				w.expect("共享内存已创建")
				w.expect("写入消息") // two lines read, as head -2 does
				way.stop(w)
				progMustExit0(t, w)
				progCheckClean(t, k, key, before)
			})
			t.Run(k.Name+"/reader/"+way.name, func(t *testing.T) {
				// The reader outlives the segment's creator, so its own cleanup is what removes
				// the segment.
				key := "prog " + t.Name()
				before := progBefore(t, key)
				msg := hex.EncodeToString(append([]byte("程序1动态消息#2026-01-01 00:00:00.000"), 0))
				h := progStart(t, "holder", goKinds(t)[0].argv[0], "peer", "--key", key, "create", "1024", "rw", "write", "0", "hex:"+msg, "wait")
				h.expect(`"op":"write","ok":true`)
				r := progStart(t, k.Name+" reader", progReaderArgv(k, key)...)
				r.expect("收到消息")
				if err := h.exit(); err != nil { // wait returns at stdin's end: the holder closes
					t.Fatalf("holder: %v", err)
				}
				r.expect("收到消息") // still reading, now alone
				way.stop(r)
				progMustExit0(t, r)
				progCheckClean(t, k, key, before)
			})
			t.Run(k.Name+"/peer/"+way.name, func(t *testing.T) {
				key := "prog " + t.Name()
				before := progBefore(t, key)
				argv := append(append([]string{}, k.argv...), "--key", key, "create", "64", "rw", "wait", "keys", "sleep", "600000")
				p := progStart(t, k.Name+" peer", argv...)
				p.expect(`"op":"create","ok":true`)
				way.stop(p)
				if way.name == "closed_stdout" {
					fmt.Fprintln(p.stdin) // wait returns; keys writes to the closed pipe
				}
				progMustExit0(t, p)
				progCheckClean(t, k, key, before)
			})
		}
	}
}

// TestProgramStopsWhileWaitingForLock: with the pure backend a stop request also ends a wait
// for a lock that another process holds: the Go peer's lock fails (LockError), and it detaches
// and exits at once instead of hanging until the holder lets go. (The native backend and Qt
// cannot end such a wait; they exit without cleaning up 5 s after the signal.)
func TestProgramStopsWhileWaitingForLock(t *testing.T) {
	g := goKinds(t)[0]
	key := "prog " + t.Name()
	before := progBefore(t, key)
	h := progStart(t, "holder", append(append([]string{}, g.argv...), "--key", key, "create", "64", "rw", "lock", "wait", "unlock")...)
	h.expect(`"op":"lock","ok":true`)
	// attach takes the lock, as Qt's does: the waiter blocks in it.
	w := progStart(t, "waiter", append(append([]string{}, g.argv...), "--key", key, "keys", "attach", "rw", "lock")...)
	w.expect(`"op":"keys"`)
	time.Sleep(100 * time.Millisecond) // let it block (a stop before that ends it the same way)
	w.cmd.Process.Signal(syscall.SIGTERM)
	if line := w.expect(`"op":"attach"`); !strings.Contains(line, `"ok":false,"error":6`) {
		t.Errorf("interrupted attach: %s, want LockError", line)
	}
	var ee *exec.ExitError
	if err := w.exit(); !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("waiter: %v, want exit status 1 (its attach failed)", err)
	}
	if err := h.exit(); err != nil {
		t.Errorf("holder: %v", err)
	}
	progCheckClean(t, g, key, before)
}
