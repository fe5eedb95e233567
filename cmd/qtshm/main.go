// Command qtshm is qtshm-go's command-line tool: inspection and recovery of the IPC objects
// Qt's QSharedMemory and QSystemSemaphore leave on a machine, the article's Go writer and
// reader, and the Go peer the interop tests drive.
//
// Usage:
//
//	qtshm key KEY                  a key's native keys, ftok keys and objects (owner, mode, size, attachments)
//	qtshm ls                       every Qt IPC object of the machine, stale ones flagged
//	qtshm cat KEY                  the segment's bytes, read under the lock (--hex, --string, --offset, --length)
//	qtshm write KEY                standard input or --string into the segment under the lock (--offset, --create SIZE --hold D)
//	qtshm rm KEY | rm --stale      remove what a crash left (never anything in use, unless --force)
//	qtshm lock KEY --hold D        hold the key's lock for D (a signal ends it early)
//	qtshm writer [flags]           the article's writer (Go side)
//	qtshm reader [flags]           the article's reader (Go side)
//	qtshm peer [peer args]         the Go peer (see internal/cmd/peer)
//	qtshm backends                 list the backends built in
//	qtshm watch KEY [flags]        print each change of a segment (polling or a doorbell)
//
// key, ls, cat, write, rm, lock and watch take --json (JSON lines, docs/cli.md), --tmpdir DIR (the
// key files' directory instead of QDir::tempPath()), --backend, --flavor qt515|qt661,
// --native (KEY is a Qt 6.6+ native key string: posix:/NAME, systemv:/PATH, systemv-N:/PATH;
// without it KEY is a QString key) and --foreign (use other users' objects, as Qt does).
// Flags may follow KEY. docs/cli.md documents every command, the JSON fields and the
// staleness rules. Exit status: 0 done, 1 failed (one line on standard error), 2 bad usage.
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
  qtshm key KEY             KEY's native keys, ftok keys and objects (owner, mode, size, attachments)
  qtshm ls                  every Qt IPC object of the machine; stale ones flagged, with the reason
  qtshm cat KEY             the segment's bytes under the lock (--hex, --string, --offset N, --length N)
  qtshm write KEY           stdin or --string TEXT into the segment under the lock (--offset N;
                            --create SIZE --hold DURATION makes and keeps a missing segment)
  qtshm rm KEY              remove KEY's stale objects (--force: even in use)
  qtshm rm --stale          remove every stale object ls flags
  qtshm lock KEY --hold D   hold KEY's lock for D (e.g. 30s); a signal ends it early
  qtshm writer [flags]      the article's writer (Go side); qtshm writer -h lists the flags
  qtshm reader [flags]      the article's reader (Go side)
  qtshm peer [args]         the Go peer of the interop tests (see internal/cmd/peer)
  qtshm backends            list the backends built into this binary
  qtshm watch KEY [flags]   print each change of a segment (polling or a doorbell); qtshm watch -h

key, ls, cat, write, rm, lock, watch also take: --json (JSON lines), --tmpdir DIR, --backend B,
--flavor qt515|qt661, --native (KEY is a native key string: posix:/NAME, systemv:/PATH),
--foreign (use other users' objects); qtshm COMMAND -h lists a command's flags.
Exit status: 0 done, 1 failed, 2 bad usage.
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
		// One line; the library's messages already start with "qtshm: " where they are ours.
		fmt.Fprintln(stderr, "qtshm:", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "qtshm: "), "\n", " "))
		return 1
	}
	return code
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 {
		return 0, usageError("missing command (" + commandList() + "; qtshm -h for help)")
	}
	cmd, args := args[0], args[1:]
	if f, ok := operatorCommands[cmd]; ok {
		return f(ctx, args, stdin, stdout)
	}
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usageText)
		return 0, nil
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
	case "backends":
		if len(args) != 0 {
			return 0, usageError("backends: takes no arguments")
		}
		_, err := fmt.Fprintln(stdout, strings.Join(qtshm.Backends(), "\n"))
		return 0, err
	}
	return 0, usageError(fmt.Sprintf("unknown command %q (%s)", cmd, commandList()))
}

// command runs one operator command: its arguments after the command's name; it returns the
// exit status, or an error (a usageError for bad usage).
type command func(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) (int, error)

// operatorCommands are the commands for people inspecting and repairing a machine's Qt IPC
// objects, each in the file named after it. A new one is one more entry.
var operatorCommands = map[string]command{
	"key": func(_ context.Context, a []string, _ io.Reader, out io.Writer) (int, error) { return runKey(a, out) },
	"ls": func(ctx context.Context, a []string, _ io.Reader, out io.Writer) (int, error) {
		return runLs(ctx, a, out)
	},
	"cat": func(ctx context.Context, a []string, _ io.Reader, out io.Writer) (int, error) {
		return runCat(ctx, a, out)
	},
	"watch": func(ctx context.Context, a []string, _ io.Reader, out io.Writer) (int, error) {
		return 0, runWatch(ctx, a, out)
	},
	"write": runWrite,
	"rm": func(ctx context.Context, a []string, _ io.Reader, out io.Writer) (int, error) {
		return runRm(ctx, a, out)
	},
	"lock": func(ctx context.Context, a []string, _ io.Reader, out io.Writer) (int, error) {
		return runLock(ctx, a, out)
	},
}

// commandList names every command, for the usage errors.
func commandList() string {
	names := make([]string, 0, len(operatorCommands))
	for n := range operatorCommands {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(append(names, "writer", "reader", "peer", "backends"), ", ")
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
