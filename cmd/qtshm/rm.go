package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/qtshm/qtshm-go/qtshm"
)

const rmSynopsis = "rm [--force] [--native] [--json] [--tmpdir DIR] [--flavor F] KEY | rm --stale [--json] [--tmpdir DIR]"

// runRm is `qtshm rm KEY` and `qtshm rm --stale`: remove what a crash left, through the
// library's RemoveObject (under each key's lock). Without --force nothing in use is removed.
func runRm(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	c := newCommon("rm")
	stale := c.fs.Bool("stale", false, "remove every stale object `qtshm ls` flags, instead of one key's")
	force := c.fs.Bool("force", false, "remove the key's objects even while in use (System V: attached segments go at their last detach, waiters fail)")
	if help, err := c.parse(args, -1, rmSynopsis, stdout); help || err != nil {
		return 0, err
	}
	switch {
	case *stale && c.fs.NArg() != 0:
		return 0, usageError("rm: --stale takes no KEY (want " + rmSynopsis + ")")
	case *stale && *force:
		return 0, usageError("rm: --force works on one KEY only, not with --stale")
	case !*stale && c.fs.NArg() != 1:
		return 0, usageError("rm: want " + rmSynopsis)
	}
	lopts := qtshm.ListOptions{TempDir: c.tmpdir, Flavor: c.flavorValue()}
	var before []qtshm.Object
	var what string
	if *stale {
		all, err := qtshm.List(ctx, lopts)
		if err != nil {
			return 0, err
		}
		before, what = all, "stale objects"
	} else {
		ki, err := c.inspect(c.fs.Arg(0))
		if err != nil {
			return 0, err
		}
		if len(ki.Objects) == 0 {
			return 0, fmt.Errorf("rm: nothing exists for key %q (%s)", c.fs.Arg(0), ki.NativeKey)
		}
		before, what = ki.Objects, "key "+c.fs.Arg(0)
	}
	// Segments first: their removal takes the key file and the lock with it.
	var errs []string
	// What rm removed: the objects RemoveObject removed, and the objects of the same key (its
	// SHA-1) that went with them. Anything else that vanished meanwhile was not rm's doing.
	removedIdx, removedKey := map[int]bool{}, map[string]bool{}
	for _, pass := range [][]qtshm.ObjectKind{{qtshm.KindSysVSegment, qtshm.KindPosixSegment}, {qtshm.KindKeyFile}, {qtshm.KindSysVSemaphore, qtshm.KindPosixSemaphore}} {
		for i, o := range before {
			if !contains(pass, o.Kind) || !(o.Stale || *force) {
				continue
			}
			ok, err := qtshm.RemoveObject(ctx, o, *force, c.options()...)
			if ok {
				removedIdx[i] = true
				if o.SHA1 != "" {
					removedKey[o.SHA1] = true
				}
			}
			if err != nil {
				if ctx.Err() != nil {
					return 0, err
				}
				errs = append(errs, o.Name()+": "+strings.ReplaceAll(err.Error(), "qtshm: ", "")) // one prefix, on the line
			}
		}
	}
	after, err := c.remaining(ctx, lopts)
	if err != nil {
		return 0, err
	}
	gone := 0
	var kept []qtshm.Object
	for i, o := range before {
		if present(after, o) {
			if o.Stale || *force {
				kept = append(kept, o)
			}
			continue
		}
		if !removedIdx[i] && (o.SHA1 == "" || !removedKey[o.SHA1]) {
			continue // gone, but not by rm (its owner removed it meanwhile)
		}
		gone++
		if c.json {
			err = printJSON(stdout, rmResult{Object: o, Removed: true})
		} else {
			_, err = fmt.Fprintf(stdout, "removed %s\n", describe(o))
		}
		if err != nil {
			return 0, err
		}
	}
	for _, o := range kept {
		if c.json {
			printJSON(stdout, rmResult{Object: o, Removed: false})
		}
	}
	switch {
	case len(errs) > 0:
		return 0, errors.New("rm: " + strings.Join(errs, "; "))
	case len(kept) > 0:
		return 0, fmt.Errorf("rm: %d of the %s kept: %s (in use? --force removes a key's objects anyway)", len(kept), what, inUse(kept[0]))
	case gone == 0 && !*stale:
		return 0, fmt.Errorf("rm: nothing removed for key %q: it is in use (%s); --force removes it anyway", c.fs.Arg(0), inUse(before[0]))
	case gone == 0 && !c.json:
		_, err = fmt.Fprintln(stdout, "nothing stale")
	}
	return 0, err
}

// remaining lists the objects after the removal (the key's, or all).
func (c *common) remaining(ctx context.Context, lopts qtshm.ListOptions) ([]qtshm.Object, error) {
	if c.fs.NArg() == 1 {
		ki, err := c.inspect(c.fs.Arg(0))
		return ki.Objects, err
	}
	return qtshm.List(ctx, lopts)
}

// rmResult is one JSON line of `qtshm rm --json`: an object and whether it was removed.
type rmResult struct {
	qtshm.Object
	Removed bool `json:"removed"`
}

func contains(ks []qtshm.ObjectKind, k qtshm.ObjectKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// present reports whether o is still among objs (the same file, or the same kernel object).
func present(objs []qtshm.Object, o qtshm.Object) bool {
	for _, x := range objs {
		if x.Kind == o.Kind && x.Path == o.Path && x.ID == o.ID {
			return true
		}
	}
	return false
}

func describe(o qtshm.Object) string {
	s := o.Name()
	if o.Path != "" {
		s = string(o.Kind) + " " + s
	}
	if o.Path == "" && o.KeyFile != "" {
		s += " (" + o.KeyFile + ")"
	}
	if o.StaleReason != "" {
		s += ": " + o.StaleReason
	}
	return s
}

func inUse(o qtshm.Object) string {
	s := string(o.Kind) + " " + o.Name()
	if o.Attach > 0 {
		s += fmt.Sprintf(", %d attached", o.Attach)
	}
	if o.Waiters > 0 {
		s += fmt.Sprintf(", %d waiting", o.Waiters)
	}
	if o.StaleReason != "" {
		s += ", " + o.StaleReason
	}
	return s
}
