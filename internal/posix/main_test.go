//go:build linux && !android

package posix

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
)

// As root the tests run with a private /dev/shm (testenv), so that a process whose maps even
// root may not read (a VM sandbox's init) but that cannot see that file system does not make
// every diagnosis unknown (cannotSee).
func TestMain(m *testing.M) { testenv.Main(m) }

// stepTimeout bounds every lock wait of a helper: a hang shows as an error, not a stuck test.
const stepTimeout = 30 * time.Second

var nameSeq atomic.Int64

// uniqueName is a POSIX name for this test, removed (segment and sem.) at cleanup. /dev/shm is
// not namespaced, so it carries the pid.
func uniqueName(t *testing.T) string {
	t.Helper()
	test := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	n := fmt.Sprintf("/qtshm-posix-%d-%s-%d", os.Getpid(), test, nameSeq.Add(1))
	t.Cleanup(func() {
		base := strings.TrimPrefix(n, "/")
		for _, p := range []string{shmDir + "/" + base, shmDir + "/" + semPrefix + base} {
			os.Remove(p)
		}
	})
	return n
}

// exists reports whether /dev/shm has the entry, and its inode.
func exists(path string) (bool, uint64) {
	st, err := os.Lstat(path)
	if err != nil {
		return false, 0
	}
	return true, inode(st)
}

func segPath(name string) string { return shmDir + "/" + strings.TrimLeft(name, "/") }
func semPath(name string) string { p, _ := psem.Path(name); return p }

func newShm(t testing.TB, name string, cfg backend.Config) *SharedMemory {
	t.Helper()
	m, e := newSharedMemory(name, name, "", cfg)
	if e != nil {
		t.Fatal(e)
	}
	t.Cleanup(func() {
		ctx, cancel := ctxFor(5 * time.Second)
		defer cancel()
		m.Close(ctx)
	})
	return m
}

func ctxFor(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// report is what the loop helpers print.
type report struct {
	Incs, Iters, Created int
	Errors               []string
}

func printReport(r report) int {
	json.NewEncoder(os.Stdout).Encode(r)
	if len(r.Errors) > 0 {
		return 1
	}
	return 0
}

func readReport(t *testing.T, p *testenv.Proc) report {
	t.Helper()
	var r report
	line := p.NextLine()
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("bad report %q: %v", line, err)
	}
	for _, e := range r.Errors {
		t.Errorf("helper %d: %s", p.Cmd.Process.Pid, e)
	}
	p.Wait()
	return r
}

// inc adds 1 to the little-endian uint64 at the start of d.
func inc(d []byte) { binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)+1) }

// counter reads the uint64 at the start of the segment name, under the lock.
func counter(t *testing.T, name string) uint64 {
	t.Helper()
	m := newShm(t, name, backend.Config{})
	defer m.Close(context.TODO())
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	if err := m.Attach(ctx, qtipc.ReadOnly); err != nil {
		t.Fatal(err)
	}
	if err := m.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Unlock()
	return binary.LittleEndian.Uint64(m.Data())
}

