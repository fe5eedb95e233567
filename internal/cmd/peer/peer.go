package peer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// Run runs the peer with args (see the package doc) and returns its exit status: 0 when every
// operation succeeded, 1 when one failed, 2 on a usage error. It stops early, cleaning up,
// when a write to stdout fails. Usage errors also go to os.Stderr, as one line.
func Run(args []string, stdin io.Reader, stdout io.Writer) int {
	return RunContext(context.Background(), args, stdin, stdout, os.Stderr)
}

// RunContext is [Run] that also stops (at the next operation boundary; sleep, wait and stdin
// return early) when ctx is done, and writes usage errors to stderr.
func RunContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	p := &peer{ctx: ctx, stdout: stdout, stderr: stderr, stdin: stdin}
	table, err := loadOps()
	if err != nil {
		return p.usage(err.Error())
	}
	p.table = table
	var opts []qtshm.Option
	haveKey := false
	backend := qtshm.Backends()[0] // the default
	for len(args) > 0 && strings.HasPrefix(args[0], "--") {
		if len(args) < 2 {
			return p.usage("missing value for " + args[0])
		}
		switch v := args[1]; args[0] {
		case "--backend":
			if !slices.Contains(qtshm.Backends(), v) {
				return p.usage(fmt.Sprintf("unknown backend %q (built in: %s)", v, strings.Join(qtshm.Backends(), ", ")))
			}
			opts = append(opts, qtshm.WithBackend(v))
			backend = v
		case "--flavor":
			switch v {
			case "qt515":
				opts = append(opts, qtshm.WithFlavor(qtshm.FlavorQt515))
			case "qt661":
				opts = append(opts, qtshm.WithFlavor(qtshm.FlavorQt661))
			default:
				return p.usage(fmt.Sprintf("unknown flavor %q (qt515 or qt661)", v))
			}
		case "--key":
			p.key, haveKey = v, true
		case "--nkey":
			// A string that does not parse leaves the zero (invalid) key, which the object is
			// made with anyway, as Qt makes QSharedMemory(QNativeIpcKey::fromString(S)).
			p.nkey, p.haveNKey = v, true
			p.nk, _ = qtshm.ParseNativeIpcKey(v)
		default:
			return p.usage("unknown flag " + args[0])
		}
		args = args[2:]
	}
	if haveKey && p.haveNKey {
		return p.usage("--key and --nkey exclude each other")
	}
	if !haveKey && !p.haveNKey {
		return p.usage("missing --key KEY or --nkey S")
	}
	if len(args) == 0 {
		return p.usage("no operations")
	}
	if msg := p.check(args); msg != "" {
		return p.usage(msg)
	}
	p.opts, p.native, p.pure = opts, backend == qtshm.BackendNative, backend == qtshm.BackendSysV
	p.shm = p.newShm()
	code := p.runOps(args)
	p.cleanup()
	if code != 0 {
		return code
	}
	return p.status
}

type peer struct {
	ctx    context.Context
	table  map[string]Op
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader
	lines  chan string // stdin's lines, read by a goroutine started on first use
	opts   []qtshm.Option
	native bool // the native backend, which cannot bound a wait for a lock
	pure   bool // --backend sysv: the pure backends (for a POSIX realtime native key, BackendPosix)
	// haveNKey: the peer's objects are made from the native key nk (--nkey), not from key.
	haveNKey bool
	key      string             // --key
	nkey     string             // --nkey, as given
	nk       qtshm.NativeIpcKey // --nkey, parsed (the zero key if it does not parse)
	shm      *qtshm.SharedMemory
	sem      *qtshm.SystemSemaphore
	status   int
	outErr   error // the first failed write to stdout: a stop request
}

// newShm makes a new object for the peer's key: qtshm.New(key) for --key, and
// qtshm.NewFromNativeKey(nk) for --nkey.
func (p *peer) newShm() *qtshm.SharedMemory {
	if p.haveNKey {
		return qtshm.NewFromNativeKey(p.nk, p.nativeKeyOpts(p.nk)...)
	}
	return qtshm.New(p.key, p.opts...)
}

// nativeKeyOpts are the options for an object of native key k: the peer's, except that
// --backend sysv, which names the pure backend, selects the pure POSIX realtime backend for a
// POSIX realtime key (the System V one cannot take it).
func (p *peer) nativeKeyOpts(k qtshm.NativeIpcKey) []qtshm.Option {
	if p.pure && k.Type == qtshm.PosixRealtime {
		return append(slices.Clip(p.opts), qtshm.WithBackend(qtshm.BackendPosix))
	}
	return p.opts
}

// waitCtx is the context of every call that may wait for a lock: the peer's own, so that a stop
// request ends the wait (the call then fails with LockError) — except with the native backend,
// which cannot bound a wait (it refuses a context that can be cancelled).
func (p *peer) waitCtx() context.Context {
	if p.native {
		return context.Background()
	}
	return p.ctx
}

