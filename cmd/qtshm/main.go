// Command qtshm is qtshm-go's command-line tool: the article's Go writer and reader, key
// inspection, and the Go peer the interop tests drive.
//
// Usage:
//
//	qtshm key KEY                  print the native key files Qt uses for KEY
//	qtshm writer [flags]           the article's writer (Go side)
//	qtshm reader [flags]           the article's reader (Go side)
//	qtshm peer [peer args]         the Go peer (see internal/cmd/peer)
//	qtshm backends                 list the backends built in
//	qtshm watch KEY [flags]        print each change of a segment (polling or a doorbell)
//
// writer and reader flags: -key (default MySharedMemoryKey), -interval (1s), -ticks (0 = run
// until stopped), -backend (sysv; native when built with -tags qt5 or qt6), -quit-on-eof
// (stop cleanly when standard input closes).
//
// Bad usage — an unknown command or flag, a missing, empty or malformed argument, a stray
// positional argument — prints one line to standard error and exits with status 2. -h prints
// the usage and exits 0.
//
// Stopping: SIGINT, SIGTERM and SIGHUP, and a standard output that can no longer be written
// (a closed pipe, e.g. `qtshm writer | head -2`; SIGPIPE is caught, the failed write is the
// stop request), stop the writer, the reader and the peer cleanly: the segment is detached,
// and removed (with its lock and key files) by the last process. Such a requested stop exits
// with status 0 (the peer: its status so far) — it is how these programs are meant to end.
// With the pure backend a stop also ends a wait for the lock. The native backend cannot end
// such a wait (Qt's cannot): a program stuck in one exits with status 1 five seconds after the
// signal, without cleaning up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/qtshm/qtshm-go/internal/cmd/article"
	"github.com/qtshm/qtshm-go/internal/cmd/peer"
	"github.com/qtshm/qtshm-go/qtshm"
)

const usageText = `usage:
  qtshm key KEY             print the native key files Qt uses for KEY
  qtshm writer [flags]      the article's writer (Go side); qtshm writer -h lists the flags
  qtshm reader [flags]      the article's reader (Go side)
  qtshm peer [args]         the Go peer of the interop tests (see internal/cmd/peer)
  qtshm backends            list the backends built into this binary
  qtshm watch KEY [flags]   print each change of a segment; qtshm watch -h lists the flags
`

// stopGrace is how long a stopping program may take to clean up before it exits anyway.
const stopGrace = 5 * time.Second

func main() {
	// SIGPIPE is caught too: then a write to a closed stdout fails with EPIPE (which the
	// programs take as a stop request) instead of killing the process before it cleans up.
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	go func() {
		<-ctx.Done()
		time.Sleep(stopGrace)
		fmt.Fprintf(os.Stderr, "qtshm: did not stop within %v of the signal; exiting without cleaning up\n", stopGrace)
		os.Exit(1)
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError is a bad command line: one line on stderr, exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	code, err := dispatch(ctx, args, stdin, stdout, stderr)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "qtshm:", ue)
		return 2
	case brokenPipe(err):
		return 0 // stdout closed: a stop request, and the program cleaned up
	case err != nil:
		fmt.Fprintln(stderr, "qtshm:", err)
		return 1
	}
	return code
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 {
		return 0, usageError("missing command (key, writer, reader, peer or backends; qtshm -h for help)")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usageText)
		return 0, nil
	case "key":
		if len(args) != 1 || args[0] == "" {
			return 0, usageError("key: want exactly one non-empty KEY (qtshm key KEY)")
		}
		_, err := fmt.Fprintf(stdout, "shared memory: %s\nlock:          %s\n", qtshm.LegacyNativeKey(args[0]), qtshm.LegacySemaphoreNativeKey(args[0]))
		return 0, err
	case "writer", "reader":
		o, quitOnEOF, err := articleFlags(cmd, args, stdout)
		if err != nil || o == nil {
			return 0, err
		}
		if quitOnEOF {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			go func() { io.Copy(io.Discard, stdin); cancel() }()
		}
		f := article.RunWriter
		if cmd == "reader" {
			f = article.RunReader
		}
		return 0, f(ctx, *o, stdout)
	case "peer":
		return peer.RunContext(ctx, args, stdin, stdout, stderr), nil
	case "watch":
		return 0, runWatch(ctx, args, stdout)
	case "backends":
		if len(args) != 0 {
			return 0, usageError("backends: takes no arguments")
		}
		_, err := fmt.Fprintln(stdout, strings.Join(qtshm.Backends(), "\n"))
		return 0, err
	}
	return 0, usageError(fmt.Sprintf("unknown command %q (key, writer, reader, peer or backends)", cmd))
}

// articleFlags parses the writer's or reader's flags. It returns nil options (and no error)
// after printing the help for -h.
func articleFlags(cmd string, args []string, stdout io.Writer) (*article.Options, bool, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o article.Options
	fs.StringVar(&o.Key, "key", article.DefaultKey, "shared memory key (not empty)")
	fs.DurationVar(&o.Interval, "interval", article.DefaultInterval, "time between messages (> 0)")
	fs.IntVar(&o.Ticks, "ticks", 0, "exit after this many messages (0: run until stopped)")
	fs.StringVar(&o.Backend, "backend", "", "backend: "+strings.Join(qtshm.Backends(), ", ")+" (default: the first)")
	quitOnEOF := fs.Bool("quit-on-eof", false, "stop cleanly when standard input closes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: qtshm %s [flags]\n", cmd)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil, false, nil
		}
		return nil, false, usageError(fmt.Sprintf("%s: %v", cmd, err))
	}
	switch {
	case fs.NArg() > 0:
		return nil, false, usageError(fmt.Sprintf("%s: unexpected argument %q (flags only)", cmd, fs.Arg(0)))
	case o.Key == "":
		return nil, false, usageError(cmd + ": -key must not be empty")
	case o.Interval <= 0:
		return nil, false, usageError(fmt.Sprintf("%s: -interval must be positive, not %v", cmd, o.Interval))
	case o.Ticks < 0:
		return nil, false, usageError(fmt.Sprintf("%s: -ticks must not be negative, not %d", cmd, o.Ticks))
	case o.Backend != "" && !slices.Contains(qtshm.Backends(), o.Backend):
		return nil, false, usageError(fmt.Sprintf("%s: unknown backend %q (built in: %s)", cmd, o.Backend, strings.Join(qtshm.Backends(), ", ")))
	}
	return &o, *quitOnEOF, nil
}
