//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// workerOps are the loops a worker runs: the same names, flags and output as cmake/qtshm_bench.cpp
// (and, for dbwriter and dbreader, as cmake/doorbell_writer.cpp and doorbell_reader.cpp).
var workerOps = map[string]func(w *worker) error{
	"lock":     (*worker).lock,
	"attach":   (*worker).attach,
	"create":   (*worker).create,
	"copy":     (*worker).copy,
	"memcpy":   (*worker).memcpy,
	"writeat":  (*worker).writeAt,
	"incr":     (*worker).incr,
	"dbwriter": (*worker).dbWriter,
	"dbreader": (*worker).dbReader,
}

// worker is one run of one loop, in this process, with the backend this binary defaults to.
type worker struct {
	op                 string
	key, doorbell      string
	n, size            int
	count, waitWaiters int
	until              uint64
	out                io.Writer
	in                 io.Reader
}

// record is a worker's result line (the C++ program prints the same fields).
type record struct {
	Op          string   `json:"op"`
	OK          bool     `json:"ok"`
	Error       string   `json:"error,omitempty"`
	N           int      `json:"n,omitempty"`
	Size        int      `json:"size"`
	NsPerOp     float64  `json:"nsPerOp,omitempty"`
	WallNsPerOp float64  `json:"wallNsPerOp,omitempty"`
	CPUNsPerOp  float64  `json:"cpuNsPerOp,omitempty"`
	AllocsPerOp *float64 `json:"allocsPerOp,omitempty"` // Go workers: heap allocations per operation in the timed loop
	Qt          string   `json:"qt,omitempty"`
	Backend     string   `json:"backend,omitempty"`
	StartNs     int64    `json:"startNs,omitempty"`
	EndNs       int64    `json:"endNs,omitempty"`
}

// runWorker runs the worker operation args[0] with the flags args[1:] and returns the exit
// status: 0, 1 when the operation failed (a line with "ok":false), 2 on bad usage.
func runWorker(args []string, in io.Reader, out, errOut io.Writer) int {
	w := &worker{op: args[0], in: in, out: out}
	f, ok := workerOps[w.op]
	if !ok {
		fmt.Fprintf(errOut, "bench: unknown operation %q\n", w.op)
		return 2
	}
	fs := flag.NewFlagSet(w.op, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&w.key, "key", "", "segment key")
	fs.StringVar(&w.doorbell, "doorbell", "", "doorbell key (dbwriter, dbreader)")
	fs.IntVar(&w.n, "n", 1000, "iterations")
	fs.IntVar(&w.size, "size", 64, "bytes per copy")
	fs.IntVar(&w.count, "count", 0, "writes (dbwriter)")
	fs.IntVar(&w.waitWaiters, "wait-waiters", 0, "waiters to wait for before each write (dbwriter)")
	fs.Uint64Var(&w.until, "until", 0, "last generation (dbreader)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(errOut, "bench %s: unexpected argument %q\n", w.op, fs.Arg(0))
		return 2
	case w.key == "":
		fmt.Fprintf(errOut, "bench %s: --key is required\n", w.op)
		return 2
	case w.n < 1 || w.size < 1 || w.count < 0 || w.waitWaiters < 0:
		fmt.Fprintf(errOut, "bench %s: --n and --size must be >= 1, --count and --wait-waiters >= 0\n", w.op)
		return 2
	case (w.op == "dbwriter" || w.op == "dbreader") && w.doorbell == "":
		fmt.Fprintf(errOut, "bench %s: --doorbell is required\n", w.op)
		return 2
	}
	if err := f(w); err != nil {
		b, _ := json.Marshal(record{Op: w.op, Error: err.Error()})
		fmt.Fprintf(out, "%s\n", b)
		return 1
	}
	return 0
}

func cpuNs() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano() + ru.Stime.Nano())
}

func (w *worker) print(r record) {
	r.OK, r.Qt, r.Backend = true, qtVersion(), qtshm.Backends()[0]
	b, _ := json.Marshal(r)
	fmt.Fprintf(w.out, "%s\n", b)
}