func init() {
	// inc NAME SECONDS GOROUTINES: each goroutine attaches its own object and increments the
	// counter under the lock until the time is up.
	testenv.RegisterHelper("inc", func(args []string) int {
		name := args[0]
		secs, _ := strconv.ParseFloat(args[1], 64)
		g, _ := strconv.Atoi(args[2])
		until := time.Now().Add(time.Duration(secs * float64(time.Second)))
		var mu sync.Mutex
		var r report
		var wg sync.WaitGroup
		for i := 0; i < g; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, errs := incLoop(name, until)
				mu.Lock()
				r.Incs += n
				r.Iters++
				r.Errors = append(r.Errors, errs...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return printReport(r)
	})
	// coa NAME SECONDS: create-or-attach, lock, increment, unlock, close, until the time is up.
	testenv.RegisterHelper("coa", func(args []string) int {
		name := args[0]
		secs, _ := strconv.ParseFloat(args[1], 64)
		until := time.Now().Add(time.Duration(secs * float64(time.Second)))
		var r report
		for time.Now().Before(until) {
			r.Iters++
			m, e := newSharedMemory(name, name, "", backend.Config{})
			if e != nil {
				r.Errors = append(r.Errors, e.Error())
				break
			}
			ctx, cancel := ctxFor(stepTimeout)
			err := m.Create(ctx, 64, qtipc.ReadWrite)
			if err == nil {
				r.Created++
			} else if errors.Is(err, qtipc.ErrAlreadyExists) {
				err = m.Attach(ctx, qtipc.ReadWrite)
			}
			if err == nil {
				if err = m.Lock(ctx); err == nil {
					inc(m.Data())
					r.Incs++
					err = m.Unlock()
				}
			}
			if err != nil {
				r.Errors = append(r.Errors, fmt.Sprintf("iteration %d: %v", r.Iters, err))
			}
			if err := m.Close(ctx); err != nil {
				r.Errors = append(r.Errors, fmt.Sprintf("iteration %d: close: %v", r.Iters, err))
			}
			cancel()
			if len(r.Errors) > 0 {
				break
			}
		}
		return printReport(r)
	})
	// hold NAME: attach, lock, print "locked", then wait for stdin to close, unlock, exit. The
	// test may SIGKILL it while it holds the lock.
	testenv.RegisterHelper("hold", func(args []string) int {
		m, e := newSharedMemory(args[0], args[0], "", backend.Config{})
		if e != nil {
			fmt.Println("error", e)
			return 1
		}
		ctx, cancel := ctxFor(stepTimeout)
		defer cancel()
		if err := m.Attach(ctx, qtipc.ReadWrite); err != nil {
			fmt.Println("error", err)
			return 1
		}
		if err := m.Lock(ctx); err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("locked")
		os.Stdin.Read(make([]byte, 1))
		m.Unlock()
		m.Close(ctx)
		return 0
	})
	// waitlock NAME: attach, print "attached", read a byte of stdin, lock (waiting up to a
	// minute), increment, unlock, print "done".
	testenv.RegisterHelper("waitlock", func(args []string) int {
		m, e := newSharedMemory(args[0], args[0], "", backend.Config{})
		if e != nil {
			fmt.Println("error", e)
			return 1
		}
		ctx, cancel := ctxFor(time.Minute)
		defer cancel()
		if err := m.Attach(ctx, qtipc.ReadWrite); err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("attached")
		os.Stdin.Read(make([]byte, 1))
		if err := m.Lock(ctx); err != nil {
			fmt.Println("error", err)
			return 1
		}
		inc(m.Data())
		m.Unlock()
		m.Close(ctx)
		fmt.Println("done")
		return 0
	})
	// attach NAME: attach, print "attached", wait for stdin to close, close.
	testenv.RegisterHelper("attach", func(args []string) int {
		m, e := newSharedMemory(args[0], args[0], "", backend.Config{})
		if e != nil {
			fmt.Println("error", e)
			return 1
		}
		ctx, cancel := ctxFor(stepTimeout)
		defer cancel()
		if err := m.Attach(ctx, qtipc.ReadWrite); err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("attached")
		os.Stdin.Read(make([]byte, 1))
		m.Close(ctx)
		return 0
	})
}

func incLoop(name string, until time.Time) (int, []string) {
	m, e := newSharedMemory(name, name, "", backend.Config{})
	if e != nil {
		return 0, []string{e.Error()}
	}
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	defer m.Close(ctx)
	if err := m.Attach(ctx, qtipc.ReadWrite); err != nil {
		return 0, []string{"attach: " + err.Error()}
	}
	n := 0
	for time.Now().Before(until) {
		lctx, lcancel := ctxFor(stepTimeout)
		err := m.Lock(lctx)
		lcancel()
		if err != nil {
			return n, []string{"lock: " + err.Error()}
		}
		inc(m.Data())
		n++
		if err := m.Unlock(); err != nil {
			return n, []string{"unlock: " + err.Error()}
		}
	}
	return n, nil
}

type procT = testenv.Proc

func helper(t *testing.T, name string, args ...string) *procT {
	t.Helper()
	return testenv.Helper(t, name, args...)
}
