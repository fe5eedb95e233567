package main

import (
	"context"
	"io"

	"github.com/qtshm/qtshm-go/qtshm"
)

const lsSynopsis = "ls [--all] [--stale] [--json] [--tmpdir DIR] [--flavor qt515|qt661]"

// runLs is `qtshm ls`: every Qt IPC object of the machine, stale ones flagged.
func runLs(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	c := newCommon("ls")
	all := c.fs.Bool("all", false, "every System V object and everything in /dev/shm, not only Qt's")
	staleOnly := c.fs.Bool("stale", false, "only the stale objects")
	if help, err := c.parse(args, 0, lsSynopsis, stdout); help || err != nil {
		return 0, err
	}
	objs, err := qtshm.List(ctx, qtshm.ListOptions{TempDir: c.tmpdir, Flavor: c.flavorValue(), All: *all})
	if err != nil {
		return 0, err
	}
	if *staleOnly {
		var keep []qtshm.Object
		for _, o := range objs {
			if o.Stale {
				keep = append(keep, o)
			}
		}
		objs = keep
	}
	if c.json {
		for _, o := range objs {
			if err := printJSON(stdout, o); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	return 0, printTable(stdout, objs, termWidth(stdout))
}