// timed runs f(i) for i in [0, n) after n/10 untimed warm-up calls and prints the result; it
// stops at the first error. As in the C++ program the loop is timed in about 100 batches:
// NsPerOp is the median batch's time per call (a batch the scheduler interrupted does not
// count), WallNsPerOp the whole loop's mean.
func (w *worker) timed(size int, f func(i int) error) error {
	for i := range w.n / 10 {
		if err := f(i); err != nil {
			return err
		}
	}
	batch := max(1, w.n/100)
	perOp := make([]float64, 0, w.n/batch+1)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0 := ms.Mallocs
	c0 := cpuNs()
	t0 := time.Now()
	for i := 0; i < w.n; {
		end := min(w.n, i+batch)
		b0 := time.Now()
		for j := i; j < end; j++ {
			if err := f(j); err != nil {
				return err
			}
		}
		perOp = append(perOp, float64(time.Since(b0).Nanoseconds())/float64(end-i))
		i = end
	}
	wall := time.Since(t0)
	c1 := cpuNs()
	runtime.ReadMemStats(&ms)
	allocs := float64(ms.Mallocs-m0) / float64(w.n)
	w.print(record{Op: w.op, N: w.n, Size: size, NsPerOp: median(perOp), WallNsPerOp: float64(wall.Nanoseconds()) / float64(w.n), CPUNsPerOp: (c1 - c0) / float64(w.n), AllocsPerOp: &allocs})
	return nil
}

