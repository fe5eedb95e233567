package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

const lockSynopsis = "lock --hold DURATION [--native] [--json] [--tmpdir DIR] [--backend B] [--flavor F] KEY"

// runLock is `qtshm lock KEY --hold DURATION`: take the key's lock and keep it, to see how a
// Qt application behaves meanwhile. The segment must exist (lock attaches to it first). A signal (Ctrl-C) ends the hold early; either way the lock
// is released before it exits.
func runLock(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	c := newCommon("lock")
	hold := c.fs.Duration("hold", 0, "how long to hold the lock (required)")
	if help, err := c.parse(args, 1, lockSynopsis, stdout); help || err != nil {
		return 0, err
	}
	if *hold <= 0 {
		return 0, usageError("lock: want --hold DURATION, positive (e.g. --hold 30s)")
	}
	m, err := c.open(c.fs.Arg(0))
	if err != nil {
		return 0, err
	}
	defer m.Close()
	// As in Qt, the lock's key is set up by attach (or create): lock() of an object that never
	// attached fails. Attaching read-only is enough, and keeps the segment alive meanwhile.
	if err := m.AttachContext(ctx, qtshm.ReadOnly); err != nil {
		return 0, err
	}
	if err := m.LockContext(ctx); err != nil {
		return 0, err
	}
	event := func(what string) error {
		if c.json {
			return printJSON(stdout, lockEvent{Event: what, Key: m.Key(), NativeKey: m.NativeKey(), Hold: hold.String()})
		}
		_, err := fmt.Fprintf(stdout, "%s %s\n", what, m.NativeKey())
		return err
	}
	if err := event("locked"); err != nil {
		m.Unlock()
		return 0, err
	}
	t := time.NewTimer(*hold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	if err := m.Unlock(); err != nil {
		return 0, err
	}
	return 0, event("unlocked")
}

// lockEvent is a JSON line of `qtshm lock --json`: "locked", then "unlocked".
type lockEvent struct {
	Event     string `json:"event"`
	Key       string `json:"key"`
	NativeKey string `json:"nativeKey"`
	Hold      string `json:"hold"`
}
