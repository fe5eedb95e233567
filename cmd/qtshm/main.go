// Command qtshm is qtshm-go's command-line tool: the article's Go writer and reader, key
// inspection, and the Go peer the interop tests drive.
//
// Usage:
//
//	qtshm key KEY                  print the native key files Qt uses for KEY
//	qtshm writer [flags]           the article's writer (Go side)
//	qtshm reader [flags]           the article's reader (Go side)
//	qtshm peer [peer args]         the Go peer (see internal/peer)
//	qtshm backends                 list the backends built in
//
// writer and reader flags: -key (default MySharedMemoryKey), -interval (1s), -ticks (0 = run
// until interrupted), -backend (sysv; native when built with -tags qt5 or qt6), -quit-on-eof
// (stop cleanly when standard input closes). SIGINT and SIGTERM stop them cleanly too: the
// segment is detached, and removed by the last process.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/qtshm/qtshm-go/internal/cmd/article"
	"github.com/qtshm/qtshm-go/internal/cmd/peer"
	"github.com/qtshm/qtshm-go/qtshm"
)

const usage = `usage:
  qtshm key KEY             print the native key files Qt uses for KEY
  qtshm writer [flags]      the article's writer (Go side)
  qtshm reader [flags]      the article's reader (Go side)
  qtshm peer [args]         the Go peer of the interop tests
  qtshm backends            list the backends built into this binary
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1], os.Args[2:]))
}

func run(ctx context.Context, cmd string, args []string) int {
	switch cmd {
	case "key":
		if len(args) != 1 {
			fmt.Fprint(os.Stderr, usage)
			return 2
		}
		fmt.Printf("shared memory: %s\nlock:          %s\n", qtshm.LegacyNativeKey(args[0]), qtshm.LegacySemaphoreNativeKey(args[0]))
		return 0
	case "writer", "reader":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		var o article.Options
		fs.StringVar(&o.Key, "key", article.DefaultKey, "shared memory key")
		fs.DurationVar(&o.Interval, "interval", article.DefaultInterval, "time between messages")
		fs.IntVar(&o.Ticks, "ticks", 0, "exit after this many messages (0: run until interrupted)")
		fs.StringVar(&o.Backend, "backend", "", "backend: "+strings.Join(qtshm.Backends(), ", ")+" (default: the first)")
		quitOnEOF := fs.Bool("quit-on-eof", false, "stop cleanly when standard input closes")
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if *quitOnEOF {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			go func() { io.Copy(io.Discard, os.Stdin); cancel() }()
		}
		f := article.RunWriter
		if cmd == "reader" {
			f = article.RunReader
		}
		if err := f(ctx, o, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "qtshm:", err)
			return 1
		}
		return 0
	case "peer":
		return peer.Run(args, os.Stdin, os.Stdout)
	case "backends":
		fmt.Println(strings.Join(qtshm.Backends(), "\n"))
		return 0
	}
	fmt.Fprint(os.Stderr, usage)
	return 2
}
