// Package peer is the Go side of the peer protocol that qtshm-go's multi-process and interop
// tests drive: a process runs a list of operations on one shared-memory object (and optionally
// one system semaphore) and prints one JSON line per operation. cmake/qtshm-peer.cpp speaks the
// same protocol over Qt's own classes, so a test can swap a Go peer for a Qt peer.
//
// Usage: [--backend NAME] [--flavor qt515|qt661] --key KEY OP [ARGS] OP [ARGS] …
//
// Operations (a result line {"op":…,"ok":true|false,…} each; failures add "error" (the
// QSharedMemory::SharedMemoryError value) and "errorString"):
//
//	keys                      print key and nativeKey
//	create SIZE ro|rw         QSharedMemory::create
//	attach ro|rw              QSharedMemory::attach
//	detach                    QSharedMemory::detach
//	lock / unlock             QSharedMemory::lock / unlock
//	size                      print size
//	write OFF hex:HEX|str:S   copy bytes into the segment (no lock)
//	writestr S                write S plus a NUL at offset 0 (no lock)
//	read OFF N                print N bytes at OFF as hex (no lock)
//	readstr                   print the NUL-terminated string at offset 0 (no lock)
//	inc N                     N times: lock, increment the little-endian uint64 at 0, unlock
//	bench N                   N uncontended lock+unlock pairs; prints nsPerOp
//	sleep MS                  sleep
//	wait                      block until a line arrives on stdin (or EOF)
//	crash                     SIGKILL this process (e.g. while holding the lock)
//	close                     destroy the object (Qt: delete; Go: Close) and make a new one for the key
//	sem-open KEY INIT open|create   QSystemSemaphore(KEY, INIT, mode)
//	sem-acquire / sem-release N / sem-close
//	stdin                     read further operations from stdin, one per line, until EOF
package peer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// Run runs the peer with args and returns the process exit code: 0 when every operation
// succeeded, 1 when one failed (later operations still run), 2 on a usage error.
func Run(args []string, stdin io.Reader, stdout io.Writer) int {
	p := &peer{out: json.NewEncoder(stdout), stdin: bufio.NewScanner(stdin)}
	var opts []qtshm.Option
	var key string
	for len(args) > 0 && strings.HasPrefix(args[0], "--") {
		if len(args) < 2 {
			return usage(stdout, "missing value for "+args[0])
		}
		switch args[0] {
		case "--backend":
			opts = append(opts, qtshm.WithBackend(args[1]))
		case "--flavor":
			switch args[1] {
			case "qt515":
				opts = append(opts, qtshm.WithFlavor(qtshm.FlavorQt515))
			case "qt661":
				opts = append(opts, qtshm.WithFlavor(qtshm.FlavorQt661))
			default:
				return usage(stdout, "unknown flavor "+args[1])
			}
		case "--key":
			key = args[1]
		default:
			return usage(stdout, "unknown flag "+args[0])
		}
		args = args[2:]
	}
	p.opts, p.key = opts, key
	p.shm = qtshm.New(key, opts...)
	defer func() {
		p.shm.Close()
		if p.sem != nil {
			p.sem.Close()
		}
	}()
	if code := p.runOps(args); code != 0 {
		return code
	}
	return p.status
}

func usage(w io.Writer, msg string) int {
	json.NewEncoder(w).Encode(map[string]any{"op": "usage", "ok": false, "errorString": msg})
	return 2
}

type peer struct {
	out    *json.Encoder
	stdin  *bufio.Scanner
	opts   []qtshm.Option
	key    string
	shm    *qtshm.SharedMemory
	sem    *qtshm.SystemSemaphore
	status int
}

// arity is how many arguments each operation takes.
var arity = map[string]int{
	"keys": 0, "create": 2, "attach": 1, "detach": 0, "lock": 0, "unlock": 0, "size": 0,
	"write": 2, "writestr": 1, "read": 2, "readstr": 0, "inc": 1, "sleep": 1, "wait": 0,
	"crash": 0, "close": 0, "sem-open": 3, "sem-acquire": 0, "sem-release": 1, "sem-close": 0,
	"stdin": 0, "bench": 1,
}

func (p *peer) runOps(args []string) int {
	for len(args) > 0 {
		op := args[0]
		n, ok := arity[op]
		if !ok || len(args) < 1+n {
			return usage(os.Stdout, fmt.Sprintf("bad operation %q (or too few arguments)", op))
		}
		if op == "stdin" {
			for p.stdin.Scan() {
				if f := strings.Fields(p.stdin.Text()); len(f) > 0 {
					if code := p.runOps(f); code == 2 {
						return code
					}
				}
			}
			args = args[1:]
			continue
		}
		p.do(op, args[1:1+n])
		args = args[1+n:]
	}
	return 0
}

func mode(s string) qtshm.AccessMode {
	if s == "ro" {
		return qtshm.ReadOnly
	}
	return qtshm.ReadWrite
}