// created is a new segment of size bytes for w.key, or an error.
func (w *worker) created(size int) (*qtshm.SharedMemory, error) {
	m := qtshm.New(w.key)
	if err := m.Create(size, qtshm.ReadWrite); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func lockUnlock(m *qtshm.SharedMemory) error {
	if err := m.Lock(); err != nil {
		return err
	}
	return m.Unlock()
}

func (w *worker) lock() error {
	m, err := w.created(64)
	if err != nil {
		return err
	}
	defer m.Close()
	return w.timed(64, func(int) error { return lockUnlock(m) })
}

func (w *worker) attach() error {
	holder, err := w.created(4096)
	if err != nil {
		return err
	}
	defer holder.Close()
	m := qtshm.New(w.key)
	defer m.Close()
	return w.timed(4096, func(int) error {
		if err := m.Attach(qtshm.ReadWrite); err != nil {
			return err
		}
		return m.Detach()
	})
}

func (w *worker) create() error {
	return w.timed(4096, func(int) error {
		m, err := w.created(4096)
		if err != nil {
			return err
		}
		return m.Close()
	})
}

// copy is Lock, copy(m.Data(), buf), Unlock: the article's pattern.
func (w *worker) copy() error {
	return w.lockedCopy(func(m *qtshm.SharedMemory, buf []byte) error {
		copy(m.Data(), buf)
		return nil
	})
}

// writeAt is Lock, m.WriteAt(buf, 0), Unlock: the library's bounds-checked copy, which also
// avoids the runtime's non-temporal stores between 1 and 8 MiB (qtshm/copy.go).
func (w *worker) writeAt() error {
	return w.lockedCopy(func(m *qtshm.SharedMemory, buf []byte) error {
		_, err := m.WriteAt(buf, 0)
		return err
	})
}

// lockedCopy times Lock, put, Unlock.
func (w *worker) lockedCopy(put func(m *qtshm.SharedMemory, buf []byte) error) error {
	m, buf, err := w.copyTarget()
	if err != nil {
		return err
	}
	defer m.Close()
	return w.timed(w.size, func(i int) error {
		buf[0] = byte(i)
		if err := m.Lock(); err != nil {
			return err
		}
		if err := put(m, buf); err != nil {
			m.Unlock()
			return err
		}
		return m.Unlock()
	})
}

// memcpy is Go's copy into the segment without the lock: the counterpart of C++'s memcpy.
func (w *worker) memcpy() error {
	m, buf, err := w.copyTarget()
	if err != nil {
		return err
	}
	defer m.Close()
	d := m.Data()
	return w.timed(w.size, func(i int) error {
		buf[0] = byte(i)
		copy(d, buf)
		return nil
	})
}

func (w *worker) copyTarget() (*qtshm.SharedMemory, []byte, error) {
	m, err := w.created(w.size)
	if err != nil {
		return nil, nil, err
	}
	clear(m.Data()) // touch every page before timing
	return m, bytes.Repeat([]byte{'x'}, w.size), nil
}

// incr attaches, says it is ready, waits for a line on stdin and does n locked increments of
// the little-endian uint64 at offset 0 (no warm-up: the driver checks the total).
func (w *worker) incr() error {
	m := qtshm.New(w.key)
	defer m.Close()
	if err := m.Attach(qtshm.ReadWrite); err != nil {
		return err
	}
	if m.Size() < 8 {
		return errors.New("segment smaller than 8 bytes")
	}
	fmt.Fprintf(w.out, "{\"op\":\"ready\",\"ok\":true}\n")
	if _, err := bufio.NewReader(w.in).ReadString('\n'); err != nil {
		return fmt.Errorf("standard input closed before the start line: %w", err)
	}
	start := time.Now()
	c0 := cpuNs()
	for range w.n {
		if err := m.Lock(); err != nil {
			return err
		}
		d := m.Data()
		v := uint64(d[0]) | uint64(d[1])<<8 | uint64(d[2])<<16 | uint64(d[3])<<24 |
			uint64(d[4])<<32 | uint64(d[5])<<40 | uint64(d[6])<<48 | uint64(d[7])<<56
		v++
		for j := range 8 {
			d[j] = byte(v >> (8 * j))
		}
		if err := m.Unlock(); err != nil {
			return err
		}
	}
	wall := time.Since(start)
	c1 := cpuNs()
	w.print(record{Op: "incr", N: w.n, NsPerOp: float64(wall.Nanoseconds()) / float64(w.n), CPUNsPerOp: (c1 - c0) / float64(w.n),
		StartNs: start.UnixNano(), EndNs: start.Add(wall).UnixNano()})
	return nil
}

// dbWriter is cmake/doorbell_writer.cpp in Go: --count times, (lockstep: wait until
// --wait-waiters are registered), write "seq=<i> t=<unix ns>" under the data segment's lock,
// ring. Lines: "ready gen=<G>", then "rang gen=<G> seq=<i> t=<ns>".
func (w *worker) dbWriter() error {
	ctx := context.Background()
	m := qtshm.New(w.key)
	defer m.Close()
	if err := m.Attach(qtshm.ReadWrite); errors.Is(err, qtshm.ErrNotFound) {
		if err := m.Create(1024, qtshm.ReadWrite); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	d, err := qtshm.OpenDoorbell(w.doorbell)
	if err != nil {
		return err
	}
	defer d.Close()
	g, _, err := d.Generation(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w.out, "ready gen=%d\n", g)
	for i := 1; i <= w.count; i++ {
		for spins := 0; w.waitWaiters > 0; spins++ {
			_, n, err := d.Generation(ctx)
			if err != nil {
				return err
			}
			if n >= w.waitWaiters {
				break
			}
			if spins > 600000 {
				return fmt.Errorf("only %d of %d waiters registered", n, w.waitWaiters)
			}
			time.Sleep(100 * time.Microsecond)
		}
		t := time.Now().UnixNano()
		msg := append([]byte("seq="+strconv.Itoa(i)+" t="+strconv.FormatInt(t, 10)), 0)
		if err := m.Lock(); err != nil {
			return err
		}
		copy(m.Data(), msg)
		if err := m.Unlock(); err != nil {
			return err
		}
		g, err := d.Ring()
		if err != nil {
			return err
		}
		fmt.Fprintf(w.out, "rang gen=%d seq=%d t=%d\n", g, i, t)
	}
	return nil
}

// dbReader is cmake/doorbell_reader.cpp in Go: waits on the doorbell and after each wake prints
// "gen=<G> seen=<unix ns> <text of the data segment>" until it has seen generation --until.
func (w *worker) dbReader() error {
	ctx := context.Background()
	m := qtshm.New(w.key)
	defer m.Close()
	if err := m.Attach(qtshm.ReadOnly); err != nil {
		return err
	}
	d, err := qtshm.OpenDoorbell(w.doorbell)
	if err != nil {
		return err
	}
	defer d.Close()
	seen, _, err := d.Generation(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w.out, "ready gen=%d\n", seen)
	for seen < w.until {
		if seen, err = d.Wait(ctx, seen); err != nil {
			return err
		}
		if err := m.Lock(); err != nil {
			return err
		}
		text := m.Data()
		if i := bytes.IndexByte(text, 0); i >= 0 {
			text = text[:i]
		}
		s := string(text)
		if err := m.Unlock(); err != nil {
			return err
		}
		fmt.Fprintf(w.out, "gen=%d seen=%d %s\n", seen, time.Now().UnixNano(), s)
	}
	return nil
}
