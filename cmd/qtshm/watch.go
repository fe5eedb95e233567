package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

const watchUsage = `usage: qtshm watch KEY [flags]
Prints the state of QSharedMemory(KEY), then each change with the time it was seen: by
comparing the content every --interval, or woken by the doorbell --doorbell DKEY (which writers
ring after each write; see docs/doorbell.md), comparing only every --fallback besides.
Each line: TIME SOURCE gen=N size=N "TEXT" (TEXT: the bytes up to the first NUL); with --json
one object: {"time","source","exists","generation","size","text","hex"}.
`

// watchEvent is one --json line.
type watchEvent struct {
	Time       string `json:"time"`
	Source     string `json:"source"`
	Exists     bool   `json:"exists"`
	Generation uint64 `json:"generation"`
	Size       int    `json:"size"`
	Text       string `json:"text"`
	Hex        string `json:"hex"`
}

// runWatch is `qtshm watch KEY [flags]`: flags may come before or after KEY.
func runWatch(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var wo qtshm.WatchOptions
	fs.DurationVar(&wo.Interval, "interval", qtshm.DefaultWatchInterval, "time between comparisons without a doorbell (> 0)")
	fs.StringVar(&wo.Doorbell, "doorbell", "", "doorbell key: wake when a writer rings it")
	fs.DurationVar(&wo.Fallback, "fallback", qtshm.DefaultWatchFallback, "with --doorbell: time between comparisons anyway (> 0)")
	asJSON := fs.Bool("json", false, "print one JSON object per change")
	tmpdir := fs.String("tmpdir", "", "directory of the key files (default: Qt's temp path, $TMPDIR or /tmp)")
	backend := fs.String("backend", "", "backend of the data segment: "+strings.Join(qtshm.Backends(), ", ")+" (default: the first; the doorbell always uses the pure one)")
	flavor := fs.String("flavor", "", "Qt flavour of the pure backend: qt515 (default) or qt661")
	native := fs.Bool("native", false, "KEY is a Qt 6.6+ native key string (posix:/NAME, systemv:/PATH, systemv-N:/PATH); the doorbell stays a QString key")
	foreign := fs.Bool("foreign", false, "use objects of other users, as Qt does")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, watchUsage)
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				return nil
			}
			return usageError("watch: " + err.Error())
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	var opts []qtshm.Option
	switch {
	case len(pos) != 1 || pos[0] == "":
		return usageError("watch: want exactly one non-empty KEY (qtshm watch KEY [flags])")
	case wo.Interval <= 0:
		return usageError(fmt.Sprintf("watch: --interval must be positive, not %v", wo.Interval))
	case wo.Fallback <= 0:
		return usageError(fmt.Sprintf("watch: --fallback must be positive, not %v", wo.Fallback))
	case wo.Doorbell == pos[0]:
		return usageError("watch: the --doorbell key must differ from KEY")
	case *backend != "" && !slices.Contains(qtshm.Backends(), *backend):
		return usageError(fmt.Sprintf("watch: unknown backend %q (built in: %s)", *backend, strings.Join(qtshm.Backends(), ", ")))
	}
	if *backend != "" {
		opts = append(opts, qtshm.WithBackend(*backend))
	}
	switch *flavor {
	case "":
	case "qt515":
		opts = append(opts, qtshm.WithFlavor(qtshm.FlavorQt515))
	case "qt661":
		opts = append(opts, qtshm.WithFlavor(qtshm.FlavorQt661))
	default:
		return usageError(fmt.Sprintf("watch: unknown flavor %q (qt515 or qt661)", *flavor))
	}
	if *tmpdir != "" {
		opts = append(opts, qtshm.WithTempDir(*tmpdir))
	}
	if *foreign {
		opts = append(opts, qtshm.WithForeignOwner())
	}
	emit := func(c qtshm.Change) error { return printChange(stdout, c, *asJSON) }
	if *native {
		k, err := qtshm.ParseNativeIpcKey(pos[0])
		if err != nil {
			return usageError(fmt.Sprintf("watch: %q is not a native key string (posix:/NAME, systemv:/PATH, systemv-N:/PATH)", pos[0]))
		}
		return qtshm.WatchNativeKey(ctx, k, wo, emit, opts...)
	}
	return qtshm.Watch(ctx, pos[0], wo, emit, opts...)
}

// printChange prints one change as a line of text or JSON.
func printChange(w io.Writer, c qtshm.Change, asJSON bool) error {
	text := c.Data
	if i := slices.Index(text, 0); i >= 0 {
		text = text[:i]
	}
	ts := c.Time.Format(time.RFC3339Nano)
	var err error
	if asJSON {
		b, _ := json.Marshal(watchEvent{Time: ts, Source: string(c.Source), Exists: c.Exists,
			Generation: c.Generation, Size: len(c.Data), Text: string(text), Hex: hex.EncodeToString(c.Data)})
		_, err = fmt.Fprintf(w, "%s\n", b)
	} else if !c.Exists {
		_, err = fmt.Fprintf(w, "%s %s gen=%d no segment\n", ts, c.Source, c.Generation)
	} else {
		_, err = fmt.Fprintf(w, "%s %s gen=%d size=%d %q\n", ts, c.Source, c.Generation, len(c.Data), text)
	}
	if err != nil {
		return fmt.Errorf("writing the output: %w", err)
	}
	return nil
}