func (p *peer) result(op string, err error, fields map[string]any) {
	r := map[string]any{"op": op, "ok": err == nil}
	for k, v := range fields {
		r[k] = v
	}
	if err != nil {
		p.status = 1
		var e *qtshm.Error
		if errors.As(err, &e) {
			r["error"] = int(e.Code)
			r["errorString"] = e.Msg
		} else {
			r["error"] = int(qtshm.UnknownError)
			r["errorString"] = err.Error()
		}
	}
	p.out.Encode(r)
}

func (p *peer) do(op string, a []string) {
	var err error
	f := map[string]any{}
	switch op {
	case "keys":
		f["key"], f["nativeKey"] = p.shm.Key(), p.shm.NativeKey()
	case "create":
		var size int
		if size, err = strconv.Atoi(a[0]); err == nil {
			err = p.shm.Create(size, mode(a[1]))
		}
	case "attach":
		err = p.shm.Attach(mode(a[0]))
	case "detach":
		err = p.shm.Detach()
	case "lock":
		err = p.shm.Lock()
	case "unlock":
		err = p.shm.Unlock()
	case "size":
		f["size"] = p.shm.Size()
	case "write":
		var off int64
		var b []byte
		if off, err = strconv.ParseInt(a[0], 10, 64); err == nil {
			if b, err = decode(a[1]); err == nil {
				_, err = p.shm.WriteAt(b, off)
			}
		}
	case "writestr":
		_, err = p.shm.WriteAt(append([]byte(a[0]), 0), 0)
	case "read":
		var off, n int64
		off, err = strconv.ParseInt(a[0], 10, 64)
		if err == nil {
			n, err = strconv.ParseInt(a[1], 10, 64)
		}
		if err == nil {
			b := make([]byte, n)
			var k int
			k, err = p.shm.ReadAt(b, off)
			f["hex"] = hex.EncodeToString(b[:k])
		}
	case "readstr":
		d := p.shm.Data()
		if d == nil {
			err = errors.New("not attached")
		} else {
			s := d
			if i := bytes.IndexByte(d, 0); i >= 0 {
				s = d[:i]
			}
			f["str"] = string(s)
		}
	case "inc":
		var n int
		if n, err = strconv.Atoi(a[0]); err == nil {
			var v uint64
			v, err = p.inc(n)
			f["value"] = v
		}
	case "bench":
		var n int
		if n, err = strconv.Atoi(a[0]); err == nil && n > 0 {
			start := time.Now()
			for i := 0; i < n && err == nil; i++ {
				if err = p.shm.Lock(); err == nil {
					err = p.shm.Unlock()
				}
			}
			f["nsPerOp"] = float64(time.Since(start).Nanoseconds()) / float64(n)
		}
	case "sleep":
		var ms int
		if ms, err = strconv.Atoi(a[0]); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
	case "wait":
		p.stdin.Scan()
	case "crash":
		p.out.Encode(map[string]any{"op": "crash", "ok": true})
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Hour)
	case "close":
		// Like deleting the QSharedMemory and making a new one with the same key.
		err = p.shm.Close()
		p.shm = qtshm.New(p.key, p.opts...)
	case "sem-open":
		var init int
		if init, err = strconv.Atoi(a[1]); err == nil {
			m := qtshm.Open
			if a[2] == "create" {
				m = qtshm.Create
			}
			if p.sem != nil {
				p.sem.Close()
			}
			p.sem, err = qtshm.NewSystemSemaphore(a[0], init, m, p.opts...)
			if err == nil {
				f["nativeKey"] = p.sem.NativeKey()
			}
		}
	case "sem-acquire":
		err = p.semOp(func(s *qtshm.SystemSemaphore) error { return s.AcquireContext(context.Background()) })
	case "sem-release":
		var n int
		if n, err = strconv.Atoi(a[0]); err == nil {
			err = p.semOp(func(s *qtshm.SystemSemaphore) error { return s.Release(n) })
		}
	case "sem-close":
		err = p.semOp(func(s *qtshm.SystemSemaphore) error { return s.Close() })
		p.sem = nil
	}
	p.result(op, err, f)
}

func (p *peer) semOp(f func(*qtshm.SystemSemaphore) error) error {
	if p.sem == nil {
		return errors.New("no semaphore (sem-open first)")
	}
	return f(p.sem)
}

func (p *peer) inc(n int) (uint64, error) {
	var v uint64
	for i := 0; i < n; i++ {
		if err := p.shm.Lock(); err != nil {
			return v, err
		}
		d := p.shm.Data()
		if len(d) < 8 {
			p.shm.Unlock()
			return v, errors.New("segment smaller than 8 bytes")
		}
		v = binary.LittleEndian.Uint64(d) + 1
		binary.LittleEndian.PutUint64(d, v)
		if err := p.shm.Unlock(); err != nil {
			return v, err
		}
	}
	return v, nil
}

func decode(s string) ([]byte, error) {
	switch {
	case strings.HasPrefix(s, "hex:"):
		return hex.DecodeString(s[4:])
	case strings.HasPrefix(s, "str:"):
		return []byte(s[4:]), nil
	}
	return nil, fmt.Errorf("data must be hex:… or str:…, got %q", s)
}