// cleanup destroys the peer's objects, as Qt's destructors would, even after a stop request:
// their waits for the lock are bounded by a fresh context (pure backend).
func (p *peer) cleanup() {
	ctx := context.Background()
	if !p.native {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cleanupWait)
		defer cancel()
	}
	p.shm.CloseContext(ctx)
	if p.sem != nil {
		p.sem.Close()
	}
}

// cleanupWait bounds the waits of the final cleanup for the lock.
const cleanupWait = 3 * time.Second

// usage reports a usage error and returns exit status 2.
func (p *peer) usage(msg string) int {
	p.write([]byte(`{"op":"usage","ok":false,"errorString":` + jsonText(msg) + "}\n"))
	fmt.Fprintln(p.stderr, "qtshm peer: "+msg)
	return 2
}

// check returns what is wrong with a list of operations ("" if nothing).
func (p *peer) check(list []string) string {
	for len(list) > 0 {
		op, ok := p.table[list[0]]
		if !ok {
			return `unknown operation "` + list[0] + `"` // quoted as the C++ peer quotes it
		}
		if len(list) < 1+len(op.Args) {
			return fmt.Sprintf(`operation "%s" needs %d argument(s) (%s), got %d`, op.Name, len(op.Args), op, len(list)-1)
		}
		list = list[1+len(op.Args):]
	}
	return ""
}

// stopped reports whether the peer was asked to stop (ctx done) or lost its stdout.
func (p *peer) stopped() bool { return p.ctx.Err() != nil || p.outErr != nil }

// runOps runs a checked list of operations; it returns 2 after a usage error on stdin, else 0.
func (p *peer) runOps(list []string) int {
	for len(list) > 0 && !p.stopped() {
		op := p.table[list[0]]
		a := list[1 : 1+len(op.Args)]
		list = list[1+len(op.Args):]
		if op.Name == "stdin" {
			if code := p.runStdin(); code != 0 {
				return code
			}
			continue
		}
		p.do(op, a)
	}
	return 0
}

func (p *peer) runStdin() int {
	for {
		line, ok := p.nextLine()
		if !ok {
			return 0
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if msg := p.check(f); msg != "" {
			return p.usage(msg)
		}
		if code := p.runOps(f); code != 0 {
			return code
		}
	}
}

// nextLine returns the next line of stdin; ok is false at its end or when the peer is stopped.
func (p *peer) nextLine() (string, bool) {
	if p.lines == nil {
		p.lines = make(chan string)
		go func() {
			sc := bufio.NewScanner(p.stdin)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				p.lines <- sc.Text()
			}
			close(p.lines)
		}()
	}
	select {
	case line, ok := <-p.lines:
		return line, ok
	case <-p.ctx.Done():
		return "", false
	}
}

// field is one named value of a result line.
type field struct {
	name  string
	value any
}

// do runs one operation and prints its result line.
func (p *peer) do(op Op, raw []string) {
	var fields []field
	a, err := checkArgs(op, raw)
	if err == nil {
		if h, ok := handlers[op.Name]; ok {
			fields, err = h(p, a)
		} else {
			err = peerErr(qtshm.UnknownError, "unimplemented op")
		}
	}
	p.result(op.Name, fields, err)
}

// peerError is a failure of the peer itself, with the same code and text in both peers.
type peerError struct {
	code qtshm.ErrorCode
	msg  string
}

func (e *peerError) Error() string { return e.msg }

func peerErr(code qtshm.ErrorCode, msg string) error { return &peerError{code, msg} }

var (
	errNotAttached = peerErr(qtshm.NotFound, "not attached")
	errNoSemaphore = peerErr(qtshm.UnknownError, "no semaphore (sem-open first)")
	errTooSmall    = peerErr(qtshm.InvalidSize, "segment smaller than 8 bytes")
	errUnsupported = peerErr(qtshm.UnknownError, "unsupported")
)

// result prints an operation's result line: op, ok, the fields in order, then error and
// errorString on failure.
func (p *peer) result(op string, fields []field, err error) {
	var b bytes.Buffer
	b.WriteString(`{"op":` + jsonText(op) + `,"ok":` + fmt.Sprint(err == nil))
	for _, f := range fields {
		b.WriteString("," + jsonText(f.name) + ":" + jsonText(f.value))
	}
	if err != nil {
		p.status = 1
		code, msg := qtshm.UnknownError, err.Error()
		var pe *peerError
		var qe *qtshm.Error
		switch {
		case errors.As(err, &pe):
			code, msg = pe.code, pe.msg
		case errors.As(err, &qe):
			code, msg = qe.Code, qe.Msg
		}
		b.WriteString(`,"error":` + fmt.Sprint(int(code)) + `,"errorString":` + jsonText(msg))
	}
	b.WriteString("}\n")
	p.write(b.Bytes())
}

func (p *peer) write(b []byte) {
	if p.outErr != nil {
		return
	}
	if _, err := p.stdout.Write(b); err != nil {
		p.outErr = err
	}
}

// jsonText encodes v as JSON without HTML escaping (as the C++ peer writes it).
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return `"` + err.Error() + `"`
	}
	return strings.TrimSuffix(b.String(), "\n")
}
